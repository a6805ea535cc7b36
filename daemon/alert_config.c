/* SPDX-License-Identifier: MIT */
#include "alert_config.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const rule_names[_ALERT_RULE_MAX] = {
        [ALERT_MEMORY_NEAR_LIMIT] = "MemoryNearLimit",
        [ALERT_OOM_KILLED] = "OOMKilled",
        [ALERT_CPU_THROTTLED] = "CPUThrottled",
        [ALERT_TASKS_NEAR_LIMIT] = "TasksNearLimit",
        [ALERT_PRESSURE_STALL] = "PressureStall",
        [ALERT_UNIT_FAILED] = "UnitFailed",
        [ALERT_RESTART_LOOP] = "RestartLoop",
        [ALERT_HARDENING_REGRESSION] = "HardeningRegression",
        [ALERT_EXPOSURE_ABOVE_THRESHOLD] = "ExposureAboveThreshold",
        [ALERT_CONFIG_IGNORED] = "ConfigIgnored",
};

static const char *const severity_names[_ALERT_SEVERITY_MAX] = {
        [ALERT_INFO] = "info",
        [ALERT_WARNING] = "warning",
        [ALERT_CRITICAL] = "critical",
};

/* The documented defaults (README, "Alerts"); keep the two in step. */
const struct alert_rule_params alert_rule_defaults[_ALERT_RULE_MAX] = {
        [ALERT_MEMORY_NEAR_LIMIT] = {.enabled = true,
                                     .severity = ALERT_WARNING,
                                     .threshold = 0.9,
                                     .clear = 0.85,
                                     .for_seconds = 30},
        [ALERT_OOM_KILLED] = {.enabled = true,
                              .severity = ALERT_CRITICAL,
                              .threshold = 1,
                              .clear = 1,
                              .keep_firing_for = 600},
        [ALERT_CPU_THROTTLED] = {.enabled = true,
                                 .severity = ALERT_WARNING,
                                 .threshold = 0.25,
                                 .clear = 0.2,
                                 .for_seconds = 300,
                                 .window = 60},
        [ALERT_TASKS_NEAR_LIMIT] = {.enabled = true,
                                    .severity = ALERT_WARNING,
                                    .threshold = 0.9,
                                    .clear = 0.85,
                                    .for_seconds = 30},
        [ALERT_PRESSURE_STALL] = {.enabled = true,
                                  .severity = ALERT_WARNING,
                                  .threshold = 40,
                                  .clear = 30,
                                  .threshold_full = 20,
                                  .clear_full = 15,
                                  .for_seconds = 60},
        [ALERT_UNIT_FAILED] = {.enabled = true,
                               .severity = ALERT_WARNING,
                               .threshold = 1,
                               .clear = 1},
        [ALERT_RESTART_LOOP] = {.enabled = true,
                                .severity = ALERT_WARNING,
                                .threshold = 3,
                                .clear = 3,
                                .window = 600},
        [ALERT_HARDENING_REGRESSION] = {.enabled = true,
                                        .severity = ALERT_WARNING,
                                        .threshold = 1,
                                        .clear = 1},
        [ALERT_EXPOSURE_ABOVE_THRESHOLD] = {.enabled = false,
                                            .severity = ALERT_INFO,
                                            .threshold = 9.0,
                                            .clear = 9.0},
        [ALERT_CONFIG_IGNORED] = {.enabled = true,
                                  .severity = ALERT_WARNING,
                                  .threshold = 1,
                                  .clear = 1},
};

const char *alert_rule_to_string(enum alert_rule r)
{
        return r >= 0 && r < _ALERT_RULE_MAX ? rule_names[r] : NULL;
}

enum alert_rule alert_rule_from_string(const char *s)
{
        for (int i = 0; s && i < _ALERT_RULE_MAX; i++)
                if (streq(s, rule_names[i]))
                        return (enum alert_rule)i;
        return _ALERT_RULE_INVALID;
}

const char *alert_severity_to_string(enum alert_severity s)
{
        return s >= 0 && s < _ALERT_SEVERITY_MAX ? severity_names[s] : NULL;
}

enum alert_severity alert_severity_from_string(const char *s)
{
        for (int i = 0; s && i < _ALERT_SEVERITY_MAX; i++)
                if (streq(s, severity_names[i]))
                        return (enum alert_severity)i;
        return _ALERT_SEVERITY_INVALID;
}

void alert_config_init(struct alert_config *c)
{
        *c = (struct alert_config){
                .resolved_retention = 900,
                .resend_interval = 60,
                .timeout = 5,
        };
        memcpy(c->rules, alert_rule_defaults, sizeof(c->rules));
}

