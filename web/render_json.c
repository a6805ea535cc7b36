/* SPDX-License-Identifier: MIT */
#include "render.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/util.h"
#include "../hardening/score.h"
#include "../hardening/scorer.h"
#include "escape.h"

/*
 * JSON integers are signed 64-bit in jansson; a counter above INT64_MAX (never seen, but the
 * kernel prints u64) is written as a decimal string rather than rounded.
 */
static json_t *json_u64(uint64_t v)
{
        char buf[32];

        if (v <= INT64_MAX)
                return json_integer((json_int_t)v);
        (void)snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
        return json_string(buf);
}

static json_t *json_name(const char *s)
{
        _cleanup_free_ char *safe = NULL;

        if (utf8_is_valid(s, strlen(s)))
                return json_string(s);
        safe = utf8_escape_invalid(s);
        return safe ? json_string(safe) : NULL;
}

/* A single-value file: omitted when absent, null when unlimited. */
static void set_value(json_t *o, const char *key, const struct cg_value *v)
{
        if (!v->present)
                return;
        (void)json_object_set_new(o, key, v->v.unlimited ? json_null() : json_u64(v->v.value));
}

static json_t *kv_object(const struct cg_kv_set *set)
{
        json_t *o = json_object();

        for (size_t i = 0; o && i < set->n; i++)
                (void)json_object_set_new(o, set->items[i].key, json_u64(set->items[i].value));
        return o;
}

static json_t *cpu_object(const struct cg_sample *s)
{
        json_t *o = json_object();

        if (!o)
                return NULL;
        if (s->has_cpu_stat)
                (void)json_object_set_new(o, "stat", kv_object(&s->cpu_stat));
        if (s->has_cpu_max)
                (void)json_object_set_new(o, "max",
                                          json_pack("{s:o, s:o}", "quota_usec",
                                                    s->cpu_max.quota_usec.unlimited
                                                            ? json_null()
                                                            : json_u64(s->cpu_max.quota_usec.value),
                                                    "period_usec",
                                                    json_u64(s->cpu_max.period_usec)));
        set_value(o, "weight", &s->values[CG_V_CPU_WEIGHT]);
        return o;
}

/* kernel memory where the kernel prints no "kernel" key (before 5.18): the sum of its parts. */
static bool kernel_derived(const struct cg_kv_set *stat, uint64_t *ret)
{
        static const char *const parts[] = {"kernel_stack", "pagetables", "percpu",
                                            "sock",         "vmalloc",    "slab"};
        uint64_t sum = 0, v;
        bool any = false;

        if (cg_kv_get(stat, "kernel", &v))
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
                if (cg_kv_get(stat, parts[i], &v)) {
                        sum += v;
                        any = true;
                }
        *ret = sum;
        return any;
}

static json_t *memory_object(const struct cg_sample *s)
{
        json_t *o = json_object();
        uint64_t v;

        if (!o)
                return NULL;
        set_value(o, "current", &s->values[CG_V_MEMORY_CURRENT]);
        set_value(o, "peak", &s->values[CG_V_MEMORY_PEAK]);
        set_value(o, "min", &s->values[CG_V_MEMORY_MIN]);
        set_value(o, "low", &s->values[CG_V_MEMORY_LOW]);
        set_value(o, "high", &s->values[CG_V_MEMORY_HIGH]);
        set_value(o, "max", &s->values[CG_V_MEMORY_MAX]);
        set_value(o, "swap_current", &s->values[CG_V_SWAP_CURRENT]);
        set_value(o, "swap_max", &s->values[CG_V_SWAP_MAX]);
        if (cg_sample_working_set(s, &v))
                (void)json_object_set_new(o, "working_set", json_u64(v));
        if (s->has_memory_stat && kernel_derived(&s->memory_stat, &v))
                (void)json_object_set_new(o, "kernel_derived", json_u64(v));
        if (s->has_memory_events)
                (void)json_object_set_new(o, "events", kv_object(&s->memory_events));
        if (s->has_memory_stat)
                (void)json_object_set_new(o, "stat", kv_object(&s->memory_stat));
        return o;
}

