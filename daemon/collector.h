/* SPDX-License-Identifier: MIT */
/*
 * The collection cycle without the bus: discover units in the cgroup tree, keep one
 * cg_handle per unit across cycles (reopened when the cgroup is recreated), read them all and
 * build a snapshot. Used by --once and by the daemon's timer. Not thread-safe: owned by the
 * collection thread.
 */
#pragma once

#include <stddef.h>

#include "snapshot.h"

struct uw_collector_config {
        const char *cgroup_root; /* resolved already (see cg_root_resolve()) */
        const char *sysfs_root;  /* "/sys" */
        unsigned types;          /* mask of enum unit_type */
        char **include;          /* fnmatch globs on the unit name; none: every unit */
        char **exclude;          /* applied after include */
        unsigned fd_budget;      /* fds the handles may keep open */
};

struct uw_collector;

int uw_collector_new(const struct uw_collector_config *cfg, struct uw_collector **ret);
void uw_collector_free(struct uw_collector *c);

/* Replaces the unit selection; the lists must outlive the collector or the next call. */
void uw_collector_set_selection(struct uw_collector *c, unsigned types, char **include,
                                char **exclude);

/* Number of units followed after the last cycle, and fds they keep open. */
size_t uw_collector_n_units(const struct uw_collector *c);
unsigned uw_collector_fds_kept(const struct uw_collector *c);

/*
 * One cycle. prev (may be NULL) gives rates. The snapshot is not rendered yet. Units that
 * vanish while being read are left out of this snapshot.
 */
int uw_collector_collect(struct uw_collector *c, const struct uw_snapshot *prev,
                         struct uw_snapshot **ret);

/*
 * One cycle over the units the bus reports (every one listed, those without a cgroup with
 * their cgroup values absent).
 */
struct unit_watch;
int uw_collector_collect_bus(struct uw_collector *c, const struct unit_watch *w,
                             const struct uw_snapshot *prev, struct uw_snapshot **ret);

/* True when name passes the include/exclude globs. */
bool uw_unit_selected(char *const *include, char *const *exclude, const char *name);
