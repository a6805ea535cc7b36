/* SPDX-License-Identifier: MIT */
#include "score.h"

#include <assert.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/util.h"

#define AF_INET_NUMBER  2
#define AF_INET6_NUMBER 10

/*
 * What the assessors read: the unit's properties after systemd's defaults for missing ones,
 * with empty strings as NULL, and after its post-processing of the D-Bus read (implied
 * PrivateMounts=, capabilities removed by Protect*= and PrivateDevices=).
 */
struct score_facts {
        const char *user;
        bool dynamic_user, default_dependencies, delegate, lock_personality, mdwe;
        bool no_new_privileges, private_devices, private_mounts, private_network, private_tmp;
        bool private_users, protect_cgroups, protect_kernel_modules, protect_kernel_tunables;
        bool protect_kernel_logs, protect_clock, protect_hostname, remove_ipc;
        bool restrict_realtime, restrict_suid_sgid;
        uint64_t capability_bounding_set, ambient_capabilities, restrict_namespaces;
        uint64_t umask;
        const char *keyring_mode, *protect_proc, *proc_subset, *notify_access;
        const char *protect_home, *protect_system, *root_directory, *root_image;
        const char *device_policy;
        size_t n_supplementary_groups, n_device_allow;
        const json_t *syscall_architectures; /* array or NULL */
        bool syscall_filter_allow_list;
        const json_t *syscall_filter; /* array of names (maybe "name:ERRNO"), or NULL */
        bool af_inet, af_unix, af_netlink, af_packet, af_other; /* true = restricted */
        bool ip_deny_all, ip_allow_localhost, ip_allow_other, ip_custom_bpf;
        const struct syscall_groups *groups;
};

/* ---- reading the sandbox object ---- */

static const json_t *prop(const json_t *sandbox, const char *name)
{
        return sandbox ? json_object_get(sandbox, name) : NULL;
}

static bool prop_bool(const json_t *sandbox, const char *name, bool def)
{
        const json_t *j = prop(sandbox, name);

        return json_is_boolean(j) ? json_is_true(j) : def;
}

/* systemd maps empty strings to NULL. */
static const char *prop_string(const json_t *sandbox, const char *name)
{
        const json_t *j = prop(sandbox, name);
        const char *s;

        if (!json_is_string(j))
                return NULL;
        s = json_string_value(j);
        return s[0] ? s : NULL;
}

/* u/t: an integer, or a decimal string above INT64_MAX. */
static uint64_t prop_u64(const json_t *sandbox, const char *name, uint64_t def)
{
        const json_t *j = prop(sandbox, name);

        if (json_is_integer(j))
                return json_integer_value(j) >= 0 ? (uint64_t)json_integer_value(j) : def;
        if (json_is_string(j)) {
                const char *s = json_string_value(j);
                char *end;
                unsigned long long v;

                if (s[0] < '0' || s[0] > '9')
                        return def;
                errno = 0;
                v = strtoull(s, &end, 10);
                if (errno != 0 || *end != '\0')
                        return def;
                return v;
        }
        return def;
}

static size_t prop_array_size(const json_t *sandbox, const char *name)
{
        const json_t *j = prop(sandbox, name);

        return json_is_array(j) ? json_array_size(j) : 0;
}

static bool is_true_word(const char *s)
{
        static const char *const words[] = {"yes", "y", "true", "t", "on", "1"};

        if (!s)
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(words); i++)
                if (strcasecmp(s, words[i]) == 0)
                        return true;
        return false;
}

static bool streq_ptr(const char *a, const char *b)
{
        return a && b && streq(a, b);
}

/* RestrictAddressFamilies (bas): every flag starts as allow_list; a listed name flips its own. */
static void read_address_families(const json_t *sandbox, struct score_facts *f)
{
        const json_t *j = prop(sandbox, "RestrictAddressFamilies"), *names, *e;
        bool allow_list = false;
        size_t i;

        if (json_is_array(j) && json_array_size(j) == 2 && json_is_boolean(json_array_get(j, 0)))
                allow_list = json_is_true(json_array_get(j, 0));
        f->af_inet = f->af_unix = f->af_netlink = f->af_packet = f->af_other = allow_list;

        names = json_is_array(j) ? json_array_get(j, 1) : NULL;
        if (!json_is_array(names))
                return;
        json_array_foreach(names, i, e)
        {
                const char *s = json_string_value(e);

                if (!s)
                        continue;
                if (streq(s, "AF_INET") || streq(s, "AF_INET6"))
                        f->af_inet = !allow_list;
                else if (streq(s, "AF_UNIX"))
                        f->af_unix = !allow_list;
                else if (streq(s, "AF_NETLINK"))
                        f->af_netlink = !allow_list;
                else if (streq(s, "AF_PACKET"))
                        f->af_packet = !allow_list;
                else
                        f->af_other = !allow_list;
        }
}

static void read_syscall_filter(const json_t *sandbox, struct score_facts *f)
{
        const json_t *j = prop(sandbox, "SystemCallFilter");

        f->syscall_filter_allow_list = false;
        f->syscall_filter = NULL;
        if (!json_is_array(j) || json_array_size(j) != 2 ||
            !json_is_boolean(json_array_get(j, 0)) || !json_is_array(json_array_get(j, 1)))
                return;
        f->syscall_filter_allow_list = json_is_true(json_array_get(j, 0));
        f->syscall_filter = json_array_get(j, 1);
}

/* One a(iayu) entry: [family, [bytes...], prefixlen]. */
static bool ip_entry(const json_t *e, int *ret_family, const json_t **ret_bytes,
                     unsigned *ret_prefix)
{
        if (!json_is_array(e) || json_array_size(e) != 3 ||
            !json_is_integer(json_array_get(e, 0)) || !json_is_array(json_array_get(e, 1)) ||
            !json_is_integer(json_array_get(e, 2)))
                return false;
        *ret_family = (int)json_integer_value(json_array_get(e, 0));
        *ret_bytes = json_array_get(e, 1);
        *ret_prefix = (unsigned)json_integer_value(json_array_get(e, 2));
        return true;
}

static bool ip_is_localhost(int family, const json_t *bytes, unsigned prefix)
{
        size_t n = json_array_size(bytes);

        if (family == AF_INET_NUMBER && n == 4 && prefix == 8)
                return json_integer_value(json_array_get(bytes, 0)) == 127;
        if (family == AF_INET6_NUMBER && n == 16 && prefix == 128) {
                for (size_t i = 0; i < 16; i++)
                        if (json_integer_value(json_array_get(bytes, i)) != (i == 15 ? 1 : 0))
                                return false;
                return true;
        }
        return false;
}

