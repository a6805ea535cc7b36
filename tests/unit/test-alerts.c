/* SPDX-License-Identifier: MIT */
/*
 * The alert rules and their life cycle (pending, firing, resolved) over sequences of
 * snapshots built from cgroup file contents in the kernel's formats, and the config that
 * tunes them.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/cg_parse.h"
#include "daemon/alert_config.h"
#include "daemon/alert_push.h"
#include "daemon/alerts.h"
#include "daemon/snapshot.h"
#include "daemon/util.h"
#include "hardening/scorer.h"
#include "web/render.h"

#define T0 1700000000.0

/* One unit's state at one moment, as the kernel and systemd would show it. */
struct unit_in {
        const char *name;
        uint64_t cgroup_id;
        uint64_t memory_current, memory_max, memory_high; /* 0: file says "max" */
        const char *memory_stat;                          /* memory.stat text */
        const char *memory_events;                        /* memory.events text */
        const char *cpu_stat;
        const char *cpu_pressure;
        uint64_t pids_current, pids_max;
        const char *active_state, *result; /* NULL: no bus properties */
        uint32_t n_restarts;
};

struct built {
        struct cg_sample s;
        struct cg_kv stat[64], events[16], cpu[16];
};

static void build_sample(struct built *b, const struct unit_in *in)
{
        memset(b, 0, sizeof(*b));
        b->s.cgroup_id = in->cgroup_id;
        b->s.values[CG_V_MEMORY_CURRENT] = (struct cg_value){true, {false, in->memory_current}};
        b->s.values[CG_V_MEMORY_MAX] =
                (struct cg_value){true, {in->memory_max == 0, in->memory_max}};
        b->s.values[CG_V_MEMORY_HIGH] =
                (struct cg_value){true, {in->memory_high == 0, in->memory_high}};
        if (in->pids_max || in->pids_current) {
                b->s.values[CG_V_PIDS_CURRENT] = (struct cg_value){true, {false, in->pids_current}};
                b->s.values[CG_V_PIDS_MAX] =
                        (struct cg_value){true, {in->pids_max == 0, in->pids_max}};
        }
        b->s.memory_stat = (struct cg_kv_set){.cap = 64, .items = b->stat};
        b->s.memory_events = (struct cg_kv_set){.cap = 16, .items = b->events};
        b->s.cpu_stat = (struct cg_kv_set){.cap = 16, .items = b->cpu};
        if (in->memory_stat) {
                cr_assert_gt(cg_parse_flat_keyed(in->memory_stat, strlen(in->memory_stat),
                                                 &b->s.memory_stat),
                             0);
                b->s.has_memory_stat = true;
        }
        if (in->memory_events) {
                cr_assert_gt(cg_parse_flat_keyed(in->memory_events, strlen(in->memory_events),
                                                 &b->s.memory_events),
                             0);
                b->s.has_memory_events = true;
        }
        if (in->cpu_stat) {
                cr_assert_gt(
                        cg_parse_flat_keyed(in->cpu_stat, strlen(in->cpu_stat), &b->s.cpu_stat), 0);
                b->s.has_cpu_stat = true;
        }
        if (in->cpu_pressure) {
                cr_assert_geq(cg_parse_psi(in->cpu_pressure, strlen(in->cpu_pressure),
                                           &b->s.psi[CG_PSI_CPU]),
                              0);
                b->s.has_psi[CG_PSI_CPU] = true;
        }
}

/* A snapshot at T0 + t seconds of the given units (in name order). */
static struct uw_snapshot *snap_at(double t, const struct unit_in *units, size_t n)
{
        struct uw_snapshot *s = uw_snapshot_new("/sys/fs/cgroup", n ? n : 1);

