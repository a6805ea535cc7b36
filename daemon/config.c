/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../collectors/cg_discover.h"
#include "log.h"
#include "util.h"

int cfg_list_add(char **list, size_t max, const char *s)
{
        size_t n = 0;

        while (list[n])
                n++;
        if (n >= max)
                return -E2BIG;
        list[n] = strdup(s);
        return list[n] ? 0 : -ENOMEM;
}

void cfg_list_clear(char **list)
{
        for (size_t i = 0; list[i]; i++)
                list[i] = (free(list[i]), NULL);
}

int cfg_init(struct uw_config *c)
{
        *c = (struct uw_config){
                .interval = 10,
                .log_level = LOG_LEVEL_INFO,
                .unit_types = UNIT_SERVICE,
                .http =
                        {
                                .connection_limit = CFG_HTTP_CONNECTION_LIMIT,
                                .per_client_limit = CFG_HTTP_PER_CLIENT_LIMIT,
                                .max_header_bytes = CFG_HTTP_MAX_HEADER_BYTES,
                                .max_body_bytes = CFG_HTTP_MAX_BODY_BYTES,
                                .idle_timeout = CFG_HTTP_IDLE_TIMEOUT,
                                .request_timeout = CFG_HTTP_REQUEST_TIMEOUT,
                                .methods = CFG_METHODS_ALL,
                        },
        };
        alert_config_init(&c->alerts);
        c->cgroup_root = strdup("/sys/fs/cgroup");
        c->sysfs_root = strdup("/sys");
        c->state_dir = strdup("/var/lib/unitwatch");
        if (!c->cgroup_root || !c->sysfs_root || !c->state_dir)
                return -ENOMEM;
        return 0;
}

void cfg_release(struct uw_config *c)
{
        cfg_list_clear(c->listen);
        cfg_list_clear(c->include);
        cfg_list_clear(c->exclude);
        cfg_list_clear(c->accept_units);
        cfg_list_clear(c->accept_checks);
        free(c->cgroup_root);
        free(c->sysfs_root);
        free(c->bus_address);
        free(c->state_dir);
        free(c->http.token_file);
        free(c->http.tls_cert);
        free(c->http.tls_key);
        alert_config_release(&c->alerts);
        *c = (struct uw_config){};
}

int cfg_parse_unit_types(const char *s, unsigned *ret, char *err, size_t err_size)
{
        _cleanup_free_ char *copy = strdup(s);
        unsigned mask = 0;
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                if (streq(w, "service"))
                        mask |= UNIT_SERVICE;
                else if (streq(w, "scope"))
                        mask |= UNIT_SCOPE;
                else if (streq(w, "slice"))
                        mask |= UNIT_SLICE;
                else {
                        (void)snprintf(err, err_size,
                                       "unknown unit type '%s' (expected service, scope, slice)",
                                       w);
                        return -EINVAL;
                }
        }
        if (!mask) {
                (void)snprintf(err, err_size, "no unit type given");
                return -EINVAL;
        }
        *ret = mask;
        return 0;
}

int cfg_parse_listen(const char *s, char *ret_host, size_t host_size, unsigned *ret_port)
{
        const char *colon, *host = s;
        size_t host_len;
        char *end;
        unsigned long port;
        unsigned char addr[16];
        char tmp[64];

        if (s[0] == '[') {
                const char *close = strchr(s, ']');

                if (!close || close[1] != ':')
                        return -EINVAL;
                host = s + 1;
                host_len = (size_t)(close - host);
                colon = close + 1;
        } else {
                colon = strrchr(s, ':');
                if (!colon)
                        return -EINVAL;
                host_len = (size_t)(colon - s);
        }
        if (host_len == 0 || host_len >= sizeof(tmp) || host_len >= host_size)
                return -EINVAL;
        memcpy(tmp, host, host_len);
        tmp[host_len] = '\0';
        if (inet_pton(s[0] == '[' ? AF_INET6 : AF_INET, tmp, addr) != 1)
                return -EINVAL;
        errno = 0;
        port = strtoul(colon + 1, &end, 10);
        if (errno || *end || end == colon + 1 || port == 0 || port > 65535)
                return -EINVAL;
        memcpy(ret_host, tmp, host_len + 1);
        *ret_port = (unsigned)port;
        return 0;
}

static int set_string(char **dst, json_t *v, const char *key, char *err, size_t err_size)
{
        char *copy;

        if (!json_is_string(v)) {
                (void)snprintf(err, err_size, "'%s' must be a string", key);
                return -EINVAL;
        }
        copy = strdup(json_string_value(v));
        if (!copy)
                return -ENOMEM;
        free(*dst);
        *dst = copy;
        return 0;
}

