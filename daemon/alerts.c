/* SPDX-License-Identifier: MIT */
#include "alerts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hardening/scorer.h"
#include "log.h"
#include "snapshot.h"
#include "util.h"

/* Samples kept per unit for the windowed rules; older ones make room for newer ones. */
#define RING_MAX 64

struct throttle_point {
        double t; /* monotonic seconds */
        uint64_t periods, throttled;
};

/* What the engine remembers of a unit between snapshots. */
struct track {
        char *name;
        uint64_t cgroup_id; /* 0: no cgroup when last seen */
        bool has_oom_kill;
        uint64_t oom_kill;
        char result[32];
        bool has_restarts;
        uint32_t n_restarts;
        double oom_at; /* monotonic seconds of the last OOM kill seen, 0: none */
        unsigned oom_kills;

        double restarts[RING_MAX]; /* monotonic times of restarts, ring */
        size_t restarts_n, restarts_head;

        struct throttle_point thr[RING_MAX]; /* ring, oldest at thr_head */
        size_t thr_n, thr_head;
};

struct entry {
        struct uw_alert a;
        double active_mono, last_true_mono, resolved_mono;
        bool touched;
};

struct alert_engine {
        struct alert_config cfg;
        struct track *tracks; /* sorted by name */
        size_t n_tracks;
        struct entry *entries; /* sorted by unit, then rule */
        size_t n_entries, cap_entries;
        bool evaluated;
};

/* The outcome of one rule for one unit at one snapshot. */
struct cond {
        bool trigger; /* at or above the threshold: start or keep pending */
        bool hold;    /* at or above the clear level: keep firing */
        double value;
        char summary[ALERT_TEXT_MAX];
        char description[ALERT_TEXT_MAX];
};

static const char *const state_names[_ALERT_STATE_MAX] = {
        [ALERT_PENDING] = "pending",
        [ALERT_FIRING] = "firing",
        [ALERT_RESOLVED] = "resolved",
};

const char *alert_state_to_string(enum alert_state s)
{
        return s >= 0 && s < _ALERT_STATE_MAX ? state_names[s] : NULL;
}

int alert_engine_new(const struct alert_config *cfg, struct alert_engine **ret)
{
        struct alert_engine *e = calloc(1, sizeof(*e));
        int r;

        if (!e)
                return -ENOMEM;
        r = alert_config_copy(&e->cfg, cfg);
        if (r < 0) {
                free(e);
                return r;
        }
        *ret = e;
        return 0;
}

void alert_engine_free(struct alert_engine *e)
{
        if (!e)
                return;
        for (size_t i = 0; i < e->n_tracks; i++)
                free(e->tracks[i].name);
        free(e->tracks);
        free(e->entries);
        alert_config_release(&e->cfg);
        free(e);
}

int alert_engine_set_config(struct alert_engine *e, const struct alert_config *cfg)
{
        struct alert_config next;
        int r = alert_config_copy(&next, cfg);

        if (r < 0)
                return r;
        alert_config_release(&e->cfg);
        e->cfg = next;
        return 0;
}

static void format_bytes(uint64_t v, char *buf, size_t size)
{
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double d = (double)v;
        size_t i = 0;

        while (d >= 1024 && i + 1 < ARRAY_SIZE(units)) {
                d /= 1024;
                i++;
        }
        if (i == 0)
                (void)snprintf(buf, size, "%llu B", (unsigned long long)v);
        else
                (void)snprintf(buf, size, "%.1f %s", d, units[i]);
}

/* The lower of memory.high and memory.max, when either is a number. */
static bool memory_limit(const struct cg_sample *s, uint64_t *ret, const char **ret_name)
{
        const struct cg_value *high = &s->values[CG_V_MEMORY_HIGH];
        const struct cg_value *max = &s->values[CG_V_MEMORY_MAX];
        bool found = false;

        if (max->present && !max->v.unlimited) {
                *ret = max->v.value;
                *ret_name = "MemoryMax";
                found = true;
        }
        if (high->present && !high->v.unlimited && (!found || high->v.value < *ret)) {
                *ret = high->v.value;
                *ret_name = "MemoryHigh";
                found = true;
        }
        return found;
}

