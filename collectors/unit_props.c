/* SPDX-License-Identifier: MIT */
#include "unit_props.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/util.h"
#include "bus_json.h"

const char *unit_limit_to_string(enum unit_limit_id id)
{
        static const char *const names[_UNIT_LIMIT_MAX] = {
                [UNIT_MEMORY_MIN] = "MemoryMin",
                [UNIT_MEMORY_LOW] = "MemoryLow",
                [UNIT_MEMORY_HIGH] = "MemoryHigh",
                [UNIT_MEMORY_MAX] = "MemoryMax",
                [UNIT_MEMORY_SWAP_MAX] = "MemorySwapMax",
                [UNIT_CPU_QUOTA_PER_SEC_USEC] = "CPUQuotaPerSecUSec",
                [UNIT_CPU_WEIGHT] = "CPUWeight",
                [UNIT_TASKS_MAX] = "TasksMax",
        };

        if ((unsigned)id >= _UNIT_LIMIT_MAX)
                return NULL;
        return names[id];
}

const char *unit_ip_to_string(enum unit_ip_id id)
{
        static const char *const names[_UNIT_IP_MAX] = {
                [UNIT_IP_INGRESS_BYTES] = "IPIngressBytes",
                [UNIT_IP_INGRESS_PACKETS] = "IPIngressPackets",
                [UNIT_IP_EGRESS_BYTES] = "IPEgressBytes",
                [UNIT_IP_EGRESS_PACKETS] = "IPEgressPackets",
        };

        if ((unsigned)id >= _UNIT_IP_MAX)
                return NULL;
        return names[id];
}

void unit_props_set_ip(struct unit_props *p, enum unit_ip_id id, uint64_t value)
{
        p->ip[id] = value;
        if (value == UINT64_MAX)
                p->ip_present &= ~(1u << id);
        else
                p->ip_present |= 1u << id;
}

static void strv_free(char **l)
{
        for (size_t i = 0; l && l[i]; i++)
                free(l[i]);
        free(l);
}

static void io_limits_free(struct unit_io_limit *l, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(l[i].kind);
                free(l[i].path);
        }
        free(l);
}

void unit_props_release(struct unit_props *p)
{
        free(p->id);
        free(p->description);
        free(p->load_state);
        free(p->active_state);
        free(p->sub_state);
        free(p->result);
        free(p->control_group);
        free(p->fragment_path);
        free(p->slice);
        strv_free(p->drop_in_paths);
        io_limits_free(p->io_limits, p->n_io_limits);
        json_decref(p->sandbox);
        *p = (struct unit_props){};
}

const char *unit_props_type(const struct unit_props *p)
{
        const char *dot = p->id ? strrchr(p->id, '.') : NULL;

        return dot ? dot + 1 : NULL;
}

static int read_string(sd_bus_message *m, char **dst)
{
        const char *s;
        char *copy;
        int r;

        r = sd_bus_message_read(m, "v", "s", &s);
        if (r < 0)
                return r;
        copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        free(*dst);
        *dst = copy;
        return 0;
}

static int read_strv(sd_bus_message *m, char ***dst)
{
        char **l = NULL;
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, "as");
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0) {
                strv_free(l);
                return r;
        }
        strv_free(*dst);
        *dst = l;
        return 0;
}

/* a(st): device path and value, for one of the IO limit properties. */
static int read_io_limits(struct unit_props *p, sd_bus_message *m, const char *kind)
{
        struct unit_io_limit *kept;
        size_t n_kept = 0;
        const char *path;
        uint64_t value;
        int r;

        /* Drop what we had for this kind; the reply carries the whole new list. */
        kept = calloc(p->n_io_limits + 1, sizeof(*kept));
        if (!kept)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_io_limits; i++) {
                if (streq(p->io_limits[i].kind, kind)) {
                        free(p->io_limits[i].kind);
                        free(p->io_limits[i].path);
                } else {
                        kept[n_kept++] = p->io_limits[i];
                }
        }
        free(p->io_limits);
        p->io_limits = kept;
        p->n_io_limits = n_kept;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, "a(st)");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "(st)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(st)", &path, &value)) > 0) {
                struct unit_io_limit *bigger;

                bigger = realloc(p->io_limits, (p->n_io_limits + 1) * sizeof(*bigger));
                if (!bigger)
                        return -ENOMEM;
                p->io_limits = bigger;
                bigger[p->n_io_limits] = (struct unit_io_limit){
                        .kind = strdup(kind), .path = strdup(path), .value = value};
                if (!bigger[p->n_io_limits].kind || !bigger[p->n_io_limits].path) {
                        free(bigger[p->n_io_limits].kind);
                        free(bigger[p->n_io_limits].path);
                        return -ENOMEM;
                }
                p->n_io_limits++;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int read_invocation_id(struct unit_props *p, sd_bus_message *m)
{
        const void *data;
        size_t size;
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, "ay");
        if (r < 0)
                return r;
        r = sd_bus_message_read_array(m, 'y', &data, &size);
        if (r < 0)
                return r;
        p->has_invocation_id = size == sizeof(p->invocation_id);
        if (p->has_invocation_id)
                memcpy(p->invocation_id, data, size);
        return sd_bus_message_exit_container(m);
}