static json_t *io_array(const struct uw_unit *u)
{
        json_t *a = json_array();

        for (size_t d = 0; a && d < u->sample.io.n; d++) {
                const struct cg_io_dev *dev = &u->sample.io.devs[d];
                char mm[32];
                json_t *o;

                /* A bare "MAJ:MIN" line: the device is known but nothing was counted. */
                if (!dev->present)
                        continue;
                (void)snprintf(mm, sizeof(mm), "%u:%u", dev->major, dev->minor);
                o = json_pack("{s:o, s:s}", "device", json_name(u->io_names[d]), "major_minor", mm);
                if (!o)
                        continue;
                for (int k = 0; k < _CG_IO_KEY_MAX; k++)
                        if (dev->present & (1u << k))
                                (void)json_object_set_new(o, cg_io_key_to_string(k),
                                                          json_u64(dev->v[k]));
                (void)json_array_append_new(a, o);
        }
        return a;
}

static json_t *psi_line(const struct cg_psi_line *l)
{
        return json_pack("{s:f, s:f, s:f, s:o}", "avg10", l->avg10, "avg60", l->avg60, "avg300",
                         l->avg300, "total_usec", json_u64(l->total_usec));
}

static json_t *pressure_object(const struct cg_sample *s)
{
        json_t *o = json_object();

        for (int r = 0; o && r < _CG_PSI_MAX; r++) {
                json_t *p;

                if (!s->has_psi[r])
                        continue;
                p = json_object();
                if (!p)
                        continue;
                if (s->psi[r].some.present)
                        (void)json_object_set_new(p, "some", psi_line(&s->psi[r].some));
                if (s->psi[r].full.present)
                        (void)json_object_set_new(p, "full", psi_line(&s->psi[r].full));
                (void)json_object_set_new(o, cg_psi_resource_to_string(r), p);
        }
        return o;
}

static json_t *pids_object(const struct cg_sample *s)
{
        json_t *o = json_object();

        if (!o)
                return NULL;
        set_value(o, "current", &s->values[CG_V_PIDS_CURRENT]);
        set_value(o, "max", &s->values[CG_V_PIDS_MAX]);
        if (s->has_pids_events)
                (void)json_object_set_new(o, "events", kv_object(&s->pids_events));
        return o;
}

static json_t *rates_object(const struct uw_unit *u)
{
        static const char *const io_names[_UW_IO_RATE_MAX] = {
                [UW_IO_READ_BYTES] = "read_bytes_per_second",
                [UW_IO_WRITE_BYTES] = "write_bytes_per_second",
                [UW_IO_READ_OPS] = "read_ops_per_second",
                [UW_IO_WRITE_OPS] = "write_ops_per_second",
        };
        json_t *o = json_pack("{s:f}", "interval_seconds", u->rates.interval_seconds);
        json_t *io;

        if (!o)
                return NULL;
        for (int k = 0; k < _UNIT_IP_MAX; k++) {
                static const char *const ip_names[_UNIT_IP_MAX] = {
                        [UNIT_IP_INGRESS_BYTES] = "ip_ingress_bytes_per_second",
                        [UNIT_IP_INGRESS_PACKETS] = "ip_ingress_packets_per_second",
                        [UNIT_IP_EGRESS_BYTES] = "ip_egress_bytes_per_second",
                        [UNIT_IP_EGRESS_PACKETS] = "ip_egress_packets_per_second",
                };

                if (u->rates.ip_present & (1u << k))
                        (void)json_object_set_new(o, ip_names[k], json_real(u->rates.ip[k]));
        }
        if (u->rates.has_cpu) {
                (void)json_object_set_new(o, "cpu_usage_cores",
                                          json_real(u->rates.cpu_usage_cores));
                (void)json_object_set_new(o, "cpu_user_cores", json_real(u->rates.cpu_user_cores));
                (void)json_object_set_new(o, "cpu_system_cores",
                                          json_real(u->rates.cpu_system_cores));
        }
        io = json_array();
        for (size_t d = 0; io && u->rates.io && d < u->sample.io.n; d++) {
                char mm[32];
                json_t *e;

                if (!u->rates.io[d].present)
                        continue;
                (void)snprintf(mm, sizeof(mm), "%u:%u", u->sample.io.devs[d].major,
                               u->sample.io.devs[d].minor);
                e = json_pack("{s:o, s:s}", "device", json_name(u->io_names[d]), "major_minor", mm);
                for (int k = 0; e && k < _UW_IO_RATE_MAX; k++)
                        if (u->rates.io[d].present & (1u << k))
                                (void)json_object_set_new(e, io_names[k],
                                                          json_real(u->rates.io[d].v[k]));
                (void)json_array_append_new(io, e);
        }
        (void)json_object_set_new(o, "io", io);
        return o;
}