static void rule_memory(const struct uw_unit *u, const struct alert_rule_params *p, struct cond *c)
{
        char ws_text[32], limit_text[32], cur_text[32];
        const char *limit_name = NULL;
        uint64_t ws, limit;

        if (!u->has_sample || !cg_sample_working_set(&u->sample, &ws) ||
            !memory_limit(&u->sample, &limit, &limit_name) || limit == 0)
                return;
        c->value = (double)ws / (double)limit;
        c->trigger = c->value >= p->threshold;
        c->hold = c->value >= p->clear;
        format_bytes(ws, ws_text, sizeof(ws_text));
        format_bytes(limit, limit_text, sizeof(limit_text));
        format_bytes(u->sample.values[CG_V_MEMORY_CURRENT].v.value, cur_text, sizeof(cur_text));
        (void)snprintf(c->summary, sizeof(c->summary),
                       "'%s' uses %.0f%% of its memory limit (%s of %s)", u->name, c->value * 100,
                       ws_text, limit_text);
        (void)snprintf(c->description, sizeof(c->description),
                       "Working set %s (memory.current %s less inactive_file) against %s=%s; "
                       "alert at %.0f%%. At the limit the kernel %s. Raise %s= or find what "
                       "grows in the unit's recent samples (/api/v1/units/%s/series).",
                       ws_text, cur_text, limit_name, limit_text, p->threshold * 100,
                       streq(limit_name, "MemoryHigh") ? "throttles and reclaims hard"
                                                       : "OOM-kills the service",
                       limit_name, u->name);
}

static void rule_tasks(const struct uw_unit *u, const struct alert_rule_params *p, struct cond *c)
{
        const struct cg_value *cur = &u->sample.values[CG_V_PIDS_CURRENT];
        const struct cg_value *max = &u->sample.values[CG_V_PIDS_MAX];

        if (!u->has_sample || !cur->present || !max->present || max->v.unlimited ||
            max->v.value == 0)
                return;
        c->value = (double)cur->v.value / (double)max->v.value;
        c->trigger = c->value >= p->threshold;
        c->hold = c->value >= p->clear;
        (void)snprintf(c->summary, sizeof(c->summary),
                       "'%s' runs %llu tasks of its limit of %llu (%.0f%%)", u->name,
                       (unsigned long long)cur->v.value, (unsigned long long)max->v.value,
                       c->value * 100);
        (void)snprintf(c->description, sizeof(c->description),
                       "At TasksMax= new processes and threads fail to start (fork: Resource "
                       "temporarily unavailable). Raise TasksMax= or find what spawns tasks.");
}

static void rule_pressure(const struct uw_unit *u, const struct alert_rule_params *p,
                          struct cond *c)
{
        const char *worst_res = NULL, *worst_kind = NULL;
        double worst = -1;

        if (!u->has_sample)
                return;
        for (int r = 0; r < _CG_PSI_MAX; r++) {
                const struct cg_psi *psi = &u->sample.psi[r];

                if (!u->sample.has_psi[r])
                        continue;
                for (int full = 0; full <= 1; full++) {
                        const struct cg_psi_line *l = full ? &psi->full : &psi->some;
                        double t = full ? p->threshold_full : p->threshold;
                        double clr = full ? p->clear_full : p->clear;

                        if (!l->present)
                                continue;
                        c->trigger |= l->avg10 >= t;
                        c->hold |= l->avg10 >= clr;
                        /* Name the line furthest over its own threshold. */
                        if (t > 0 && (worst < 0 || l->avg10 / t > worst)) {
                                worst = l->avg10 / t;
                                worst_res = cg_psi_resource_to_string((enum cg_psi_resource)r);
                                worst_kind = full ? "full" : "some";
                                c->value = l->avg10;
                        }
                }
        }
        if (!worst_res)
                return;
        (void)snprintf(c->summary, sizeof(c->summary), "'%s' is stalled on %s: %s avg10 %.1f%%",
                       u->name, worst_res, worst_kind, c->value);
        (void)snprintf(c->description, sizeof(c->description),
                       "Pressure stall information: tasks of the unit waited for %s %.1f%% of the "
                       "last 10 s (alert at some %.0f%% or full %.0f%%). Look for a limit it hits "
                       "(CPUQuota=, MemoryHigh=, IO limits) or a contended host.",
                       worst_res, c->value, p->threshold, p->threshold_full);
}

