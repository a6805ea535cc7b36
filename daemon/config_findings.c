/* SPDX-License-Identifier: MIT */
#include "config_findings.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "../collectors/unit_file.h"
#include "log.h"
#include "snapshot.h"
#include "util.h"

/* Bounds: a unit with more is broken in ways a list will not fix. */
#define JOURNAL_LINES_MAX 512
#define FINDINGS_MAX      256
/* journald stores PID 1's messages a moment after systemd finished the reload. */
#define JOURNAL_SETTLE_USEC 1000000u
/*
 * A check this long after a unit appeared, or after a reload, is final; earlier ones run again
 * with every snapshot (journald may lag behind a busy PID 1 by more than a second).
 */
#define JOURNAL_SETTLED_USEC 3000000u

enum finding_source {
        SOURCE_JOURNAL,
        SOURCE_UNIT_FILE,
        SOURCE_BUS,
};

static const char *const source_names[] = {"journal", "unit-file", "bus"};

struct finding {
        const char *file; /* points into a loaded unit_file or a journal line */
        unsigned line;
        const char *section, *key, *value;
        enum finding_kind kind;
        enum finding_source source;
        char reason[512];
};

struct finding_list {
        struct finding *f;
        size_t n;
};

void findings_journal_lines_free(struct findings_journal_line *l, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(l[i].file);
                free(l[i].message);
        }
        free(l);
}

static struct finding *find_at(struct finding_list *l, const char *file, unsigned line)
{
        for (size_t i = 0; i < l->n; i++)
                if (l->f[i].line == line && streq(l->f[i].file, file))
                        return &l->f[i];
        return NULL;
}

/* Adds a finding unless one for that file and line is there already (the first source wins). */
static struct finding *add(struct finding_list *l, const char *file, unsigned line)
{
        struct finding *bigger;

        if (find_at(l, file, line) || l->n >= FINDINGS_MAX)
                return NULL;
        bigger = realloc(l->f, (l->n + 1) * sizeof(*bigger));
        if (!bigger)
                return NULL;
        l->f = bigger;
        l->f[l->n] = (struct finding){.file = file, .line = line};
        return &l->f[l->n++];
}

static const struct unit_file *file_by_path(const struct unit_file *files, size_t n,
                                            const char *path)
{
        for (size_t i = 0; i < n; i++)
                if (files[i].path && streq(files[i].path, path))
                        return &files[i];
        return NULL;
}

/*
 * A journal line joined with the file: kept only while the file still holds what systemd
 * complained about (a fixed file clears the finding even before the next daemon-reload
 * repeats nothing). A file that cannot be read keeps it.
 */
/* TODO: a file edited but not yet reloaded (NeedDaemonReload=yes) loses its journal findings
 * before systemd has read it again; the bus comparison still shows a rejected value. */
static void from_journal(struct finding_list *l, const struct unit_file *files, size_t n_files,
                         const struct findings_journal_line *jl)
{
        const struct unit_file *f = file_by_path(files, n_files, jl->file);
        const struct unit_file_entry *e = f ? unit_file_at_line(f, jl->line) : NULL;
        struct config_msg cm;
        struct finding *x;

        config_msg_parse(jl->message, &cm);
        if (f && !e)
                return;
        if (e && cm.kind == FINDING_UNKNOWN_SECTION &&
            !(e->header && e->section && streq(e->section, cm.section)))
                return;
        if (e && cm.key[0] && !(e->key && streq(e->key, cm.key)))
                return;
        x = add(l, jl->file, jl->line);
        if (!x)
                return;
        x->kind = cm.kind;
        x->source = SOURCE_JOURNAL;
        x->section = e ? e->section : NULL;
        x->key = e ? e->key : NULL;
        x->value = e ? e->value : NULL;
        (void)snprintf(x->reason, sizeof(x->reason), "%s", cm.reason);
}

static bool is_unit_section(const char *s)
{
        static const char *const known[] = {"Unit",  "Install", "Service",  "Socket",
                                            "Mount", "Swap",    "Slice",    "Scope",
                                            "Timer", "Path",    "Automount"};

        for (size_t i = 0; s && i < ARRAY_SIZE(known); i++)
                if (streq(s, known[i]))
                        return true;
        return false;
}