static void read_ip_access(const json_t *sandbox, struct score_facts *f)
{
        const json_t *deny = prop(sandbox, "IPAddressDeny"),
                     *allow = prop(sandbox, "IPAddressAllow");
        const json_t *e, *bytes;
        bool deny_inet = false, deny_inet6 = false;
        unsigned prefix;
        int family;
        size_t i;

        if (json_is_array(deny))
                json_array_foreach(deny, i, e)
                {
                        if (!ip_entry(e, &family, &bytes, &prefix) || prefix != 0)
                                continue;
                        if (family == AF_INET_NUMBER)
                                deny_inet = true;
                        else if (family == AF_INET6_NUMBER)
                                deny_inet6 = true;
                }
        f->ip_deny_all = deny_inet && deny_inet6;

        f->ip_allow_localhost = f->ip_allow_other = false;
        if (json_is_array(allow))
                json_array_foreach(allow, i, e)
                {
                        if (ip_entry(e, &family, &bytes, &prefix) &&
                            ip_is_localhost(family, bytes, prefix))
                                f->ip_allow_localhost = true;
                        else
                                f->ip_allow_other = true;
                }

        f->ip_custom_bpf = prop_array_size(sandbox, "IPIngressFilterPath") > 0 ||
                           prop_array_size(sandbox, "IPEgressFilterPath") > 0;
}

#define CAP_BIT(n) (UINT64_C(1) << (n))

static void read_facts(const json_t *sb, const struct syscall_groups *groups, struct score_facts *f)
{
        const json_t *archs = prop(sb, "SystemCallArchitectures");

        *f = (struct score_facts){
                .user = prop_string(sb, "User"),
                .dynamic_user = prop_bool(sb, "DynamicUser", false),
                .default_dependencies = prop_bool(sb, "DefaultDependencies", true),
                .delegate = prop_bool(sb, "Delegate", false),
                .lock_personality = prop_bool(sb, "LockPersonality", false),
                .mdwe = prop_bool(sb, "MemoryDenyWriteExecute", false),
                .no_new_privileges = prop_bool(sb, "NoNewPrivileges", false),
                .private_devices = prop_bool(sb, "PrivateDevices", false),
                .private_mounts = prop_bool(sb, "PrivateMounts", false),
                .private_network = prop_bool(sb, "PrivateNetwork", false),
                .private_tmp = prop_bool(sb, "PrivateTmp", false),
                .private_users = prop_bool(sb, "PrivateUsers", false),
                .protect_cgroups = prop_bool(sb, "ProtectControlGroups", false),
                .protect_kernel_modules = prop_bool(sb, "ProtectKernelModules", false),
                .protect_kernel_tunables = prop_bool(sb, "ProtectKernelTunables", false),
                .protect_kernel_logs = prop_bool(sb, "ProtectKernelLogs", false),
                .protect_clock = prop_bool(sb, "ProtectClock", false),
                .protect_hostname = prop_bool(sb, "ProtectHostname", false),
                .remove_ipc = prop_bool(sb, "RemoveIPC", false),
                .restrict_realtime = prop_bool(sb, "RestrictRealtime", false),
                .restrict_suid_sgid = prop_bool(sb, "RestrictSUIDSGID", false),
                .capability_bounding_set = prop_u64(sb, "CapabilityBoundingSet", UINT64_MAX),
                .ambient_capabilities = prop_u64(sb, "AmbientCapabilities", 0),
                .restrict_namespaces = prop_u64(sb, "RestrictNamespaces", UINT64_MAX),
                .umask = prop_u64(sb, "UMask", 0002),
                .keyring_mode = prop_string(sb, "KeyringMode"),
                .protect_proc = prop_string(sb, "ProtectProc"),
                .proc_subset = prop_string(sb, "ProcSubset"),
                .notify_access = prop_string(sb, "NotifyAccess"),
                .protect_home = prop_string(sb, "ProtectHome"),
                .protect_system = prop_string(sb, "ProtectSystem"),
                .root_directory = prop_string(sb, "RootDirectory"),
                .root_image = prop_string(sb, "RootImage"),
                .device_policy = prop_string(sb, "DevicePolicy"),
                .n_supplementary_groups = prop_array_size(sb, "SupplementaryGroups"),
                .n_device_allow = prop_array_size(sb, "DeviceAllow"),
                .syscall_architectures = json_is_array(archs) ? archs : NULL,
                .groups = groups,
        };
        read_address_families(sb, f);
        read_syscall_filter(sb, f);
        read_ip_access(sb, f);

        /* The post-processing systemd applies to what it read over D-Bus. */
        if (f->private_devices || f->private_tmp || f->protect_cgroups ||
            f->protect_kernel_tunables || f->protect_kernel_modules ||
            !streq_ptr(f->protect_home, "no") || !streq_ptr(f->protect_system, "no") ||
            f->root_image)
                f->private_mounts = true;
        if (f->protect_kernel_modules)
                f->capability_bounding_set &= ~CAP_BIT(16); /* CAP_SYS_MODULE */
        if (f->protect_kernel_logs)
                f->capability_bounding_set &= ~CAP_BIT(34); /* CAP_SYSLOG */
        if (f->protect_clock)
                f->capability_bounding_set &= ~(CAP_BIT(25) | CAP_BIT(35)); /* TIME, ALARM */
        if (f->private_devices)
                f->capability_bounding_set &= ~(CAP_BIT(27) | CAP_BIT(17)); /* MKNOD, RAWIO */
}

/* ---- assessors ---- */

#define WRITE(buf, size, ...) (void)snprintf(buf, size, __VA_ARGS__)

static const char *yes_no(bool b)
{
        return b ? "yes" : "no";
}

/* The setting name of a row: its id up to and including the first '='. */
static int setting_len(const struct score_row *row)
{
        const char *eq = strchr(row->id, '=');

        return eq ? (int)(eq - row->id + 1) : (int)strlen(row->id);
}

static bool runs_privileged(const struct score_facts *f)
{
        if (streq_ptr(f->user, "0") || streq_ptr(f->user, "root"))
                return true;
        if (f->dynamic_user)
                return false;
        return !f->user;
}

