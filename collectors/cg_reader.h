/* SPDX-License-Identifier: MIT */
/*
 * Reads one cgroup directory's interface files into a cg_sample.
 *
 * A cg_handle keeps an O_DIRECTORY fd of the cgroup and, while the process has fds to spare,
 * one open fd per interface file that is re-read with pread() at offset 0 each cycle: the
 * cheapest correct way (no path lookup, no allocation). Files are always opened relative to
 * the directory fd, so every file of a sample comes from one directory instance; a cgroup
 * removed and created again under the same path is a different directory (new cgroup_id).
 * When fds run short (see cg_reader_new()), files are opened and closed per read instead.
 *
 * Not thread-safe: one reader and its handles belong to one thread.
 */
#pragma once

#include <stdint.h>

#include "cg_sample.h"

struct cg_reader;
struct cg_handle;

/*
 * fd_budget: how many fds handles may keep open in total, their directory fds included;
 * interface files are opened per read once it is reached, 0 keeps none. See
 * cg_reader_fd_budget() for a budget derived from RLIMIT_NOFILE.
 */
int cg_reader_new(unsigned fd_budget, struct cg_reader **ret);
void cg_reader_free(struct cg_reader *r);

/* Raises RLIMIT_NOFILE's soft limit to the hard one and returns what is left after reserve. */
unsigned cg_reader_fd_budget(unsigned reserve);

/* Number of interface-file fds kept open right now (for metrics and tests). */
unsigned cg_reader_fds_kept(const struct cg_reader *r);

/* Opens the cgroup directory relpath below root_fd. -ENOENT when it does not exist. */
int cg_handle_open(struct cg_reader *r, int root_fd, const char *relpath, struct cg_handle **ret);

/* Closes every fd of the handle and frees it; NULL is fine. */
void cg_handle_free(struct cg_reader *r, struct cg_handle *h);

uint64_t cg_handle_id(const struct cg_handle *h);

/*
 * Reads every file. On success *ret points into storage owned by the reader, valid until
 * the next call on the same reader: copy it with cg_sample_copy() to keep it. Returns -ENODEV
 * when the cgroup disappeared while being read (the caller drops the whole sample: a
 * partial set is never published); files that are absent, empty, unreadable or malformed
 * leave just their values absent and are logged at debug level.
 */
int cg_handle_read(struct cg_reader *r, struct cg_handle *h, const struct cg_sample **ret);
