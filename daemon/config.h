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

/* HTTP methods the server may answer (http.methods); a mask. */
enum {
        CFG_METHOD_GET = 1u << 0,
        CFG_METHOD_HEAD = 1u << 1,
        CFG_METHOD_POST = 1u << 2,
        CFG_METHODS_ALL = CFG_METHOD_GET | CFG_METHOD_HEAD | CFG_METHOD_POST,
};

/*
 * The "http" object: who may talk to the server and how much of it one client may take. Files
 * are named here and read by the HTTP layer (web/http_opts.h), never their contents.
 */
struct uw_http_config {
        char *token_file;           /* bearer token, one line; NULL: no token */
        char *tls_cert, *tls_key;   /* PEM files; both or neither */
        bool allow_insecure_remote; /* serve a non-loopback address without token and TLS */
        unsigned connection_limit;  /* open connections per listener */
        unsigned per_client_limit;  /* open connections per client address; 0: no limit */
        bool per_client_loopback;   /* apply per_client_limit to loopback clients too */
        unsigned max_header_bytes;  /* request line and headers of one request */
        unsigned max_body_bytes;    /* body of a POST */
        unsigned idle_timeout;      /* seconds without a byte either way */
        unsigned request_timeout;   /* seconds to send a whole request */
        unsigned methods;           /* CFG_METHOD_* mask */
};

#define CFG_HTTP_CONNECTION_LIMIT 1024
#define CFG_HTTP_PER_CLIENT_LIMIT 64
#define CFG_HTTP_MAX_HEADER_BYTES 16384
#define CFG_HTTP_MAX_BODY_BYTES   4096
#define CFG_HTTP_IDLE_TIMEOUT     30
#define CFG_HTTP_REQUEST_TIMEOUT  20

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
        struct uw_http_config http; /* the "http" object */
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

/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 in "ADDRESS:PORT" or "[IPV6]:PORT". */
bool cfg_listen_is_loopback(const char *listen);

/*
 * Checks what no single key can: TLS names both files, and a non-loopback listen address has
 * a token or TLS unless http.allow_insecure_remote says otherwise. -EINVAL with the reason in
 * err.
 */
int cfg_check_http(const struct uw_config *c, char *err, size_t err_size);