/* The bool a plain row reads, by JSON field name. */
static bool bool_fact(const struct score_facts *f, const char *field)
{
        static const struct {
                const char *field;
                size_t offset;
        } map[] = {
                {"PrivateDevices", offsetof(struct score_facts, private_devices)},
                {"PrivateMounts", offsetof(struct score_facts, private_mounts)},
                {"PrivateNetwork", offsetof(struct score_facts, private_network)},
                {"PrivateTmp", offsetof(struct score_facts, private_tmp)},
                {"PrivateUsers", offsetof(struct score_facts, private_users)},
                {"ProtectControlGroups", offsetof(struct score_facts, protect_cgroups)},
                {"ProtectKernelModules", offsetof(struct score_facts, protect_kernel_modules)},
                {"ProtectKernelTunables", offsetof(struct score_facts, protect_kernel_tunables)},
                {"ProtectKernelLogs", offsetof(struct score_facts, protect_kernel_logs)},
                {"ProtectClock", offsetof(struct score_facts, protect_clock)},
                {"ProtectHostname", offsetof(struct score_facts, protect_hostname)},
                {"LockPersonality", offsetof(struct score_facts, lock_personality)},
                {"MemoryDenyWriteExecute", offsetof(struct score_facts, mdwe)},
                {"NoNewPrivileges", offsetof(struct score_facts, no_new_privileges)},
                {"RemoveIPC", offsetof(struct score_facts, remove_ipc)},
                {"Delegate", offsetof(struct score_facts, delegate)},
                {"RestrictRealtime", offsetof(struct score_facts, restrict_realtime)},
                {"RestrictSUIDSGID", offsetof(struct score_facts, restrict_suid_sgid)},
        };

        for (size_t i = 0; i < ARRAY_SIZE(map); i++)
                if (streq(map[i].field, field))
                        return *(const bool *)((const char *)f + map[i].offset);
        assert(!"row without a bool fact");
        return false;
}

static uint64_t assess_bool(const struct score_row *row, const struct score_facts *f, char *value,
                            size_t vs, char *expl, size_t es)
{
        bool v = bool_fact(f, row->json_field);
        int n = setting_len(row);

        WRITE(value, vs, "%.*s%s", n, row->id, yes_no(v));
        if (v)
                WRITE(expl, es, "%.*s is enabled", n, row->id);
        else
                WRITE(expl, es, "%.*s is not enabled: set %.*syes", n, row->id, n, row->id);
        return !v;
}

static uint64_t assess_delegate(const struct score_row *row, const struct score_facts *f,
                                char *value, size_t vs, char *expl, size_t es)
{
        (void)row;
        WRITE(value, vs, "Delegate=%s", yes_no(f->delegate));
        if (f->delegate)
                WRITE(expl, es, "the service manages its own cgroup subtree: drop Delegate=yes");
        else
                WRITE(expl, es, "the service does not manage a delegated cgroup subtree");
        return f->delegate;
}

static uint64_t assess_remove_ipc(const struct score_row *row, const struct score_facts *f,
                                  char *value, size_t vs, char *expl, size_t es)
{
        if (runs_privileged(f)) {
                WRITE(value, vs, "RemoveIPC=%s", yes_no(f->remove_ipc));
                WRITE(expl, es, "the service runs as root, whose IPC objects are never removed");
                return SCORE_BADNESS_NA;
        }
        return assess_bool(row, f, value, vs, expl, es);
}

static uint64_t assess_user(const struct score_row *row, const struct score_facts *f, char *value,
                            size_t vs, char *expl, size_t es)
{
        bool root = streq_ptr(f->user, "0") || streq_ptr(f->user, "root");

        (void)row;
        WRITE(value, vs, "User=%s DynamicUser=%s", f->user ? f->user : "", yes_no(f->dynamic_user));
        if (streq_ptr(f->user, "nobody")) {
                WRITE(expl, es,
                      "the service runs as 'nobody', shared with other services: "
                      "set DynamicUser=yes or a dedicated User=");
                return 9;
        }
        if (f->dynamic_user && !root) {
                WRITE(expl, es, "the service runs under a transient non-root user");
                return 0;
        }
        if (f->user && !root) {
                WRITE(expl, es, "the service runs as the non-root user '%s'", f->user);
                return 0;
        }
        WRITE(expl, es,
              "the service runs as root: set DynamicUser=yes or User= to a dedicated "
              "user");
        return 10;
}

static uint64_t assess_supplementary_groups(const struct score_row *row,
                                            const struct score_facts *f, char *value, size_t vs,
                                            char *expl, size_t es)
{
        (void)row;
        WRITE(value, vs, "SupplementaryGroups= (%zu groups)", f->n_supplementary_groups);
        if (runs_privileged(f)) {
                WRITE(expl, es, "the service runs as root, which has every group's access");
                return SCORE_BADNESS_NA;
        }
        if (f->n_supplementary_groups > 0) {
                WRITE(expl, es,
                      "the service has supplementary groups: empty "
                      "SupplementaryGroups=");
                return 1;
        }
        WRITE(expl, es, "the service has no supplementary groups");
        return 0;
}

static uint64_t assess_protect_home(const struct score_row *row, const struct score_facts *f,
                                    char *value, size_t vs, char *expl, size_t es)
{
        const char *v = f->protect_home;
        uint64_t b;

        (void)row;
        WRITE(value, vs, "ProtectHome=%s", v ? v : "");
        if (is_true_word(v))
                b = 0;
        else if (streq_ptr(v, "read-only"))
                b = 5;
        else if (streq_ptr(v, "tmpfs"))
                b = 1;
        else
                b = 10;
        if (b == 0)
                WRITE(expl, es, "home directories are inaccessible to the service");
        else
                WRITE(expl, es, "ProtectHome= is not 'yes'%s: set ProtectHome=yes",
                      b == 5   ? " (home directories are readable)"
                      : b == 1 ? " (home directories are an empty tmpfs)"
                               : " (home directories are writable)");
        return b;
}

static uint64_t assess_protect_system(const struct score_row *row, const struct score_facts *f,
                                      char *value, size_t vs, char *expl, size_t es)
{
        const char *v = f->protect_system;
        uint64_t b;

        (void)row;
        WRITE(value, vs, "ProtectSystem=%s", v ? v : "");
        if (streq_ptr(v, "strict"))
                b = 0;
        else if (streq_ptr(v, "full"))
                b = 3;
        else if (is_true_word(v))
                b = 5;
        else
                b = 10;
        if (b == 0)
                WRITE(expl, es, "the whole OS hierarchy is read-only to the service");
        else
                WRITE(expl, es, "ProtectSystem= is not 'strict': set ProtectSystem=strict");
        return b;
}

