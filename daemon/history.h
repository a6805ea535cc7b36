/* SPDX-License-Identifier: MIT */
/*
 * A small ring of recent samples per unit, for the unit's charts: enough for 15 minutes at
 * the default 10 s interval (UW_HISTORY_POINTS). Each point is 48 bytes, so the ring costs
 * UW_HISTORY_POINTS * 48 bytes (4.3 KiB) per unit, 4.2 MiB for 1,000 units, plus the name.
 *
 * The collection thread appends a point per unit after each snapshot; HTTP threads copy a
 * unit's ring out. A mutex guards both; it is held for the append pass and for one copy.
 */
#pragma once

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

#define UW_HISTORY_POINTS 90

/* Values that could not be measured are NaN (floats) or UINT64_MAX (integers). */
struct uw_point {
        double time; /* seconds since the epoch */
        float cpu_cores;
        float io_read_bytes_per_second, io_write_bytes_per_second;
        float psi_cpu_some_avg10, psi_memory_some_avg10, psi_io_some_avg10;
        uint64_t memory_current;
        uint64_t memory_working_set;
        uint32_t pids_current; /* UINT32_MAX when absent */
        uint32_t reserved;
};

struct uw_history;

int uw_history_new(struct uw_history **ret);
void uw_history_free(struct uw_history *h);

/* Appends one point per unit of s (sorted by name) and forgets units s no longer has. */
int uw_history_record(struct uw_history *h, const struct uw_snapshot *s);

/*
 * Copies the unit's points, oldest first, into a new array. Returns the number of points
 * (0 with *ret NULL for an unknown unit), or -ENOMEM.
 */
int uw_history_get(struct uw_history *h, const char *unit, struct uw_point **ret);
