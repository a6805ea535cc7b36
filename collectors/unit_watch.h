/* SPDX-License-Identifier: MIT */
/*
 * Follows systemd's units over the bus, event-driven: at start (and after a reconnect or a
 * daemon-reload) Subscribe, one ListUnits, then one Properties.GetAll per unit, pipelined;
 * after that only signals (UnitNew, UnitRemoved, PropertiesChanged, JobRemoved, Reloading).
 * Never a call per scrape. When the bus drops it reconnects with backoff (0.5 s doubling to
 * 5 s) and resyncs; the table keeps the last known state meanwhile.
 *
 * Runs on the sd-event loop of the thread that created it, and is not thread-safe: the
 * collection thread copies what it needs into each snapshot.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "unit_props.h"

struct unit_watch;

/* Called (on the loop) whenever the table changed: a unit came, went, or changed state. */
typedef void (*unit_watch_changed_fn)(void *userdata);

/*
 * address: NULL for the system bus. types: mask of enum unit_type. Fails with -errno when the
 * first connection cannot be made, so the caller can fall back to cgroup-tree discovery.
 */
int unit_watch_new(sd_event *event, const char *address, unsigned types,
                   unit_watch_changed_fn changed, void *userdata, struct unit_watch **ret);
void unit_watch_free(struct unit_watch *w);

/* A hint for the log when the bus refused the connection (r from unit_watch_new) for a reason
 * the error alone does not tell; "" otherwise. */
const char *unit_watch_refusal_hint(int r);

bool unit_watch_connected(const struct unit_watch *w);
/* True once the first ListUnits and every GetAll it started have been answered. */
bool unit_watch_synced(const struct unit_watch *w);

/*
 * For one-shot users: runs the event loop until the first full pass is in (at most usec),
 * or, with until_synced false, for usec (following signals meanwhile). -ETIMEDOUT when the
 * pass did not complete.
 */
int unit_watch_run(struct unit_watch *w, uint64_t usec, bool until_synced);

/*
 * IPIngressBytes and friends change without PropertiesChanged: asks for them again, one
 * Properties.Get per counter and unit, async, for the units with IPAccounting=yes and a
 * cgroup. Calls still in flight from the last refresh are not repeated. The answers land in
 * the units' properties (no change callback; the next collection picks them up).
 */
void unit_watch_refresh_ip(struct unit_watch *w);

size_t unit_watch_n_units(const struct unit_watch *w);
/* The i-th unit whose properties have arrived, or NULL while its GetAll is pending. */
const struct unit_props *unit_watch_unit(const struct unit_watch *w, size_t i);

/* Bus calls made since start, by kind: for tests and /metrics. */
struct unit_watch_stats {
        unsigned long list_units, get_all, reconnects;
        unsigned long ip_gets;        /* Properties.Get of IP counters (unit_watch_refresh_ip()) */
        unsigned long reloads;        /* daemon-reloads (and re-execs) seen finishing */
        uint64_t reload_started_usec; /* CLOCK_REALTIME when the last one began; 0: none seen */
};
void unit_watch_get_stats(const struct unit_watch *w, struct unit_watch_stats *ret);