/* A systemd limit: UINT64_MAX means unlimited (or "not set" for CPUWeight). */
static json_t *json_limit(uint64_t v)
{
        return v == UINT64_MAX ? json_null() : json_u64(v);
}

/* Microseconds since the epoch as seconds; 0 (never) is left out by the caller. */
static json_t *json_timestamp(uint64_t usec)
{
        return json_real((double)usec / 1e6);
}

static void set_string(json_t *o, const char *key, const char *value)
{
        if (value && value[0])
                (void)json_object_set_new(o, key, json_name(value));
}

static json_t *state_object(const struct unit_props *p)
{
        json_t *state = json_object();

        set_string(state, "load", p->load_state);
        set_string(state, "active", p->active_state);
        set_string(state, "sub", p->sub_state);
        set_string(state, "result", p->result);
        return state;
}

static json_t *limits_object(const struct unit_props *p)
{
        json_t *limits = json_object(), *io = json_array();

        for (int i = 0; limits && i < _UNIT_LIMIT_MAX; i++)
                if (p->has_limit[i])
                        (void)json_object_set_new(limits, unit_limit_to_string(i),
                                                  json_limit(p->limit[i]));
        for (size_t i = 0; io && i < p->n_io_limits; i++)
                (void)json_array_append_new(io, json_pack("{s:o, s:o, s:o}", "property",
                                                          json_name(p->io_limits[i].kind), "device",
                                                          json_name(p->io_limits[i].path), "value",
                                                          json_limit(p->io_limits[i].value)));
        if (limits)
                (void)json_object_set_new(limits, "io", io);
        else
                json_decref(io);
        return limits;
}

/*
 * A transient unit's Description is by default its command line (systemd-run): left out.
 * TODO: keep one given with --description, if the bus ever tells the two apart.
 */
static void set_description(json_t *o, const struct unit_props *p)
{
        if (!p->transient)
                set_string(o, "description", p->description);
}

/* What the bus says of the unit. Never Environment=, credentials or command lines. */
static void add_props(json_t *j, const struct unit_props *p)
{
        json_t *dropins;
        char hex[33];

        set_description(j, p);
        (void)json_object_set_new(j, "state", state_object(p));
        if (p->has_n_restarts)
                (void)json_object_set_new(j, "restarts", json_integer(p->n_restarts));
        if (p->main_pid)
                (void)json_object_set_new(j, "main_pid", json_integer(p->main_pid));
        if (p->has_invocation_id) {
                for (size_t i = 0; i < sizeof(p->invocation_id); i++)
                        (void)snprintf(hex + 2 * i, 3, "%02x", p->invocation_id[i]);
                (void)json_object_set_new(j, "invocation_id", json_string(hex));
        }
        if (p->active_enter_usec)
                (void)json_object_set_new(j, "active_enter_time",
                                          json_timestamp(p->active_enter_usec));
        if (p->inactive_enter_usec)
                (void)json_object_set_new(j, "inactive_enter_time",
                                          json_timestamp(p->inactive_enter_usec));
        if (p->has_exec_main)
                (void)json_object_set_new(j, "exec_main",
                                          json_pack("{s:i, s:i}", "code", p->exec_main_code,
                                                    "status", p->exec_main_status));
        set_string(j, "slice", p->slice);
        set_string(j, "fragment_path", p->fragment_path);
        dropins = json_array();
        for (size_t i = 0; dropins && p->drop_in_paths && p->drop_in_paths[i]; i++)
                (void)json_array_append_new(dropins, json_name(p->drop_in_paths[i]));
        (void)json_object_set_new(j, "drop_in_paths", dropins);
        (void)json_object_set_new(j, "limits", limits_object(p));
        /* Shared, immutable: a reference, not a copy. */
        if (p->sandbox)
                (void)json_object_set(j, "sandbox", p->sandbox);
}