static void overrides_free(struct alert_override *o, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(o[i].units);
        free(o);
}

void alert_config_release(struct alert_config *c)
{
        overrides_free(c->overrides, c->n_overrides);
        for (size_t i = 0; c->alertmanager_urls[i]; i++)
                free(c->alertmanager_urls[i]);
        free(c->host);
        alert_config_init(c);
}

static int copy_lists(struct alert_config *dst, const struct alert_config *src)
{
        if (src->n_overrides) {
                dst->overrides = calloc(src->n_overrides, sizeof(*dst->overrides));
                if (!dst->overrides)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < src->n_overrides; i++) {
                dst->overrides[i] = src->overrides[i];
                dst->overrides[i].units = strdup(src->overrides[i].units);
                dst->n_overrides++;
                if (!dst->overrides[i].units)
                        return -ENOMEM;
        }
        for (size_t i = 0; src->alertmanager_urls[i]; i++)
                if (!(dst->alertmanager_urls[i] = strdup(src->alertmanager_urls[i])))
                        return -ENOMEM;
        if (src->host && !(dst->host = strdup(src->host)))
                return -ENOMEM;
        return 0;
}

int alert_config_copy(struct alert_config *dst, const struct alert_config *src)
{
        int r;

        *dst = *src;
        dst->overrides = NULL;
        dst->n_overrides = 0;
        dst->host = NULL;
        memset(dst->alertmanager_urls, 0, sizeof(dst->alertmanager_urls));
        r = copy_lists(dst, src);
        if (r < 0)
                alert_config_release(dst);
        return r;
}

struct param_def {
        const char *key;
        enum alert_param id;
};

static const struct param_def param_defs[] = {
        {"enabled", ALERT_P_ENABLED},
        {"severity", ALERT_P_SEVERITY},
        {"threshold", ALERT_P_THRESHOLD},
        {"clear", ALERT_P_CLEAR},
        {"threshold_full", ALERT_P_THRESHOLD_FULL},
        {"clear_full", ALERT_P_CLEAR_FULL},
        {"for", ALERT_P_FOR},
        {"keep_firing_for", ALERT_P_KEEP_FIRING_FOR},
        {"window", ALERT_P_WINDOW},
};

#define RULE_NAMES                                                                                 \
        "MemoryNearLimit, OOMKilled, CPUThrottled, TasksNearLimit, PressureStall, UnitFailed, "    \
        "RestartLoop, HardeningRegression, ExposureAboveThreshold, ConfigIgnored"

#define PARAM_KEYS                                                                                 \
        "enabled, severity, threshold, clear, threshold_full, clear_full, for, keep_firing_for, "  \
        "window"

/* Durations and levels: finite, not negative, at most a week of seconds. */
static int number_param(json_t *v, const char *where, const char *key, double *ret, char *err,
                        size_t err_size)
{
        double d = json_number_value(v);

        if (!json_is_number(v) || !isfinite(d) || d < 0 || d > 604800) {
                (void)snprintf(err, err_size, "'%s.%s' must be a number from 0 to 604800", where,
                               key);
                return -EINVAL;
        }
        *ret = d;
        return 0;
}

/* Reads one param key into p; sets set[id]. -ENOENT for an unknown key. */
static int load_param(struct alert_rule_params *p, bool *set, const char *where, const char *key,
                      json_t *v, char *err, size_t err_size)
{
        double *num[_ALERT_P_MAX] = {
                [ALERT_P_THRESHOLD] = &p->threshold,
                [ALERT_P_CLEAR] = &p->clear,
                [ALERT_P_THRESHOLD_FULL] = &p->threshold_full,
                [ALERT_P_CLEAR_FULL] = &p->clear_full,
                [ALERT_P_FOR] = &p->for_seconds,
                [ALERT_P_KEEP_FIRING_FOR] = &p->keep_firing_for,
                [ALERT_P_WINDOW] = &p->window,
        };

        for (size_t i = 0; i < ARRAY_SIZE(param_defs); i++) {
                enum alert_param id = param_defs[i].id;
                int r = 0;

                if (!streq(key, param_defs[i].key))
                        continue;
                if (id == ALERT_P_ENABLED) {
                        if (!json_is_boolean(v)) {
                                (void)snprintf(err, err_size, "'%s.enabled' must be true or false",
                                               where);
                                return -EINVAL;
                        }
                        p->enabled = json_is_true(v);
                } else if (id == ALERT_P_SEVERITY) {
                        enum alert_severity sev = alert_severity_from_string(json_string_value(v));

                        if (sev < 0) {
                                (void)snprintf(err, err_size,
                                               "'%s.severity' must be \"info\", \"warning\" or "
                                               "\"critical\"",
                                               where);
                                return -EINVAL;
                        }
                        p->severity = sev;
                } else
                        r = number_param(v, where, key, num[id], err, err_size);
                if (r < 0)
                        return r;
                set[id] = true;
                return 0;
        }
        return -ENOENT;
}