/* Settings whose value is a list where "~" inverts the whole list, only as its first word. */
static bool tilde_list(const char *key)
{
        return streq(key, "SystemCallFilter") || streq(key, "RestrictAddressFamilies") ||
               streq(key, "RestrictNamespaces") || streq(key, "CapabilityBoundingSet");
}

/* The first word after the first one that starts with "~", or NULL. */
static const char *stray_tilde(const char *v, size_t *ret_len)
{
        const char *p = v;
        bool first = true;

        while (*p) {
                size_t n;

                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        break;
                n = strcspn(p, " \t");
                if (!first && p[0] == '~') {
                        *ret_len = n;
                        return p;
                }
                first = false;
                p += n;
        }
        return NULL;
}

static void lint_file(struct finding_list *l, const struct unit_file *f)
{
        for (size_t i = 0; i < f->n_entries; i++) {
                const struct unit_file_entry *e = &f->entries[i];
                const char *near, *home, *tilde;
                struct finding *x;
                size_t n;

                if (e->header || !e->key)
                        continue;
                /*
                 * A line without '=' is left to the journal ("Missing '='"): systemd writes
                 * transient units whose quoted values span lines, which it reads back fine.
                 */
                if (e->missing_eq)
                        continue;
                if (!is_unit_section(e->section))
                        continue;
                near = unit_key_near_miss(e->key);
                if (near) {
                        struct finding *have = find_at(l, f->path, e->line);

                        /* systemd said so already: add the spelling it wanted. */
                        if (have && have->kind == FINDING_UNKNOWN_KEY) {
                                size_t len = strlen(have->reason);

                                (void)snprintf(have->reason + len, sizeof(have->reason) - len,
                                               " Did you mean '%s='?", near);
                                continue;
                        }
                        x = add(l, f->path, e->line);
                        if (!x)
                                continue;
                        *x = (struct finding){.file = f->path,
                                              .line = e->line,
                                              .section = e->section,
                                              .key = e->key,
                                              .value = e->value,
                                              .kind = FINDING_UNKNOWN_KEY,
                                              .source = SOURCE_UNIT_FILE};
                        (void)snprintf(x->reason, sizeof(x->reason),
                                       "unknown key '%s' (keys are case-sensitive), systemd "
                                       "ignores it: did you mean '%s='?",
                                       e->key, near);
                        continue;
                }
                home = unit_key_section(e->key);
                if (home && e->section && !streq(home, e->section) &&
                    (streq(e->section, "Unit") || streq(e->section, "Install") ||
                     streq(home, "Unit") || streq(home, "Install"))) {
                        x = add(l, f->path, e->line);
                        if (!x)
                                continue;
                        *x = (struct finding){.file = f->path,
                                              .line = e->line,
                                              .section = e->section,
                                              .key = e->key,
                                              .value = e->value,
                                              .kind = FINDING_WRONG_SECTION,
                                              .source = SOURCE_UNIT_FILE};
                        (void)snprintf(x->reason, sizeof(x->reason),
                                       "'%s=' belongs in [%s], not [%s]: systemd ignores it here",
                                       e->key, home, e->section);
                        continue;
                }
                if (tilde_list(e->key) && (tilde = stray_tilde(e->value, &n))) {
                        x = add(l, f->path, e->line);
                        if (!x)
                                continue;
                        *x = (struct finding){.file = f->path,
                                              .line = e->line,
                                              .section = e->section,
                                              .key = e->key,
                                              .value = e->value,
                                              .kind = FINDING_INEFFECTIVE,
                                              .source = SOURCE_UNIT_FILE};
                        (void)snprintf(x->reason, sizeof(x->reason),
                                       "'~' inverts a %s= line only as its first character: "
                                       "'%.*s' here is taken as a name and ignored, and the "
                                       "line stays an allow-list; put the deny-list on a line "
                                       "of its own (%s=~...)",
                                       e->key, (int)n, tilde, e->key);
                }
        }
}