json_t *render_json_unit(const struct uw_unit *u, const struct render_opts *o)
{
        const struct cg_sample *s = &u->sample;
        json_t *j;
        uint64_t v;

        j = json_pack("{s:o}", "unit", json_name(u->name));
        if (!j)
                return NULL;
        if (u->has_props)
                add_props(j, &u->props);
        if (u->has_props && u->props.ip_accounting && u->props.ip_present) {
                static const char *const ip_keys[_UNIT_IP_MAX] = {
                        [UNIT_IP_INGRESS_BYTES] = "ingress_bytes",
                        [UNIT_IP_INGRESS_PACKETS] = "ingress_packets",
                        [UNIT_IP_EGRESS_BYTES] = "egress_bytes",
                        [UNIT_IP_EGRESS_PACKETS] = "egress_packets",
                };
                json_t *ip = json_object();

                for (int i = 0; ip && i < _UNIT_IP_MAX; i++)
                        if (u->props.ip_present & (1u << i))
                                (void)json_object_set_new(ip, ip_keys[i], json_u64(u->props.ip[i]));
                if (ip)
                        (void)json_object_set_new(j, "ip", ip);
        }
        if (u->config_checked)
                (void)json_object_set_new(
                        j, "config_findings",
                        json_integer((json_int_t)json_array_size(u->config_findings)));
        (void)json_object_set_new(j, "cgroup", u->cgroup ? json_name(u->cgroup) : json_null());
        if (!u->has_sample)
                return j;
        (void)json_object_set_new(j, "cgroup_id", json_u64(s->cgroup_id));
        if (s->has_cgroup_events && cg_kv_get(&s->cgroup_events, "populated", &v))
                (void)json_object_set_new(j, "populated", json_boolean(v != 0));
        if (s->has_cgroup_events && cg_kv_get(&s->cgroup_events, "frozen", &v))
                (void)json_object_set_new(j, "frozen", json_boolean(v != 0));
        (void)json_object_set_new(j, "cpu", cpu_object(s));
        (void)json_object_set_new(j, "memory", memory_object(s));
        if (s->has_io)
                (void)json_object_set_new(j, "io", io_array(u));
        (void)json_object_set_new(j, "pids", pids_object(s));
        (void)json_object_set_new(j, "pressure", pressure_object(s));
        if (o->rates && u->has_rates)
                (void)json_object_set_new(j, "rates", rates_object(u));
        return j;
}

int render_json(const struct uw_snapshot *s, const struct render_opts *o, bool pretty, char **ret,
                size_t *ret_len)
{
        json_auto_t *root = NULL;
        json_t *units;
        char *text;

        units = json_array();
        root = json_pack("{s:s, s:f, s:o, s:s, s:o}", "version", UNITWATCH_VERSION, "time",
                         s->realtime, "cgroup_root", json_name(s->cgroup_root), "source",
                         !s->bus_used       ? "cgroup-tree"
                         : s->bus_connected ? "bus"
                                            : "bus-stale",
                         "units", units);
        if (!root)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_units; i++) {
                json_t *u = render_json_unit(&s->units[i], o);

                if (!u || json_array_append_new(units, u) < 0)
                        return -ENOMEM;
        }
        /* 15 digits: PSI's two decimals stay "0.12", the time keeps its microseconds. */
        text = json_dumps(root, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_REAL_PRECISION(15));
        if (!text)
                return -ENOMEM;
        *ret = text;
        *ret_len = strlen(text);
        return 0;
}

/* The effective memory limit: the lower of MemoryHigh and MemoryMax that are set. */
static bool memory_limit(const struct cg_sample *s, uint64_t *ret)
{
        const struct cg_value *hi = &s->values[CG_V_MEMORY_HIGH], *mx = &s->values[CG_V_MEMORY_MAX];
        bool have = false;

        if (hi->present && !hi->v.unlimited) {
                *ret = hi->v.value;
                have = true;
        }
        if (mx->present && !mx->v.unlimited && (!have || mx->v.value < *ret)) {
                *ret = mx->v.value;
                have = true;
        }
        return have;
}