static uint64_t assess_root(const struct score_row *row, const struct score_facts *f, char *value,
                            size_t vs, char *expl, size_t es)
{
        bool host_dir = !f->root_directory || streq(f->root_directory, "/");
        bool host_image = !f->root_image || streq(f->root_image, "/");

        (void)row;
        WRITE(value, vs, "RootDirectory=%s RootImage=%s",
              f->root_directory ? f->root_directory : "", f->root_image ? f->root_image : "");
        if (host_dir && host_image) {
                WRITE(expl, es,
                      "the service runs in the host's root directory: set "
                      "RootDirectory= or RootImage=");
                return 1;
        }
        WRITE(expl, es, "the service runs in its own root directory");
        return 0;
}

static const char *const cap_names[64] = {
        [0] = "CAP_CHOWN",
        [1] = "CAP_DAC_OVERRIDE",
        [2] = "CAP_DAC_READ_SEARCH",
        [3] = "CAP_FOWNER",
        [4] = "CAP_FSETID",
        [5] = "CAP_KILL",
        [6] = "CAP_SETGID",
        [7] = "CAP_SETUID",
        [8] = "CAP_SETPCAP",
        [9] = "CAP_LINUX_IMMUTABLE",
        [10] = "CAP_NET_BIND_SERVICE",
        [11] = "CAP_NET_BROADCAST",
        [12] = "CAP_NET_ADMIN",
        [13] = "CAP_NET_RAW",
        [14] = "CAP_IPC_LOCK",
        [15] = "CAP_IPC_OWNER",
        [16] = "CAP_SYS_MODULE",
        [17] = "CAP_SYS_RAWIO",
        [18] = "CAP_SYS_CHROOT",
        [19] = "CAP_SYS_PTRACE",
        [20] = "CAP_SYS_PACCT",
        [21] = "CAP_SYS_ADMIN",
        [22] = "CAP_SYS_BOOT",
        [23] = "CAP_SYS_NICE",
        [24] = "CAP_SYS_RESOURCE",
        [25] = "CAP_SYS_TIME",
        [26] = "CAP_SYS_TTY_CONFIG",
        [27] = "CAP_MKNOD",
        [28] = "CAP_LEASE",
        [29] = "CAP_AUDIT_WRITE",
        [30] = "CAP_AUDIT_CONTROL",
        [31] = "CAP_SETFCAP",
        [32] = "CAP_MAC_OVERRIDE",
        [33] = "CAP_MAC_ADMIN",
        [34] = "CAP_SYSLOG",
        [35] = "CAP_WAKE_ALARM",
        [36] = "CAP_BLOCK_SUSPEND",
        [37] = "CAP_AUDIT_READ",
        [38] = "CAP_PERFMON",
        [39] = "CAP_BPF",
        [40] = "CAP_CHECKPOINT_RESTORE",
};

/* Space-separated capability names of mask, into buf. */
static void cap_list(uint64_t mask, char *buf, size_t size)
{
        size_t pos = 0;

        buf[0] = '\0';
        for (unsigned i = 0; i < 64 && pos < size; i++) {
                int n;

                if (!(mask & CAP_BIT(i)))
                        continue;
                if (cap_names[i])
                        n = snprintf(buf + pos, size - pos, "%s%s", pos ? " " : "", cap_names[i]);
                else
                        n = snprintf(buf + pos, size - pos, "%scap_%u", pos ? " " : "", i);
                if (n < 0)
                        return;
                pos += (size_t)n;
        }
}

static uint64_t assess_capability(const struct score_row *row, const struct score_facts *f,
                                  char *value, size_t vs, char *expl, size_t es)
{
        uint64_t kept = f->capability_bounding_set & row->mask;
        char names[80];

        cap_list(kept ? kept : row->mask, names, sizeof(names));
        if (kept) {
                WRITE(value, vs, "CapabilityBoundingSet= keeps %s", names);
                WRITE(expl, es,
                      "the service may use %s: remove it from CapabilityBoundingSet=", names);
                return 1;
        }
        WRITE(value, vs, "CapabilityBoundingSet= lacks %s", names);
        WRITE(expl, es, "the bounding set excludes %s", names);
        return 0;
}

static uint64_t assess_ambient(const struct score_row *row, const struct score_facts *f,
                               char *value, size_t vs, char *expl, size_t es)
{
        char names[80];

        (void)row;
        cap_list(f->ambient_capabilities, names, sizeof(names));
        WRITE(value, vs, "AmbientCapabilities=%s", names);
        if (f->ambient_capabilities) {
                WRITE(expl, es,
                      "the service is handed ambient capabilities: empty "
                      "AmbientCapabilities=");
                return 1;
        }
        WRITE(expl, es, "the service receives no ambient capabilities");
        return 0;
}

static uint64_t assess_umask(const struct score_row *row, const struct score_facts *f, char *value,
                             size_t vs, char *expl, size_t es)
{
        uint64_t m = f->umask;
        uint64_t b;
        const char *what;

        (void)row;
        WRITE(value, vs, "UMask=%04" PRIo64, m);
        if (!(m & 0002)) {
                b = 10, what = "world-writable";
        } else if (!(m & 0004)) {
                b = 5, what = "world-readable";
        } else if (!(m & 0020)) {
                b = 2, what = "group-writable";
        } else if (!(m & 0040)) {
                b = 1, what = "group-readable";
        } else {
                WRITE(expl, es, "files the service creates are private to its user");
                return 0;
        }
        WRITE(expl, es, "files the service creates are %s by default: set UMask=0077", what);
        return b;
}

static uint64_t assess_keyring(const struct score_row *row, const struct score_facts *f,
                               char *value, size_t vs, char *expl, size_t es)
{
        (void)row;
        WRITE(value, vs, "KeyringMode=%s", f->keyring_mode ? f->keyring_mode : "");
        if (streq_ptr(f->keyring_mode, "private")) {
                WRITE(expl, es, "the service's kernel keyring is its own");
                return 0;
        }
        WRITE(expl, es, "the service shares key material with others: set KeyringMode=private");
        return 1;
}

