/* SPDX-License-Identifier: MIT */
/*
 * Settings: defaults, then the JSON config file (--config), then command-line flags. The
 * loader is strict: an unknown key, a wrong type or an out-of-range value is an error that
 * names the key and, for syntax errors, the line and column. Not thread-safe; the main
 * thread owns the config.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "alert_config.h"

#define CFG_LISTEN_MAX     8
#define CFG_GLOBS_MAX      64
#define CFG_DEFAULT_PORT   9839
#define CFG_DEFAULT_LISTEN "127.0.0.1:9839"

struct uw_config {
        char *listen[CFG_LISTEN_MAX + 1]; /* NULL-terminated "ADDRESS:PORT" */
        double interval;                  /* seconds between collections */
        char *cgroup_root;
        char *sysfs_root;
        char *bus_address; /* NULL: the system bus */
        bool no_bus;
        char *state_dir;
        int log_level;
        unsigned unit_types; /* mask of enum unit_type */
        char *include[CFG_GLOBS_MAX + 1];
        char *exclude[CFG_GLOBS_MAX + 1];
        bool memory_stat_all;
        /*
         * Accepted hardening exceptions: a check (json_field) deliberately weak on the units a
         * glob matches; its changes are no drift. Pairs: accept_units[i], accept_checks[i].
         */
        char *accept_units[CFG_GLOBS_MAX + 1];
        char *accept_checks[CFG_GLOBS_MAX + 1];
        struct alert_config alerts; /* the "alerts" object: rules, overrides, Alertmanager */
};

/* Fills defaults. -ENOMEM on failure. */
int cfg_init(struct uw_config *c);
void cfg_release(struct uw_config *c);

/*
 * Loads path over *c. On error returns -errno (-EINVAL for bad content) and writes a
 * one-line explanation into err.
 */
int cfg_load_file(struct uw_config *c, const char *path, char *err, size_t err_size);

/* Parses "service,scope,slice" into a mask; -EINVAL with the bad word in err. */
int cfg_parse_unit_types(const char *s, unsigned *ret, char *err, size_t err_size);

/* Appends to a NULL-terminated list of at most max strings. -E2BIG when full. */
int cfg_list_add(char **list, size_t max, const char *s);
void cfg_list_clear(char **list);

/* Checks "ADDRESS:PORT" or "[IPV6]:PORT"; -EINVAL otherwise. */
int cfg_parse_listen(const char *s, char *ret_host, size_t host_size, unsigned *ret_port);
