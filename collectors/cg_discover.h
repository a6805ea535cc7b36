/* SPDX-License-Identifier: MIT */
/*
 * Finds units in a cgroup tree without the bus: every directory whose name ends in
 * ".service", ".scope" or ".slice". Slices are descended into; a service's or a scope's own
 * sub-directories belong to it and are not units of their own. The unit name is the
 * directory name exactly as the kernel lists it (escapes such as "\x2d" kept). Pure with
 * respect to the tree it is given; safe from any thread with its own root fd.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum unit_type {
        UNIT_SERVICE = 1u << 0,
        UNIT_SCOPE = 1u << 1,
        UNIT_SLICE = 1u << 2,
};

/* Type of a unit name by its suffix, or 0 when it is none of the above. */
unsigned unit_type_from_name(const char *name);

struct cg_found {
        char *unit;  /* "foo.service" */
        char *path;  /* "/system.slice/foo.service", relative to the root, leading '/' */
        uint64_t id; /* inode of the directory as listed */
};

/*
 * Lists the units of the given types (a mask of enum unit_type) below root_fd, sorted by
 * path, at most max_depth slices deep. A directory that vanishes during the walk is
 * skipped. On success the caller owns *ret (free with cg_found_free()).
 */
int cg_discover(int root_fd, unsigned types, struct cg_found **ret, size_t *ret_n);
void cg_found_free(struct cg_found *f, size_t n);