static const struct {
        const char *name;
        size_t offset;
} string_props[] = {
        {"Id", offsetof(struct unit_props, id)},
        {"Description", offsetof(struct unit_props, description)},
        {"LoadState", offsetof(struct unit_props, load_state)},
        {"ActiveState", offsetof(struct unit_props, active_state)},
        {"SubState", offsetof(struct unit_props, sub_state)},
        {"Result", offsetof(struct unit_props, result)},
        {"ControlGroup", offsetof(struct unit_props, control_group)},
        {"FragmentPath", offsetof(struct unit_props, fragment_path)},
        {"Slice", offsetof(struct unit_props, slice)},
};

/* Every other property read_one() keeps; limits come from unit_limit_to_string(). */
static const char *const other_props[] = {
        "DropInPaths",
        "InvocationID",
        "NRestarts",
        "MainPID",
        "ExecMainCode",
        "ExecMainStatus",
        "ActiveEnterTimestamp",
        "InactiveEnterTimestamp",
        "Transient",
        "IOReadBandwidthMax",
        "IOWriteBandwidthMax",
        "IOReadIOPSMax",
        "IOWriteIOPSMax",
        "IPAccounting",
};

/* What systemd-analyze security reads, besides Id, LoadState and FragmentPath kept above. */
const char *const unit_sandbox_props[] = {
        "AmbientCapabilities",
        "CapabilityBoundingSet",
        "DefaultDependencies",
        "Delegate",
        "DeviceAllow",
        "DevicePolicy",
        "DynamicUser",
        "IPAddressAllow",
        "IPAddressDeny",
        "IPIngressFilterPath",
        "IPEgressFilterPath",
        "KeyringMode",
        "ProtectProc",
        "ProcSubset",
        "LockPersonality",
        "MemoryDenyWriteExecute",
        "NoNewPrivileges",
        "NotifyAccess",
        "PrivateDevices",
        "PrivateMounts",
        "PrivateNetwork",
        "PrivateTmp",
        "PrivateUsers",
        "ProtectControlGroups",
        "ProtectHome",
        "ProtectHostname",
        "ProtectKernelModules",
        "ProtectKernelTunables",
        "ProtectKernelLogs",
        "ProtectClock",
        "ProtectSystem",
        "RemoveIPC",
        "RestrictAddressFamilies",
        "RestrictNamespaces",
        "RestrictRealtime",
        "RestrictSUIDSGID",
        "RootDirectory",
        "RootImage",
        "SupplementaryGroups",
        "SystemCallArchitectures",
        "SystemCallFilter",
        "Type",
        "UMask",
        "User",
        NULL,
};

static bool is_sandbox_prop(const char *name)
{
        for (size_t i = 0; unit_sandbox_props[i]; i++)
                if (streq(name, unit_sandbox_props[i]))
                        return true;
        return false;
}

bool unit_props_wants(const char *name)
{
        if (is_sandbox_prop(name))
                return true;
        for (size_t i = 0; i < ARRAY_SIZE(string_props); i++)
                if (streq(name, string_props[i].name))
                        return true;
        for (size_t i = 0; i < ARRAY_SIZE(other_props); i++)
                if (streq(name, other_props[i]))
                        return true;
        for (int i = 0; i < _UNIT_LIMIT_MAX; i++)
                if (streq(name, unit_limit_to_string(i)))
                        return true;
        /* Not the IP counters: they are polled (unit_watch_refresh_ip()), never worth a GetAll. */
        return false;
}