        cr_assert_not_null(s);
        s->realtime = T0 + t;
        s->mono_usec = (uint64_t)((1000 + t) * 1e6);
        for (size_t i = 0; i < n; i++) {
                struct built b;
                struct unit_props p = {};

                build_sample(&b, &units[i]);
                p.id = (char *)units[i].name;
                p.active_state = (char *)units[i].active_state;
                p.result = (char *)units[i].result;
                p.has_n_restarts = units[i].active_state != NULL;
                p.n_restarts = units[i].n_restarts;
                cr_assert_eq(uw_snapshot_add(s, units[i].name,
                                             units[i].cgroup_id ? "/system.slice/x" : NULL,
                                             units[i].cgroup_id ? &b.s : NULL,
                                             units[i].active_state ? &p : NULL, NULL),
                             0);
        }
        uw_snapshot_sort(s);
        return s;
}

struct run {
        struct alert_engine *e;
        struct uw_alert *list;
        size_t n;
        int transitions;
};

static void eval(struct run *r, double t, const struct unit_in *units, size_t n,
                 const struct unit_exposure *x, size_t nx)
{
        struct uw_snapshot *s = snap_at(t, units, n);

        free(r->list);
        r->transitions = alert_engine_evaluate(r->e, s, x, nx);
        cr_assert_geq(r->transitions, 0);
        cr_assert_eq(alert_engine_list(r->e, &r->list, &r->n), 0);
        uw_snapshot_unref(s);
}

static const struct uw_alert *find(const struct run *r, enum alert_rule rule, const char *unit)
{
        for (size_t i = 0; i < r->n; i++)
                if (r->list[i].rule == rule && streq(r->list[i].unit, unit))
                        return &r->list[i];
        return NULL;
}

static void run_init(struct run *r, const struct alert_config *cfg)
{
        struct alert_config def;

        memset(r, 0, sizeof(*r));
        alert_config_init(&def);
        cr_assert_eq(alert_engine_new(cfg ? cfg : &def, &r->e), 0);
}

static void run_done(struct run *r)
{
        alert_engine_free(r->e);
        free(r->list);
}

#define MIB (1024ull * 1024)

static struct unit_in memory_unit(uint64_t current, uint64_t inactive_file, uint64_t max)
{
        static char stat[128];

        (void)snprintf(stat, sizeof(stat), "anon 1000\nfile 5000\ninactive_file %llu\n",
                       (unsigned long long)inactive_file);
        return (struct unit_in){.name = "app.service",
                                .cgroup_id = 11,
                                .memory_current = current,
                                .memory_max = max,
                                .memory_stat = stat};
}

