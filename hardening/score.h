/* SPDX-License-Identifier: MIT */
/*
 * The hardening scorer: the exposure number `systemd-analyze security` prints for a service,
 * reproduced from the unit's D-Bus properties (unit_props.sandbox) with the same checks,
 * weights, ranges and integer arithmetic. docs/hardening-scoring.md holds the facts.
 *
 * The checks are one table (score_rows()); which of them exist is the scored systemd's
 * business (its `systemd-analyze security --json=short` row set), passed in as the list of
 * JSON field names. Weights and ranges are systemd's built-in ones (no --security-policy).
 *
 * Ownership: everything a score_result points to is static (the table) or inside it.
 * Thread-safety: the table is constant and score_unit() writes nothing but *ret, so any
 * number of threads may score at once (each with its own result; a syscall_groups table may
 * be shared).
 */
#pragma once

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syscall_groups.h"

/* Rows of the table: systemd 252 as Debian 12 builds it (with CAP_BPF) has all of them. */
#define SCORE_ROWS_MAX 81

/* Badness of a check that does not apply (excluded from both sums). */
#define SCORE_BADNESS_NA UINT64_MAX

#define SCORE_VALUE_MAX       96
#define SCORE_EXPLANATION_MAX 192

enum score_row_flags {
        /* N/A with DefaultDependencies=no: the unit may run in a special boot phase. */
        SCORE_DEFAULT_DEPENDENCIES_ONLY = 1 << 0,
        /* N/A when the service runs privileged (as root). */
        SCORE_NA_WHEN_PRIVILEGED = 1 << 1,
};

struct score_facts;

/* One check of the table. Static; never written. */
struct score_row {
        const char *id;         /* as systemd prints it: "ProtectSystem=" */
        const char *json_field; /* systemd's --json key, the stable name: "ProtectSystem" */
        unsigned weight, range;
        unsigned flags; /* enum score_row_flags */
        /* Writes badness (<= range or SCORE_BADNESS_NA) and the two texts. */
        uint64_t (*assess)(const struct score_row *row, const struct score_facts *f, char *value,
                           size_t value_size, char *explanation, size_t explanation_size);
        uint64_t mask;     /* the bits a CapabilityBoundingSet=/RestrictNamespaces= row tests */
        const char *group; /* the "@group" of a SystemCallFilter= row */
};

/* All rows in systemd's order; *ret_n set to their number. */
const struct score_row *score_rows(size_t *ret_n);

/* The row with this JSON field name, or NULL. */
const struct score_row *score_row_by_json_field(const char *json_field);

enum score_state {
        SCORE_PASS,
        SCORE_FAIL,
        SCORE_NA,
        _SCORE_STATE_MAX,
        _SCORE_STATE_INVALID = -EINVAL,
};

/* "pass", "fail", "n/a"; NULL for anything else. */
const char *score_state_to_string(enum score_state s);

struct score_input {
        const char *id;
        const char *load_state;
        const char *fragment_path; /* informational; not scored */
        const json_t *sandbox;     /* unit_props.sandbox; NULL = every property missing */
};

struct score_check {
        const struct score_row *row;
        const char *id, *json_field; /* row->id, row->json_field */
        unsigned weight, range;
        uint64_t badness; /* 0..range, or SCORE_BADNESS_NA */
        enum score_state state;
        /* systemd's per-row EXPOSURE column in tenths; 0 when passing or n/a. */
        unsigned exposure;
        char value[SCORE_VALUE_MAX]; /* the current setting: "ProtectSystem=full" */
        /* One line. Failing: what is wrong and the setting that fixes it. Passing: why it
         * passes. N/A: why it does not apply. */
        char explanation[SCORE_EXPLANATION_MAX];
};

struct score_result {
        unsigned exposure; /* 0..100, tenths: 96 is "9.6" */
        const char *label; /* "PERFECT" .. "DANGEROUS" */
        uint64_t badness_sum, weight_sum;
        /* Entries of enabled_json_fields that name no row of ours: the scored systemd has a
         * check we lack, so our number may differ from its. */
        size_t n_unknown_fields;
        size_t n_checks;
        struct score_check checks[SCORE_ROWS_MAX];
};

/*
 * Scores one unit. groups is the running systemd's syscall group table (needed only when a
 * SystemCallFilter= row is scored against a non-empty filter). enabled_json_fields is
 * NULL-terminated; NULL means every row; otherwise only rows named there exist (in the
 * table's order, whatever the list's order).
 *
 * Returns 0; -ENOENT when load_state is set and not "loaded" (systemd refuses such units),
 * -ENODATA when no row applies (no weight to divide by), -EINVAL when SystemCallFilter= rows
 * need a group table and groups is NULL, -ENOENT when a row's group is not in it. On
 * failure *ret may be partly written and must not be used.
 */
int score_unit(const struct score_input *in, const struct syscall_groups *groups,
               const char *const *enabled_json_fields, struct score_result *ret);

/*
 * Whether `systemd-analyze security` without arguments lists this unit: a loaded .service
 * whose Type= is not oneshot.
 */
bool score_unit_listed(const struct score_input *in);

/* The label of an exposure in tenths: "PERFECT", "SAFE", "OK", "MEDIUM", "EXPOSED",
 * "UNSAFE", "DANGEROUS". */
const char *score_label(unsigned exposure);

/* "9.6": writes exposure/10 "." exposure%10 into buf (at least 8 bytes). Returns buf. */
char *score_format_exposure(unsigned exposure, char *buf, size_t size);