static int read_one(struct unit_props *p, sd_bus_message *m, const char *name, json_t *sandbox)
{
        int r;

        if (is_sandbox_prop(name)) {
                json_t *v = NULL;

                r = bus_read_json(m, &v);
                if (r < 0)
                        return r;
                return json_object_set_new(sandbox, name, v) < 0 ? -ENOMEM : 1;
        }

        for (size_t i = 0; i < ARRAY_SIZE(string_props); i++)
                if (streq(name, string_props[i].name))
                        return read_string(m, (char **)((char *)p + string_props[i].offset));
        for (int i = 0; i < _UNIT_LIMIT_MAX; i++)
                if (streq(name, unit_limit_to_string(i))) {
                        r = sd_bus_message_read(m, "v", "t", &p->limit[i]);
                        p->has_limit[i] = r >= 0;
                        return r;
                }
        for (int i = 0; i < _UNIT_IP_MAX; i++)
                if (streq(name, unit_ip_to_string(i))) {
                        uint64_t v;

                        r = sd_bus_message_read(m, "v", "t", &v);
                        if (r >= 0)
                                unit_props_set_ip(p, i, v);
                        return r;
                }
        if (streq(name, "IPAccounting")) {
                int b;

                r = sd_bus_message_read(m, "v", "b", &b);
                if (r >= 0)
                        p->ip_accounting = b;
                return r;
        }
        if (streq(name, "DropInPaths"))
                return read_strv(m, &p->drop_in_paths);
        if (streq(name, "InvocationID"))
                return read_invocation_id(p, m);
        if (streq(name, "NRestarts")) {
                r = sd_bus_message_read(m, "v", "u", &p->n_restarts);
                p->has_n_restarts = r >= 0;
                return r;
        }
        if (streq(name, "Transient")) {
                int b;

                r = sd_bus_message_read(m, "v", "b", &b);
                p->transient = r >= 0 && b;
                return r;
        }
        if (streq(name, "MainPID"))
                return sd_bus_message_read(m, "v", "u", &p->main_pid);
        if (streq(name, "ExecMainCode")) {
                p->has_exec_main = true;
                return sd_bus_message_read(m, "v", "i", &p->exec_main_code);
        }
        if (streq(name, "ExecMainStatus"))
                return sd_bus_message_read(m, "v", "i", &p->exec_main_status);
        if (streq(name, "ActiveEnterTimestamp"))
                return sd_bus_message_read(m, "v", "t", &p->active_enter_usec);
        if (streq(name, "InactiveEnterTimestamp"))
                return sd_bus_message_read(m, "v", "t", &p->inactive_enter_usec);
        if (streq(name, "IOReadBandwidthMax") || streq(name, "IOWriteBandwidthMax") ||
            streq(name, "IOReadIOPSMax") || streq(name, "IOWriteIOPSMax"))
                return read_io_limits(p, m, name);
        r = sd_bus_message_skip(m, "v");
        return r < 0 ? r : 0;
}

int unit_props_update(struct unit_props *p, sd_bus_message *m)
{
        /* A new sandbox object (copy on write): snapshots may share the old one. */
        json_auto_t *sandbox = p->sandbox ? json_copy(p->sandbox) : json_object();
        const char *name;
        int r, kept = 0;

        if (!sandbox)
                return -ENOMEM;
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                r = read_one(p, m, name, sandbox);
                if (r < 0)
                        return r;
                kept += r > 0 || unit_props_wants(name);
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        /* Unchanged sandbox: keep the old object, so its identity says "nothing changed". */
        if (p->sandbox && json_equal(p->sandbox, sandbox))
                return kept;
        json_decref(p->sandbox);
        p->sandbox = TAKE_PTR(sandbox);
        return kept;
}

static int strdup_or_null(const char *s, char **dst)
{
        *dst = NULL;
        if (!s)
                return 0;
        *dst = strdup(s);
        return *dst ? 0 : -ENOMEM;
}

int unit_props_copy(struct unit_props *dst, const struct unit_props *src)
{
        size_t n = 0;
        int r = 0;

        *dst = *src;
        dst->id = dst->description = dst->load_state = dst->active_state = dst->sub_state =
                dst->result = NULL;
        dst->control_group = dst->fragment_path = dst->slice = NULL;
        dst->drop_in_paths = NULL;
        dst->io_limits = NULL;
        dst->n_io_limits = 0;
        dst->sandbox = json_incref(src->sandbox); /* immutable: shared */

        r |= strdup_or_null(src->id, &dst->id);
        r |= strdup_or_null(src->description, &dst->description);
        r |= strdup_or_null(src->load_state, &dst->load_state);
        r |= strdup_or_null(src->active_state, &dst->active_state);
        r |= strdup_or_null(src->sub_state, &dst->sub_state);
        r |= strdup_or_null(src->result, &dst->result);
        r |= strdup_or_null(src->control_group, &dst->control_group);
        r |= strdup_or_null(src->fragment_path, &dst->fragment_path);
        r |= strdup_or_null(src->slice, &dst->slice);
        if (r < 0) {
                unit_props_release(dst);
                return -ENOMEM;
        }
        while (src->drop_in_paths && src->drop_in_paths[n])
                n++;
        if (src->drop_in_paths) {
                dst->drop_in_paths = calloc(n + 1, sizeof(char *));
                for (size_t i = 0; dst->drop_in_paths && i < n; i++)
                        if (strdup_or_null(src->drop_in_paths[i], &dst->drop_in_paths[i]) < 0)
                                r = -ENOMEM;
                if (!dst->drop_in_paths)
                        r = -ENOMEM;
        }
        if (src->n_io_limits) {
                dst->io_limits = calloc(src->n_io_limits, sizeof(*dst->io_limits));
                for (size_t i = 0; dst->io_limits && i < src->n_io_limits; i++) {
                        dst->io_limits[i].value = src->io_limits[i].value;
                        dst->n_io_limits++;
                        if (strdup_or_null(src->io_limits[i].kind, &dst->io_limits[i].kind) < 0 ||
                            strdup_or_null(src->io_limits[i].path, &dst->io_limits[i].path) < 0)
                                r = -ENOMEM;
                }
                if (!dst->io_limits)
                        r = -ENOMEM;
        }
        if (r < 0) {
                unit_props_release(dst);
                return -ENOMEM;
        }
        return 0;
}
