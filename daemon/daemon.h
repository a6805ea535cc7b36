/* SPDX-License-Identifier: MIT */
/*
 * The long-running daemon: an sd-event loop on the main thread (signals, the collection
 * timer, sd_notify and the watchdog), the HTTP server on its own thread.
 */
#pragma once

#include "config.h"

/* Runs until SIGTERM or SIGINT. Returns 0 on a clean stop, -errno when it cannot start. */
int uw_daemon_run(const struct uw_config *cfg, const char *cgroup_root);

/* Collects one snapshot and renders both outputs into it (shared with --once). */
struct uw_collector;
struct uw_snapshot;
struct unit_watch;
int uw_collect_and_render(struct uw_collector *c, const struct unit_watch *watch,
                          const struct uw_config *cfg, const struct uw_snapshot *prev,
                          struct uw_snapshot **ret);