/* The last assignment of key in [Service] over the files in order; an empty one resets. */
static const struct unit_file_entry *effective(const struct unit_file *files, size_t n,
                                               const char *key, const char **ret_path)
{
        const struct unit_file_entry *last = NULL;

        for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < files[i].n_entries; k++) {
                        const struct unit_file_entry *e = &files[i].entries[k];

                        if (e->header || !e->key || !e->value || !e->section ||
                            !streq(e->section, "Service") || !streq(e->key, key))
                                continue;
                        last = e->value[0] ? e : NULL;
                        *ret_path = files[i].path;
                }
        return last;
}

static void fmt_u64(char *buf, size_t size, uint64_t v)
{
        if (v == UINT64_MAX)
                (void)snprintf(buf, size, "infinity");
        else
                (void)snprintf(buf, size, "%llu", (unsigned long long)v);
}

static void mismatch(struct finding_list *l, const char *path, const struct unit_file_entry *e,
                     const char *want, const char *prop, const char *have)
{
        struct finding *x = add(l, path, e->line);

        if (!x)
                return;
        *x = (struct finding){.file = path,
                              .line = e->line,
                              .section = e->section,
                              .key = e->key,
                              .value = e->value,
                              .kind = FINDING_MISMATCH,
                              .source = SOURCE_BUS};
        (void)snprintf(x->reason, sizeof(x->reason),
                       "the unit files set %s=%s (%s=%s), systemd runs with %s=%s", e->key,
                       e->value, prop, want, prop, have);
}

static void compare_limits(struct finding_list *l, const struct unit_props *p,
                           const struct unit_file *files, size_t n)
{
        static const struct {
                const char *key;
                enum unit_limit_id id;
                int (*parse)(const char *, uint64_t *);
        } limits[] = {
                {"CPUQuota", UNIT_CPU_QUOTA_PER_SEC_USEC, unit_parse_cpu_quota},
                {"MemoryMin", UNIT_MEMORY_MIN, unit_parse_bytes},
                {"MemoryLow", UNIT_MEMORY_LOW, unit_parse_bytes},
                {"MemoryHigh", UNIT_MEMORY_HIGH, unit_parse_bytes},
                {"MemoryMax", UNIT_MEMORY_MAX, unit_parse_bytes},
                {"MemorySwapMax", UNIT_MEMORY_SWAP_MAX, unit_parse_bytes},
                {"TasksMax", UNIT_TASKS_MAX, unit_parse_tasks},
        };

        for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
                const char *path = NULL;
                const struct unit_file_entry *e = effective(files, n, limits[i].key, &path);
                char want[32], have[32];
                uint64_t v;

                /* A value we cannot read (a percentage of RAM) is not compared. */
                if (!e || !p->has_limit[limits[i].id] || limits[i].parse(e->value, &v) < 0)
                        continue;
                if (v == p->limit[limits[i].id])
                        continue;
                fmt_u64(want, sizeof(want), v);
                fmt_u64(have, sizeof(have), p->limit[limits[i].id]);
                mismatch(l, path, e, want, unit_limit_to_string(limits[i].id), have);
        }
}

/*
 * TODO: list-valued settings (IOReadBandwidthMax= per device, ReadWritePaths=, DeviceAllow=,
 * IPAddressDeny=, SystemCallFilter= as a set) are not compared with the bus: their assignments
 * accumulate across files and systemd normalises them, so a fair comparison needs systemd's own
 * expansion.
 */
