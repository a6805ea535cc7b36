/* SPDX-License-Identifier: MIT */
/*
 * Block device names ("sda", "nvme0n1") for the MAJ:MIN keys of io.stat, looked up in
 * <sysfs>/dev/block/MAJ:MIN/uevent and cached for a minute. A device that cannot be named is
 * called "MAJ:MIN". Not thread-safe: one cache per thread.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define BLOCKDEV_NAME_MAX 64

struct blockdev_cache;

/* sysfs_root is normally "/sys"; tests point it at a fixture. */
int blockdev_cache_new(const char *sysfs_root, struct blockdev_cache **ret);
void blockdev_cache_free(struct blockdev_cache *c);

/* Returns a name valid until the next call on c; never NULL. now_usec: CLOCK_MONOTONIC. */
const char *blockdev_name(struct blockdev_cache *c, unsigned major, unsigned minor,
                          uint64_t now_usec);
