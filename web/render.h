/* SPDX-License-Identifier: MIT */
/*
 * Renders a snapshot as Prometheus text (format 0.0.4) or JSON. Called once per snapshot by
 * the collection thread (and by --once); the result is served as it is to every scrape.
 * Pure functions of the snapshot; safe from any thread.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../daemon/snapshot.h"

struct unit_exposure;
struct alert_push_stat;

struct render_opts {
        bool memory_stat_all; /* /metrics: every memory.stat key, not just the core set */
        bool rates;           /* JSON: include each unit's "rates" object */
        /* /metrics: hardening scores, sorted by name (from scorer_exposures()); may be NULL */
        const struct unit_exposure *exposures;
        size_t n_exposures;
        /* /metrics: Alertmanager delivery counters; may be NULL */
        const struct alert_push_stat *alertmanagers;
        size_t n_alertmanagers;
};

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Allocates *ret (NUL-terminated) and sets *ret_len. -ENOMEM on failure. */
int render_prom(const struct uw_snapshot *s, const struct render_opts *o, char **ret,
                size_t *ret_len);

/* The whole snapshot: {"version", "time", "cgroup_root", "units": [...]}. */
int render_json(const struct uw_snapshot *s, const struct render_opts *o, bool pretty, char **ret,
                size_t *ret_len);

/* One unit as a JSON object (the elements of "units"); returns NULL on allocation failure. */
struct json_t;
struct json_t *render_json_unit(const struct uw_unit *u, const struct render_opts *o);

/*
 * A short view of a unit for lists: unit, cgroup, description, state, restarts,
 * cpu_usage_cores, cpu_quota_cores, memory_current, memory_limit (the lower of memory.high
 * and memory.max), io_{read,write}_bytes_per_second (summed over devices), pids_current,
 * pids_max, psi_{cpu,memory,io}_some_avg10, and with e (the unit's score, may be NULL)
 * exposure, exposure_label and failed_checks.
 */
struct json_t *render_json_summary(const struct uw_unit *u, const struct unit_exposure *e);

/* Whether a memory.stat key is a cumulative event count (pgfault) rather than a size. */
bool memory_stat_key_is_counter(const char *key);
