/* SPDX-License-Identifier: MIT */
#include "unit_file.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../daemon/util.h"

#define UNIT_FILE_SIZE_MAX (1024 * 1024)

static char *strndup_trim(const char *s, size_t n)
{
        while (n > 0 && isspace((unsigned char)*s)) {
                s++;
                n--;
        }
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                n--;
        return strndup(s, n);
}

static int add_entry(struct unit_file *f, const struct unit_file_entry *e)
{
        struct unit_file_entry *bigger;

        bigger = realloc(f->entries, (f->n_entries + 1) * sizeof(*bigger));
        if (!bigger)
                return -ENOMEM;
        f->entries = bigger;
        f->entries[f->n_entries++] = *e;
        return 0;
}

/* One logical line (continuations joined), reported at line. */
static int parse_logical(struct unit_file *f, char **section, const char *l, unsigned line)
{
        struct unit_file_entry e = {.line = line};
        const char *eq;
        size_t n = strlen(l);

        if (l[0] == '[' && n >= 2 && l[n - 1] == ']') {
                char *name = strndup(l + 1, n - 2);

                if (!name)
                        return -ENOMEM;
                free(*section);
                *section = name;
                e.header = true;
                e.section = strdup(name);
                if (!e.section)
                        return -ENOMEM;
                if (add_entry(f, &e) < 0) {
                        free(e.section);
                        return -ENOMEM;
                }
                return 0;
        }
        e.section = *section ? strdup(*section) : NULL;
        if (*section && !e.section)
                return -ENOMEM;
        eq = strchr(l, '=');
        if (!eq) {
                e.missing_eq = true;
                e.key = strdup(l);
        } else {
                e.key = strndup_trim(l, (size_t)(eq - l));
                e.value = strndup_trim(eq + 1, strlen(eq + 1));
        }
        if (!e.key || (eq && !e.value) || add_entry(f, &e) < 0) {
                free(e.section);
                free(e.key);
                free(e.value);
                return -ENOMEM;
        }
        return 0;
}