static int check_levels(const struct alert_rule_params *p, const char *where, char *err,
                        size_t err_size)
{
        if (p->clear > p->threshold) {
                (void)snprintf(err, err_size, "'%s': clear (%g) must not be above threshold (%g)",
                               where, p->clear, p->threshold);
                return -EINVAL;
        }
        if (p->clear_full > p->threshold_full) {
                (void)snprintf(err, err_size,
                               "'%s': clear_full (%g) must not be above threshold_full (%g)", where,
                               p->clear_full, p->threshold_full);
                return -EINVAL;
        }
        return 0;
}

static int load_rules(struct alert_config *c, json_t *rules, char *err, size_t err_size)
{
        const char *name, *key;
        json_t *obj, *v;

        if (!json_is_object(rules)) {
                (void)snprintf(err, err_size, "'alerts.rules' must be an object keyed by rule");
                return -EINVAL;
        }
        json_object_foreach(rules, name, obj)
        {
                enum alert_rule rule = alert_rule_from_string(name);
                bool set[_ALERT_P_MAX] = {};
                char where[96];
                int r;

                if (rule < 0) {
                        (void)snprintf(err, err_size, "unknown rule 'alerts.rules.%s' (known: %s)",
                                       name, RULE_NAMES);
                        return -EINVAL;
                }
                (void)snprintf(where, sizeof(where), "alerts.rules.%.64s", name);
                if (!json_is_object(obj)) {
                        (void)snprintf(err, err_size, "'%s' must be an object", where);
                        return -EINVAL;
                }
                json_object_foreach(obj, key, v)
                {
                        r = load_param(&c->rules[rule], set, where, key, v, err, err_size);
                        if (r == -ENOENT)
                                (void)snprintf(err, err_size, "unknown key '%s.%s' (known: %s)",
                                               where, key, PARAM_KEYS);
                        if (r < 0)
                                return -EINVAL;
                }
                r = check_levels(&c->rules[rule], where, err, err_size);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "overrides": [{"units": GLOB, "rule": NAME, PARAM: VALUE, ...}, ...] */
static int load_overrides(struct alert_config *c, json_t *list, char *err, size_t err_size)
{
        struct alert_override *o;
        size_t i;
        json_t *e;

        if (!json_is_array(list)) {
                (void)snprintf(err, err_size, "'alerts.overrides' must be an array");
                return -EINVAL;
        }
        o = calloc(json_array_size(list) + 1, sizeof(*o));
        if (!o)
                return -ENOMEM;
        overrides_free(c->overrides, c->n_overrides);
        c->overrides = o;
        c->n_overrides = 0;
        json_array_foreach(list, i, e)
        {
                const char *units = json_string_value(json_object_get(e, "units"));
                const char *rule = json_string_value(json_object_get(e, "rule"));
                struct alert_override *ov = &c->overrides[c->n_overrides];
                const char *key;
                char where[64];
                json_t *v;
                int r;

                (void)snprintf(where, sizeof(where), "alerts.overrides[%zu]", i);
                if (!json_is_object(e) || !units || !rule) {
                        (void)snprintf(err, err_size,
                                       "'%s' must be an object with \"units\" (a glob) and "
                                       "\"rule\" (a rule name)",
                                       where);
                        return -EINVAL;
                }
                ov->rule = alert_rule_from_string(rule);
                if (ov->rule < 0) {
                        (void)snprintf(err, err_size, "'%s.rule': unknown rule '%s' (known: %s)",
                                       where, rule, RULE_NAMES);
                        return -EINVAL;
                }
                ov->units = strdup(units);
                if (!ov->units)
                        return -ENOMEM;
                c->n_overrides++;
                ov->p = c->rules[ov->rule];
                json_object_foreach(e, key, v)
                {
                        if (streq(key, "units") || streq(key, "rule"))
                                continue;
                        r = load_param(&ov->p, ov->set, where, key, v, err, err_size);
                        if (r == -ENOENT)
                                (void)snprintf(err, err_size,
                                               "unknown key '%s.%s' (known: units, rule, %s)",
                                               where, key, PARAM_KEYS);
                        if (r < 0)
                                return -EINVAL;
                }
                r = check_levels(&ov->p, where, err, err_size);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool url_ok(const char *u)
{
        size_t n = strlen(u);

        return (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0) && n > 8 &&
               n < 1024 && !strpbrk(u, " \t\r\n");
}

/* "alertmanager": {"urls": [...], "resend_interval": S, "timeout": S} */
static int load_alertmanager(struct alert_config *c, json_t *am, char *err, size_t err_size)
{
        const char *key;
        json_t *v;

        if (!json_is_object(am)) {
                (void)snprintf(err, err_size, "'alerts.alertmanager' must be an object");
                return -EINVAL;
        }
        json_object_foreach(am, key, v)
        {
                int r = 0;

                if (streq(key, "urls")) {
                        size_t i;
                        json_t *u;

                        if (!json_is_array(v) || json_array_size(v) > ALERT_URLS_MAX) {
                                (void)snprintf(err, err_size,
                                               "'alerts.alertmanager.urls' must be an array of "
                                               "at most %d URLs",
                                               ALERT_URLS_MAX);
                                return -EINVAL;
                        }
                        for (i = 0; c->alertmanager_urls[i]; i++)
                                c->alertmanager_urls[i] = (free(c->alertmanager_urls[i]), NULL);
                        json_array_foreach(v, i, u)
                        {
                                const char *s = json_string_value(u);

                                if (!s || !url_ok(s)) {
                                        (void)snprintf(err, err_size,
                                                       "'alerts.alertmanager.urls'[%zu] must be "
                                                       "an http:// or https:// URL",
                                                       i);
                                        return -EINVAL;
                                }
                                c->alertmanager_urls[i] = strdup(s);
                                if (!c->alertmanager_urls[i])
                                        return -ENOMEM;
                        }
                } else if (streq(key, "resend_interval") || streq(key, "timeout")) {
                        double *dst = streq(key, "timeout") ? &c->timeout : &c->resend_interval;

                        r = number_param(v, "alerts.alertmanager", key, dst, err, err_size);
                        if (r >= 0 && *dst < 1) {
                                (void)snprintf(err, err_size,
                                               "'alerts.alertmanager.%s' must be at least 1 "
                                               "second",
                                               key);
                                r = -EINVAL;
                        }
                } else {
                        (void)snprintf(err, err_size,
                                       "unknown key 'alerts.alertmanager.%s' (known: urls, "
                                       "resend_interval, timeout)",
                                       key);
                        r = -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int alert_config_load(struct alert_config *c, json_t *v, char *err, size_t err_size)
{
        const char *key;
        json_t *val;

        if (!json_is_object(v)) {
                (void)snprintf(err, err_size, "'alerts' must be an object");
                return -EINVAL;
        }
        /* Rules first: overrides start from the rule's configured parameters. */
        if (json_object_get(v, "rules")) {
                int r = load_rules(c, json_object_get(v, "rules"), err, err_size);

                if (r < 0)
                        return r;
        }
        json_object_foreach(v, key, val)
        {
                int r = 0;

                if (streq(key, "rules"))
                        continue;
                if (streq(key, "overrides"))
                        r = load_overrides(c, val, err, err_size);
                else if (streq(key, "alertmanager"))
                        r = load_alertmanager(c, val, err, err_size);
                else if (streq(key, "resolved_retention"))
                        r = number_param(val, "alerts", key, &c->resolved_retention, err, err_size);
                else if (streq(key, "host")) {
                        const char *s = json_string_value(val);

                        if (!s || !*s || strlen(s) > 253) {
                                (void)snprintf(err, err_size,
                                               "'alerts.host' must be a non-empty string");
                                return -EINVAL;
                        }
                        free(c->host);
                        c->host = strdup(s);
                        if (!c->host)
                                return -ENOMEM;
                } else {
                        (void)snprintf(err, err_size,
                                       "unknown key 'alerts.%s' (known: rules, overrides, "
                                       "alertmanager, resolved_retention, host)",
                                       key);
                        r = -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

void alert_config_params(const struct alert_config *c, enum alert_rule rule, const char *unit,
                         struct alert_rule_params *ret)
{
        for (size_t i = 0; i < c->n_overrides; i++) {
                const struct alert_override *o = &c->overrides[i];

                if (o->rule == rule && fnmatch(o->units, unit, FNM_NOESCAPE) == 0) {
                        *ret = o->p;
                        return;
                }
        }
        *ret = c->rules[rule];
}
