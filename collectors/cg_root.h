/* SPDX-License-Identifier: MIT */
/*
 * Where the cgroup v2 hierarchy is. On a unified host that is the given directory; on a
 * hybrid one (/sys/fs/cgroup is a tmpfs of v1 hierarchies) the v2 tree is mounted at
 * "unified" below it, where only cpu.stat, io.stat of the root and pressure files exist.
 */
#pragma once

enum cg_layout {
        CG_LAYOUT_UNIFIED, /* a cgroup2 file system */
        CG_LAYOUT_HYBRID,  /* cgroup2 found at <dir>/unified */
        CG_LAYOUT_OTHER,   /* not a cgroup file system: a fixture tree, read as it is */
};

const char *cg_layout_to_string(enum cg_layout l);

/* Resolves dir; *ret_path is allocated. -errno when dir cannot be examined. */
int cg_root_resolve(const char *dir, char **ret_path, enum cg_layout *ret_layout);
