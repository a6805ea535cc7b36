/* SPDX-License-Identifier: MIT */
/*
 * One reading of one unit's cgroup directory: every value with its own presence bit, so a
 * file that is absent (controller not enabled, PSI off, old kernel) stays absent and never
 * turns into a zero. A sample owns its key/value storage; it is immutable once published.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cg_parse.h"

enum cg_value_id {
        CG_V_CPU_WEIGHT,
        CG_V_MEMORY_CURRENT,
        CG_V_MEMORY_PEAK,
        CG_V_MEMORY_MIN,
        CG_V_MEMORY_LOW,
        CG_V_MEMORY_HIGH,
        CG_V_MEMORY_MAX,
        CG_V_SWAP_CURRENT,
        CG_V_SWAP_MAX,
        CG_V_PIDS_CURRENT,
        CG_V_PIDS_MAX,
        _CG_V_MAX,
};

enum cg_psi_resource {
        CG_PSI_CPU,
        CG_PSI_MEMORY,
        CG_PSI_IO,
        _CG_PSI_MAX,
};

const char *cg_psi_resource_to_string(enum cg_psi_resource r);

/* A single-value file; unlimited is only ever set for files that may print "max". */
struct cg_value {
        bool present;
        struct cg_limit v;
};

struct cg_sample {
        uint64_t cgroup_id; /* inode of the cgroup directory: changes when it is recreated */
        uint64_t time_usec; /* CLOCK_MONOTONIC when the sample was taken */

        struct cg_value values[_CG_V_MAX];

        bool has_cpu_max;
        struct cg_cpu_max cpu_max;

        bool has_cpu_stat, has_memory_stat, has_memory_events, has_pids_events, has_cgroup_events,
                has_io;
        struct cg_kv_set cpu_stat, memory_stat, memory_events, pids_events, cgroup_events;
        struct cg_io_set io;

        bool has_psi[_CG_PSI_MAX];
        struct cg_psi psi[_CG_PSI_MAX];

        void *storage; /* one block holding every items/devs array above */
};

/* Deep copy of src into *dst with storage sized to what src holds. -ENOMEM on failure. */
int cg_sample_copy(struct cg_sample *dst, const struct cg_sample *src);

/* Frees what a sample owns; safe on a zeroed sample. */
void cg_sample_release(struct cg_sample *s);

/*
 * Working set as the kubelet defines it: memory.current less inactive_file, floored at 0.
 * Returns false when either input is absent.
 */
bool cg_sample_working_set(const struct cg_sample *s, uint64_t *ret);
