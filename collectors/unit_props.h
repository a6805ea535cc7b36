/* SPDX-License-Identifier: MIT */
/*
 * What unitwatch keeps of a unit's D-Bus properties. Only these: the rest of a GetAll reply
 * (Environment=, ExecStart= command lines, credentials) is skipped without being stored, so
 * it can never reach an output. For *NSec/Current values UINT64_MAX means "not available";
 * for limits it means "unlimited": the two are kept apart by the field's meaning.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

enum unit_limit_id {
        UNIT_MEMORY_MIN,
        UNIT_MEMORY_LOW,
        UNIT_MEMORY_HIGH,
        UNIT_MEMORY_MAX,
        UNIT_MEMORY_SWAP_MAX,
        UNIT_CPU_QUOTA_PER_SEC_USEC,
        UNIT_CPU_WEIGHT,
        UNIT_TASKS_MAX,
        _UNIT_LIMIT_MAX,
};

const char *unit_limit_to_string(enum unit_limit_id id);

/* IP accounting counters (IPAccounting=yes), in the order of unit_ip_to_string(). */
enum unit_ip_id {
        UNIT_IP_INGRESS_BYTES,
        UNIT_IP_INGRESS_PACKETS,
        UNIT_IP_EGRESS_BYTES,
        UNIT_IP_EGRESS_PACKETS,
        _UNIT_IP_MAX,
};

/* The property name: "IPIngressBytes", ... */
const char *unit_ip_to_string(enum unit_ip_id id);

/* IOReadBandwidthMax= and friends: one entry per device path. */
struct unit_io_limit {
        char *kind; /* the property name, e.g. "IOReadBandwidthMax" */
        char *path; /* the device path as configured */
        uint64_t value;
};

struct unit_props {
        char *id;
        /*
         * Description=: free text written by the unit's author. Not to be shown for a
         * transient unit: systemd-run makes the command line its Description by default.
         */
        char *description;
        bool transient; /* Transient: made at runtime (systemd-run), not from a unit file */
        char *load_state, *active_state, *sub_state;
        char *result;        /* Service.Result: "success", "oom-kill", "exit-code", ... */
        char *control_group; /* "" when the unit has no cgroup now */
        char *fragment_path;
        char *slice;
        char **drop_in_paths; /* NULL-terminated, may be NULL */
        uint8_t invocation_id[16];
        bool has_invocation_id;
        bool has_n_restarts;
        uint32_t n_restarts;
        uint32_t main_pid;
        int32_t exec_main_code, exec_main_status;
        bool has_exec_main;
        uint64_t active_enter_usec, inactive_enter_usec; /* realtime, 0 = never */
        bool has_limit[_UNIT_LIMIT_MAX];
        uint64_t limit[_UNIT_LIMIT_MAX]; /* UINT64_MAX: unlimited (or "default" for weight) */
        struct unit_io_limit *io_limits;
        size_t n_io_limits;

        /*
         * IPAccounting= and the counters. systemd reports UINT64_MAX where it does not count
         * (accounting off, unit not running): then the bit in ip_present is clear. The counters
         * change without PropertiesChanged: unit_watch refreshes them (see unit_watch.h).
         */
        bool ip_accounting;
        unsigned ip_present; /* bit i: ip[i] holds a value */
        uint64_t ip[_UNIT_IP_MAX];

        /* Set by unit_watch: its count of daemon-reloads when the last GetAll was answered. */
        unsigned long generation;

        /*
         * The sandboxing properties the hardening scorer reads (see unit_sandbox_props[]), as
         * a JSON object keyed by property name. Immutable once built: an update makes a new
         * object, so snapshots share it by reference.
         */
        json_t *sandbox;
};

/* The sandboxing properties kept in unit_props.sandbox, NULL-terminated. */
extern const char *const unit_sandbox_props[];

/*
 * Reads an a{sv} property dictionary (a GetAll reply or PropertiesChanged's changed set)
 * into p, overwriting only the properties it carries. Unknown properties are skipped.
 * Returns how many of the properties kept here it carried (0: nothing of ours changed).
 * The sandbox object is replaced only when its content changed.
 */
int unit_props_update(struct unit_props *p, sd_bus_message *m);

void unit_props_release(struct unit_props *p);

/* Stores one IP counter as read by a Properties.Get (UINT64_MAX: absent). */
void unit_props_set_ip(struct unit_props *p, enum unit_ip_id id, uint64_t value);

/* Whether name is one of the properties kept here (for PropertiesChanged invalidations). */
bool unit_props_wants(const char *name);

/* Deep copy; -ENOMEM leaves *dst released. */
int unit_props_copy(struct unit_props *dst, const struct unit_props *src);

/* The unit's type suffix ("service") or NULL. */
const char *unit_props_type(const struct unit_props *p);
