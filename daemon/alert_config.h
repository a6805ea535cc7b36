/* SPDX-License-Identifier: MIT */
/*
 * The settings of the built-in alert rules and of their delivery to Alertmanager: the
 * "alerts" object of the config file. Defaults live in one table (alert_rule_defaults[]),
 * documented in the README. Not thread-safe; the main thread owns the config.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum alert_rule {
        ALERT_MEMORY_NEAR_LIMIT,
        ALERT_OOM_KILLED,
        ALERT_CPU_THROTTLED,
        ALERT_TASKS_NEAR_LIMIT,
        ALERT_PRESSURE_STALL,
        ALERT_UNIT_FAILED,
        ALERT_RESTART_LOOP,
        ALERT_HARDENING_REGRESSION,
        ALERT_EXPOSURE_ABOVE_THRESHOLD,
        ALERT_CONFIG_IGNORED,
        _ALERT_RULE_MAX,
        _ALERT_RULE_INVALID = -22,
};

enum alert_severity {
        ALERT_INFO,
        ALERT_WARNING,
        ALERT_CRITICAL,
        _ALERT_SEVERITY_MAX,
        _ALERT_SEVERITY_INVALID = -22,
};

const char *alert_rule_to_string(enum alert_rule r);
enum alert_rule alert_rule_from_string(const char *s);
const char *alert_severity_to_string(enum alert_severity s);
enum alert_severity alert_severity_from_string(const char *s);

/*
 * One rule's parameters. threshold/clear are in the rule's own unit (a fraction of a limit,
 * a PSI percentage, a restart count, an exposure 0-10); a firing alert stays firing while
 * its value is at or above clear (hysteresis), and for keep_firing_for seconds more.
 * PressureStall applies threshold/clear to "some" and threshold_full/clear_full to "full".
 */
struct alert_rule_params {
        bool enabled;
        enum alert_severity severity;
        double threshold, clear;
        double threshold_full, clear_full;
        double for_seconds;
        double keep_firing_for;
        double window; /* CPUThrottled, RestartLoop: seconds looked back */
};

extern const struct alert_rule_params alert_rule_defaults[_ALERT_RULE_MAX];

/* A per-unit override: rule's params for units matching glob; set[] says which were given. */
enum alert_param {
        ALERT_P_ENABLED,
        ALERT_P_SEVERITY,
        ALERT_P_THRESHOLD,
        ALERT_P_CLEAR,
        ALERT_P_THRESHOLD_FULL,
        ALERT_P_CLEAR_FULL,
        ALERT_P_FOR,
        ALERT_P_KEEP_FIRING_FOR,
        ALERT_P_WINDOW,
        _ALERT_P_MAX,
};

struct alert_override {
        char *units; /* glob */
        enum alert_rule rule;
        bool set[_ALERT_P_MAX];
        struct alert_rule_params p;
};

#define ALERT_URLS_MAX 8

struct alert_config {
        struct alert_rule_params rules[_ALERT_RULE_MAX];
        struct alert_override *overrides; /* first match wins, in file order */
        size_t n_overrides;
        double resolved_retention; /* seconds a resolved alert stays listed */

        char *alertmanager_urls[ALERT_URLS_MAX + 1]; /* NULL-terminated base URLs */
        double resend_interval;                      /* seconds between resends of firing alerts */
        double timeout;                              /* seconds per Alertmanager request */
        char *host; /* the "host" label of pushed alerts; NULL: the host name */
};

/* Fills the defaults. */
void alert_config_init(struct alert_config *c);
void alert_config_release(struct alert_config *c);
int alert_config_copy(struct alert_config *dst, const struct alert_config *src);

/*
 * Loads the "alerts" object v over *c. On error returns -EINVAL (or -ENOMEM) and writes a
 * one-line explanation naming the key into err.
 */
int alert_config_load(struct alert_config *c, json_t *v, char *err, size_t err_size);

/* The parameters of rule for unit: the first matching override's, else the rule's. */
void alert_config_params(const struct alert_config *c, enum alert_rule rule, const char *unit,
                         struct alert_rule_params *ret);