static uint64_t assess_protect_proc(const struct score_row *row, const struct score_facts *f,
                                    char *value, size_t vs, char *expl, size_t es)
{
        const char *v = f->protect_proc;

        (void)row;
        WRITE(value, vs, "ProtectProc=%s", v ? v : "");
        if (streq_ptr(v, "invisible") || streq_ptr(v, "ptraceable")) {
                WRITE(expl, es, "other users' processes are hidden in /proc");
                return 0;
        }
        WRITE(expl, es, "ProtectProc= is not 'invisible': set ProtectProc=invisible");
        return streq_ptr(v, "noaccess") ? 1 : 3;
}

static uint64_t assess_proc_subset(const struct score_row *row, const struct score_facts *f,
                                   char *value, size_t vs, char *expl, size_t es)
{
        (void)row;
        WRITE(value, vs, "ProcSubset=%s", f->proc_subset ? f->proc_subset : "");
        if (streq_ptr(f->proc_subset, "pid")) {
                WRITE(expl, es, "only process entries of /proc are visible");
                return 0;
        }
        WRITE(expl, es, "the service sees all of /proc: set ProcSubset=pid");
        return 1;
}

static uint64_t assess_notify_access(const struct score_row *row, const struct score_facts *f,
                                     char *value, size_t vs, char *expl, size_t es)
{
        (void)row;
        WRITE(value, vs, "NotifyAccess=%s", f->notify_access ? f->notify_access : "");
        if (streq_ptr(f->notify_access, "all")) {
                WRITE(expl, es,
                      "any process of the service may change its state: set "
                      "NotifyAccess=main");
                return 1;
        }
        WRITE(expl, es, "child processes cannot alter the service's state");
        return 0;
}

static uint64_t assess_namespace(const struct score_row *row, const struct score_facts *f,
                                 char *value, size_t vs, char *expl, size_t es)
{
        const char *kind = strchr(row->id, '~') + 1;

        if (f->restrict_namespaces & row->mask) {
                WRITE(value, vs, "RestrictNamespaces= allows %s", kind);
                WRITE(expl, es,
                      "the service may create %s namespaces: set RestrictNamespaces=~%s "
                      "or RestrictNamespaces=yes",
                      kind, kind);
                return 1;
        }
        WRITE(value, vs, "RestrictNamespaces= denies %s", kind);
        WRITE(expl, es, "the service cannot create %s namespaces", kind);
        return 0;
}

static uint64_t assess_address_family(const struct score_row *row, const struct score_facts *f,
                                      char *value, size_t vs, char *expl, size_t es)
{
        static const struct {
                const char *field, *what, *names;
                size_t offset;
        } map[] = {
                {"RestrictAddressFamilies_AF_INET_INET6", "Internet", "AF_INET AF_INET6",
                 offsetof(struct score_facts, af_inet)},
                {"RestrictAddressFamilies_AF_UNIX", "local", "AF_UNIX",
                 offsetof(struct score_facts, af_unix)},
                {"RestrictAddressFamilies_AF_NETLINK", "netlink", "AF_NETLINK",
                 offsetof(struct score_facts, af_netlink)},
                {"RestrictAddressFamilies_AF_PACKET", "packet", "AF_PACKET",
                 offsetof(struct score_facts, af_packet)},
                {"RestrictAddressFamilies_OTHER", "exotic", NULL,
                 offsetof(struct score_facts, af_other)},
        };

        for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
                bool restricted;

                if (!streq(map[i].field, row->json_field))
                        continue;
                restricted = *(const bool *)((const char *)f + map[i].offset);
                WRITE(value, vs, "RestrictAddressFamilies= %s %s sockets",
                      restricted ? "denies" : "allows", map[i].what);
                if (restricted) {
                        WRITE(expl, es, "the service cannot allocate %s sockets", map[i].what);
                        return 0;
                }
                if (map[i].names)
                        WRITE(expl, es,
                              "the service may allocate %s sockets: leave %s out of "
                              "an allow-list RestrictAddressFamilies=",
                              map[i].what, map[i].names);
                else
                        WRITE(expl, es,
                              "the service may allocate exotic sockets: set an "
                              "allow-list RestrictAddressFamilies=");
                return 1;
        }
        assert(!"address family row without a flag");
        return SCORE_BADNESS_NA;
}

static uint64_t assess_archs(const struct score_row *row, const struct score_facts *f, char *value,
                             size_t vs, char *expl, size_t es)
{
        const json_t *a = f->syscall_architectures, *e;
        size_t i, n = a ? json_array_size(a) : 0;
        bool only_native = n > 0;
        size_t pos;

        (void)row;
        pos = (size_t)snprintf(value, vs, "SystemCallArchitectures=");
        json_array_foreach(a, i, e)
        {
                const char *s = json_string_value(e);

                if (!streq_ptr(s, "native"))
                        only_native = false;
                if (pos < vs)
                        pos += (size_t)snprintf(value + pos, vs - pos, "%s%s", i ? " " : "",
                                                s ? s : "?");
        }
        if (n == 0) {
                WRITE(expl, es,
                      "the service may use system calls of every ABI: set "
                      "SystemCallArchitectures=native");
                return 10;
        }
        if (only_native) {
                WRITE(expl, es, "the service may use the native ABI only");
                return 0;
        }
        WRITE(expl, es,
              "the service may use system calls of other ABIs: set "
              "SystemCallArchitectures=native");
        return 8;
}

struct filter_walk {
        const struct score_facts *f;
        const char *offending;
};

/* Whether the filter lists name, ignoring a ":ERRNO" suffix on its entries. */
static bool filter_contains(const json_t *filter, const char *name)
{
        size_t i, n = strlen(name);
        const json_t *e;

        json_array_foreach(filter, i, e)
        {
                const char *s = json_string_value(e);

                if (s && strncmp(s, name, n) == 0 && (s[n] == '\0' || s[n] == ':'))
                        return true;
        }
        return false;
}

static bool filter_visit(const char *syscall, void *userdata)
{
        struct filter_walk *w = userdata;

        if (!syscall_groups_is_native(w->f->groups, syscall))
                return false;
        if (filter_contains(w->f->syscall_filter, syscall) != w->f->syscall_filter_allow_list)
                return false;
        w->offending = syscall;
        return true;
}

