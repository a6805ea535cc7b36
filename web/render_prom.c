/* SPDX-License-Identifier: MIT */
#include "render.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../collectors/config_msg.h"
#include "../daemon/alert_push.h"
#include "../daemon/util.h"
#include "../hardening/scorer.h"
#include "escape.h"

/* memory.stat keys exported by default: enough to explain memory.current, few series. */
static const char *const memory_stat_core[] = {"anon",  "file", "kernel",
                                               "shmem", "sock", "inactive_file"};

bool memory_stat_key_is_counter(const char *key)
{
        static const char *const prefixes[] = {"pg",         "workingset_", "thp_",    "numa_",
                                               "pswp",       "zswpin",      "zswpout", "zswpwb",
                                               "swpin_zero", "swpout_zero"};

        for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
                if (strncmp(key, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return false;
}

static void header(FILE *f, const char *name, const char *type, const char *help)
{
        (void)fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void begin(FILE *f, const char *name, const struct uw_unit *u)
{
        (void)fprintf(f, "%s{unit=\"", name);
        prom_write_label_value(f, u->name);
        (void)fputc('"', f);
}

static void label(FILE *f, const char *key, const char *value)
{
        (void)fprintf(f, ",%s=\"", key);
        prom_write_label_value(f, value);
        (void)fputc('"', f);
}

static void end_u64(FILE *f, uint64_t v)
{
        (void)fprintf(f, "} %" PRIu64 "\n", v);
}

/* Microseconds as exact decimal seconds: no float rounding on large counters. */
static void end_usec(FILE *f, uint64_t usec)
{
        (void)fprintf(f, "} %" PRIu64 ".%06" PRIu64 "\n", usec / 1000000u, usec % 1000000u);
}

enum source {
        SRC_VALUE,      /* a single-value file; absent when unlimited */
        SRC_CPU_STAT,   /* a cpu.stat key */
        SRC_CGROUP_EVT, /* a cgroup.events key */
        SRC_WORKING_SET,
        SRC_CPU_PERIOD,
};

struct simple_family {
        const char *name, *type, *help;
        enum source src;
        int value_id;    /* SRC_VALUE */
        const char *key; /* SRC_CPU_STAT, SRC_CGROUP_EVT */
        bool usec;       /* value in microseconds, exported in seconds */
};

static const struct simple_family simple_families[] = {
        {"unitwatch_cgroup_populated", "gauge",
         "1 when the unit's cgroup or a descendant has a live process (cgroup.events).",
         SRC_CGROUP_EVT, 0, "populated", false},
        {"unitwatch_cgroup_frozen", "gauge", "1 when the unit's cgroup is frozen (cgroup.events).",
         SRC_CGROUP_EVT, 0, "frozen", false},
        {"unitwatch_cpu_periods_total", "counter",
         "Enforcement periods elapsed under the unit's own cpu.max (cpu.stat nr_periods).",
         SRC_CPU_STAT, 0, "nr_periods", false},
        {"unitwatch_cpu_throttled_periods_total", "counter",
         "Periods in which the unit was throttled by its cpu.max (cpu.stat nr_throttled).",
         SRC_CPU_STAT, 0, "nr_throttled", false},
        {"unitwatch_cpu_throttled_seconds_total", "counter",
         "Time the unit was throttled by its cpu.max (cpu.stat throttled_usec).", SRC_CPU_STAT, 0,
         "throttled_usec", true},
        {"unitwatch_cpu_bursts_total", "counter", "Periods in which a burst happened (nr_bursts).",
         SRC_CPU_STAT, 0, "nr_bursts", false},
        {"unitwatch_cpu_burst_seconds_total", "counter",
         "Time spent bursting above the quota (cpu.stat burst_usec).", SRC_CPU_STAT, 0,
         "burst_usec", true},
        {"unitwatch_cpu_period_seconds", "gauge", "Enforcement period of cpu.max.", SRC_CPU_PERIOD,
         0, NULL, false},
        {"unitwatch_cpu_weight", "gauge", "Relative CPU weight (cpu.weight, 1-10000).", SRC_VALUE,
         CG_V_CPU_WEIGHT, NULL, false},
        {"unitwatch_memory_current_bytes", "gauge",
         "Memory charged to the unit, page cache and kernel memory included (memory.current).",
         SRC_VALUE, CG_V_MEMORY_CURRENT, NULL, false},
        {"unitwatch_memory_peak_bytes", "gauge",
         "Highest memory.current since the cgroup was created (memory.peak).", SRC_VALUE,
         CG_V_MEMORY_PEAK, NULL, false},
        {"unitwatch_memory_working_set_bytes", "gauge",
         "memory.current less inactive_file, floored at 0.", SRC_WORKING_SET, 0, NULL, false},
        {"unitwatch_memory_min_bytes", "gauge", "Hard memory protection (memory.min).", SRC_VALUE,
         CG_V_MEMORY_MIN, NULL, false},
        {"unitwatch_memory_low_bytes", "gauge", "Best-effort memory protection (memory.low).",
         SRC_VALUE, CG_V_MEMORY_LOW, NULL, false},
        {"unitwatch_memory_high_bytes", "gauge",
         "Memory throttling limit (memory.high); absent when unlimited.", SRC_VALUE,
         CG_V_MEMORY_HIGH, NULL, false},
        {"unitwatch_memory_max_bytes", "gauge",
         "Hard memory limit (memory.max); absent when unlimited.", SRC_VALUE, CG_V_MEMORY_MAX, NULL,
         false},
        {"unitwatch_memory_swap_current_bytes", "gauge", "Swap used (memory.swap.current).",
         SRC_VALUE, CG_V_SWAP_CURRENT, NULL, false},
        {"unitwatch_memory_swap_max_bytes", "gauge",
         "Swap limit (memory.swap.max); absent when unlimited.", SRC_VALUE, CG_V_SWAP_MAX, NULL,
         false},
        {"unitwatch_pids_current", "gauge", "Tasks (threads) in the unit (pids.current).",
         SRC_VALUE, CG_V_PIDS_CURRENT, NULL, false},
        {"unitwatch_pids_max", "gauge", "Task limit (pids.max); absent when unlimited.", SRC_VALUE,
         CG_V_PIDS_MAX, NULL, false},
};

static bool simple_value(const struct simple_family *fam, const struct uw_unit *u, uint64_t *ret)
{
        const struct cg_sample *s = &u->sample;
        const struct cg_value *v;

        switch (fam->src) {
        case SRC_VALUE:
                v = &s->values[fam->value_id];
                if (!v->present || v->v.unlimited)
                        return false;
                *ret = v->v.value;
                return true;
        case SRC_CPU_STAT:
                return s->has_cpu_stat && cg_kv_get(&s->cpu_stat, fam->key, ret);
        case SRC_CGROUP_EVT:
                return s->has_cgroup_events && cg_kv_get(&s->cgroup_events, fam->key, ret);
        case SRC_WORKING_SET:
                return cg_sample_working_set(s, ret);
        case SRC_CPU_PERIOD:
                if (!s->has_cpu_max)
                        return false;
                *ret = s->cpu_max.period_usec;
                return true;
        }
        return false;
}

static void render_simple(FILE *f, const struct uw_snapshot *s, const struct simple_family *fam)
{
        bool usec = fam->usec || fam->src == SRC_CPU_PERIOD;

        header(f, fam->name, fam->type, fam->help);
        for (size_t i = 0; i < s->n_units; i++) {
                uint64_t v;

                if (!simple_value(fam, &s->units[i], &v))
                        continue;
                begin(f, fam->name, &s->units[i]);
                if (usec)
                        end_usec(f, v);
                else
                        end_u64(f, v);
        }
}

static void render_cpu(FILE *f, const struct uw_snapshot *s)
{
        static const char *const modes[][2] = {{"user", "user_usec"}, {"system", "system_usec"}};
        const char *name = "unitwatch_cpu_usage_seconds_total";

        header(f, name, "counter",
               "CPU time used by the unit and its descendants, by mode (cpu.stat); user + system "
               "is the total.");
        for (size_t i = 0; i < s->n_units; i++)
                for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
                        uint64_t v;

                        if (!s->units[i].sample.has_cpu_stat ||
                            !cg_kv_get(&s->units[i].sample.cpu_stat, modes[m][1], &v))
                                continue;
                        begin(f, name, &s->units[i]);
                        label(f, "mode", modes[m][0]);
                        end_usec(f, v);
                }

        name = "unitwatch_cpu_quota_cores";
        header(f, name, "gauge", "CPU quota in cores (cpu.max); absent when unlimited.");
        for (size_t i = 0; i < s->n_units; i++) {
                const struct cg_cpu_max *m = &s->units[i].sample.cpu_max;

                if (!s->units[i].sample.has_cpu_max || m->quota_usec.unlimited)
                        continue;
                begin(f, name, &s->units[i]);
                (void)fprintf(f, "} %.6g\n", (double)m->quota_usec.value / (double)m->period_usec);
        }
}

/* A flat-keyed set as one family with one label carrying the key. */
static void render_keyed(FILE *f, const struct uw_snapshot *s, const char *name, const char *help,
                         size_t set_offset, size_t has_offset, const char *label_name)
{
        header(f, name, "counter", help);
        for (size_t i = 0; i < s->n_units; i++) {
                const struct cg_sample *smp = &s->units[i].sample;
                const struct cg_kv_set *set = (const void *)((const char *)smp + set_offset);

                if (!*(const bool *)((const char *)smp + has_offset))
                        continue;
                for (size_t k = 0; k < set->n; k++) {
                        begin(f, name, &s->units[i]);
                        label(f, label_name, set->items[k].key);
                        end_u64(f, set->items[k].value);
                }
        }
}

static bool memory_stat_exported(const char *key, bool all)
{
        if (all)
                return true;
        for (size_t i = 0; i < ARRAY_SIZE(memory_stat_core); i++)
                if (streq(key, memory_stat_core[i]))
                        return true;
        return false;
}

static void render_memory_stat(FILE *f, const struct uw_snapshot *s, bool all, bool counters)
{
        const char *name =
                counters ? "unitwatch_memory_stat_events_total" : "unitwatch_memory_stat_bytes";

        if (counters && !all)
                return;
        header(f, name, counters ? "counter" : "gauge",
               counters ? "Cumulative memory event counts from memory.stat, by key."
                        : "Memory by type from memory.stat, in bytes.");
        for (size_t i = 0; i < s->n_units; i++) {
                const struct cg_sample *smp = &s->units[i].sample;

                if (!smp->has_memory_stat)
                        continue;
                for (size_t k = 0; k < smp->memory_stat.n; k++) {
                        const struct cg_kv *kv = &smp->memory_stat.items[k];

                        if (memory_stat_key_is_counter(kv->key) != counters ||
                            !memory_stat_exported(kv->key, all))
                                continue;
                        begin(f, name, &s->units[i]);
                        label(f, "type", kv->key);
                        end_u64(f, kv->value);
                }
        }
}

static void render_io(FILE *f, const struct uw_snapshot *s)
{
        static const struct {
                const char *name, *help;
                enum cg_io_key key;
        } fams[] = {
                {"unitwatch_io_read_bytes_total", "Bytes read, per device (io.stat rbytes).",
                 CG_IO_RBYTES},
                {"unitwatch_io_write_bytes_total", "Bytes written, per device (io.stat wbytes).",
                 CG_IO_WBYTES},
                {"unitwatch_io_read_operations_total", "Read operations (io.stat rios).",
                 CG_IO_RIOS},
                {"unitwatch_io_write_operations_total", "Write operations (io.stat wios).",
                 CG_IO_WIOS},
                {"unitwatch_io_discard_bytes_total", "Bytes discarded (io.stat dbytes).",
                 CG_IO_DBYTES},
                {"unitwatch_io_discard_operations_total", "Discard operations (io.stat dios).",
                 CG_IO_DIOS},
        };

        for (size_t fi = 0; fi < ARRAY_SIZE(fams); fi++) {
                header(f, fams[fi].name, "counter", fams[fi].help);
                for (size_t i = 0; i < s->n_units; i++) {
                        const struct uw_unit *u = &s->units[i];

                        for (size_t d = 0; d < u->sample.io.n; d++) {
                                const struct cg_io_dev *dev = &u->sample.io.devs[d];
                                char mm[32];

                                if (!(dev->present & (1u << fams[fi].key)))
                                        continue;
                                (void)snprintf(mm, sizeof(mm), "%u:%u", dev->major, dev->minor);
                                begin(f, fams[fi].name, u);
                                label(f, "device", u->io_names[d]);
                                label(f, "major_minor", mm);
                                end_u64(f, dev->v[fams[fi].key]);
                        }
                }
        }
}

static void render_pressure(FILE *f, const struct uw_snapshot *s)
{
        const char *name = "unitwatch_pressure_stalled_seconds_total";

        header(f, name, "counter",
               "Time some (or all, kind=\"full\") tasks of the unit stalled on a resource (PSI).");
        for (size_t i = 0; i < s->n_units; i++)
                for (int r = 0; r < _CG_PSI_MAX; r++) {
                        const struct cg_psi *p = &s->units[i].sample.psi[r];
                        const struct cg_psi_line *lines[] = {&p->some, &p->full};
                        static const char *const kinds[] = {"some", "full"};

                        if (!s->units[i].sample.has_psi[r])
                                continue;
                        for (size_t k = 0; k < 2; k++) {
                                if (!lines[k]->present)
                                        continue;
                                begin(f, name, &s->units[i]);
                                label(f, "resource", cg_psi_resource_to_string(r));
                                label(f, "kind", kinds[k]);
                                end_usec(f, lines[k]->total_usec);
                        }
                }
}

/* Unit state and identity, for units known from the bus. */
static void render_unit_props(FILE *f, const struct uw_snapshot *s)
{
        static const char *const states[] = {"active",   "activating", "deactivating",
                                             "inactive", "failed",     "reloading"};
        const char *name = "unitwatch_unit_state";

        header(f, name, "gauge",
               "1 for the unit's ActiveState, 0 for the others (active, activating, "
               "deactivating, inactive, failed, reloading).");
        for (size_t i = 0; i < s->n_units; i++) {
                const struct uw_unit *u = &s->units[i];

                if (!u->has_props || !u->props.active_state)
                        continue;
                for (size_t k = 0; k < ARRAY_SIZE(states); k++) {
                        begin(f, name, u);
                        label(f, "state", states[k]);
                        end_u64(f, streq(u->props.active_state, states[k]));
                }
        }

        name = "unitwatch_unit_restarts_total";
        header(f, name, "counter",
               "Automatic restarts (NRestarts); a manual restart or reset-failed sets it to 0.");
        for (size_t i = 0; i < s->n_units; i++) {
                const struct uw_unit *u = &s->units[i];

                if (!u->has_props || !u->props.has_n_restarts)
                        continue;
                begin(f, name, u);
                end_u64(f, u->props.n_restarts);
        }

        name = "unitwatch_unit_result";
        header(f, name, "gauge",
               "Always 1: the unit's last Result (success, exit-code, signal, oom-kill, ...) as a "
               "label; it outlives the cgroup, so an OOM kill stays visible.");
        for (size_t i = 0; i < s->n_units; i++) {
                const struct uw_unit *u = &s->units[i];

                if (!u->has_props || !u->props.result)
                        continue;
                begin(f, name, u);
                label(f, "result", u->props.result);
                end_u64(f, 1);
        }

        name = "unitwatch_unit_info";
        header(f, name, "gauge", "Always 1: the unit's type, slice and sub-state as labels.");
        for (size_t i = 0; i < s->n_units; i++) {
                const struct uw_unit *u = &s->units[i];
                const char *type = u->has_props ? unit_props_type(&u->props) : NULL;

                if (!u->has_props)
                        continue;
                begin(f, name, u);
                label(f, "type", type ? type : "");
                label(f, "slice", u->props.slice ? u->props.slice : "");
                label(f, "sub_state", u->props.sub_state ? u->props.sub_state : "");
                end_u64(f, 1);
        }

        name = "unitwatch_unit_active_enter_timestamp_seconds";
        header(f, name, "gauge",
               "When the unit last entered the active state (ActiveEnterTimestamp); a restart "
               "moves it and counters start again.");
        for (size_t i = 0; i < s->n_units; i++) {
                const struct uw_unit *u = &s->units[i];

                if (!u->has_props || !u->props.active_enter_usec)
                        continue;
                begin(f, name, u);
                end_usec(f, u->props.active_enter_usec);
        }
}

static void exposure_begin(FILE *f, const char *name, const char *unit)
{
        (void)fprintf(f, "%s{unit=\"", name);
        prom_write_label_value(f, unit);
        (void)fputc('"', f);
}

static void render_hardening(FILE *f, const struct render_opts *o)
{
        const char *name = "unitwatch_hardening_exposure";

        if (!o->exposures)
                return;
        header(f, name, "gauge",
               "Exposure of the unit's sandbox as systemd-analyze security computes it, 0.0 "
               "(perfect) to 10.0 (dangerous).");
        for (size_t i = 0; i < o->n_exposures; i++) {
                exposure_begin(f, name, o->exposures[i].name);
                (void)fprintf(f, "} %u.%u\n", o->exposures[i].exposure / 10,
                              o->exposures[i].exposure % 10);
        }
        name = "unitwatch_hardening_failed_checks";
        header(f, name, "gauge", "Hardening checks the unit fails.");
        for (size_t i = 0; i < o->n_exposures; i++) {
                exposure_begin(f, name, o->exposures[i].name);
                end_u64(f, o->exposures[i].n_failed);
        }
        name = "unitwatch_hardening_baseline_exposure";
        header(f, name, "gauge",
               "The unit's baseline exposure: the first score seen, or the one accepted later.");
        for (size_t i = 0; i < o->n_exposures; i++) {
                if (!o->exposures[i].has_baseline)
                        continue;
                exposure_begin(f, name, o->exposures[i].name);
                (void)fprintf(f, "} %u.%u\n", o->exposures[i].baseline_exposure / 10,
                              o->exposures[i].baseline_exposure % 10);
        }
        name = "unitwatch_hardening_regressed_checks";
        header(f, name, "gauge",
               "Checks that fail now but did not in the unit's baseline (accepted exceptions "
               "left out).");
        for (size_t i = 0; i < o->n_exposures; i++) {
                if (!o->exposures[i].has_baseline)
                        continue;
                exposure_begin(f, name, o->exposures[i].name);
                end_u64(f, o->exposures[i].regressed_checks);
        }
        name = "unitwatch_hardening_regressions_total";
        header(f, name, "counter", "Hardening changes that made the unit more exposed.");
        for (size_t i = 0; i < o->n_exposures; i++) {
                exposure_begin(f, name, o->exposures[i].name);
                end_u64(f, o->exposures[i].regressions);
        }
}

static void render_alerts(FILE *f, const struct uw_snapshot *s, const struct render_opts *o)
{
        const char *name = "unitwatch_alert_active";
        unsigned counts[_ALERT_STATE_MAX] = {};

        if (!s->alerts_enabled)
                return;
        header(f, name, "gauge", "1 for every firing alert of the built-in rules.");
        for (size_t i = 0; i < s->n_alerts; i++) {
                const struct uw_alert *a = &s->alerts[i];

                counts[a->state]++;
                if (a->state != ALERT_FIRING)
                        continue;
                (void)fprintf(f, "%s{alertname=\"%s\",unit=\"", name,
                              alert_rule_to_string(a->rule));
                prom_write_label_value(f, a->unit);
                (void)fprintf(f, "\",severity=\"%s\"} 1\n", alert_severity_to_string(a->severity));
        }
        name = "unitwatch_alerts";
        header(f, name, "gauge", "Alerts listed at /api/v1/alerts, by state.");
        for (int k = 0; k < _ALERT_STATE_MAX; k++)
                (void)fprintf(f, "%s{state=\"%s\"} %u\n", name,
                              alert_state_to_string((enum alert_state)k), counts[k]);

        if (!o->alertmanagers)
                return;
        name = "unitwatch_alertmanager_notifications_total";
        header(f, name, "counter", "Requests to Alertmanager it accepted, per configured URL.");
        for (size_t i = 0; i < o->n_alertmanagers; i++) {
                (void)fprintf(f, "%s{alertmanager=\"", name);
                prom_write_label_value(f, o->alertmanagers[i].url);
                (void)fprintf(f, "\"} %" PRIu64 "\n", o->alertmanagers[i].sent);
        }
        name = "unitwatch_alertmanager_notifications_failed_total";
        header(f, name, "counter",
               "Requests to Alertmanager that failed (no connection, timeout, an error status).");
        for (size_t i = 0; i < o->n_alertmanagers; i++) {
                (void)fprintf(f, "%s{alertmanager=\"", name);
                prom_write_label_value(f, o->alertmanagers[i].url);
                (void)fprintf(f, "\"} %" PRIu64 "\n", o->alertmanagers[i].failed);
        }
        name = "unitwatch_alertmanager_up";
        header(f, name, "gauge", "1 when the last request to this Alertmanager succeeded.");
        for (size_t i = 0; i < o->n_alertmanagers; i++) {
                (void)fprintf(f, "%s{alertmanager=\"", name);
                prom_write_label_value(f, o->alertmanagers[i].url);
                (void)fprintf(f, "\"} %d\n", o->alertmanagers[i].up ? 1 : 0);
        }
}

static void render_self(FILE *f, const struct uw_snapshot *s)
{
        header(f, "unitwatch_build_info", "gauge", "unitwatchd's version, always 1.");
        (void)fprintf(f, "unitwatch_build_info{version=\"%s\"} 1\n", UNITWATCH_VERSION);
        header(f, "unitwatch_units", "gauge", "Units in the last snapshot.");
        (void)fprintf(f, "unitwatch_units %zu\n", s->n_units);
        header(f, "unitwatch_collection_duration_seconds", "gauge",
               "How long the last collection cycle took.");
        (void)fprintf(f, "unitwatch_collection_duration_seconds %" PRIu64 ".%06" PRIu64 "\n",
                      s->collect_usec / 1000000u, s->collect_usec % 1000000u);
        header(f, "unitwatch_last_collection_timestamp_seconds", "gauge",
               "When the last collection cycle started, in seconds since the epoch.");
        (void)fprintf(f, "unitwatch_last_collection_timestamp_seconds %.3f\n", s->realtime);
        if (!s->bus_used)
                return;
        header(f, "unitwatch_bus_connected", "gauge",
               "1 while connected to the system bus; 0: unit states are the last known ones.");
        (void)fprintf(f, "unitwatch_bus_connected %d\n", s->bus_connected ? 1 : 0);
}

/* Only with the bus: the families stay out of a --no-bus scrape entirely. */
static void render_ip(FILE *f, const struct uw_snapshot *s)
{
        static const char *const names[_UNIT_IP_MAX] = {
                [UNIT_IP_INGRESS_BYTES] = "unitwatch_ip_ingress_bytes_total",
                [UNIT_IP_INGRESS_PACKETS] = "unitwatch_ip_ingress_packets_total",
                [UNIT_IP_EGRESS_BYTES] = "unitwatch_ip_egress_bytes_total",
                [UNIT_IP_EGRESS_PACKETS] = "unitwatch_ip_egress_packets_total",
        };
        static const char *const helps[_UNIT_IP_MAX] = {
                [UNIT_IP_INGRESS_BYTES] = "IP bytes received (IPIngressBytes; IPAccounting=yes "
                                          "only); restarts at 0 when the unit starts again.",
                [UNIT_IP_INGRESS_PACKETS] = "IP packets received (IPIngressPackets; "
                                            "IPAccounting=yes only).",
                [UNIT_IP_EGRESS_BYTES] = "IP bytes sent (IPEgressBytes; IPAccounting=yes only).",
                [UNIT_IP_EGRESS_PACKETS] = "IP packets sent (IPEgressPackets; IPAccounting=yes "
                                           "only).",
        };

        if (!s->bus_used)
                return;
        for (int k = 0; k < _UNIT_IP_MAX; k++) {
                header(f, names[k], "counter", helps[k]);
                for (size_t i = 0; i < s->n_units; i++) {
                        const struct uw_unit *u = &s->units[i];

                        if (!u->has_props || !u->props.ip_accounting ||
                            !(u->props.ip_present & (1u << k)))
                                continue;
                        begin(f, names[k], u);
                        end_u64(f, u->props.ip[k]);
                }
        }
}

static void render_config_findings(FILE *f, const struct uw_snapshot *s)
{
        const char *name = "unitwatch_unit_config_findings";

        if (!s->config_checked)
                return;
        header(f, name, "gauge",
               "Settings of the unit's files systemd ignored or does not apply, by kind "
               "(unknown-key, invalid-value, mismatch, ...; /api/v1/units/{unit}/config).");
        for (size_t i = 0; i < s->n_units; i++) {
                const struct uw_unit *u = &s->units[i];
                unsigned counts[_FINDING_KIND_MAX] = {};
                size_t k;
                json_t *x;

                json_array_foreach(u->config_findings, k, x)
                {
                        enum finding_kind kind = finding_kind_from_string(
                                json_string_value(json_object_get(x, "kind")));

                        if (kind >= 0)
                                counts[kind]++;
                }
                for (int kind = 0; kind < _FINDING_KIND_MAX; kind++) {
                        if (!counts[kind])
                                continue;
                        begin(f, name, u);
                        label(f, "kind", finding_kind_to_string(kind));
                        end_u64(f, counts[kind]);
                }
        }
}

int render_prom(const struct uw_snapshot *s, const struct render_opts *o, char **ret,
                size_t *ret_len)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return -ENOMEM;

        render_self(f, s);
        render_unit_props(f, s);
        render_cpu(f, s);
        for (size_t i = 0; i < ARRAY_SIZE(simple_families); i++)
                render_simple(f, s, &simple_families[i]);
        render_keyed(f, s, "unitwatch_memory_events_total",
                     "Memory events by kind (memory.events: low, high, max, oom, oom_kill, ...).",
                     offsetof(struct cg_sample, memory_events),
                     offsetof(struct cg_sample, has_memory_events), "event");
        render_memory_stat(f, s, o->memory_stat_all, false);
        render_memory_stat(f, s, o->memory_stat_all, true);
        render_io(f, s);
        render_keyed(f, s, "unitwatch_pids_events_total",
                     "Forks refused because of pids.max (pids.events).",
                     offsetof(struct cg_sample, pids_events),
                     offsetof(struct cg_sample, has_pids_events), "event");
        render_pressure(f, s);
        render_ip(f, s);
        render_config_findings(f, s);
        render_hardening(f, o);
        render_alerts(f, s, o);

        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        *ret_len = len;
        return 0;
}