static int set_string_list(char **list, size_t max, json_t *v, const char *key, char *err,
                           size_t err_size)
{
        size_t i;
        json_t *e;

        if (!json_is_array(v)) {
                (void)snprintf(err, err_size, "'%s' must be an array of strings", key);
                return -EINVAL;
        }
        cfg_list_clear(list);
        json_array_foreach(v, i, e)
        {
                int r;

                if (!json_is_string(e)) {
                        (void)snprintf(err, err_size, "'%s'[%zu] must be a string", key, i);
                        return -EINVAL;
                }
                r = cfg_list_add(list, max, json_string_value(e));
                if (r == -E2BIG) {
                        (void)snprintf(err, err_size, "'%s' has more than %zu entries", key, max);
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_units(struct uw_config *c, json_t *units, char *err, size_t err_size)
{
        const char *key;
        json_t *v;

        if (!json_is_object(units)) {
                (void)snprintf(err, err_size, "'units' must be an object");
                return -EINVAL;
        }
        json_object_foreach(units, key, v)
        {
                int r;

                if (streq(key, "include"))
                        r = set_string_list(c->include, CFG_GLOBS_MAX, v, "units.include", err,
                                            err_size);
                else if (streq(key, "exclude"))
                        r = set_string_list(c->exclude, CFG_GLOBS_MAX, v, "units.exclude", err,
                                            err_size);
                else if (streq(key, "types")) {
                        char joined[64] = "";
                        size_t i;
                        json_t *e;

                        if (!json_is_array(v)) {
                                (void)snprintf(err, err_size, "'units.types' must be an array");
                                return -EINVAL;
                        }
                        json_array_foreach(v, i, e)
                        {
                                if (!json_is_string(e) ||
                                    strlen(joined) + strlen(json_string_value(e)) + 2 >
                                            sizeof(joined)) {
                                        (void)snprintf(err, err_size,
                                                       "'units.types'[%zu] must be one of "
                                                       "\"service\", \"scope\", \"slice\"",
                                                       i);
                                        return -EINVAL;
                                }
                                if (i)
                                        strcat(joined, ",");
                                strcat(joined, json_string_value(e));
                        }
                        r = cfg_parse_unit_types(joined, &c->unit_types, err, err_size);
                } else {
                        (void)snprintf(err, err_size,
                                       "unknown key 'units.%s' (known: include, exclude, types)",
                                       key);
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "hardening": {"accept": [{"units": "GLOB", "check": "JSON_FIELD"}, ...]} */
static int load_hardening(struct uw_config *c, json_t *v, char *err, size_t err_size)
{
        json_t *accept, *e;
        const char *key;
        json_t *val;
        size_t i;

        if (!json_is_object(v)) {
                (void)snprintf(err, err_size, "'hardening' must be an object");
                return -EINVAL;
        }
        json_object_foreach(v, key, val)
        {
                if (!streq(key, "accept")) {
                        (void)snprintf(err, err_size, "unknown key 'hardening.%s' (known: accept)",
                                       key);
                        return -EINVAL;
                }
        }
        accept = json_object_get(v, "accept");
        if (!accept)
                return 0;
        if (!json_is_array(accept)) {
                (void)snprintf(err, err_size, "'hardening.accept' must be an array");
                return -EINVAL;
        }
        cfg_list_clear(c->accept_units);
        cfg_list_clear(c->accept_checks);
        json_array_foreach(accept, i, e)
        {
                const char *units = json_string_value(json_object_get(e, "units"));
                const char *check = json_string_value(json_object_get(e, "check"));

                if (!json_is_object(e) || !units || !check || json_object_size(e) != 2) {
                        (void)snprintf(err, err_size,
                                       "'hardening.accept'[%zu] must be {\"units\": GLOB, "
                                       "\"check\": JSON_FIELD}",
                                       i);
                        return -EINVAL;
                }
                if (cfg_list_add(c->accept_units, CFG_GLOBS_MAX, units) < 0 ||
                    cfg_list_add(c->accept_checks, CFG_GLOBS_MAX, check) < 0) {
                        (void)snprintf(err, err_size, "'hardening.accept' has more than %d entries",
                                       CFG_GLOBS_MAX);
                        return -EINVAL;
                }
        }
        return 0;
}

static int set_uint(unsigned *dst, json_t *v, const char *key, unsigned min, unsigned max,
                    const char *unit, char *err, size_t err_size)
{
        json_int_t n = json_integer_value(v);

        if (!json_is_integer(v) || n < (json_int_t)min || n > (json_int_t)max) {
                (void)snprintf(err, err_size, "'http.%s' must be an integer from %u to %u%s", key,
                               min, max, unit);
                return -EINVAL;
        }
        *dst = (unsigned)n;
        return 0;
}

static int load_methods(struct uw_http_config *h, json_t *v, char *err, size_t err_size)
{
        static const char *const names[] = {"GET", "HEAD", "POST"};
        unsigned mask = 0;
        size_t i;
        json_t *e;

        if (!json_is_array(v) || json_array_size(v) == 0)
                goto bad;
        json_array_foreach(v, i, e)
        {
                size_t k;

                for (k = 0; k < ARRAY_SIZE(names); k++)
                        if (json_is_string(e) && streq(json_string_value(e), names[k]))
                                break;
                if (k == ARRAY_SIZE(names))
                        goto bad;
                mask |= 1u << k;
        }
        h->methods = mask;
        return 0;
bad:
        (void)snprintf(err, err_size,
                       "'http.methods' must be a non-empty array of \"GET\", \"HEAD\", \"POST\"");
        return -EINVAL;
}

/* "http": token, TLS and the server's limits. */
static int load_http(struct uw_http_config *h, json_t *obj, char *err, size_t err_size)
{
        const char *key;
        json_t *v;

        if (!json_is_object(obj)) {
                (void)snprintf(err, err_size, "'http' must be an object");
                return -EINVAL;
        }
        json_object_foreach(obj, key, v)
        {
                int r;

                if (streq(key, "token_file") || streq(key, "tls_cert") || streq(key, "tls_key")) {
                        char name[32];
                        char **dst = streq(key, "token_file") ? &h->token_file
                                     : streq(key, "tls_cert") ? &h->tls_cert
                                                              : &h->tls_key;

                        (void)snprintf(name, sizeof(name), "http.%s", key);
                        r = set_string(dst, v, name, err, err_size);
                        if (r >= 0 && !(*dst)[0]) {
                                (void)snprintf(err, err_size, "'%s' must name a file", name);
                                r = -EINVAL;
                        }
                } else if (streq(key, "allow_insecure_remote") ||
                           streq(key, "per_client_loopback")) {
                        if (!json_is_boolean(v)) {
                                (void)snprintf(err, err_size, "'http.%s' must be true or false",
                                               key);
                                return -EINVAL;
                        }
                        *(streq(key, "allow_insecure_remote") ? &h->allow_insecure_remote
                                                              : &h->per_client_loopback) =
                                json_is_true(v);
                        r = 0;
                } else if (streq(key, "connection_limit"))
                        r = set_uint(&h->connection_limit, v, key, 1, 65536, "", err, err_size);
                else if (streq(key, "per_client_limit"))
                        r = set_uint(&h->per_client_limit, v, key, 0, 65536, " (0: no limit)", err,
                                     err_size);
                else if (streq(key, "max_header_bytes"))
                        r = set_uint(&h->max_header_bytes, v, key, 4096, 1048576, "", err,
                                     err_size);
                else if (streq(key, "max_body_bytes"))
                        r = set_uint(&h->max_body_bytes, v, key, 0, 1048576, "", err, err_size);
                else if (streq(key, "idle_timeout"))
                        r = set_uint(&h->idle_timeout, v, key, 1, 3600, " seconds", err, err_size);
                else if (streq(key, "request_timeout"))
                        r = set_uint(&h->request_timeout, v, key, 1, 3600, " seconds", err,
                                     err_size);
                else if (streq(key, "methods"))
                        r = load_methods(h, v, err, err_size);
                else {
                        (void)snprintf(err, err_size,
                                       "unknown key 'http.%s' (known: token_file, tls_cert, "
                                       "tls_key, allow_insecure_remote, connection_limit, "
                                       "per_client_limit, per_client_loopback, max_header_bytes, "
                                       "max_body_bytes, idle_timeout, request_timeout, methods)",
                                       key);
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_key(struct uw_config *c, const char *key, json_t *v, char *err, size_t err_size)
{
        if (streq(key, "alerts"))
                return alert_config_load(&c->alerts, v, err, err_size);
        if (streq(key, "listen")) {
                int r = set_string_list(c->listen, CFG_LISTEN_MAX, v, key, err, err_size);
                char host[64];
                unsigned port;

                for (size_t i = 0; r >= 0 && c->listen[i]; i++)
                        if (cfg_parse_listen(c->listen[i], host, sizeof(host), &port) < 0) {
                                (void)snprintf(err, err_size,
                                               "'listen'[%zu] '%s' is not a numeric IPv4 "
                                               "ADDRESS:PORT or [IPV6]:PORT (no host names)",
                                               i, c->listen[i]);
                                return -EINVAL;
                        }
                return r;
        }
        if (streq(key, "interval")) {
                double d = json_number_value(v);

                if (!json_is_number(v) || !isfinite(d) || d < 0.1 || d > 3600) {
                        (void)snprintf(err, err_size,
                                       "'interval' must be a number of seconds from 0.1 to 3600");
                        return -EINVAL;
                }
                c->interval = d;
                return 0;
        }
        if (streq(key, "cgroup_root"))
                return set_string(&c->cgroup_root, v, key, err, err_size);
        if (streq(key, "sysfs_root"))
                return set_string(&c->sysfs_root, v, key, err, err_size);
        if (streq(key, "state_dir"))
                return set_string(&c->state_dir, v, key, err, err_size);
        if (streq(key, "bus"))
                return set_string(&c->bus_address, v, key, err, err_size);
        if (streq(key, "no_bus") || streq(key, "memory_stat_all")) {
                if (!json_is_boolean(v)) {
                        (void)snprintf(err, err_size, "'%s' must be true or false", key);
                        return -EINVAL;
                }
                *(streq(key, "no_bus") ? &c->no_bus : &c->memory_stat_all) = json_is_true(v);
                return 0;
        }
        if (streq(key, "log_level")) {
                int l = json_is_string(v) ? log_level_from_string(json_string_value(v)) : -EINVAL;

                if (l < 0) {
                        (void)snprintf(err, err_size,
                                       "'log_level' must be one of \"debug\", \"info\", "
                                       "\"notice\", \"warning\", \"error\"");
                        return -EINVAL;
                }
                c->log_level = l;
                return 0;
        }
        if (streq(key, "units"))
                return load_units(c, v, err, err_size);
        if (streq(key, "hardening"))
                return load_hardening(c, v, err, err_size);
        if (streq(key, "http"))
                return load_http(&c->http, v, err, err_size);
        (void)snprintf(err, err_size,
                       "unknown key '%s' (known: listen, interval, cgroup_root, sysfs_root, "
                       "state_dir, bus, no_bus, log_level, units, memory_stat_all, hardening, "
                       "alerts, http)",
                       key);
        return -EINVAL;
}

int cfg_load_file(struct uw_config *c, const char *path, char *err, size_t err_size)
{
        json_auto_t *root = NULL;
        json_error_t jerr;
        const char *key;
        json_t *v;

        root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                if (jerr.line < 0) {
                        (void)snprintf(err, err_size, "cannot read '%s': %s", path, jerr.text);
                        return -EIO;
                }
                (void)snprintf(err, err_size, "'%s' line %d column %d: %s", path, jerr.line,
                               jerr.column, jerr.text);
                return -EINVAL;
        }
        if (!json_is_object(root)) {
                (void)snprintf(err, err_size, "'%s': the top level must be a JSON object", path);
                return -EINVAL;
        }
        json_object_foreach(root, key, v)
        {
                char inner[512] = "";
                int r = load_key(c, key, v, inner, sizeof(inner));

                if (r < 0) {
                        (void)snprintf(err, err_size, "'%s': %s", path,
                                       inner[0] ? inner : strerror(-r));
                        return r;
                }
        }
        return 0;
}

bool cfg_listen_is_loopback(const char *listen)
{
        unsigned char a[16];
        char host[64];
        unsigned port;

        if (cfg_parse_listen(listen, host, sizeof(host), &port) < 0)
                return false;
        if (listen[0] != '[')
                return inet_pton(AF_INET, host, a) == 1 && a[0] == 127;
        if (inet_pton(AF_INET6, host, a) != 1)
                return false;
        /* ::1, or an IPv4-mapped 127.x.y.z */
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        static const unsigned char zeros[15] = {0};

        if (memcmp(a, zeros, 15) == 0 && a[15] == 1)
                return true;
        return memcmp(a, mapped, 12) == 0 && a[12] == 127;
}

int cfg_check_http(const struct uw_config *c, char *err, size_t err_size)
{
        const struct uw_http_config *h = &c->http;

        if (!h->tls_cert != !h->tls_key) {
                (void)snprintf(err, err_size,
                               "TLS needs both a certificate and a key: '%s' is set, '%s' is not",
                               h->tls_cert ? "http.tls_cert" : "http.tls_key",
                               h->tls_cert ? "http.tls_key" : "http.tls_cert");
                return -EINVAL;
        }
        if (h->token_file || h->tls_cert || h->allow_insecure_remote)
                return 0;
        for (size_t i = 0; c->listen[i]; i++)
                if (!cfg_listen_is_loopback(c->listen[i])) {
                        (void)snprintf(err, err_size,
                                       "refusing to listen on '%s', which is not a loopback "
                                       "address, without a bearer token or TLS: anyone who "
                                       "reaches it could read every unit and reset hardening "
                                       "baselines. Set http.token_file (--token-file) and/or "
                                       "http.tls_cert and http.tls_key, or \"http\": "
                                       "{\"allow_insecure_remote\": true} to accept that",
                                       c->listen[i]);
                        return -EINVAL;
                }
        return 0;
}