static uint64_t assess_syscall_filter(const struct score_row *row, const struct score_facts *f,
                                      char *value, size_t vs, char *expl, size_t es)
{
        struct filter_walk w = {.f = f};
        bool allow = f->syscall_filter_allow_list;
        size_t n = f->syscall_filter ? json_array_size(f->syscall_filter) : 0;
        int r;

        WRITE(value, vs, "SystemCallFilter= %s-list of %zu system calls", allow ? "allow" : "deny",
              n);
        if (!allow && n == 0) {
                WRITE(value, vs, "SystemCallFilter= unset");
                WRITE(expl, es,
                      "system calls are not filtered: set SystemCallFilter=~%s or an "
                      "allow-list without it",
                      row->group);
                return 10;
        }

        r = syscall_groups_expand(f->groups, row->group, filter_visit, &w);
        if (r < 0) {
                WRITE(expl, es, "%s is not a group of this systemd", row->group);
                return SCORE_BADNESS_NA;
        }
        if (w.offending) {
                if (allow)
                        WRITE(expl, es,
                              "the allow-list includes %s of %s: leave %s out of "
                              "SystemCallFilter=",
                              w.offending, row->group, row->group);
                else
                        WRITE(expl, es,
                              "the deny-list misses %s of %s: set "
                              "SystemCallFilter=~%s",
                              w.offending, row->group, row->group);
                return allow ? 9 : 10;
        }
        WRITE(expl, es, "%s system calls are %s", row->group,
              allow ? "not in the allow-list" : "denied");
        return 0;
}

static uint64_t assess_ip_deny(const struct score_row *row, const struct score_facts *f,
                               char *value, size_t vs, char *expl, size_t es)
{
        (void)row;
        WRITE(value, vs, "IPAddressDeny=%s IPAddressAllow=%s%s", f->ip_deny_all ? "any" : "...",
              f->ip_allow_other       ? "other"
              : f->ip_allow_localhost ? "localhost"
                                      : "",
              f->ip_custom_bpf ? " (custom BPF)" : "");
        if (f->ip_custom_bpf) {
                WRITE(expl, es, "IP traffic is filtered by custom BPF programs");
                return 0;
        }
        if (!f->ip_deny_all) {
                WRITE(expl, es,
                      "the service may reach any IP address: set IPAddressDeny=any "
                      "and allow what it needs with IPAddressAllow=");
                return 10;
        }
        if (f->ip_allow_other) {
                WRITE(expl, es,
                      "IPAddressAllow= opens ranges beyond localhost: narrow it "
                      "to IPAddressAllow=localhost");
                return 5;
        }
        if (f->ip_allow_localhost) {
                WRITE(expl, es,
                      "the service may reach localhost: drop IPAddressAllow=localhost "
                      "if it needs no IP");
                return 2;
        }
        WRITE(expl, es, "all IP address ranges are blocked");
        return 0;
}

static uint64_t assess_device_allow(const struct score_row *row, const struct score_facts *f,
                                    char *value, size_t vs, char *expl, size_t es)
{
        const char *p = f->device_policy;

        (void)row;
        WRITE(value, vs, "DevicePolicy=%s DeviceAllow= (%zu entries)", p ? p : "",
              f->n_device_allow);
        if (streq_ptr(p, "strict") || streq_ptr(p, "closed")) {
                if (f->n_device_allow > 0) {
                        WRITE(expl, es,
                              "a device ACL allows some devices: empty DeviceAllow= "
                              "if they are not needed");
                        return 5;
                }
                WRITE(expl, es, "the service may open no devices");
                return 0;
        }
        WRITE(expl, es, "the service has no device ACL: set DevicePolicy=closed");
        return 10;
}

/* ---- the table ---- */

#define CAPROW(cid, field, w, m)                                                                   \
        {                                                                                          \
                .id = "CapabilityBoundingSet=~" cid, .json_field = "CapabilityBoundingSet_" field, \
                .weight = (w), .range = 1, .assess = assess_capability, .mask = (m)                \
        }
#define NSROW(kind, w, bit)                                                                        \
        {                                                                                          \
                .id = "RestrictNamespaces=~" kind, .json_field = "RestrictNamespaces_" kind,       \
                .weight = (w), .range = 1, .assess = assess_namespace, .mask = (bit)               \
        }
#define AFROW(cid, field, w)                                                                       \
        {                                                                                          \
                .id = "RestrictAddressFamilies=~" cid,                                             \
                .json_field = "RestrictAddressFamilies_" field, .weight = (w), .range = 1,         \
                .assess = assess_address_family                                                    \
        }
#define SCROW(grp, field, w)                                                                       \
        {                                                                                          \
                .id = "SystemCallFilter=~@" grp, .json_field = "SystemCallFilter_" field,          \
                .weight = (w), .range = 10, .assess = assess_syscall_filter, .group = "@" grp      \
        }
#define BOOLROW(name, w, fl)                                                                       \
        {                                                                                          \
                .id = name "=", .json_field = name, .weight = (w), .range = 1, .flags = (fl),      \
                .assess = assess_bool                                                              \
        }

