/* SPDX-License-Identifier: MIT */
/*
 * An immutable, refcounted view of every unit at one moment, with its rendered /metrics and
 * JSON text. The collection thread builds one per cycle and publishes it by pointer swap;
 * readers (HTTP threads) take a reference and never wait for a collection. Refcounting is
 * atomic; everything else is read-only after uw_snapshot_finish().
 */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../collectors/blockdev.h"
#include "../collectors/cg_sample.h"
#include "../collectors/unit_props.h"
#include "alerts.h"
#include <jansson.h>

enum uw_io_rate {
        UW_IO_READ_BYTES,
        UW_IO_WRITE_BYTES,
        UW_IO_READ_OPS,
        UW_IO_WRITE_OPS,
        _UW_IO_RATE_MAX,
};

struct uw_rates {
        double interval_seconds;
        bool has_cpu; /* false after a reset (new cgroup or a counter that went down) */
        double cpu_usage_cores, cpu_user_cores, cpu_system_cores;
        /* Per io device, in the order of sample.io; bit i of present set when v[i] is valid. */
        struct {
                unsigned present;
                double v[_UW_IO_RATE_MAX];
        } * io;
        /*
         * IP traffic (IPAccounting=yes), bit i of ip_present set when ip[i] is valid. The
         * counters are polled after each collection, so a rate spans the two polls: close to,
         * not exactly, interval_seconds.
         */
        unsigned ip_present;
        double ip[_UNIT_IP_MAX];
};

struct uw_unit {
        char *name;      /* exactly as systemd spells it; may hold any byte but '/' and NUL */
        char *cgroup;    /* path below the cgroup root, leading '/'; NULL: no cgroup now */
        bool has_sample; /* false for a unit without a cgroup: every cgroup value absent */
        struct cg_sample sample;
        bool has_props; /* properties from the bus */
        struct unit_props props;
        char (*io_names)[BLOCKDEV_NAME_MAX]; /* one per sample.io device */
        bool has_rates;
        struct uw_rates rates;
        /*
         * Settings of the unit's files that are not in effect (daemon/config_findings.h):
         * config_checked once the unit was checked; config_findings its findings, the
         * snapshot's own copy (jansson's reference counts are not for sharing across threads),
         * NULL when there are none.
         */
        bool config_checked;
        json_t *config_findings;
        /* Hardening exposure in tenths from the scorer; -1 when not scored. */
        int exposure;
};

struct uw_snapshot {
        atomic_int refcount;
        double realtime;    /* seconds since the epoch when collection started */
        uint64_t mono_usec; /* CLOCK_MONOTONIC at the same moment */
        uint64_t collect_usec;
        char *cgroup_root;
        bool bus_used;      /* units and states come from the bus */
        bool bus_connected; /* false: states are the last known ones (stale) */
        size_t n_units;
        struct uw_unit *units; /* sorted by name (uw_snapshot_sort()) */

        char *metrics; /* Prometheus text, rendered once */
        size_t metrics_len;
        char *json; /* the whole snapshot as JSON, rendered once */
        size_t json_len;

        bool config_checked; /* a findings checker runs (the daemon with the bus) */
        bool config_journal; /* ... and could read the journal */

        bool alerts_enabled;     /* the daemon evaluates alerts (not --once) */
        struct uw_alert *alerts; /* pending, firing and recently resolved, by unit then rule */
        size_t n_alerts;

        pthread_mutex_t gzip_lock; /* guards the lazily compressed copy below */
        char *metrics_gzip;
        size_t metrics_gzip_len;
};

/*
 * The /metrics text gzip-compressed, made on the first request that asks for it and kept
 * with the snapshot. Thread-safe. Returns -ENOMEM or a zlib failure as -EIO.
 */
int uw_snapshot_metrics_gzip(struct uw_snapshot *s, const char **ret, size_t *ret_len);

struct uw_snapshot *uw_snapshot_new(const char *cgroup_root, size_t n_units_max);
struct uw_snapshot *uw_snapshot_ref(struct uw_snapshot *s);
void uw_snapshot_unref(struct uw_snapshot *s);
static inline void uw_snapshot_unrefp(struct uw_snapshot **s)
{
        if (*s)
                uw_snapshot_unref(*s);
}

/*
 * Appends a unit with deep copies of sample and props (either may be NULL, and cgroup too);
 * names io devices through bd.
 */
int uw_snapshot_add(struct uw_snapshot *s, const char *name, const char *cgroup,
                    const struct cg_sample *sample, const struct unit_props *props,
                    struct blockdev_cache *bd);

/* Sorts the units by name; call once all are added, before lookups and rates. */
void uw_snapshot_sort(struct uw_snapshot *s);

/* Looks a unit up by name (binary search); NULL when unknown. */
const struct uw_unit *uw_snapshot_find(const struct uw_snapshot *s, const char *name);

/*
 * Fills each unit's rates from prev (matched by name). A counter that went down or a
 * cgroup that was recreated (different cgroup_id) gives no rate: never a negative or
 * wrapped-around value.
 */
int uw_snapshot_compute_rates(struct uw_snapshot *s, const struct uw_snapshot *prev);
