/* SPDX-License-Identifier: MIT */
/*
 * The built-in alert rules, evaluated by the collection thread on every new snapshot. Each
 * (rule, unit) pair is an alert with Prometheus' life cycle: pending while its condition
 * holds for less than the rule's `for`, firing after that, resolved when the condition has
 * stayed below the rule's clear level for `keep_firing_for`. A resolved alert stays listed
 * for a while (alert_config.resolved_retention) so Alertmanager and people see the end.
 *
 * The engine is owned by one thread (the collection thread). What it publishes is a plain
 * array of struct uw_alert copies that goes into the snapshot, immutable from there on.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert_config.h"

struct uw_snapshot;
struct unit_exposure;

enum alert_state {
        ALERT_PENDING,
        ALERT_FIRING,
        ALERT_RESOLVED,
        _ALERT_STATE_MAX,
        _ALERT_STATE_INVALID = -22,
};

const char *alert_state_to_string(enum alert_state s);

#define ALERT_TEXT_MAX 512

struct uw_alert {
        enum alert_rule rule;
        char unit[256];
        enum alert_severity severity;
        enum alert_state state;
        double active_at;   /* realtime: the condition first held */
        double fired_at;    /* realtime; 0 while pending */
        double resolved_at; /* realtime; 0 unless resolved */
        double value;       /* the number that fired it, in the rule's unit (see README) */
        char summary[ALERT_TEXT_MAX];
        char description[ALERT_TEXT_MAX];
};

struct alert_engine;

/* The rules in cfg are copied. -ENOMEM on failure. */
int alert_engine_new(const struct alert_config *cfg, struct alert_engine **ret);
void alert_engine_free(struct alert_engine *e);

/* Replaces the rules (SIGHUP). Alerts already known keep their state. */
int alert_engine_set_config(struct alert_engine *e, const struct alert_config *cfg);

/*
 * Evaluates every rule against snapshot s (units sorted by name) at s->realtime, with the
 * hardening scores in exposures (sorted by name, may be NULL). Logs each transition. Returns
 * the number of transitions (pending->firing and firing->resolved count; a new pending
 * alert does not), or -ENOMEM.
 */
int alert_engine_evaluate(struct alert_engine *e, const struct uw_snapshot *s,
                          const struct unit_exposure *exposures, size_t n_exposures);

/*
 * A copy of every listed alert (pending, firing, recently resolved), sorted by unit then
 * rule; the caller frees *ret. -ENOMEM on failure.
 */
int alert_engine_list(const struct alert_engine *e, struct uw_alert **ret, size_t *ret_n);