int unit_file_parse_text(const char *path, const char *text, struct unit_file *ret)
{
        struct unit_file f = {};
        _cleanup_free_ char *section = NULL, *cont = NULL;
        size_t cont_len = 0;
        unsigned line = 0;
        int r = 0;

        f.path = strdup(path);
        if (!f.path)
                return -ENOMEM;
        for (const char *p = text; *p && r >= 0;) {
                const char *end = strchr(p, '\n');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                _cleanup_free_ char *l = strndup_trim(p, n);
                size_t ln;

                p += n + (end ? 1 : 0);
                line++;
                if (!l) {
                        r = -ENOMEM;
                        break;
                }
                ln = strlen(l);
                /* Comments, also inside a continuation; an empty line ends nothing by itself. */
                if (l[0] == '#' || l[0] == ';')
                        continue;
                if (!cont && ln == 0)
                        continue;
                if (ln > 0 && l[ln - 1] == '\\') {
                        char *bigger = realloc(cont, cont_len + ln + 1);

                        if (!bigger) {
                                r = -ENOMEM;
                                break;
                        }
                        cont = bigger;
                        memcpy(cont + cont_len, l, ln - 1);
                        cont_len += ln - 1;
                        cont[cont_len++] = ' ';
                        cont[cont_len] = '\0';
                        continue;
                }
                if (cont) {
                        _cleanup_free_ char *joined = NULL;

                        if (asprintf(&joined, "%s%s", cont, l) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        cont = (free(cont), NULL);
                        cont_len = 0;
                        r = parse_logical(&f, &section, joined, line);
                        continue;
                }
                r = parse_logical(&f, &section, l, line);
        }
        /* A file ending inside a continuation: systemd parses what it has. */
        if (r >= 0 && cont)
                r = parse_logical(&f, &section, cont, line);
        if (r < 0) {
                unit_file_release(&f);
                return r;
        }
        *ret = f;
        return 0;
}

int unit_file_load(const char *path, struct unit_file *ret)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        struct stat st;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (st.st_size > UNIT_FILE_SIZE_MAX)
                return -EFBIG;
        buf = malloc((size_t)st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        while (len < (size_t)st.st_size) {
                ssize_t k = read(fd, buf + len, (size_t)st.st_size - len);

                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        buf[len] = '\0';
        return unit_file_parse_text(path, buf, ret);
}

void unit_file_release(struct unit_file *f)
{
        for (size_t i = 0; i < f->n_entries; i++) {
                free(f->entries[i].section);
                free(f->entries[i].key);
                free(f->entries[i].value);
        }
        free(f->entries);
        free(f->path);
        *f = (struct unit_file){};
}

const struct unit_file_entry *unit_file_at_line(const struct unit_file *f, unsigned line)
{
        for (size_t i = 0; i < f->n_entries; i++)
                if (f->entries[i].line == line)
                        return &f->entries[i];
        return NULL;
}

/*
 * Keys of systemd 252's unit files that unitwatch knows, by section. Not the whole set: the
 * resource and sandbox settings, and the common ones people mistype. "Service" stands for
 * every section of the exec/cgroup/kill settings (Service, Socket, Mount, Swap, Slice...).
 */
static const struct {
        const char *key;
        const char *section;
} known_keys[] = {
        {"Description", "Unit"},
        {"Documentation", "Unit"},
        {"After", "Unit"},
        {"Before", "Unit"},
        {"Wants", "Unit"},
        {"Requires", "Unit"},
        {"Requisite", "Unit"},
        {"BindsTo", "Unit"},
        {"PartOf", "Unit"},
        {"Conflicts", "Unit"},
        {"DefaultDependencies", "Unit"},
        {"ConditionPathExists", "Unit"},
        {"StartLimitIntervalSec", "Unit"},
        {"StartLimitBurst", "Unit"},
        {"WantedBy", "Install"},
        {"RequiredBy", "Install"},
        {"Alias", "Install"},
        {"Also", "Install"},
        {"Type", "Service"},
        {"ExecStart", "Service"},
        {"ExecStartPre", "Service"},
        {"ExecStartPost", "Service"},
        {"ExecReload", "Service"},
        {"ExecStop", "Service"},
        {"Restart", "Service"},
        {"RestartSec", "Service"},
        {"TimeoutStartSec", "Service"},
        {"TimeoutStopSec", "Service"},
        {"WatchdogSec", "Service"},
        {"RemainAfterExit", "Service"},
        {"PIDFile", "Service"},
        {"NotifyAccess", "Service"},
        {"User", "Service"},
        {"Group", "Service"},
        {"DynamicUser", "Service"},
        {"SupplementaryGroups", "Service"},
        {"WorkingDirectory", "Service"},
        {"RootDirectory", "Service"},
        {"RootImage", "Service"},
        {"Environment", "Service"},
        {"EnvironmentFile", "Service"},
        {"UMask", "Service"},
        {"Nice", "Service"},
        {"LimitNOFILE", "Service"},
        {"StateDirectory", "Service"},
        {"CacheDirectory", "Service"},
        {"LogsDirectory", "Service"},
        {"RuntimeDirectory", "Service"},
        {"ConfigurationDirectory", "Service"},
        {"ReadWritePaths", "Service"},
        {"ReadOnlyPaths", "Service"},
        {"InaccessiblePaths", "Service"},
        {"CapabilityBoundingSet", "Service"},
        {"AmbientCapabilities", "Service"},
        {"NoNewPrivileges", "Service"},
        {"ProtectSystem", "Service"},
        {"ProtectHome", "Service"},
        {"PrivateTmp", "Service"},
        {"PrivateDevices", "Service"},
        {"PrivateNetwork", "Service"},
        {"PrivateUsers", "Service"},
        {"PrivateMounts", "Service"},
        {"PrivateIPC", "Service"},
        {"ProtectKernelTunables", "Service"},
        {"ProtectKernelModules", "Service"},
        {"ProtectKernelLogs", "Service"},
        {"ProtectControlGroups", "Service"},
        {"ProtectClock", "Service"},
        {"ProtectHostname", "Service"},
        {"ProtectProc", "Service"},
        {"ProcSubset", "Service"},
        {"KeyringMode", "Service"},
        {"RemoveIPC", "Service"},
        {"RestrictAddressFamilies", "Service"},
        {"RestrictNamespaces", "Service"},
        {"RestrictRealtime", "Service"},
        {"RestrictSUIDSGID", "Service"},
        {"LockPersonality", "Service"},
        {"MemoryDenyWriteExecute", "Service"},
        {"SystemCallArchitectures", "Service"},
        {"SystemCallFilter", "Service"},
        {"SystemCallErrorNumber", "Service"},
        {"DevicePolicy", "Service"},
        {"DeviceAllow", "Service"},
        {"Delegate", "Service"},
        {"CPUAccounting", "Service"},
        {"CPUWeight", "Service"},
        {"CPUQuota", "Service"},
        {"CPUQuotaPeriodSec", "Service"},
        {"AllowedCPUs", "Service"},
        {"MemoryAccounting", "Service"},
        {"MemoryMin", "Service"},
        {"MemoryLow", "Service"},
        {"MemoryHigh", "Service"},
        {"MemoryMax", "Service"},
        {"MemorySwapMax", "Service"},
        {"TasksAccounting", "Service"},
        {"TasksMax", "Service"},
        {"IOAccounting", "Service"},
        {"IOWeight", "Service"},
        {"IOReadBandwidthMax", "Service"},
        {"IOWriteBandwidthMax", "Service"},
        {"IOReadIOPSMax", "Service"},
        {"IOWriteIOPSMax", "Service"},
        {"IPAccounting", "Service"},
        {"IPAddressAllow", "Service"},
        {"IPAddressDeny", "Service"},
        {"IPIngressFilterPath", "Service"},
        {"IPEgressFilterPath", "Service"},
        {"Slice", "Service"},
        {"KillMode", "Service"},
        {"KillSignal", "Service"},
        {"OOMPolicy", "Service"},
        {"OOMScoreAdjust", "Service"},
};

const char *unit_key_section(const char *key)
{
        for (size_t i = 0; i < ARRAY_SIZE(known_keys); i++)
                if (streq(known_keys[i].key, key))
                        return known_keys[i].section;
        return NULL;
}

const char *unit_key_near_miss(const char *key)
{
        for (size_t i = 0; i < ARRAY_SIZE(known_keys); i++)
                if (strcasecmp(known_keys[i].key, key) == 0 && !streq(known_keys[i].key, key))
                        return known_keys[i].key;
        return NULL;
}

int unit_parse_boolean(const char *v)
{
        static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
        static const char *const no[] = {"0", "no", "n", "false", "f", "off"};

        for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ARRAY_SIZE(no); i++)
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

/* A plain decimal with an optional fraction; returns the rest of the string in *end. */
static int parse_decimal(const char *v, double *ret, const char **end)
{
        char *e;
        double d;

        if (!isdigit((unsigned char)v[0]))
                return -EINVAL;
        errno = 0;
        d = strtod(v, &e);
        if (errno != 0 || e == v)
                return -EINVAL;
        *ret = d;
        *end = e;
        return 0;
}

int unit_parse_bytes(const char *v, uint64_t *ret)
{
        static const char suffixes[] = "KMGTPE";
        const char *end;
        double d, mult = 1;
        int r;

        if (streq(v, "infinity")) {
                *ret = UINT64_MAX;
                return 0;
        }
        r = parse_decimal(v, &d, &end);
        if (r < 0)
                return r;
        while (*end == ' ')
                end++;
        if (*end) {
                const char *s = strchr(suffixes, *end);

                if (!s || end[1] != '\0')
                        return -EINVAL;
                for (const char *k = suffixes; k <= s; k++)
                        mult *= 1024;
        }
        d *= mult;
        if (d >= 18446744073709551615.0)
                return -ERANGE;
        *ret = (uint64_t)d;
        return 0;
}

int unit_parse_cpu_quota(const char *v, uint64_t *ret)
{
        const char *end;
        double d;
        int r;

        if (!v[0]) {
                *ret = UINT64_MAX;
                return 0;
        }
        r = parse_decimal(v, &d, &end);
        if (r < 0)
                return r;
        if (!streq(end, "%") || d <= 0)
                return -EINVAL;
        /* Percent of one CPU per second, in microseconds of CPU time per second. */
        *ret = (uint64_t)(d * 10000.0 + 0.5);
        return 0;
}

int unit_parse_tasks(const char *v, uint64_t *ret)
{
        char *end;
        unsigned long long n;

        if (streq(v, "infinity")) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (!isdigit((unsigned char)v[0]))
                return -EINVAL;
        errno = 0;
        n = strtoull(v, &end, 10);
        if (errno != 0 || *end)
                return -EINVAL;
        *ret = n;
        return 0;
}