static void compare_sandbox(struct finding_list *l, const struct unit_props *p,
                            const struct unit_file *files, size_t n)
{
        static const char *const booleans[] = {
                "NoNewPrivileges",
                "PrivateTmp",
                "PrivateDevices",
                "PrivateNetwork",
                "PrivateUsers",
                "PrivateMounts",
                "ProtectKernelTunables",
                "ProtectKernelModules",
                "ProtectKernelLogs",
                "ProtectClock",
                "ProtectControlGroups",
                "ProtectHostname",
                "LockPersonality",
                "MemoryDenyWriteExecute",
                "RestrictRealtime",
                "RestrictSUIDSGID",
                "RemoveIPC",
                "DynamicUser",
        };
        /* Enumerations that also take a boolean (yes/no). */
        static const char *const enums[] = {"ProtectSystem", "ProtectHome", "ProtectProc",
                                            "ProcSubset",    "KeyringMode", "NotifyAccess",
                                            "DevicePolicy"};

        if (!p->sandbox)
                return;
        for (size_t i = 0; i < ARRAY_SIZE(booleans); i++) {
                const char *path = NULL;
                const struct unit_file_entry *e = effective(files, n, booleans[i], &path);
                json_t *have = json_object_get(p->sandbox, booleans[i]);
                int b;

                if (!e || !json_is_boolean(have) || (b = unit_parse_boolean(e->value)) < 0)
                        continue;
                if (b == json_is_true(have))
                        continue;
                mismatch(l, path, e, b ? "yes" : "no", booleans[i],
                         json_is_true(have) ? "yes" : "no");
        }
        for (size_t i = 0; i < ARRAY_SIZE(enums); i++) {
                const char *path = NULL;
                const struct unit_file_entry *e = effective(files, n, enums[i], &path);
                json_t *have = json_object_get(p->sandbox, enums[i]);
                const char *want;
                int b;

                if (!e || !json_is_string(have))
                        continue;
                b = streq(enums[i], "ProtectSystem") || streq(enums[i], "ProtectHome")
                            ? unit_parse_boolean(e->value)
                            : -EINVAL;
                want = b < 0 ? e->value : b ? "yes" : "no";
                if (streq(want, json_string_value(have)))
                        continue;
                mismatch(l, path, e, want, enums[i], json_string_value(have));
        }
}

static json_t *to_json(const struct finding_list *l)
{
        json_t *a = json_array();

        for (size_t i = 0; a && i < l->n; i++) {
                const struct finding *x = &l->f[i];
                json_t *o =
                        json_pack("{s:s, s:I, s:s?, s:s?, s:s?, s:s, s:s, s:s}", "file", x->file,
                                  "line", (json_int_t)x->line, "section", x->section, "key", x->key,
                                  "value", x->value, "kind", finding_kind_to_string(x->kind),
                                  "reason", x->reason, "source", source_names[x->source]);

                if (!o || json_array_append_new(a, o) < 0) {
                        json_decref(a);
                        return NULL;
                }
        }
        return a;
}

int findings_check_unit(const struct unit_props *p, const struct findings_journal_line *jl,
                        size_t n_jl, json_t **ret)
{
        struct unit_file files[64] = {};
        struct finding_list l = {};
        size_t n_files = 0;
        json_t *out;

        if (p->fragment_path && p->fragment_path[0] &&
            unit_file_load(p->fragment_path, &files[n_files]) >= 0)
                n_files++;
        for (size_t i = 0; p->drop_in_paths && p->drop_in_paths[i] && n_files < 64; i++)
                if (unit_file_load(p->drop_in_paths[i], &files[n_files]) >= 0)
                        n_files++;

        /* systemd's own word first; then what reading the files finds; then the bus. */
        for (size_t i = 0; i < n_jl; i++)
                from_journal(&l, files, n_files, &jl[i]);
        for (size_t i = 0; i < n_files; i++)
                lint_file(&l, &files[i]);
        compare_limits(&l, p, files, n_files);
        compare_sandbox(&l, p, files, n_files);

        out = to_json(&l);
        free(l.f);
        for (size_t i = 0; i < n_files; i++)
                unit_file_release(&files[i]);
        if (!out)
                return -ENOMEM;
        *ret = out;
        return 0;
}

/* ---- the journal ---- */

static int add_line(struct findings_journal_line **l, size_t *n, const char *file, unsigned line,
                    const char *msg)
{
        struct findings_journal_line *bigger;

        /* A unit loaded again (a reload, a GC'd unit loaded anew) says it all again. */
        for (size_t i = 0; i < *n; i++)
                if ((*l)[i].line == line && streq((*l)[i].file, file) &&
                    streq((*l)[i].message, msg))
                        return 0;
        bigger = realloc(*l, (*n + 1) * sizeof(*bigger));
        if (!bigger)
                return -ENOMEM;
        *l = bigger;
        bigger[*n] = (struct findings_journal_line){
                .file = strdup(file), .line = line, .message = strdup(msg)};
        if (!bigger[*n].file || !bigger[*n].message) {
                free(bigger[*n].file);
                free(bigger[*n].message);
                return -ENOMEM;
        }
        (*n)++;
        return 0;
}

