/* SPDX-License-Identifier: MIT */
#include "api.h"

#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/util.h"
#include "render.h"
#include "render_alerts.h"
#include "url.h"

#define UNITS_PATH   "/api/v1/units"
#define UNITS_PREFIX "/api/v1/units/"

static int respond(struct api_response *ret, unsigned status, json_t *body)
{
        char *text = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;

        json_decref(body);
        if (!text)
                return -ENOMEM;
        *ret = (struct api_response){.status = status, .body = text};
        return 0;
}

static int respond_error(struct api_response *ret, unsigned status, const char *msg)
{
        return respond(ret, status, json_pack("{s:s, s:i}", "error", msg, "status", (int)status));
}

static bool state_matches(const struct uw_unit *u, const char *state)
{
        uint64_t populated;

        if (streq(state, "running"))
                return u->has_sample && u->sample.has_cgroup_events &&
                       cg_kv_get(&u->sample.cgroup_events, "populated", &populated) && populated;
        return u->has_props && u->props.active_state && streq(u->props.active_state, state);
}

static int cmp_exposure_name(const void *key, const void *elem)
{
        return strcmp(key, ((const struct unit_exposure *)elem)->name);
}

static int handle_list(const struct uw_snapshot *s, struct scorer *sc, const char *query,
                       struct api_response *ret)
{
        static const char *const states[] = {"active", "activating", "deactivating", "inactive",
                                             "failed", "reloading",  "maintenance",  "running"};
        _cleanup_free_ char *state = NULL, *name = NULL;
        _cleanup_free_ struct unit_exposure *ex = NULL;
        size_t n_ex = 0;
        json_t *units;
        int r;

        r = url_query_get(query, "state", &state);
        if (r == -EINVAL)
                return respond_error(ret, 400, "malformed 'state' parameter");
        if (r < 0)
                return r;
        if (state) {
                bool known = false;

                for (size_t i = 0; i < ARRAY_SIZE(states); i++)
                        known = known || streq(state, states[i]);
                if (!known)
                        return respond_error(ret, 400,
                                             "unknown 'state': expected active, activating, "
                                             "deactivating, inactive, failed, reloading, "
                                             "maintenance or running");
        }
        r = url_query_get(query, "name", &name);
        if (r == -EINVAL)
                return respond_error(ret, 400, "malformed 'name' parameter");
        if (r < 0)
                return r;

        /* Scores are copied once per request, sorted by name like the snapshot's units. */
        if (sc && scorer_enabled(sc) && scorer_exposures(sc, &ex, &n_ex) < 0)
                return -ENOMEM;
        units = json_array();
        if (!units)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_units; i++) {
                const struct uw_unit *u = &s->units[i];
                const struct unit_exposure *e;

                if (state && !state_matches(u, state))
                        continue;
                if (name && fnmatch(name, u->name, FNM_NOESCAPE) != 0)
                        continue;
                e = n_ex ? bsearch(u->name, ex, n_ex, sizeof(*ex), cmp_exposure_name) : NULL;
                if (json_array_append_new(units, render_json_summary(u, e)) < 0) {
                        json_decref(units);
                        return -ENOMEM;
                }
        }
        return respond(ret, 200,
                       json_pack("{s:f, s:s, s:o}", "time", s->realtime, "source",
                                 !s->bus_used       ? "cgroup-tree"
                                 : s->bus_connected ? "bus"
                                                    : "bus-stale",
                                 "units", units));
}

/* Points hold floats: round to what the value means, not to float noise (0.119999997). */
static json_t *json_float_or_null(float v, double scale)
{
        return isnan(v) ? json_null() : json_real(round((double)v * scale) / scale);
}

static json_t *json_u64_or_null(uint64_t v)
{
        return v == UINT64_MAX ? json_null() : json_integer((json_int_t)v);
}

static int handle_series(const struct uw_unit *u, struct uw_history *h, struct api_response *ret)
{
        _cleanup_free_ struct uw_point *p = NULL;
        json_t *points;
        int n;

        n = h ? uw_history_get(h, u->name, &p) : 0;
        if (n < 0)
                return n;
        points = json_array();
        for (int i = 0; points && i < n; i++)
                (void)json_array_append_new(
                        points,
                        json_pack("{s:f, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "time",
                                  p[i].time, "cpu_cores", json_float_or_null(p[i].cpu_cores, 1e4),
                                  "memory_current", json_u64_or_null(p[i].memory_current),
                                  "memory_working_set", json_u64_or_null(p[i].memory_working_set),
                                  "pids_current",
                                  p[i].pids_current == UINT32_MAX ? json_null()
                                                                  : json_integer(p[i].pids_current),
                                  "io_read_bytes_per_second",
                                  json_float_or_null(p[i].io_read_bytes_per_second, 1),
                                  "io_write_bytes_per_second",
                                  json_float_or_null(p[i].io_write_bytes_per_second, 1),
                                  "psi_cpu_some_avg10",
                                  json_float_or_null(p[i].psi_cpu_some_avg10, 100),
                                  "psi_memory_some_avg10",
                                  json_float_or_null(p[i].psi_memory_some_avg10, 100),
                                  "psi_io_some_avg10",
                                  json_float_or_null(p[i].psi_io_some_avg10, 100)));
        return respond(ret, 200,
                       json_pack("{s:o, s:i, s:o}", "unit", json_string(u->name), "capacity",
                                 UW_HISTORY_POINTS, "points", points));
}