static const struct score_row rows[] = {
        {.id = "User=/DynamicUser=",
         .json_field = "UserOrDynamicUser",
         .weight = 2000,
         .range = 10,
         .assess = assess_user},
        {.id = "SupplementaryGroups=",
         .json_field = "SupplementaryGroups",
         .weight = 200,
         .range = 1,
         .flags = SCORE_NA_WHEN_PRIVILEGED,
         .assess = assess_supplementary_groups},
        BOOLROW("PrivateDevices", 1000, 0),
        BOOLROW("PrivateMounts", 1000, 0),
        BOOLROW("PrivateNetwork", 2500, 0),
        BOOLROW("PrivateTmp", 1000, SCORE_DEFAULT_DEPENDENCIES_ONLY),
        BOOLROW("PrivateUsers", 1000, 0),
        BOOLROW("ProtectControlGroups", 1000, 0),
        BOOLROW("ProtectKernelModules", 1000, 0),
        BOOLROW("ProtectKernelTunables", 1000, 0),
        BOOLROW("ProtectKernelLogs", 1000, 0),
        BOOLROW("ProtectClock", 1000, 0),
        {.id = "ProtectHome=",
         .json_field = "ProtectHome",
         .weight = 1000,
         .range = 10,
         .flags = SCORE_DEFAULT_DEPENDENCIES_ONLY,
         .assess = assess_protect_home},
        BOOLROW("ProtectHostname", 50, 0),
        {.id = "ProtectSystem=",
         .json_field = "ProtectSystem",
         .weight = 1000,
         .range = 10,
         .flags = SCORE_DEFAULT_DEPENDENCIES_ONLY,
         .assess = assess_protect_system},
        {.id = "RootDirectory=/RootImage=",
         .json_field = "RootDirectoryOrRootImage",
         .weight = 200,
         .range = 1,
         .flags = SCORE_DEFAULT_DEPENDENCIES_ONLY,
         .assess = assess_root},
        BOOLROW("LockPersonality", 100, 0),
        BOOLROW("MemoryDenyWriteExecute", 100, 0),
        BOOLROW("NoNewPrivileges", 1000, 0),
        CAPROW("CAP_SYS_ADMIN", "CAP_SYS_ADMIN", 1500, CAP_BIT(21)),
        CAPROW("CAP_SET(UID|GID|PCAP)", "CAP_SET_UID_GID_PCAP", 1500,
               CAP_BIT(7) | CAP_BIT(6) | CAP_BIT(8)),
        CAPROW("CAP_SYS_PTRACE", "CAP_SYS_PTRACE", 1500, CAP_BIT(19)),
        CAPROW("CAP_SYS_TIME", "CAP_SYS_TIME", 1000, CAP_BIT(25)),
        CAPROW("CAP_NET_ADMIN", "CAP_NET_ADMIN", 1000, CAP_BIT(12)),
        CAPROW("CAP_SYS_RAWIO", "CAP_SYS_RAWIO", 1000, CAP_BIT(17)),
        CAPROW("CAP_SYS_MODULE", "CAP_SYS_MODULE", 1000, CAP_BIT(16)),
        CAPROW("CAP_AUDIT_*", "CAP_AUDIT", 500, CAP_BIT(30) | CAP_BIT(37) | CAP_BIT(29)),
        CAPROW("CAP_SYSLOG", "CAP_SYSLOG", 500, CAP_BIT(34)),
        CAPROW("CAP_SYS_(NICE|RESOURCE)", "CAP_SYS_NICE_RESOURCE", 500, CAP_BIT(23) | CAP_BIT(24)),
        CAPROW("CAP_MKNOD", "CAP_MKNOD", 500, CAP_BIT(27)),
        CAPROW("CAP_(CHOWN|FSETID|SETFCAP)", "CAP_CHOWN_FSETID_SETFCAP", 1000,
               CAP_BIT(0) | CAP_BIT(4) | CAP_BIT(31)),
        CAPROW("CAP_(DAC_*|FOWNER|IPC_OWNER)", "CAP_DAC_FOWNER_IPC_OWNER", 1000,
               CAP_BIT(1) | CAP_BIT(2) | CAP_BIT(3) | CAP_BIT(15)),
        CAPROW("CAP_KILL", "CAP_KILL", 500, CAP_BIT(5)),
        /* The ")" at the end of the JSON field is systemd's, kept: it is the key. */
        CAPROW("CAP_NET_(BIND_SERVICE|BROADCAST|RAW)", "CAP_NET_BIND_SERVICE_BROADCAST_RAW)", 500,
               CAP_BIT(10) | CAP_BIT(11) | CAP_BIT(13)),
        CAPROW("CAP_SYS_BOOT", "CAP_SYS_BOOT", 100, CAP_BIT(22)),
        CAPROW("CAP_MAC_*", "CAP_MAC", 100, CAP_BIT(33) | CAP_BIT(32)),
        CAPROW("CAP_LINUX_IMMUTABLE", "CAP_LINUX_IMMUTABLE", 75, CAP_BIT(9)),
        CAPROW("CAP_IPC_LOCK", "CAP_IPC_LOCK", 50, CAP_BIT(14)),
        CAPROW("CAP_SYS_CHROOT", "CAP_SYS_CHROOT", 50, CAP_BIT(18)),
        CAPROW("CAP_BLOCK_SUSPEND", "CAP_BLOCK_SUSPEND", 25, CAP_BIT(36)),
        CAPROW("CAP_WAKE_ALARM", "CAP_WAKE_ALARM", 25, CAP_BIT(35)),
        CAPROW("CAP_LEASE", "CAP_LEASE", 25, CAP_BIT(28)),
        CAPROW("CAP_SYS_TTY_CONFIG", "CAP_SYS_TTY_CONFIG", 25, CAP_BIT(26)),
        CAPROW("CAP_SYS_PACCT", "CAP_SYS_PACCT", 25, CAP_BIT(20)),
        CAPROW("CAP_BPF", "CAP_BPF", 25, CAP_BIT(39)),
        {.id = "UMask=", .json_field = "UMask", .weight = 100, .range = 10, .assess = assess_umask},
        {.id = "KeyringMode=",
         .json_field = "KeyringMode",
         .weight = 1000,
         .range = 1,
         .assess = assess_keyring},
        {.id = "ProtectProc=",
         .json_field = "ProtectProc",
         .weight = 1000,
         .range = 3,
         .assess = assess_protect_proc},
        {.id = "ProcSubset=",
         .json_field = "ProcSubset",
         .weight = 10,
         .range = 1,
         .assess = assess_proc_subset},
        {.id = "NotifyAccess=",
         .json_field = "NotifyAccess",
         .weight = 1000,
         .range = 1,
         .assess = assess_notify_access},
        {.id = "RemoveIPC=",
         .json_field = "RemoveIPC",
         .weight = 100,
         .range = 1,
         .flags = SCORE_NA_WHEN_PRIVILEGED,
         .assess = assess_remove_ipc},
        {.id = "Delegate=",
         .json_field = "Delegate",
         .weight = 100,
         .range = 1,
         .assess = assess_delegate},
        BOOLROW("RestrictRealtime", 500, 0),
        BOOLROW("RestrictSUIDSGID", 1000, 0),
        NSROW("user", 1500, 0x10000000),
        NSROW("mnt", 500, 0x00020000),
        NSROW("ipc", 500, 0x08000000),
        NSROW("pid", 500, 0x20000000),
        NSROW("cgroup", 500, 0x02000000),
        NSROW("net", 500, 0x40000000),
        NSROW("uts", 100, 0x04000000),
        AFROW("AF_(INET|INET6)", "AF_INET_INET6", 1500),
        AFROW("AF_UNIX", "AF_UNIX", 25),
        AFROW("AF_NETLINK", "AF_NETLINK", 200),
        AFROW("AF_PACKET", "AF_PACKET", 1000),
        AFROW("…", "OTHER", 1250),
        {.id = "SystemCallArchitectures=",
         .json_field = "SystemCallArchitectures",
         .weight = 1000,
         .range = 10,
         .assess = assess_archs},
        SCROW("swap", "swap", 1000),
        SCROW("obsolete", "obsolete", 250),
        SCROW("clock", "clock", 1000),
        SCROW("cpu-emulation", "cpu_emulation", 250),
        SCROW("debug", "debug", 1000),
        SCROW("mount", "mount", 1000),
        SCROW("module", "module", 1000),
        SCROW("raw-io", "raw_io", 1000),
        SCROW("reboot", "reboot", 1000),
        SCROW("privileged", "privileged", 700),
        SCROW("resources", "resources", 700),
        {.id = "IPAddressDeny=",
         .json_field = "IPAddressDeny",
         .weight = 1000,
         .range = 10,
         .assess = assess_ip_deny},
        {.id = "DeviceAllow=",
         .json_field = "DeviceAllow",
         .weight = 1000,
         .range = 10,
         .assess = assess_device_allow},
        {.id = "AmbientCapabilities=",
         .json_field = "AmbientCapabilities",
         .weight = 500,
         .range = 1,
         .assess = assess_ambient},
};