/* A field's value (after "NAME=") as a NUL-terminated copy in buf; false when absent. */
static bool field(sd_journal *j, const char *name, char *buf, size_t size)
{
        const void *data;
        size_t len, nl = strlen(name);

        if (sd_journal_get_data(j, name, &data, &len) < 0 || len <= nl + 1)
                return false;
        (void)snprintf(buf, size, "%.*s", (int)(len - nl - 1), (const char *)data + nl + 1);
        return true;
}

static int journal_read(sd_journal *j, const struct unit_props *p, const char *boot,
                        uint64_t since_usec, struct findings_journal_line **ret, size_t *ret_n)
{
        struct findings_journal_line *l = NULL;
        char match[4200];
        size_t n = 0, seen = 0;
        int r;

        sd_journal_flush_matches(j);
        /* CONFIG_FILE=a OR CONFIG_FILE=b ..., AND _PID=1 AND this boot. */
        if (p->fragment_path && p->fragment_path[0]) {
                (void)snprintf(match, sizeof(match), "CONFIG_FILE=%s", p->fragment_path);
                r = sd_journal_add_match(j, match, 0);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; p->drop_in_paths && p->drop_in_paths[i]; i++) {
                (void)snprintf(match, sizeof(match), "CONFIG_FILE=%s", p->drop_in_paths[i]);
                r = sd_journal_add_match(j, match, 0);
                if (r < 0)
                        return r;
        }
        r = sd_journal_add_match(j, "_PID=1", 0);
        if (r >= 0 && boot[0])
                r = sd_journal_add_match(j, boot, 0);
        if (r < 0)
                return r;
        r = since_usec ? sd_journal_seek_realtime_usec(j, since_usec) : sd_journal_seek_head(j);
        if (r < 0)
                return r;
        while ((r = sd_journal_next(j)) > 0 && seen++ < JOURNAL_LINES_MAX) {
                char file[4096], line[16], msg[1024], prio[4];
                uint64_t t;

                if (since_usec && sd_journal_get_realtime_usec(j, &t) >= 0 && t < since_usec)
                        continue;
                if (!field(j, "CONFIG_FILE", file, sizeof(file)) ||
                    !field(j, "CONFIG_LINE", line, sizeof(line)) ||
                    !field(j, "MESSAGE", msg, sizeof(msg)))
                        continue;
                /* Warnings and worse: what systemd rejected, not what it chatted about. */
                if (field(j, "PRIORITY", prio, sizeof(prio)) && prio[0] > '5')
                        continue;
                r = add_line(&l, &n, file, (unsigned)strtoul(line, NULL, 10), msg);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                findings_journal_lines_free(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

/* ---- the thread ---- */

struct result {
        char *name;
        char *key; /* files + reload count it was checked for */
        json_t *findings;
        /*
         * PID 1 logs its complaints when it loads a unit, often just before the unit shows on
         * the bus (systemctl start of a unit not loaded yet): a check made within
         * JOURNAL_SETTLED_USEC of that (or of a reload) may miss what journald has not stored
         * yet, so it is not settled and runs again.
         */
        uint64_t first_seen_usec;
        bool settled;
};

struct findings_checker {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool stop;
        bool journal_ok;
        struct uw_snapshot *pending; /* guarded by lock */
        unsigned long pending_reloads;
        uint64_t pending_reload_usec;

        struct result *results; /* sorted by name; the array is replaced, guarded by lock */
        size_t n_results;

        /* The thread's own. */
        bool use_journal;
        sd_journal *journal;
        bool journal_warned, journal_read_warned;
        char boot_match[64]; /* "_BOOT_ID=..." of this boot; "" when unknown */
        unsigned long reloads_seen;
};

static void results_free(struct result *r, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(r[i].name);
                free(r[i].key);
                json_decref(r[i].findings);
        }
        free(r);
}

static const struct result *result_find(const struct result *r, size_t n, const char *name)
{
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int d = strcmp(name, r[mid].name);

                if (d == 0)
                        return &r[mid];
                if (d < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

/*
 * What a check depends on: the files (paths), the reload count, and what the bus reports for
 * the compared settings (the sandbox object is replaced when its content changes, so its
 * address stands for its content). GetAll answers after a reload come in over a few
 * snapshots: each one that changes a property checks again.
 */
static char *unit_key(const struct unit_props *p, unsigned long reloads)
{
        size_t len = 128 + _UNIT_LIMIT_MAX * 22 + (p->fragment_path ? strlen(p->fragment_path) : 0);
        char *k, *at;

        for (size_t i = 0; p->drop_in_paths && p->drop_in_paths[i]; i++)
                len += strlen(p->drop_in_paths[i]) + 1;
        k = malloc(len);
        if (!k)
                return NULL;
        at = k +
             snprintf(k, len, "%lu %p\n%s", reloads, (void *)p->sandbox, strna(p->fragment_path));
        for (int i = 0; i < _UNIT_LIMIT_MAX; i++)
                at += snprintf(at, len - (size_t)(at - k), " %llu",
                               p->has_limit[i] ? (unsigned long long)p->limit[i] : 0ull);
        for (size_t i = 0; p->drop_in_paths && p->drop_in_paths[i]; i++)
                at += snprintf(at, len - (size_t)(at - k), "\n%s", p->drop_in_paths[i]);
        return k;
}

static void log_findings(const char *unit, json_t *findings)
{
        json_t *first = json_array_get(findings, 0);

        if (!first)
                return;
        log_full_errno(LOG_LEVEL_NOTICE, 0, unit,
                       "'%s': %zu setting(s) of its unit files are not in effect, first %s:%lld "
                       "(%s): %s; all at /api/v1/units/%s/config",
                       unit, json_array_size(findings),
                       json_string_value(json_object_get(first, "file")),
                       (long long)json_integer_value(json_object_get(first, "line")),
                       json_string_value(json_object_get(first, "kind")),
                       json_string_value(json_object_get(first, "reason")), unit);
}

static json_t *check_one(struct findings_checker *fc, const struct unit_props *p,
                         uint64_t since_usec)
{
        struct findings_journal_line *jl = NULL;
        size_t n_jl = 0;
        json_t *out = NULL;
        int r;

        if (fc->journal) {
                r = journal_read(fc->journal, p, fc->boot_match, since_usec, &jl, &n_jl);
                if (r < 0) {
                        (void)log_full_errno(fc->journal_read_warned ? LOG_LEVEL_DEBUG
                                                                     : LOG_LEVEL_WARNING,
                                             r, p->id,
                                             "cannot read the journal about '%s': %m; its "
                                             "config findings come from its files only",
                                             p->id);
                        fc->journal_read_warned = true;
                        jl = NULL;
                        n_jl = 0;
                }
        }
        r = findings_check_unit(p, jl, n_jl, &out);
        findings_journal_lines_free(jl, n_jl);
        if (r < 0)
                (void)log_warning_errno(r, "cannot check the unit files of '%s': %m", p->id);
        return r < 0 ? NULL : out;
}

static void open_journal(struct findings_checker *fc)
{
        sd_id128_t boot;
        int r;

        if (fc->journal || !fc->use_journal)
                return;
        r = sd_journal_open(&fc->journal, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r >= 0) {
                /* Opening works without permission too; a read tells whether we may. */
                r = sd_journal_seek_tail(fc->journal);
                if (r >= 0)
                        r = sd_journal_previous(fc->journal);
                if (r == 0)
                        r = -EACCES; /* nothing visible: no files we may read */
        }
        if (r < 0) {
                sd_journal_close(fc->journal);
                fc->journal = NULL;
                if (!fc->journal_warned)
                        log_notice("cannot read the system journal (%s): config findings come "
                                   "from reading the unit files only, without systemd's own "
                                   "reasons; add the daemon's user to group systemd-journal "
                                   "(SupplementaryGroups=systemd-journal)",
                                   strerror(-r));
                fc->journal_warned = true;
                return;
        }
        /*
         * This boot's ID: from /proc/sys, or, where the sandbox hides it (ProcSubset=pid),
         * from the newest journal entry, which journald wrote in this boot.
         */
        r = sd_id128_get_boot(&boot);
        if (r < 0)
                r = sd_journal_get_monotonic_usec(fc->journal, NULL, &boot);
        if (r < 0) {
                (void)log_warning_errno(r, "cannot tell this boot's ID (%m): reading the journal "
                                           "for config findings without it");
                fc->boot_match[0] = '\0';
        } else
                (void)snprintf(fc->boot_match, sizeof(fc->boot_match),
                               "_BOOT_ID=" SD_ID128_FORMAT_STR, SD_ID128_FORMAT_VAL(boot));
        log_info("reading systemd's complaints about unit files from the journal");
}

static uint64_t realtime_usec(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void check_snapshot(struct findings_checker *fc, const struct uw_snapshot *s,
                           unsigned long reloads, uint64_t reload_usec)
{
        struct result *next = calloc(s->n_units ? s->n_units : 1, sizeof(*next));
        const struct result *old;
        size_t n = 0;

        if (!next)
                return;
        open_journal(fc);
        if (fc->journal)
                (void)sd_journal_process(fc->journal); /* see files rotated in meanwhile */
        for (size_t i = 0; i < s->n_units; i++) {
                const struct uw_unit *u = &s->units[i];
                char *key;

                if (!u->has_props || !u->props.fragment_path || !u->props.fragment_path[0])
                        continue;
                /*
                 * Read before the last reload (its GetAll still on the way): comparing the new
                 * files with the old values would report a mismatch that is not there. Keep
                 * what we had until the unit's properties are current.
                 */
                if (u->props.generation < reloads) {
                        pthread_mutex_lock(&fc->lock);
                        old = result_find(fc->results, fc->n_results, u->name);
                        if (old) {
                                next[n] = (struct result){
                                        .name = strdup(old->name),
                                        .key = strdup(old->key),
                                        .findings = json_incref(old->findings),
                                        .first_seen_usec = old->first_seen_usec,
                                };
                                if (next[n].name && next[n].key)
                                        n++;
                                else {
                                        free(next[n].name);
                                        free(next[n].key);
                                        json_decref(next[n].findings);
                                }
                        }
                        pthread_mutex_unlock(&fc->lock);
                        continue;
                }
                key = unit_key(&u->props, reloads);
                if (!key)
                        break;
                pthread_mutex_lock(&fc->lock);
                old = result_find(fc->results, fc->n_results, u->name);
                next[n].first_seen_usec = old ? old->first_seen_usec : realtime_usec();
                if (old && old->settled && streq(old->key, key)) {
                        next[n].findings = json_incref(old->findings);
                        next[n].settled = true;
                        pthread_mutex_unlock(&fc->lock);
                } else {
                        size_t had = old ? json_array_size(old->findings) : 0;

                        pthread_mutex_unlock(&fc->lock);
                        uint64_t since = next[n].first_seen_usec > reload_usec
                                                 ? next[n].first_seen_usec
                                                 : reload_usec;

                        next[n].settled = realtime_usec() >= since + JOURNAL_SETTLED_USEC;
                        next[n].findings = check_one(fc, &u->props, reload_usec);
                        if (!next[n].findings) {
                                free(key);
                                continue;
                        }
                        if (json_array_size(next[n].findings) && !had)
                                log_findings(u->name, next[n].findings);
                        else if (had && !json_array_size(next[n].findings))
                                log_full_errno(LOG_LEVEL_NOTICE, 0, u->name,
                                               "'%s': every setting of its unit files is in "
                                               "effect again",
                                               u->name);
                }
                next[n].name = strdup(u->name);
                next[n].key = key;
                if (!next[n].name) {
                        json_decref(next[n].findings);
                        free(key);
                        break;
                }
                n++;
        }
        /* Snapshot units are sorted by name, so next is too. */
        pthread_mutex_lock(&fc->lock);
        results_free(fc->results, fc->n_results);
        fc->results = next;
        fc->n_results = n;
        fc->journal_ok = fc->journal != NULL;
        pthread_mutex_unlock(&fc->lock);
}

static void *thread_main(void *arg)
{
        struct findings_checker *fc = arg;

        pthread_mutex_lock(&fc->lock);
        for (;;) {
                struct uw_snapshot *s;
                unsigned long reloads;
                uint64_t reload_usec, now;

                while (!fc->stop && !fc->pending)
                        pthread_cond_wait(&fc->cond, &fc->lock);
                if (fc->stop)
                        break;
                reloads = fc->pending_reloads;
                reload_usec = fc->pending_reload_usec;
                /* Right after a reload, give journald a moment to store what PID 1 said. */
                now = realtime_usec();
                if (reloads != fc->reloads_seen && reload_usec &&
                    now < reload_usec + JOURNAL_SETTLE_USEC) {
                        struct timespec until;

                        (void)clock_gettime(CLOCK_REALTIME, &until);
                        until.tv_nsec += (long)((reload_usec + JOURNAL_SETTLE_USEC - now) * 1000);
                        until.tv_sec += until.tv_nsec / 1000000000;
                        until.tv_nsec %= 1000000000;
                        (void)pthread_cond_timedwait(&fc->cond, &fc->lock, &until);
                        if (fc->stop)
                                break;
                        continue; /* maybe a newer snapshot came meanwhile */
                }
                s = TAKE_PTR(fc->pending);
                pthread_mutex_unlock(&fc->lock);

                check_snapshot(fc, s, reloads, reload_usec);
                fc->reloads_seen = reloads;
                uw_snapshot_unref(s);
                pthread_mutex_lock(&fc->lock);
        }
        pthread_mutex_unlock(&fc->lock);
        return NULL;
}

int findings_checker_new(bool use_journal, struct findings_checker **ret)
{
        struct findings_checker *fc = calloc(1, sizeof(*fc));
        int r;

        if (!fc)
                return -ENOMEM;
        fc->use_journal = use_journal;
        (void)pthread_mutex_init(&fc->lock, NULL);
        (void)pthread_cond_init(&fc->cond, NULL);
        r = pthread_create(&fc->thread, NULL, thread_main, fc);
        if (r != 0) {
                pthread_mutex_destroy(&fc->lock);
                pthread_cond_destroy(&fc->cond);
                free(fc);
                return -r;
        }
        *ret = fc;
        return 0;
}

void findings_checker_free(struct findings_checker *fc)
{
        if (!fc)
                return;
        pthread_mutex_lock(&fc->lock);
        fc->stop = true;
        pthread_cond_signal(&fc->cond);
        pthread_mutex_unlock(&fc->lock);
        (void)pthread_join(fc->thread, NULL);
        if (fc->pending)
                uw_snapshot_unref(fc->pending);
        results_free(fc->results, fc->n_results);
        sd_journal_close(fc->journal);
        pthread_mutex_destroy(&fc->lock);
        pthread_cond_destroy(&fc->cond);
        free(fc);
}

void findings_checker_submit(struct findings_checker *fc, struct uw_snapshot *s,
                             unsigned long reloads, uint64_t reload_started_usec)
{
        struct uw_snapshot *old;

        pthread_mutex_lock(&fc->lock);
        old = fc->pending;
        fc->pending = uw_snapshot_ref(s);
        fc->pending_reloads = reloads;
        fc->pending_reload_usec = reload_started_usec;
        pthread_cond_signal(&fc->cond);
        pthread_mutex_unlock(&fc->lock);
        if (old)
                uw_snapshot_unref(old);
}

void findings_checker_annotate(struct findings_checker *fc, struct uw_snapshot *s)
{
        pthread_mutex_lock(&fc->lock);
        for (size_t i = 0; i < s->n_units; i++) {
                struct uw_unit *u = &s->units[i];
                const struct result *r = result_find(fc->results, fc->n_results, u->name);

                if (!r || u->config_checked)
                        continue;
                /* A copy: the snapshot may be freed by any thread (see snapshot.h). */
                u->config_checked = true;
                if (json_array_size(r->findings))
                        u->config_findings = json_deep_copy(r->findings);
        }
        s->config_journal = fc->journal_ok;
        pthread_mutex_unlock(&fc->lock);
}

bool findings_checker_journal_ok(struct findings_checker *fc)
{
        bool ok;

        pthread_mutex_lock(&fc->lock);
        ok = fc->journal_ok;
        pthread_mutex_unlock(&fc->lock);
        return ok;
}