/* The sum over devices of one io rate; false when no device has it. */
static bool io_rate_sum(const struct uw_unit *u, enum uw_io_rate k, double *ret)
{
        bool any = false;

        *ret = 0;
        for (size_t d = 0; u->rates.io && d < u->sample.io.n; d++)
                if (u->rates.io[d].present & (1u << k)) {
                        *ret += u->rates.io[d].v[k];
                        any = true;
                }
        return any;
}

static void summary_rates(json_t *j, const struct uw_unit *u)
{
        double v;

        if (!u->has_rates)
                return;
        if (u->rates.has_cpu)
                (void)json_object_set_new(j, "cpu_usage_cores",
                                          json_real(u->rates.cpu_usage_cores));
        if (io_rate_sum(u, UW_IO_READ_BYTES, &v))
                (void)json_object_set_new(j, "io_read_bytes_per_second", json_real(v));
        if (io_rate_sum(u, UW_IO_WRITE_BYTES, &v))
                (void)json_object_set_new(j, "io_write_bytes_per_second", json_real(v));
}

static void summary_psi(json_t *j, const struct cg_sample *s)
{
        static const char *const keys[_CG_PSI_MAX] = {
                [CG_PSI_CPU] = "psi_cpu_some_avg10",
                [CG_PSI_MEMORY] = "psi_memory_some_avg10",
                [CG_PSI_IO] = "psi_io_some_avg10",
        };

        for (int r = 0; r < _CG_PSI_MAX; r++)
                if (s->has_psi[r] && s->psi[r].some.present)
                        (void)json_object_set_new(j, keys[r], json_real(s->psi[r].some.avg10));
}

/* cpu.max as cores (quota / period); null when unlimited. */
static json_t *cpu_quota_cores(const struct cg_sample *s)
{
        const struct cg_cpu_max *m = &s->cpu_max;

        if (m->quota_usec.unlimited || m->period_usec == 0)
                return json_null();
        return json_real((double)m->quota_usec.value / (double)m->period_usec);
}

static void summary_exposure(json_t *j, const struct unit_exposure *e)
{
        char buf[16];

        (void)json_object_set_new(
                j, "exposure", json_string(score_format_exposure(e->exposure, buf, sizeof(buf))));
        (void)json_object_set_new(j, "exposure_label", json_string(score_label(e->exposure)));
        (void)json_object_set_new(j, "failed_checks", json_integer(e->n_failed));
}

json_t *render_json_summary(const struct uw_unit *u, const struct unit_exposure *e)
{
        const struct cg_sample *s = &u->sample;
        json_t *j;
        uint64_t v;

        j = json_pack("{s:o, s:o}", "unit", json_name(u->name), "cgroup",
                      u->cgroup ? json_name(u->cgroup) : json_null());
        if (!j)
                return NULL;
        if (u->has_props) {
                set_description(j, &u->props);
                (void)json_object_set_new(j, "state", state_object(&u->props));
                if (u->props.has_n_restarts)
                        (void)json_object_set_new(j, "restarts", json_integer(u->props.n_restarts));
        }
        if (e)
                summary_exposure(j, e);
        if (u->config_checked)
                (void)json_object_set_new(
                        j, "config_findings",
                        json_integer((json_int_t)json_array_size(u->config_findings)));
        if (!u->has_sample)
                return j;
        summary_rates(j, u);
        if (s->has_cpu_max)
                (void)json_object_set_new(j, "cpu_quota_cores", cpu_quota_cores(s));
        if (s->values[CG_V_MEMORY_CURRENT].present)
                (void)json_object_set_new(j, "memory_current",
                                          json_u64(s->values[CG_V_MEMORY_CURRENT].v.value));
        if (s->values[CG_V_MEMORY_MAX].present || s->values[CG_V_MEMORY_HIGH].present)
                (void)json_object_set_new(j, "memory_limit",
                                          memory_limit(s, &v) ? json_u64(v) : json_null());
        set_value(j, "pids_current", &s->values[CG_V_PIDS_CURRENT]);
        set_value(j, "pids_max", &s->values[CG_V_PIDS_MAX]);
        summary_psi(j, s);
        return j;
}