static int cmp_checks(const void *a, const void *b)
{
        static const int order[_SCORE_STATE_MAX] = {
                [SCORE_FAIL] = 0, [SCORE_PASS] = 1, [SCORE_NA] = 2};
        const struct score_check *x = a, *y = b;

        if (order[x->state] != order[y->state])
                return order[x->state] - order[y->state];
        /* Failing ones by what they cost, heaviest first. */
        return (int)y->exposure - (int)x->exposure;
}

static int handle_hardening(const struct uw_unit *u, struct scorer *sc, struct api_response *ret)
{
        _cleanup_free_ struct score_result *res = malloc(sizeof(*res));
        json_t *checks;
        char buf[16];
        int r;

        if (!res)
                return -ENOMEM;
        if (!sc || !scorer_enabled(sc))
                return respond_error(ret, 404,
                                     "no hardening scores: they need the bus and "
                                     "systemd-analyze");
        r = scorer_score_unit(sc, u, res);
        if (r == -ENOENT)
                return respond_error(ret, 404, "not a loaded service: nothing to score");
        if (r < 0)
                return respond_error(ret, 500, "cannot score this unit");
        qsort(res->checks, res->n_checks, sizeof(res->checks[0]), cmp_checks);
        checks = json_array();
        for (size_t i = 0; checks && i < res->n_checks; i++) {
                const struct score_check *c = &res->checks[i];

                (void)json_array_append_new(
                        checks,
                        json_pack("{s:s, s:s, s:s, s:o, s:i, s:i, s:s, s:s, s:s}", "id", c->id,
                                  "json_field", c->json_field, "state",
                                  score_state_to_string(c->state), "badness",
                                  c->badness == SCORE_BADNESS_NA
                                          ? json_null()
                                          : json_integer((json_int_t)c->badness),
                                  "weight", (int)c->weight, "range", (int)c->range, "exposure",
                                  score_format_exposure(c->exposure, buf, sizeof(buf)), "value",
                                  c->value, "explanation", c->explanation));
        }
        return respond(ret, 200,
                       json_pack("{s:o, s:s, s:i, s:s, s:o}", "unit", json_string(u->name),
                                 "exposure", score_format_exposure(res->exposure, buf, sizeof(buf)),
                                 "exposure_tenths", (int)res->exposure, "label", res->label,
                                 "checks", checks));
}

/* GET /api/v1/units/{unit}/config: the settings of its files that are not in effect. */
static int handle_config(const struct uw_snapshot *s, const struct uw_unit *u,
                         struct api_response *ret)
{
        if (!s->config_checked)
                return respond_error(ret, 404,
                                     "no config findings: they need the bus (FragmentPath) and "
                                     "the daemon");
        if (!u->has_props || !u->props.fragment_path || !u->props.fragment_path[0])
                return respond_error(ret, 404, "the unit has no unit file to check");
        return respond(
                ret, 200,
                json_pack("{s:o, s:b, s:s, s:b, s:o}", "unit", json_string(u->name), "checked",
                          u->config_checked, "fragment_path", u->props.fragment_path, "journal",
                          s->config_journal, "findings",
                          u->config_findings ? json_deep_copy(u->config_findings) : json_array()));
}