Test(alerts, memory_near_limit_pending_firing_hysteresis_resolved)
{
        struct run r;
        struct unit_in u;
        const struct uw_alert *a;

        run_init(&r, NULL);
        /* 190 MiB of page cache is inactive: working set 10 MiB, far from 200 MiB. */
        u = memory_unit(200 * MIB, 190 * MIB, 200 * MIB);
        eval(&r, 0, &u, 1, NULL, 0);
        cr_assert_null(find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service"));

        /* Working set 190 MiB of 200 MiB: 95%. Pending, then firing after 30 s. */
        u = memory_unit(195 * MIB, 5 * MIB, 200 * MIB);
        eval(&r, 10, &u, 1, NULL, 0);
        a = find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service");
        cr_assert_not_null(a);
        cr_assert_eq(a->state, ALERT_PENDING);
        cr_assert_float_eq(a->value, 0.95, 1e-9);
        cr_assert_str_eq(a->summary,
                         "'app.service' uses 95% of its memory limit (190.0 MiB of 200.0 MiB)");
        eval(&r, 30, &u, 1, NULL, 0);
        cr_assert_eq(find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service")->state, ALERT_PENDING);
        eval(&r, 40, &u, 1, NULL, 0);
        a = find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service");
        cr_assert_eq(a->state, ALERT_FIRING);
        cr_assert_eq(r.transitions, 1);
        cr_assert_float_eq(a->fired_at, T0 + 40, 1e-6);
        cr_assert_float_eq(a->active_at, T0 + 10, 1e-6);

        /* 87%: under the threshold but over the clear level: still firing. */
        u = memory_unit(179 * MIB, 5 * MIB, 200 * MIB);
        eval(&r, 50, &u, 1, NULL, 0);
        cr_assert_eq(find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service")->state, ALERT_FIRING);

        /* 80%: resolved, and listed until the retention (900 s) is over. */
        u = memory_unit(165 * MIB, 5 * MIB, 200 * MIB);
        eval(&r, 60, &u, 1, NULL, 0);
        a = find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service");
        cr_assert_eq(a->state, ALERT_RESOLVED);
        cr_assert_float_eq(a->resolved_at, T0 + 60, 1e-6);
        cr_assert_eq(r.transitions, 1);
        eval(&r, 900, &u, 1, NULL, 0);
        cr_assert_not_null(find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service"));
        eval(&r, 961, &u, 1, NULL, 0);
        cr_assert_null(find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service"));
        run_done(&r);
}

Test(alerts, memory_pending_that_clears_is_dropped_and_unlimited_never_alerts)
{
        struct run r;
        struct unit_in u;

        run_init(&r, NULL);
        u = memory_unit(195 * MIB, 0, 200 * MIB);
        eval(&r, 0, &u, 1, NULL, 0);
        cr_assert_eq(find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service")->state, ALERT_PENDING);
        u = memory_unit(100 * MIB, 0, 200 * MIB);
        eval(&r, 10, &u, 1, NULL, 0);
        cr_assert_null(find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service"));

        /* No MemoryMax/MemoryHigh: nothing to be near. */
        u = memory_unit(195 * MIB, 0, 0);
        eval(&r, 20, &u, 1, NULL, 0);
        eval(&r, 100, &u, 1, NULL, 0);
        cr_assert_null(find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service"));
        run_done(&r);
}

Test(alerts, memory_limit_is_the_lower_of_high_and_max)
{
        struct run r;
        struct unit_in u = memory_unit(95 * MIB, 0, 1000 * MIB);

        run_init(&r, NULL);
        u.memory_high = 100 * MIB;
        eval(&r, 0, &u, 1, NULL, 0);
        cr_assert_float_eq(find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service")->value, 0.95, 1e-9);
        cr_assert_not_null(strstr(find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service")->description,
                                  "MemoryHigh=100.0 MiB"));
        run_done(&r);
}

Test(alerts, oom_kill_counter_rise_fires_at_once_and_keeps_firing)
{
        struct run r;
        struct unit_in u = memory_unit(10 * MIB, 0, 200 * MIB);
        const struct uw_alert *a;

        run_init(&r, NULL);
        /* An old kill in the cgroup at the first evaluation is not news. */
        u.memory_events = "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n";
        eval(&r, 0, &u, 1, NULL, 0);
        cr_assert_null(find(&r, ALERT_OOM_KILLED, "app.service"));

        u.memory_events = "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\n";
        eval(&r, 10, &u, 1, NULL, 0);
        a = find(&r, ALERT_OOM_KILLED, "app.service");
        cr_assert_not_null(a);
        cr_assert_eq(a->state, ALERT_FIRING);
        cr_assert_eq(a->severity, ALERT_CRITICAL);
        cr_assert_float_eq(a->value, 1, 1e-9);

        /* Kept firing for keep_firing_for (600 s) after the kill, then resolved. */
        eval(&r, 600, &u, 1, NULL, 0);
        cr_assert_eq(find(&r, ALERT_OOM_KILLED, "app.service")->state, ALERT_FIRING);
        eval(&r, 611, &u, 1, NULL, 0);
        cr_assert_eq(find(&r, ALERT_OOM_KILLED, "app.service")->state, ALERT_RESOLVED);
        run_done(&r);
}

Test(alerts, oom_result_after_the_cgroup_is_gone)
{
        struct run r;
        struct unit_in u = {.name = "leak.service",
                            .cgroup_id = 5,
                            .memory_current = MIB,
                            .active_state = "active",
                            .result = "success"};
        const struct uw_alert *a;

        run_init(&r, NULL);
        eval(&r, 0, &u, 1, NULL, 0);
        /* systemd stopped the unit after the kernel's kill: no cgroup, Result=oom-kill. */
        u = (struct unit_in){
                .name = "leak.service", .active_state = "failed", .result = "oom-kill"};
        eval(&r, 5, &u, 1, NULL, 0);
        a = find(&r, ALERT_OOM_KILLED, "leak.service");
        cr_assert_not_null(a);
        cr_assert_eq(a->state, ALERT_FIRING);
        a = find(&r, ALERT_UNIT_FAILED, "leak.service");
        cr_assert_not_null(a);
        cr_assert_eq(a->state, ALERT_FIRING);
        cr_assert_str_eq(a->summary, "'leak.service' failed (result 'oom-kill')");
        run_done(&r);
}

static struct unit_in cpu_unit(uint64_t periods, uint64_t throttled)
{
        static char stat[2][160];
        static int which;
        char *s = stat[which ^= 1];

        (void)snprintf(s, sizeof(stat[0]),
                       "usage_usec 1000\nuser_usec 800\nsystem_usec 200\nnr_periods %llu\n"
                       "nr_throttled %llu\nthrottled_usec 5000\n",
                       (unsigned long long)periods, (unsigned long long)throttled);
        return (struct unit_in){.name = "busy.service", .cgroup_id = 3, .cpu_stat = s};
}

Test(alerts, cpu_throttled_share_over_the_window)
{
        struct alert_config cfg;
        struct run r;
        struct unit_in u;
        const struct uw_alert *a;

        alert_config_init(&cfg);
        cfg.rules[ALERT_CPU_THROTTLED].for_seconds = 0;
        run_init(&r, &cfg);
        u = cpu_unit(100, 0);
        eval(&r, 0, &u, 1, NULL, 0);
        /* 100 periods, 30 throttled, but over 10 s only: too little of the window to judge. */
        u = cpu_unit(200, 30);
        eval(&r, 10, &u, 1, NULL, 0);
        cr_assert_null(find(&r, ALERT_CPU_THROTTLED, "busy.service"));
        /* Over 40 s: 300 periods, 40 throttled: 13%. */
        u = cpu_unit(400, 40);
        eval(&r, 40, &u, 1, NULL, 0);
        cr_assert_null(find(&r, ALERT_CPU_THROTTLED, "busy.service"));
        /* The last 60 s (from the point at 10 s): 500 periods, 400 throttled: 80%. */
        u = cpu_unit(700, 430);
        eval(&r, 70, &u, 1, NULL, 0);
        a = find(&r, ALERT_CPU_THROTTLED, "busy.service");
        cr_assert_not_null(a);
        cr_assert_eq(a->state, ALERT_FIRING);
        cr_assert_float_eq(a->value, 0.8, 1e-9);
        cr_assert_str_eq(a->summary,
                         "'busy.service' was throttled in 80% of its CPU periods over 60 s");
        /* A restart (new cgroup) starts the window again: no alert from one point. */
        u = cpu_unit(5, 5);
        u.cgroup_id = 4;
        eval(&r, 80, &u, 1, NULL, 0);
        cr_assert_eq(find(&r, ALERT_CPU_THROTTLED, "busy.service")->state, ALERT_RESOLVED);
        run_done(&r);
}

Test(alerts, tasks_near_limit_and_pressure_stall)
{
        struct alert_config cfg;
        struct run r;
        struct unit_in u = {.name = "fork.service",
                            .cgroup_id = 8,
                            .pids_current = 95,
                            .pids_max = 100,
                            .cpu_pressure = "some avg10=55.00 avg60=20.00 avg300=5.00 "
                                            "total=123456\nfull avg10=2.00 avg60=1.00 "
                                            "avg300=0.50 total=2345\n"};
        const struct uw_alert *a;

        alert_config_init(&cfg);
        cfg.rules[ALERT_TASKS_NEAR_LIMIT].for_seconds = 0;
        cfg.rules[ALERT_PRESSURE_STALL].for_seconds = 0;
        run_init(&r, &cfg);
        eval(&r, 0, &u, 1, NULL, 0);
        a = find(&r, ALERT_TASKS_NEAR_LIMIT, "fork.service");
        cr_assert_not_null(a);
        cr_assert_str_eq(a->summary, "'fork.service' runs 95 tasks of its limit of 100 (95%)");
        a = find(&r, ALERT_PRESSURE_STALL, "fork.service");
        cr_assert_not_null(a);
        cr_assert_eq(a->state, ALERT_FIRING);
        cr_assert_str_eq(a->summary, "'fork.service' is stalled on cpu: some avg10 55.0%");

        /* Unlimited pids.max: no alert. */
        u.pids_max = 0;
        u.cpu_pressure = "some avg10=1.00 avg60=0.00 avg300=0.00 total=1\n";
        eval(&r, 10, &u, 1, NULL, 0);
        cr_assert_eq(find(&r, ALERT_TASKS_NEAR_LIMIT, "fork.service")->state, ALERT_RESOLVED);
        cr_assert_eq(find(&r, ALERT_PRESSURE_STALL, "fork.service")->state, ALERT_RESOLVED);
        run_done(&r);
}

Test(alerts, restart_loop_counts_restarts_within_the_window)
{
        struct run r;
        struct unit_in u = {
                .name = "flaky.service", .active_state = "activating", .result = "exit-code"};
        const struct uw_alert *a;

        run_init(&r, NULL);
        eval(&r, 0, &u, 1, NULL, 0);
        u.n_restarts = 2;
        eval(&r, 20, &u, 1, NULL, 0);
        cr_assert_null(find(&r, ALERT_RESTART_LOOP, "flaky.service"));
        u.n_restarts = 3;
        eval(&r, 40, &u, 1, NULL, 0);
        a = find(&r, ALERT_RESTART_LOOP, "flaky.service");
        cr_assert_not_null(a);
        cr_assert_eq(a->state, ALERT_FIRING);
        cr_assert_float_eq(a->value, 3, 1e-9);
        /* Ten minutes after the first restarts only one is left in the window. */
        eval(&r, 621, &u, 1, NULL, 0);
        cr_assert_eq(find(&r, ALERT_RESTART_LOOP, "flaky.service")->state, ALERT_RESOLVED);
        run_done(&r);
}

Test(alerts, hardening_regression_and_exposure_threshold)
{
        struct alert_config cfg;
        struct run r;
        struct unit_in u = {.name = "web.service", .active_state = "active", .result = "success"};
        struct unit_exposure x = {.name = "web.service",
                                  .exposure = 92,
                                  .n_failed = 40,
                                  .listed = true,
                                  .has_baseline = true,
                                  .baseline_exposure = 55};
        const struct uw_alert *a;

        alert_config_init(&cfg);
        cfg.rules[ALERT_EXPOSURE_ABOVE_THRESHOLD].enabled = true;
        run_init(&r, &cfg);
        eval(&r, 0, &u, 1, &x, 1);
        cr_assert_null(find(&r, ALERT_HARDENING_REGRESSION, "web.service"));
        a = find(&r, ALERT_EXPOSURE_ABOVE_THRESHOLD, "web.service");
        cr_assert_not_null(a);
        cr_assert_eq(a->severity, ALERT_INFO);

        x.regressed = true;
        x.regressed_checks = 1;
        eval(&r, 10, &u, 1, &x, 1);
        a = find(&r, ALERT_HARDENING_REGRESSION, "web.service");
        cr_assert_not_null(a);
        cr_assert_eq(a->state, ALERT_FIRING);
        cr_assert_str_eq(a->summary, "'web.service' is less hardened than its baseline: 1 check(s) "
                                     "newly failing, exposure 9.2 (baseline 5.5)");
        /* Exactly at the threshold is not above it (systemd-analyze's --threshold rule). */
        x.regressed = false;
        x.exposure = 90;
        eval(&r, 20, &u, 1, &x, 1);
        cr_assert_eq(find(&r, ALERT_HARDENING_REGRESSION, "web.service")->state, ALERT_RESOLVED);
        cr_assert_eq(find(&r, ALERT_EXPOSURE_ABOVE_THRESHOLD, "web.service")->state,
                     ALERT_RESOLVED);
        run_done(&r);
}

Test(alerts, a_unit_that_goes_away_resolves_its_alerts)
{
        struct run r;
        struct unit_in u = {.name = "gone.service", .active_state = "failed", .result = "signal"};

        run_init(&r, NULL);
        eval(&r, 0, &u, 1, NULL, 0);
        cr_assert_eq(find(&r, ALERT_UNIT_FAILED, "gone.service")->state, ALERT_FIRING);
        eval(&r, 10, NULL, 0, NULL, 0);
        cr_assert_eq(find(&r, ALERT_UNIT_FAILED, "gone.service")->state, ALERT_RESOLVED);
        cr_assert_eq(r.transitions, 1);
        run_done(&r);
}

Test(alerts, many_units_keep_their_own_history)
{
        struct run r;
        struct unit_in u[3] = {
                {.name = "a.service", .active_state = "active", .result = "success"},
                {.name = "b.service", .active_state = "active", .result = "success"},
                {.name = "c.service", .active_state = "active", .result = "success"},
        };

        run_init(&r, NULL);
        eval(&r, 0, u, 3, NULL, 0);
        eval(&r, 10, u, 3, NULL, 0);
        /* b goes away and comes back with restarts; a and c restart on their own. */
        u[0].n_restarts = 3;
        eval(&r, 20, (struct unit_in[]){u[0], u[2]}, 2, NULL, 0);
        u[1].n_restarts = 5;
        u[2].n_restarts = 1;
        eval(&r, 30, u, 3, NULL, 0);
        cr_assert_eq(find(&r, ALERT_RESTART_LOOP, "a.service")->state, ALERT_FIRING);
        /* b is new again: its count is where it starts, not a burst of restarts. */
        cr_assert_null(find(&r, ALERT_RESTART_LOOP, "b.service"));
        cr_assert_null(find(&r, ALERT_RESTART_LOOP, "c.service"));
        run_done(&r);
}

static void load_config(struct alert_config *c, const char *text, char *err, size_t err_size,
                        int want)
{
        json_error_t je;
        json_t *v = json_loads(text, 0, &je);

        cr_assert_not_null(v, "bad test JSON: %s", je.text);
        alert_config_init(c);
        cr_assert_eq(alert_config_load(c, v, err, err_size), want, "%s", err);
        json_decref(v);
}

Test(alerts, overrides_by_glob_first_match_wins)
{
        struct alert_config cfg;
        struct alert_rule_params p;
        char err[256] = "";
        struct run r;
        struct unit_in u = memory_unit(195 * MIB, 0, 200 * MIB);

        load_config(&cfg,
                    "{\"rules\": {\"MemoryNearLimit\": {\"for\": 0}},"
                    " \"overrides\": [{\"units\": \"app*.service\", \"rule\": \"MemoryNearLimit\","
                    " \"threshold\": 0.99, \"clear\": 0.9},"
                    " {\"units\": \"*\", \"rule\": \"MemoryNearLimit\", \"enabled\": false}]}",
                    err, sizeof(err), 0);
        alert_config_params(&cfg, ALERT_MEMORY_NEAR_LIMIT, "app.service", &p);
        cr_assert_float_eq(p.threshold, 0.99, 1e-9);
        cr_assert_float_eq(p.for_seconds, 0, 1e-9); /* from the rule's own setting */
        alert_config_params(&cfg, ALERT_MEMORY_NEAR_LIMIT, "db.service", &p);
        cr_assert(!p.enabled);
        alert_config_params(&cfg, ALERT_OOM_KILLED, "db.service", &p);
        cr_assert(p.enabled);

        run_init(&r, &cfg);
        eval(&r, 0, &u, 1, NULL, 0); /* 95% < 99% */
        cr_assert_null(find(&r, ALERT_MEMORY_NEAR_LIMIT, "app.service"));
        run_done(&r);
        alert_config_release(&cfg);
}

Test(alerts, config_errors_name_the_key)
{
        struct alert_config cfg;
        char err[512] = "";

        load_config(&cfg, "{\"rules\": {\"MemoryNearLimt\": {}}}", err, sizeof(err), -EINVAL);
        cr_assert_not_null(strstr(err, "unknown rule 'alerts.rules.MemoryNearLimt'"), "%s", err);
        alert_config_release(&cfg);
        load_config(&cfg, "{\"rules\": {\"MemoryNearLimit\": {\"threshold\": 0.5}}}", err,
                    sizeof(err), -EINVAL);
        cr_assert_not_null(strstr(err, "clear (0.85) must not be above threshold (0.5)"), "%s",
                           err);
        alert_config_release(&cfg);
        load_config(&cfg, "{\"rules\": {\"UnitFailed\": {\"severity\": \"page\"}}}", err,
                    sizeof(err), -EINVAL);
        cr_assert_not_null(strstr(err, "'alerts.rules.UnitFailed.severity'"), "%s", err);
        alert_config_release(&cfg);
        load_config(&cfg, "{\"alertmanager\": {\"urls\": [\"ftp://x\"]}}", err, sizeof(err),
                    -EINVAL);
        cr_assert_not_null(strstr(err, "'alerts.alertmanager.urls'[0]"), "%s", err);
        alert_config_release(&cfg);
        load_config(&cfg,
                    "{\"overrides\": [{\"units\": \"a*\", \"rule\": \"OOMKilled\", "
                    "\"fo\": 3}]}",
                    err, sizeof(err), -EINVAL);
        cr_assert_not_null(strstr(err, "unknown key 'alerts.overrides[0].fo'"), "%s", err);
        alert_config_release(&cfg);
        load_config(&cfg, "{\"rules\": {\"PressureStall\": {\"for\": -1}}}", err, sizeof(err),
                    -EINVAL);
        cr_assert_not_null(strstr(err, "'alerts.rules.PressureStall.for' must be a number"), "%s",
                           err);
        alert_config_release(&cfg);
}

Test(alerts, alertmanager_payload)
{
        struct uw_alert a[3] = {
                {.rule = ALERT_OOM_KILLED,
                 .unit = "a\\x2db.service",
                 .severity = ALERT_CRITICAL,
                 .state = ALERT_FIRING,
                 .fired_at = T0,
                 .summary = "s1",
                 .description = "d1"},
                {.rule = ALERT_MEMORY_NEAR_LIMIT, .unit = "b.service", .state = ALERT_PENDING},
                {.rule = ALERT_UNIT_FAILED,
                 .unit = "c.service",
                 .severity = ALERT_WARNING,
                 .state = ALERT_RESOLVED,
                 .fired_at = T0,
                 .resolved_at = T0 + 90.5},
        };
        _cleanup_free_ char *body = NULL;
        json_t *v, *first;

        cr_assert_eq(alert_push_payload(a, 3, "host1", T0 + 100, 60, &body), 0);
        cr_assert_not_null(body);
        v = json_loads(body, 0, NULL);
        cr_assert_eq(json_array_size(v), 2); /* pending alerts are not sent */
        first = json_array_get(v, 0);
        cr_assert_str_eq(
                json_string_value(json_object_get(json_object_get(first, "labels"), "unit")),
                "a\\x2db.service");
        cr_assert_str_eq(
                json_string_value(json_object_get(json_object_get(first, "labels"), "host")),
                "host1");
        cr_assert_str_eq(json_string_value(json_object_get(first, "startsAt")),
                         "2023-11-14T22:13:20.000Z");
        /* Firing: ends four resend intervals ahead unless renewed. */
        cr_assert_str_eq(json_string_value(json_object_get(first, "endsAt")),
                         "2023-11-14T22:19:00.000Z");
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(v, 1), "endsAt")),
                         "2023-11-14T22:14:50.500Z");
        json_decref(v);

        free(body);
        body = (char *)1;
        cr_assert_eq(alert_push_payload(&a[1], 1, NULL, T0, 60, &body), 0);
        cr_assert_null(body);
}

Test(alerts, metrics_list_firing_alerts)
{
        struct run r;
        struct unit_in u = {
                .name = "q\"uote.service", .active_state = "failed", .result = "exit-code"};
        struct uw_snapshot *s;
        struct render_opts o = {};
        _cleanup_free_ char *text = NULL;
        size_t len;

        run_init(&r, NULL);
        s = snap_at(0, &u, 1);
        cr_assert_geq(alert_engine_evaluate(r.e, s, NULL, 0), 0);
        s->alerts_enabled = true;
        cr_assert_eq(alert_engine_list(r.e, &s->alerts, &s->n_alerts), 0);
        cr_assert_eq(render_prom(s, &o, &text, &len), 0);
        cr_assert_not_null(strstr(text, "unitwatch_alert_active{alertname=\"UnitFailed\","
                                        "unit=\"q\\\"uote.service\",severity=\"warning\"} 1\n"),
                           "%s", text);
        cr_assert_not_null(strstr(text, "unitwatch_alerts{state=\"firing\"} 1\n"));
        cr_assert_not_null(strstr(text, "unitwatch_unit_result{unit=\"q\\\"uote.service\","
                                        "result=\"exit-code\"} 1\n"));
        uw_snapshot_unref(s);
        run_done(&r);
}

/* ConfigIgnored: fires at once while the unit has findings, resolves when they are gone. */
static int eval_findings(struct run *r, double t, json_t *findings)
{
        static const struct unit_in u[] = {{.name = "uw-intended.service",
                                            .cgroup_id = 1,
                                            .memory_current = MIB,
                                            .active_state = "active"}};
        struct uw_snapshot *s = snap_at(t, u, 1);

        s->units[0].config_findings = json_incref(findings);
        free(r->list);
        r->transitions = alert_engine_evaluate(r->e, s, NULL, 0);
        cr_assert_geq(r->transitions, 0);
        cr_assert_eq(alert_engine_list(r->e, &r->list, &r->n), 0);
        uw_snapshot_unref(s);
        return r->transitions;
}

Test(alerts, config_ignored_fires_and_resolves)
{
        json_t *two = json_pack("[{s:s, s:i, s:s, s:s, s:s, s:s}, {s:s, s:i, s:s, s:s, s:s, s:s}]",
                                "file", "/etc/systemd/system/uw-intended.service", "line", 6, "key",
                                "CpuQuota", "value", "70%", "kind", "unknown-key", "reason",
                                "Unknown key 'CpuQuota' in section [Service], ignoring.", "file",
                                "/etc/systemd/system/uw-intended.service", "line", 8, "key",
                                "ProtectSystem", "value", "strct", "kind", "invalid-value",
                                "reason", "Failed to parse protect system value, ignoring: strct");
        json_t *none = json_array();
        const struct uw_alert *a;
        struct run r;

        run_init(&r, NULL);
        cr_assert_eq(eval_findings(&r, 0, none), 0);
        cr_assert_null(find(&r, ALERT_CONFIG_IGNORED, "uw-intended.service"));
        cr_assert_eq(eval_findings(&r, 10, two), 1);
        a = find(&r, ALERT_CONFIG_IGNORED, "uw-intended.service");
        cr_assert_not_null(a);
        cr_assert_eq(a->state, ALERT_FIRING);
        cr_assert_eq(a->value, 2);
        cr_assert(strstr(a->summary, "CpuQuota=70% (unknown-key)"), "%s", a->summary);
        cr_assert(strstr(a->description, "uw-intended.service:6: Unknown key 'CpuQuota'"), "%s",
                  a->description);
        cr_assert_str_eq(alert_rule_to_string(ALERT_CONFIG_IGNORED), "ConfigIgnored");

        /* Fixed files and a daemon-reload: an empty list. */
        cr_assert_eq(eval_findings(&r, 20, none), 1);
        cr_assert_eq(find(&r, ALERT_CONFIG_IGNORED, "uw-intended.service")->state, ALERT_RESOLVED);
        json_decref(two);
        json_decref(none);
        run_done(&r);
}
