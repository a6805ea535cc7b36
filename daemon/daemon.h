/* SPDX-License-Identifier: MIT */
/*
 * The long-running daemon: an sd-event loop on the main thread (signals, the collection
 * timer, sd_notify and the watchdog), the HTTP server on its own thread.
 */
#pragma once

#include "config.h"

/*
 * Loads the configuration anew (file and flags) into *ret for SIGHUP; returns -errno with a
 * one-line reason in err when it is invalid.
 */
typedef int (*uw_config_loader)(void *userdata, struct uw_config *ret, char *err, size_t err_size);

/*
 * Runs until SIGTERM or SIGINT, taking over *cfg (released on return). SIGHUP reloads it
 * through load: interval, unit selection, log level, metrics options, accepted exceptions
 * and alert settings apply at once;
 * listen addresses, the cgroup root and the bus need a restart (a warning says so). A broken
 * config is refused with its reason in the log and the running one stays.
 * Returns 0 on a clean stop, -errno when it cannot start.
 */
int uw_daemon_run(struct uw_config *cfg, const char *cgroup_root, uw_config_loader load,
                  void *userdata);

/*
 * Collects one snapshot, evaluates the alert rules on it (when alerts is not NULL; the
 * number of firing/resolved transitions goes to *ret_transitions) and renders /metrics into
 * it. push, when not NULL, provides the Alertmanager counters for /metrics; findings, when not
 * NULL, the units' config findings (attached before the rules run).
 */
struct uw_collector;
struct uw_snapshot;
struct unit_watch;
struct scorer;
struct alert_engine;
struct alert_push;
struct findings_checker;
int uw_collect_and_render(struct uw_collector *c, const struct unit_watch *watch,
                          struct scorer *scorer, struct alert_engine *alerts,
                          struct alert_push *push, struct findings_checker *findings,
                          const struct uw_config *cfg, const struct uw_snapshot *prev,
                          struct uw_snapshot **ret, int *ret_transitions);