_Static_assert(ARRAY_SIZE(rows) == SCORE_ROWS_MAX, "SCORE_ROWS_MAX must match the table");

const struct score_row *score_rows(size_t *ret_n)
{
        *ret_n = ARRAY_SIZE(rows);
        return rows;
}

const struct score_row *score_row_by_json_field(const char *json_field)
{
        for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
                if (streq(rows[i].json_field, json_field))
                        return &rows[i];
        return NULL;
}

const char *score_state_to_string(enum score_state s)
{
        static const char *const names[_SCORE_STATE_MAX] = {
                [SCORE_PASS] = "pass",
                [SCORE_FAIL] = "fail",
                [SCORE_NA] = "n/a",
        };

        if ((int)s < 0 || s >= _SCORE_STATE_MAX)
                return NULL;
        return names[s];
}

const char *score_label(unsigned exposure)
{
        static const struct {
                unsigned min;
                const char *label;
        } labels[] = {
                {100, "DANGEROUS"}, {90, "UNSAFE"}, {75, "EXPOSED"}, {50, "MEDIUM"},
                {10, "OK"},         {1, "SAFE"},    {0, "PERFECT"},
        };

        for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
                if (exposure >= labels[i].min)
                        return labels[i].label;
        return "PERFECT";
}

char *score_format_exposure(unsigned exposure, char *buf, size_t size)
{
        (void)snprintf(buf, size, "%u.%u", exposure / 10, exposure % 10);
        return buf;
}

bool score_unit_listed(const struct score_input *in)
{
        const char *type = prop_string(in->sandbox, "Type");

        return in->id && endswith(in->id, ".service") && streq_ptr(in->load_state, "loaded") &&
               !streq_ptr(type, "oneshot");
}

static bool field_enabled(const char *const *enabled, const char *field)
{
        if (!enabled)
                return true;
        for (size_t i = 0; enabled[i]; i++)
                if (streq(enabled[i], field))
                        return true;
        return false;
}

static uint64_t div_round_up(uint64_t a, uint64_t b)
{
        return a / b + (a % b != 0);
}

int score_unit(const struct score_input *in, const struct syscall_groups *groups,
               const char *const *enabled_json_fields, struct score_result *ret)
{
        struct score_facts f;
        size_t n = 0, unknown = 0;
        uint64_t badness_sum = 0, weight_sum = 0;

        if (in->load_state && !streq(in->load_state, "loaded"))
                return -ENOENT;

        for (size_t i = 0; enabled_json_fields && enabled_json_fields[i]; i++)
                if (!score_row_by_json_field(enabled_json_fields[i]))
                        unknown++;

        read_facts(in->sandbox, groups, &f);

        /* Without a group table only an unset deny-list can be judged. */
        if (!groups && (f.syscall_filter_allow_list ||
                        (f.syscall_filter && json_array_size(f.syscall_filter) > 0)))
                for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
                        if (rows[i].group && field_enabled(enabled_json_fields, rows[i].json_field))
                                return -EINVAL;
        if (groups)
                for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
                        if (rows[i].group &&
                            field_enabled(enabled_json_fields, rows[i].json_field) &&
                            !syscall_groups_find(groups, rows[i].group))
                                return -ENOENT;

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                const struct score_row *row = &rows[i];
                struct score_check *c = &ret->checks[n];

                if (!field_enabled(enabled_json_fields, row->json_field))
                        continue;
                n++;

                *c = (struct score_check){
                        .row = row,
                        .id = row->id,
                        .json_field = row->json_field,
                        .weight = row->weight,
                        .range = row->range,
                };
                if ((row->flags & SCORE_DEFAULT_DEPENDENCIES_ONLY) && !f.default_dependencies) {
                        /* Still describe the value; the verdict is n/a. */
                        (void)row->assess(row, &f, c->value, sizeof(c->value), c->explanation,
                                          sizeof(c->explanation));
                        WRITE(c->explanation, sizeof(c->explanation),
                              "DefaultDependencies=no: the service may run in a special boot "
                              "phase");
                        c->badness = SCORE_BADNESS_NA;
                } else {
                        c->badness = row->assess(row, &f, c->value, sizeof(c->value),
                                                 c->explanation, sizeof(c->explanation));
                }

                if (c->badness == SCORE_BADNESS_NA) {
                        c->state = SCORE_NA;
                        continue;
                }
                assert(c->badness <= row->range);
                c->state = c->badness == 0 ? SCORE_PASS : SCORE_FAIL;
                badness_sum += div_round_up(c->badness * row->weight, row->range);
                weight_sum += row->weight;
        }

        if (weight_sum == 0)
                return -ENODATA;

        for (size_t i = 0; i < n; i++) {
                struct score_check *c = &ret->checks[i];

                if (c->state == SCORE_FAIL)
                        c->exposure = (unsigned)div_round_up(
                                div_round_up(c->badness * c->weight * 100, c->range), weight_sum);
        }

        ret->n_checks = n;
        ret->n_unknown_fields = unknown;
        ret->badness_sum = badness_sum;
        ret->weight_sum = weight_sum;
        ret->exposure = (unsigned)div_round_up(badness_sum * 100, weight_sum);
        ret->label = score_label(ret->exposure);
        return 0;
}