static void rule_failed(const struct uw_unit *u, struct cond *c)
{
        if (!u->has_props || !u->props.active_state || !streq(u->props.active_state, "failed"))
                return;
        c->trigger = c->hold = true;
        c->value = 1;
        (void)snprintf(c->summary, sizeof(c->summary), "'%s' failed (result '%s')", u->name,
                       strna(u->props.result));
        (void)snprintf(c->description, sizeof(c->description),
                       "The unit is in the failed state (main process code %d, status %d). See "
                       "`journalctl -u` for the unit, fix the cause, then `systemctl restart` or "
                       "`systemctl reset-failed` it.",
                       u->props.has_exec_main ? u->props.exec_main_code : 0,
                       u->props.has_exec_main ? u->props.exec_main_status : 0);
}

static const struct unit_exposure *find_exposure(const struct unit_exposure *x, size_t n,
                                                 const char *name)
{
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int d = strcmp(name, x[mid].name);

                if (d == 0)
                        return &x[mid];
                if (d < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

static void rule_regression(const struct uw_unit *u, const struct unit_exposure *x, struct cond *c)
{
        if (!x || !x->has_baseline || !x->regressed)
                return;
        c->trigger = c->hold = true;
        c->value = x->exposure / 10.0;
        if (x->regressed_checks > 0)
                (void)snprintf(c->summary, sizeof(c->summary),
                               "'%s' is less hardened than its baseline: %u check(s) newly "
                               "failing, exposure %u.%u (baseline %u.%u)",
                               u->name, x->regressed_checks, x->exposure / 10, x->exposure % 10,
                               x->baseline_exposure / 10, x->baseline_exposure % 10);
        else
                (void)snprintf(c->summary, sizeof(c->summary),
                               "'%s' is less hardened than its baseline: a changed setting raised "
                               "its exposure to %u.%u (baseline %u.%u)",
                               u->name, x->exposure / 10, x->exposure % 10,
                               x->baseline_exposure / 10, x->baseline_exposure % 10);
        (void)snprintf(c->description, sizeof(c->description),
                       "A sandboxing setting got weaker (a drop-in, an upgrade, a new "
                       "generation). /api/v1/drift?unit= says which setting changed and in which "
                       "file. Revert it, or accept it with POST /api/v1/units/{unit}/baseline.");
}

/* Settings of the unit's files that systemd ignored or does not apply (config_findings.h). */
static void rule_config_ignored(const struct uw_unit *u, const struct alert_rule_params *p,
                                struct cond *c)
{
        size_t n = u->config_findings ? json_array_size(u->config_findings) : 0;
        json_t *first = json_array_get(u->config_findings, 0);

        if (!first)
                return;
        c->value = (double)n;
        c->trigger = c->value >= p->threshold;
        c->hold = c->value >= p->clear;
        (void)snprintf(c->summary, sizeof(c->summary),
                       "'%s' has %zu setting(s) systemd ignored or does not apply, first %s=%s "
                       "(%s)",
                       u->name, n, strna(json_string_value(json_object_get(first, "key"))),
                       strna(json_string_value(json_object_get(first, "value"))),
                       strna(json_string_value(json_object_get(first, "kind"))));
        (void)snprintf(c->description, sizeof(c->description),
                       "%s:%lld: %s. The unit runs without what its files ask for. "
                       "/api/v1/units/{unit}/config lists every finding; fix the files and run "
                       "`systemctl daemon-reload`.",
                       strna(json_string_value(json_object_get(first, "file"))),
                       (long long)json_integer_value(json_object_get(first, "line")),
                       strna(json_string_value(json_object_get(first, "reason"))));
}

static void rule_exposure(const struct uw_unit *u, const struct unit_exposure *x,
                          const struct alert_rule_params *p, struct cond *c)
{
        if (!x || !x->listed)
                return;
        c->value = x->exposure / 10.0;
        /* Like systemd-analyze security --threshold: above, not at. */
        c->trigger = x->exposure > (unsigned)(p->threshold * 10 + 0.5);
        c->hold = x->exposure > (unsigned)(p->clear * 10 + 0.5);
        (void)snprintf(c->summary, sizeof(c->summary), "'%s' has an exposure of %u.%u (above %.1f)",
                       u->name, x->exposure / 10, x->exposure % 10, p->threshold);
        (void)snprintf(c->description, sizeof(c->description),
                       "%u hardening checks fail; /api/v1/units/{unit}/hardening lists them, "
                       "heaviest first, each with the setting that fixes it.",
                       x->n_failed);
}

/* Share of CPU periods throttled between the point at least a window old and now. */
static void rule_throttled(const struct uw_unit *u, const struct track *t,
                           const struct alert_rule_params *p, double now, struct cond *c)
{
        const struct throttle_point *first = NULL, *last;
        double quota = 0;

        if (t->thr_n < 2)
                return;
        last = &t->thr[(t->thr_head + t->thr_n - 1) % RING_MAX];
        for (size_t i = 0; i < t->thr_n; i++) {
                const struct throttle_point *pt = &t->thr[(t->thr_head + i) % RING_MAX];

                if (!first || pt->t <= now - p->window)
                        first = pt;
                else
                        break;
        }
        /* Too short a span says little: wait for half a window of history. */
        if (first == last || last->periods <= first->periods || last->t - first->t < p->window / 2)
                return;
        c->value = (double)(last->throttled - first->throttled) /
                   (double)(last->periods - first->periods);
        c->trigger = c->value >= p->threshold;
        c->hold = c->value >= p->clear;
        if (u->sample.has_cpu_max && !u->sample.cpu_max.quota_usec.unlimited &&
            u->sample.cpu_max.period_usec)
                quota = (double)u->sample.cpu_max.quota_usec.value /
                        (double)u->sample.cpu_max.period_usec;
        (void)snprintf(c->summary, sizeof(c->summary),
                       "'%s' was throttled in %.0f%% of its CPU periods over %.0f s", u->name,
                       c->value * 100, last->t - first->t);
        (void)snprintf(c->description, sizeof(c->description),
                       "The unit wants more CPU than its quota of %.2f cores (CPUQuota=%.0f%%) "
                       "and waits when it runs out; latency suffers. Raise CPUQuota= or find "
                       "the busy process.",
                       quota, quota * 100);
}

static void rule_restarts(const struct uw_unit *u, const struct track *t,
                          const struct alert_rule_params *p, double now, struct cond *c)
{
        unsigned n = 0;

        for (size_t i = 0; i < t->restarts_n; i++)
                n += t->restarts[(t->restarts_head + i) % RING_MAX] > now - p->window;
        if (n == 0)
                return;
        c->value = n;
        c->trigger = n >= p->threshold;
        c->hold = n >= p->clear;
        (void)snprintf(c->summary, sizeof(c->summary), "'%s' restarted %u times in the last %.0f s",
                       u->name, n, p->window);
        (void)snprintf(c->description, sizeof(c->description),
                       "systemd keeps restarting the unit (NRestarts is %u, last result '%s'). "
                       "See `journalctl -u` for the unit for why its main process exits.",
                       t->n_restarts, strna(u->props.result));
}

static void rule_oom(const struct uw_unit *u, const struct track *t, double now, struct cond *c)
{
        if (!t->oom_at)
                return;
        c->trigger = c->hold = t->oom_at >= now;
        c->value = t->oom_kills;
        (void)snprintf(c->summary, sizeof(c->summary), "'%s' was OOM-killed (%u kill(s) seen)",
                       u->name, t->oom_kills);
        (void)snprintf(c->description, sizeof(c->description),
                       "The kernel killed a process of the unit for lack of memory (memory.events "
                       "oom_kill, or systemd's Result=oom-kill). Raise MemoryMax= or find what "
                       "grows; the alert stays firing for a while after the kill.");
}

/* Records what changed in u since the unit was last seen; first: no history to compare. */
static void track_update(struct track *t, const struct uw_unit *u, double now, bool known)
{
        uint64_t oom = 0, periods, throttled;
        bool has_oom = u->has_sample && u->sample.has_memory_events &&
                       cg_kv_get(&u->sample.memory_events, "oom_kill", &oom);
        uint64_t cgroup_id = u->has_sample ? u->sample.cgroup_id : 0;
        const char *result = u->has_props && u->props.result ? u->props.result : "";

        /* An OOM kill: the counter rose in the same cgroup, or a new cgroup has kills. */
        if (known && has_oom &&
            ((cgroup_id == t->cgroup_id && t->has_oom_kill && oom > t->oom_kill) ||
             (cgroup_id != t->cgroup_id && oom > 0))) {
                t->oom_kills +=
                        (unsigned)(cgroup_id == t->cgroup_id && t->has_oom_kill ? oom - t->oom_kill
                                                                                : oom);
                t->oom_at = now;
        }
        if (known && streq(result, "oom-kill") && !streq(t->result, "oom-kill")) {
                if (t->oom_at != now)
                        t->oom_kills++;
                t->oom_at = now;
        }
        if (has_oom || cgroup_id != t->cgroup_id) {
                t->has_oom_kill = has_oom;
                t->oom_kill = oom;
        }
        (void)snprintf(t->result, sizeof(t->result), "%s", result);

        if (u->has_props && u->props.has_n_restarts) {
                if (known && t->has_restarts && u->props.n_restarts > t->n_restarts)
                        for (uint32_t i = 0;
                             i < u->props.n_restarts - t->n_restarts && i < RING_MAX; i++) {
                                t->restarts[(t->restarts_head + t->restarts_n) % RING_MAX] = now;
                                if (t->restarts_n < RING_MAX)
                                        t->restarts_n++;
                                else
                                        t->restarts_head = (t->restarts_head + 1) % RING_MAX;
                        }
                t->has_restarts = true;
                t->n_restarts = u->props.n_restarts;
        }

        /* Throttling counters restart with the cgroup. */
        if (cgroup_id != t->cgroup_id)
                t->thr_n = t->thr_head = 0;
        t->cgroup_id = cgroup_id;
        if (u->has_sample && u->sample.has_cpu_stat &&
            cg_kv_get(&u->sample.cpu_stat, "nr_periods", &periods) &&
            cg_kv_get(&u->sample.cpu_stat, "nr_throttled", &throttled)) {
                struct throttle_point *lastp =
                        t->thr_n ? &t->thr[(t->thr_head + t->thr_n - 1) % RING_MAX] : NULL;

                if (lastp && (periods < lastp->periods || throttled < lastp->throttled))
                        t->thr_n = t->thr_head = 0, lastp = NULL;
                /* Bursts of bus-driven snapshots: one point a second is enough. */
                if (!lastp || now - lastp->t >= 1) {
                        t->thr[(t->thr_head + t->thr_n) % RING_MAX] =
                                (struct throttle_point){now, periods, throttled};
                        if (t->thr_n < RING_MAX)
                                t->thr_n++;
                        else
                                t->thr_head = (t->thr_head + 1) % RING_MAX;
                }
        }
}

static int entry_cmp(const char *unit, enum alert_rule rule, const struct entry *e)
{
        int d = strcmp(unit, e->a.unit);

        return d ? d : (int)rule - (int)e->a.rule;
}

/* Index of (unit, rule), or where it would go (*found false). */
static size_t entry_find(const struct alert_engine *e, const char *unit, enum alert_rule rule,
                         bool *found)
{
        size_t lo = 0, hi = e->n_entries;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int d = entry_cmp(unit, rule, &e->entries[mid]);

                if (d == 0) {
                        *found = true;
                        return mid;
                }
                if (d < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        *found = false;
        return lo;
}

static struct entry *entry_insert(struct alert_engine *e, size_t at)
{
        if (e->n_entries == e->cap_entries) {
                size_t cap = e->cap_entries ? e->cap_entries * 2 : 16;
                struct entry *bigger = realloc(e->entries, cap * sizeof(*bigger));

                if (!bigger)
                        return NULL;
                e->entries = bigger;
                e->cap_entries = cap;
        }
        memmove(&e->entries[at + 1], &e->entries[at], (e->n_entries - at) * sizeof(*e->entries));
        e->n_entries++;
        memset(&e->entries[at], 0, sizeof(*e->entries));
        return &e->entries[at];
}

static void log_transition(const struct entry *en)
{
        const struct uw_alert *a = &en->a;
        const char *fields[] = {"ALERTNAME",
                                alert_rule_to_string(a->rule),
                                "ALERT_STATE",
                                alert_state_to_string(a->state),
                                "ALERT_SEVERITY",
                                alert_severity_to_string(a->severity),
                                NULL};
        int level = a->state == ALERT_FIRING
                            ? (a->severity == ALERT_CRITICAL ? LOG_LEVEL_ERROR : LOG_LEVEL_WARNING)
                    : a->state == ALERT_PENDING ? LOG_LEVEL_INFO
                                                : LOG_LEVEL_NOTICE;

        if (level > log_max_level)
                return;
        (void)log_internal_fields(level, a->unit, fields, "alert %s %s (%s): %s",
                                  alert_rule_to_string(a->rule), alert_state_to_string(a->state),
                                  alert_severity_to_string(a->severity), a->summary);
}

static void cond_to_alert(struct entry *en, const struct cond *c)
{
        en->a.value = c->value;
        memcpy(en->a.summary, c->summary, sizeof(c->summary));
        memcpy(en->a.description, c->description, sizeof(c->description));
}

/*
 * One step of an alert's life. Returns 1 on a transition worth telling Alertmanager about
 * (firing or resolved), 0 otherwise, -1 when the entry is to be dropped.
 */
static int step(struct entry *en, const struct cond *c, const struct alert_rule_params *p,
                const struct alert_config *cfg, double mono, double real)
{
        switch (en->a.state) {
        case ALERT_PENDING:
                if (!c->trigger) {
                        log_debug("alert %s of '%s' no longer pending",
                                  alert_rule_to_string(en->a.rule), en->a.unit);
                        return -1;
                }
                cond_to_alert(en, c);
                en->last_true_mono = mono;
                if (mono - en->active_mono < p->for_seconds) {
                        if (mono == en->active_mono)
                                log_transition(en);
                        return 0;
                }
                en->a.state = ALERT_FIRING;
                en->a.fired_at = real;
                log_transition(en);
                return 1;
        case ALERT_FIRING:
                if (c->hold) {
                        cond_to_alert(en, c);
                        en->last_true_mono = mono;
                        return 0;
                }
                if (mono - en->last_true_mono < p->keep_firing_for)
                        return 0;
                /* The numbers at the end, when the unit is still there to give them. */
                if (c->summary[0])
                        cond_to_alert(en, c);
                en->a.state = ALERT_RESOLVED;
                en->a.resolved_at = real;
                en->resolved_mono = mono;
                log_transition(en);
                return 1;
        case ALERT_RESOLVED:
                if (!c->trigger)
                        return mono - en->resolved_mono >= cfg->resolved_retention ? -1 : 0;
                /* It came back: a new alert from this moment on. */
                en->a.state = ALERT_PENDING;
                en->a.severity = p->severity;
                en->a.active_at = real;
                en->a.fired_at = en->a.resolved_at = 0;
                en->active_mono = mono;
                return step(en, c, p, cfg, mono, real);
        default:
                return -1;
        }
}

/* Applies a condition to (unit, rule): creates, advances or drops the alert. */
static int apply(struct alert_engine *e, const char *unit, enum alert_rule rule,
                 const struct alert_rule_params *p, const struct cond *c, double mono, double real)
{
        bool found;
        size_t at = entry_find(e, unit, rule, &found);
        struct entry *en;
        int r;

        if (!found) {
                if (!c->trigger)
                        return 0;
                en = entry_insert(e, at);
                if (!en)
                        return -ENOMEM;
                en->a.rule = rule;
                (void)snprintf(en->a.unit, sizeof(en->a.unit), "%s", unit);
                en->a.severity = p->severity;
                en->a.state = ALERT_PENDING;
                en->a.active_at = real;
                en->active_mono = mono;
        } else
                en = &e->entries[at];
        en->touched = true;
        r = step(en, c, p, &e->cfg, mono, real);
        if (r == -1) {
                memmove(&e->entries[at], &e->entries[at + 1],
                        (e->n_entries - at - 1) * sizeof(*e->entries));
                e->n_entries--;
                return 0;
        }
        return r;
}

static void evaluate_unit(const struct alert_engine *e, const struct uw_unit *u,
                          const struct track *t, const struct unit_exposure *x, double mono,
                          struct cond conds[_ALERT_RULE_MAX],
                          struct alert_rule_params params[_ALERT_RULE_MAX])
{
        for (int r = 0; r < _ALERT_RULE_MAX; r++) {
                struct cond *c = &conds[r];

                *c = (struct cond){};
                alert_config_params(&e->cfg, (enum alert_rule)r, u->name, &params[r]);
                if (!params[r].enabled)
                        continue;
                switch ((enum alert_rule)r) {
                case ALERT_MEMORY_NEAR_LIMIT:
                        rule_memory(u, &params[r], c);
                        break;
                case ALERT_OOM_KILLED:
                        rule_oom(u, t, mono, c);
                        break;
                case ALERT_CPU_THROTTLED:
                        rule_throttled(u, t, &params[r], mono, c);
                        break;
                case ALERT_TASKS_NEAR_LIMIT:
                        rule_tasks(u, &params[r], c);
                        break;
                case ALERT_PRESSURE_STALL:
                        rule_pressure(u, &params[r], c);
                        break;
                case ALERT_UNIT_FAILED:
                        rule_failed(u, c);
                        break;
                case ALERT_RESTART_LOOP:
                        rule_restarts(u, t, &params[r], mono, c);
                        break;
                case ALERT_HARDENING_REGRESSION:
                        rule_regression(u, x, c);
                        break;
                case ALERT_EXPOSURE_ABOVE_THRESHOLD:
                        rule_exposure(u, x, &params[r], c);
                        break;
                case ALERT_CONFIG_IGNORED:
                        rule_config_ignored(u, &params[r], c);
                        break;
                default:
                        break;
                }
        }
}

/* Merges the snapshot's units into the track table (both sorted by name). */
static int update_tracks(struct alert_engine *e, const struct uw_snapshot *s, double mono,
                         struct track **ret)
{
        struct track *next = calloc(s->n_units ? s->n_units : 1, sizeof(*next));
        size_t j = 0;

        if (!next)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_units; i++) {
                const struct uw_unit *u = &s->units[i];
                bool known;

                while (j < e->n_tracks && strcmp(e->tracks[j].name, u->name) < 0)
                        j++;
                known = j < e->n_tracks && streq(e->tracks[j].name, u->name);
                if (known) {
                        next[i] = e->tracks[j];
                        e->tracks[j++].name = NULL;
                } else {
                        next[i].name = strdup(u->name);
                        if (!next[i].name) {
                                for (size_t k = 0; k < i; k++)
                                        free(next[k].name);
                                free(next);
                                return -ENOMEM;
                        }
                }
                /* Before the first evaluation nothing is "new": old kills are not news. */
                track_update(&next[i], u, mono, known || e->evaluated);
        }
        for (size_t k = 0; k < e->n_tracks; k++)
                free(e->tracks[k].name);
        free(e->tracks);
        e->tracks = next;
        e->n_tracks = s->n_units;
        *ret = next;
        return 0;
}

int alert_engine_evaluate(struct alert_engine *e, const struct uw_snapshot *s,
                          const struct unit_exposure *exposures, size_t n_exposures)
{
        double mono = (double)s->mono_usec / 1e6, real = s->realtime;
        struct cond conds[_ALERT_RULE_MAX];
        struct alert_rule_params params[_ALERT_RULE_MAX];
        struct track *tracks;
        int transitions = 0, r;

        r = update_tracks(e, s, mono, &tracks);
        if (r < 0)
                return r;
        for (size_t i = 0; i < e->n_entries; i++)
                e->entries[i].touched = false;

        for (size_t i = 0; i < s->n_units; i++) {
                const struct uw_unit *u = &s->units[i];
                const struct unit_exposure *x =
                        exposures ? find_exposure(exposures, n_exposures, u->name) : NULL;

                evaluate_unit(e, u, &tracks[i], x, mono, conds, params);
                for (int k = 0; k < _ALERT_RULE_MAX; k++) {
                        r = apply(e, u->name, (enum alert_rule)k, &params[k], &conds[k], mono,
                                  real);
                        if (r < 0)
                                return r;
                        transitions += r;
                }
        }

        /* Units gone from the snapshot, and rules switched off: their conditions are false. */
        for (size_t i = 0; i < e->n_entries;) {
                struct entry *en = &e->entries[i];
                struct alert_rule_params p;
                struct cond none = {};
                size_t before = e->n_entries;
                char unit[sizeof(en->a.unit)];

                if (en->touched) {
                        i++;
                        continue;
                }
                memcpy(unit, en->a.unit, sizeof(unit));
                alert_config_params(&e->cfg, en->a.rule, unit, &p);
                r = apply(e, unit, en->a.rule, &p, &none, mono, real);
                if (r < 0)
                        return r;
                transitions += r;
                if (e->n_entries == before)
                        i++;
        }
        e->evaluated = true;
        return transitions;
}

int alert_engine_list(const struct alert_engine *e, struct uw_alert **ret, size_t *ret_n)
{
        struct uw_alert *out = malloc((e->n_entries ? e->n_entries : 1) * sizeof(*out));

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < e->n_entries; i++)
                out[i] = e->entries[i].a;
        *ret = out;
        *ret_n = e->n_entries;
        return 0;
}