static int handle_unit(const struct uw_snapshot *s, struct uw_history *h, struct scorer *sc,
                       const char *raw, struct api_response *ret)
{
        struct render_opts o = {.rates = true};
        _cleanup_free_ char *name = NULL, *copy = NULL;
        const struct uw_unit *u;
        bool series = false, hardening = false, config = false;
        char *slash;
        int r;

        /* Unit names never hold '/': "{unit}/series" is the ring of that unit. */
        copy = strdup(raw);
        if (!copy)
                return -ENOMEM;
        slash = strchr(copy, '/');
        if (slash) {
                series = streq(slash, "/series");
                hardening = streq(slash, "/hardening");
                config = streq(slash, "/config");
                if (!series && !hardening && !config)
                        return respond_error(ret, 404, "no such endpoint");
                *slash = '\0';
        }
        r = url_decode(copy, strlen(copy), &name);
        if (r == -EINVAL)
                return respond_error(ret, 400, "malformed percent-encoding in the unit name");
        if (r < 0)
                return r;
        if (!name[0] || strchr(name, '/'))
                return respond_error(ret, 404, "no such unit");
        u = uw_snapshot_find(s, name);
        if (!u)
                return respond_error(ret, 404, "no such unit");
        if (series)
                return handle_series(u, h, ret);
        if (hardening)
                return handle_hardening(u, sc, ret);
        if (config)
                return handle_config(s, u, ret);
        return respond(ret, 200, render_json_unit(u, &o));
}

static int handle_drift(struct scorer *sc, const char *query, struct api_response *ret)
{
        _cleanup_free_ char *unit = NULL, *kind = NULL, *limit_s = NULL;
        struct drift_store *d = sc ? scorer_drift(sc) : NULL;
        unsigned long limit = 1000;
        json_t *events = NULL;
        char *end;
        int r;

        if (!d)
                return respond_error(ret, 404,
                                     "no drift journal: it needs the bus and "
                                     "systemd-analyze");
        if (url_query_get(query, "unit", &unit) < 0 || url_query_get(query, "kind", &kind) < 0 ||
            url_query_get(query, "limit", &limit_s) < 0)
                return respond_error(ret, 400, "malformed query");
        if (kind && drift_kind_from_string(kind) < 0)
                return respond_error(ret, 400,
                                     "unknown 'kind': expected regression or improvement");
        if (limit_s) {
                errno = 0;
                limit = strtoul(limit_s, &end, 10);
                if (errno || *end || end == limit_s || limit == 0 || limit > 100000)
                        return respond_error(ret, 400, "'limit' must be 1 to 100000");
        }
        r = drift_store_events_json(d, unit, kind, limit, &events);
        if (r < 0)
                return respond_error(ret, 500, "cannot read the drift journal");
        return respond(ret, 200,
                       json_pack("{s:o, s:I}", "events", events, "dropped",
                                 (json_int_t)drift_store_dropped(d)));
}

/* /api/v1/alerts: the snapshot's alerts; filters ?state=, ?unit= (a glob), ?alertname=. */
static int handle_alerts(const struct uw_snapshot *s, const char *query, struct api_response *ret)
{
        _cleanup_free_ char *state = NULL, *unit = NULL, *alertname = NULL;
        json_t *list;

        if (!s->alerts_enabled)
                return respond_error(ret, 404, "alerts are evaluated by the running daemon only");
        if (url_query_get(query, "state", &state) < 0 || url_query_get(query, "unit", &unit) < 0 ||
            url_query_get(query, "alertname", &alertname) < 0)
                return respond_error(ret, 400, "malformed query");
        if (state && !streq(state, "pending") && !streq(state, "firing") &&
            !streq(state, "resolved"))
                return respond_error(ret, 400,
                                     "unknown 'state': expected pending, firing or resolved");
        if (alertname && alert_rule_from_string(alertname) < 0)
                return respond_error(ret, 400, "unknown 'alertname'");
        list = json_array();
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_alerts; i++) {
                const struct uw_alert *a = &s->alerts[i];

                if ((state && !streq(state, alert_state_to_string(a->state))) ||
                    (unit && fnmatch(unit, a->unit, FNM_NOESCAPE) != 0) ||
                    (alertname && !streq(alertname, alert_rule_to_string(a->rule))))
                        continue;
                if (json_array_append_new(list, render_json_alert(a)) < 0) {
                        json_decref(list);
                        return -ENOMEM;
                }
        }
        return respond(
                ret, 200,
                json_pack("{s:o, s:o}", "time", render_json_time(s->realtime), "alerts", list));
}

int api_handle(const struct uw_snapshot *s, struct uw_history *h, struct scorer *sc,
               const char *path, const char *query, struct api_response *ret)
{
        if (streq(path, "/api/v1/drift"))
                return handle_drift(sc, query, ret);
        if (streq(path, "/api/v1/alerts"))
                return handle_alerts(s, query, ret);
        if (streq(path, UNITS_PATH))
                return handle_list(s, sc, query, ret);
        if (strncmp(path, UNITS_PREFIX, strlen(UNITS_PREFIX)) == 0)
                return handle_unit(s, h, sc, path + strlen(UNITS_PREFIX), ret);
        return respond_error(ret, 404, "no such endpoint");
}
