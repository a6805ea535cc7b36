/* SPDX-License-Identifier: MIT */
#include "http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../daemon/config.h"
#include "../daemon/log.h"
#include "../daemon/util.h"
#include "api.h"
#include "assets.h"
#include "http_guard.h"
#include "render.h"
#include "url.h"

/* How often request deadlines are looked at, and how long a reload lets old requests finish. */
#define SWEEP_MS        500
#define RELOAD_DRAIN_MS 1000
/* A refusal (per-client or total limit) is logged at most this often, in seconds. */
#define REFUSAL_LOG_INTERVAL 60

struct http_server;

/*
 * One libmicrohttpd daemon with the options it was started with. A reload (SIGHUP) starts a
 * new instance on the same listening socket and retires the old one, so requests always see
 * the options of the instance that accepted them.
 */
struct http_instance {
        struct http_server *srv;
        struct MHD_Daemon *mhd;
        struct http_options opts;
        time_t refused_logged, full_logged; /* rate limits of the refusal warnings */
        atomic_uint open;                   /* connections open now */
};

struct http_server {
        struct http_instance *cur;
        struct http_context ctx;
        char *listen;
        struct http_guard *guard;
        struct sockaddr_storage ss; /* where to listen; unused with a passed fd */
        int passed_fd;              /* a socket systemd passed, or -1 */
        bool ipv6;
};

static enum MHD_Result queue_copy(struct MHD_Connection *conn, unsigned status,
                                  const char *content_type, const char *body, size_t len)
{
        struct MHD_Response *resp;
        enum MHD_Result ret;

        resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
        if (!resp)
                return MHD_NO;
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
        (void)MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
        ret = MHD_queue_response(conn, status, resp);
        MHD_destroy_response(resp);
        return ret;
}

/* Errors are JSON too: {"error": "...", "status": N}; header, when set, is added. */
static enum MHD_Result queue_error_with(struct MHD_Connection *conn, unsigned status,
                                        const char *msg, const char *header, const char *value)
{
        json_auto_t *j = json_pack("{s:s, s:i}", "error", msg, "status", (int)status);
        _cleanup_free_ char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        struct MHD_Response *resp;
        enum MHD_Result ret;

        if (!text)
                return MHD_NO;
        resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_COPY);
        if (!resp)
                return MHD_NO;
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        (void)MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
        if (header)
                (void)MHD_add_response_header(resp, header, value);
        ret = MHD_queue_response(conn, status, resp);
        MHD_destroy_response(resp);
        return ret;
}

static enum MHD_Result queue_error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
        return queue_error_with(conn, status, msg, NULL, NULL);
}

/*
 * The snapshot's pre-rendered bytes are sent without a copy: the response holds a snapshot
 * reference and drops it when libmicrohttpd is done with the body.
 */
static void response_done(void *cls)
{
        uw_snapshot_unref(cls);
}

/* gzip: body is the gzip-compressed form, said so in Content-Encoding. */
static enum MHD_Result queue_snapshot_bytes(struct MHD_Connection *conn, struct uw_snapshot *s,
                                            const char *body, size_t len, const char *content_type,
                                            bool gzip)
{
        struct MHD_Response *resp;
        enum MHD_Result ret;

        resp = MHD_create_response_from_buffer_with_free_callback_cls(
                len, (void *)(uintptr_t)body, response_done, uw_snapshot_ref(s));
        if (!resp) {
                uw_snapshot_unref(s);
                return MHD_NO;
        }
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
        if (gzip)
                (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
        ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
        MHD_destroy_response(resp);
        return ret;
}

/*
 * The dashboard's files, from the binary. The policy allows nothing but this origin: data
 * shown by the page can never load or run anything, even if it were rendered as markup.
 */
#define DASHBOARD_CSP                                                                              \
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "          \
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static enum MHD_Result serve_asset(struct MHD_Connection *conn, const struct web_asset *a)
{
        struct MHD_Response *resp;
        enum MHD_Result ret;

        resp = MHD_create_response_from_buffer(a->len, (void *)(uintptr_t)a->data,
                                               MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return MHD_NO;
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->content_type);
        (void)MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
        (void)MHD_add_response_header(resp, "Content-Security-Policy", DASHBOARD_CSP);
        (void)MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
        ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
        MHD_destroy_response(resp);
        return ret;
}

static enum MHD_Result serve_metrics(struct MHD_Connection *conn, struct uw_snapshot *s)
{
        const char *accept =
                MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
        const char *gz;
        size_t gz_len;

        if (accept && strstr(accept, "gzip") && uw_snapshot_metrics_gzip(s, &gz, &gz_len) >= 0)
                return queue_snapshot_bytes(conn, s, gz, gz_len, PROM_CONTENT_TYPE, true);
        return queue_snapshot_bytes(conn, s, s->metrics, s->metrics_len, PROM_CONTENT_TYPE, false);
}

struct query_builder {
        FILE *f;
        bool first;
};

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
        struct query_builder *q = cls;

        (void)kind;
        (void)fprintf(q->f, "%s%s%s%s", q->first ? "" : "&", key, value ? "=" : "",
                      value ? value : "");
        q->first = false;
        return MHD_YES;
}

/* The query as the client sent it: values stay percent-encoded (see unescape_none()). */
static char *raw_query(struct MHD_Connection *conn)
{
        struct query_builder q = {.first = true};
        char *buf = NULL;
        size_t len = 0;

        q.f = open_memstream(&buf, &len);
        if (!q.f)
                return NULL;
        (void)MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_query_arg, &q);
        if (fclose(q.f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static enum MHD_Result serve_api(struct MHD_Connection *conn, struct uw_snapshot *s,
                                 const struct http_context *ctx, const char *url)
{
        _cleanup_free_ char *query = raw_query(conn);
        struct api_response resp;
        enum MHD_Result ret;

        if (!query || api_handle(s, ctx->history, ctx->scorer, url, query, &resp) < 0)
                return queue_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
        ret = queue_copy(conn, resp.status, "application/json", resp.body, strlen(resp.body));
        free(resp.body);
        return ret;
}

struct post_state {
        size_t body_len;
};

static struct http_conn *guard_conn(struct MHD_Connection *conn)
{
        const union MHD_ConnectionInfo *i =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

        return i ? i->socket_context : NULL;
}

/*
 * POST /api/v1/units/{unit}/baseline: accepts the unit's current hardening as its baseline.
 * A JSON content type is required, so no HTML form of another site can send it; the token,
 * when there is one, was checked before (handle()). A body is read and dropped, up to
 * max_body_bytes: the action is in the path.
 */
static enum MHD_Result handle_post(struct http_instance *inst, struct MHD_Connection *conn,
                                   const char *url, const char *upload_data,
                                   size_t *upload_data_size, void **req_cls)
{
        struct http_server *srv = inst->srv;
        static const char prefix[] = "/api/v1/units/", suffix[] = "/baseline";
        struct post_state *st = *req_cls;
        const char *type;
        _cleanup_free_ char *raw = NULL, *unit = NULL;
        size_t len = strlen(url);
        unsigned exposure;
        int r;

        (void)upload_data;
        if (!st) {
                /* Refused at once, before any body is read. */
                const char *clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                               MHD_HTTP_HEADER_CONTENT_LENGTH);

                if (clen && strtoull(clen, NULL, 10) > inst->opts.max_body_bytes)
                        return queue_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
                                           "request body too large");
                if (len <= strlen(prefix) + strlen(suffix) ||
                    strncmp(url, prefix, strlen(prefix)) != 0 ||
                    strcmp(url + len - strlen(suffix), suffix) != 0)
                        return queue_error_with(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                                "method not allowed", MHD_HTTP_HEADER_ALLOW,
                                                "GET, HEAD");
                type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
                if (!type || strncmp(type, "application/json", 16) != 0 ||
                    (type[16] != '\0' && type[16] != ';' && type[16] != ' '))
                        return queue_error(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                           "send Content-Type: application/json");
                st = calloc(1, sizeof(*st));
                if (!st)
                        return MHD_NO;
                *req_cls = st;
                return MHD_YES;
        }
        if (*upload_data_size) {
                st->body_len += *upload_data_size;
                *upload_data_size = 0;
                /* Chunked or longer than announced: too late for a response, drop the line. */
                return st->body_len > inst->opts.max_body_bytes ? MHD_NO : MHD_YES;
        }
        http_guard_disarm(srv->guard, guard_conn(conn));
        raw = strndup(url + strlen(prefix), len - strlen(prefix) - strlen(suffix));
        if (!raw)
                return MHD_NO;
        if (url_decode(raw, strlen(raw), &unit) < 0 || !unit[0] || strchr(unit, '/'))
                return queue_error(conn, MHD_HTTP_BAD_REQUEST, "malformed unit name");
        r = srv->ctx.scorer ? scorer_accept_baseline(srv->ctx.scorer, unit, &exposure) : -ENODATA;
        if (r == -ENOENT)
                return queue_error(conn, MHD_HTTP_NOT_FOUND, "no such scored unit");
        if (r < 0)
                return queue_error(conn, MHD_HTTP_NOT_FOUND,
                                   "no hardening scores: they need the bus and systemd-analyze");
        {
                json_auto_t *j = json_pack("{s:s, s:i}", "unit", unit, "baseline_exposure_tenths",
                                           (int)exposure);
                _cleanup_free_ char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

                if (!text)
                        return MHD_NO;
                return queue_copy(conn, MHD_HTTP_OK, "application/json", text, strlen(text));
        }
}

/* A request is over: the next one on this connection is due within request_timeout. */
static void request_done(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
        struct http_instance *inst = cls;

        (void)toe;
        free(*req_cls);
        *req_cls = NULL;
        http_guard_arm(inst->srv->guard, guard_conn(conn), inst->opts.request_timeout);
}

/* For the refusal warnings; called on libmicrohttpd's thread only. */
static bool log_due(time_t *last)
{
        time_t now = time(NULL);

        if (*last && now - *last < REFUSAL_LOG_INTERVAL)
                return false;
        *last = now;
        return true;
}

static void connection_event(void *cls, struct MHD_Connection *conn, void **socket_context,
                             enum MHD_ConnectionNotificationCode code)
{
        struct http_instance *inst = cls;
        const union MHD_ConnectionInfo *fd, *addr;

        if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
                http_guard_close(inst->srv->guard, *socket_context);
                *socket_context = NULL;
                atomic_fetch_sub(&inst->open, 1);
                return;
        }
        /* At the limit libmicrohttpd stops accepting: new clients wait in the listen backlog. */
        if (atomic_fetch_add(&inst->open, 1) + 1 >= inst->opts.connection_limit &&
            log_due(&inst->full_logged))
                log_warning("%s: all %u connections (http.connection_limit) are in use; new "
                            "ones wait until one closes. Logged at most once a minute",
                            inst->srv->listen, inst->opts.connection_limit);
        fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        addr = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        *socket_context =
                fd ? http_guard_open(inst->srv->guard, fd->connect_fd,
                                     addr ? addr->client_addr : NULL, inst->opts.request_timeout)
                   : NULL;
}

/* Called for each new connection, before libmicrohttpd takes it: the per-client limit. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
        struct http_instance *inst = cls;
        char host[INET6_ADDRSTRLEN] = "?";

        (void)addrlen;
        if (http_guard_admit(inst->srv->guard, addr, inst->opts.per_client_limit,
                             inst->opts.per_client_loopback))
                return MHD_YES;
        if (log_due(&inst->refused_logged)) {
                if (addr->sa_family == AF_INET)
                        (void)inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr,
                                        host, sizeof(host));
                else if (addr->sa_family == AF_INET6)
                        (void)inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr,
                                        host, sizeof(host));
                log_warning("%s: refusing a connection from %s, which already has %u open "
                            "(http.per_client_limit); further refusals are logged at most once "
                            "a minute",
                            inst->srv->listen, host, inst->opts.per_client_limit);
        }
        return MHD_NO;
}

static bool method_allowed(unsigned mask, const char *method)
{
        return (streq(method, "GET") && (mask & CFG_METHOD_GET)) ||
               (streq(method, "HEAD") && (mask & CFG_METHOD_HEAD)) ||
               (streq(method, "POST") && (mask & CFG_METHOD_POST));
}

static void allow_header(unsigned mask, char *buf, size_t size)
{
        (void)snprintf(buf, size, "%s%s%s%s%s", mask & CFG_METHOD_GET ? "GET" : "",
                       (mask & CFG_METHOD_GET) && (mask & ~CFG_METHOD_GET) ? ", " : "",
                       mask & CFG_METHOD_HEAD ? "HEAD" : "",
                       (mask & CFG_METHOD_HEAD) && (mask & CFG_METHOD_POST) ? ", " : "",
                       mask & CFG_METHOD_POST ? "POST" : "");
}

/*
 * What every request passes before its handler: the method allow-list and, when a token is
 * set, the token (on everything but the liveness and readiness probes). Runs at the first call
 * of a request, so a refused POST never has its body read. Returns true when the request may
 * go on, false after queuing the refusal into *ret.
 */
static bool admit_request(const struct http_instance *inst, struct MHD_Connection *conn,
                          const char *url, const char *method, enum MHD_Result *ret)
{
        char allow[32];

        if (!method_allowed(inst->opts.methods, method)) {
                allow_header(inst->opts.methods, allow, sizeof(allow));
                *ret = queue_error_with(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                                        MHD_HTTP_HEADER_ALLOW, allow);
                return false;
        }
        if (inst->opts.token && !streq(url, "/healthz") && !streq(url, "/readyz") &&
            !http_bearer_matches(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                             MHD_HTTP_HEADER_AUTHORIZATION),
                                 inst->opts.token)) {
                *ret = queue_error_with(conn, MHD_HTTP_UNAUTHORIZED,
                                        "send Authorization: Bearer with the daemon's token",
                                        MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                        "Bearer realm=\"unitwatch\"");
                return false;
        }
        return true;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
        struct http_instance *inst = cls;
        struct http_server *srv = inst->srv;
        _cleanup_(uw_snapshot_unrefp) struct uw_snapshot *s = NULL;
        const struct web_asset *asset;
        enum MHD_Result refused;

        (void)version;
        if (!*req_cls && !admit_request(inst, conn, url, method, &refused))
                return refused;
        if (streq(method, "POST"))
                return handle_post(inst, conn, url, upload_data, upload_data_size, req_cls);
        http_guard_disarm(srv->guard, guard_conn(conn));
        if (*upload_data_size != 0)
                return queue_error(conn, MHD_HTTP_BAD_REQUEST, "a GET request has no body");

        if (streq(url, "/healthz"))
                return queue_copy(conn, MHD_HTTP_OK, "text/plain; charset=utf-8", "ok\n", 3);

        asset = web_asset_find(url);
        if (asset)
                return serve_asset(conn, asset);

        s = uw_store_get(srv->ctx.store);
        if (streq(url, "/readyz")) {
                /* Ready: the first snapshot is out and, with scores, its first scoring pass. */
                if (!s || (srv->ctx.scorer && !scorer_ready(srv->ctx.scorer)))
                        return queue_copy(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                                          "text/plain; charset=utf-8", "not ready\n", 10);
                return queue_copy(conn, MHD_HTTP_OK, "text/plain; charset=utf-8", "ready\n", 6);
        }
        if (!streq(url, "/metrics") && strncmp(url, "/api/v1/", 8) != 0)
                return queue_error(conn, MHD_HTTP_NOT_FOUND, "no such endpoint");
        if (!s)
                return queue_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                                   "no snapshot yet: the first collection is still running");
        if (streq(url, "/metrics"))
                return serve_metrics(conn, s);
        return serve_api(conn, s, &srv->ctx, url);
}

/*
 * libmicrohttpd's own messages ("Failed to bind to port 0") go to our log, at debug: the
 * daemon says what went wrong in its own words.
 */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
        char msg[512];

        (void)cls;
        (void)vsnprintf(msg, sizeof(msg), fmt, ap);
        msg[strcspn(msg, "\n")] = '\0';
        log_debug("libmicrohttpd: %s", msg);
}

/*
 * libmicrohttpd decodes paths and query values leniently by itself; leaving them as sent
 * lets the API decode them strictly and answer 400 to a bad escape or a NUL.
 */
static size_t unescape_none(void *cls, struct MHD_Connection *conn, char *s)
{
        (void)cls;
        (void)conn;
        return strlen(s);
}

static int parse_sockaddr(const char *listen, struct sockaddr_storage *ss)
{
        char host[64];
        unsigned port;
        int r;

        r = cfg_parse_listen(listen, host, sizeof(host), &port);
        if (r < 0)
                return r;
        memset(ss, 0, sizeof(*ss));
        if (listen[0] == '[') {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

                a->sin6_family = AF_INET6;
                a->sin6_port = htons((uint16_t)port);
                return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? AF_INET6 : -EINVAL;
        }
        struct sockaddr_in *a = (struct sockaddr_in *)ss;

        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? AF_INET : -EINVAL;
}

static void instance_free(struct http_instance *inst)
{
        if (!inst)
                return;
        if (inst->mhd)
                MHD_stop_daemon(inst->mhd);
        http_options_release(&inst->opts);
        free(inst);
}

/* Starts libmicrohttpd with o, on fd when it is >= 0, else on srv->ss. Logs its failures. */
static int instance_start(struct http_server *srv, const struct http_options *o, int fd,
                          struct http_instance **ret)
{
        unsigned flags =
                MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
        struct http_instance *inst;
        struct MHD_OptionItem opt[16];
        size_t n = 0;
        int r;

        inst = calloc(1, sizeof(*inst));
        if (!inst)
                return log_error_errno(-ENOMEM, "%s: out of memory", srv->listen);
        inst->srv = srv;
        r = http_options_copy(o, &inst->opts);
        if (r < 0) {
                free(inst);
                return log_error_errno(r, "%s: out of memory", srv->listen);
        }
        o = &inst->opts;
        if (o->tls_cert_pem && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
                instance_free(inst);
                return log_error_errno(-EOPNOTSUPP,
                                       "%s: TLS is configured but this libmicrohttpd was built "
                                       "without GnuTLS",
                                       srv->listen);
        }
        if (srv->ipv6)
                flags |= MHD_USE_IPv6;
        if (o->tls_cert_pem)
                flags |= MHD_USE_TLS;

        /* The logger first, as libmicrohttpd wants; then where to listen. */
        opt[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, inst};
        opt[n++] = fd >= 0 ? (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, fd, NULL}
                           : (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &srv->ss};
        opt[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, o->connection_limit, NULL};
        opt[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, o->idle_timeout, NULL};
        /* The request line and headers must fit in a connection's memory pool. */
        opt[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                           (intptr_t)o->max_header_bytes, NULL};
        opt[n++] = (struct MHD_OptionItem){MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape_none,
                                           NULL};
        opt[n++] =
                (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_done, inst};
        opt[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)connection_event,
                                           inst};
        if (o->tls_cert_pem) {
                opt[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, o->tls_cert_pem};
                opt[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, o->tls_key_pem};
                opt[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0,
                                                   (void *)"NORMAL:-VERS-TLS1.0:-VERS-TLS1.1"};
        }
        opt[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
        assert(n <= ARRAY_SIZE(opt));

        errno = 0;
        inst->mhd = MHD_start_daemon(flags, 0, accept_policy, inst, handle, inst, MHD_OPTION_ARRAY,
                                     opt, MHD_OPTION_END);
        if (!inst->mhd) {
                int e = errno ? errno : EADDRNOTAVAIL;

                instance_free(inst);
                return log_error_errno(-e, "cannot serve %s: %m%s", srv->listen,
                                       flags & MHD_USE_TLS
                                               ? " (with TLS: check that the key matches the "
                                                 "certificate and both are PEM)"
                                               : "");
        }
        *ret = inst;
        return 0;
}

static int server_start(const char *what, const struct sockaddr_storage *ss, int fd,
                        const struct http_context *ctx, const struct http_options *o,
                        struct http_server **ret)
{
        struct http_options defaults;
        struct http_server *srv;
        int r;

        if (!o) {
                http_options_default(&defaults);
                o = &defaults;
        }
        srv = calloc(1, sizeof(*srv));
        if (!srv)
                return -ENOMEM;
        srv->ctx = *ctx;
        srv->passed_fd = fd;
        srv->ipv6 = ss && ss->ss_family == AF_INET6;
        if (ss)
                srv->ss = *ss;
        srv->listen = strdup(what);
        r = srv->listen ? http_guard_new(SWEEP_MS, &srv->guard) : -ENOMEM;
        if (r >= 0)
                r = instance_start(srv, o, fd, &srv->cur);
        if (r < 0) {
                http_guard_free(srv->guard);
                free(srv->listen);
                free(srv);
                return r;
        }
        log_info("serving the dashboard, /metrics and /api/v1 on %s%s%s",
                 o->tls_cert_pem ? "https://" : "http://", what,
                 o->token ? " (bearer token required)" : "");
        *ret = srv;
        return 0;
}

int http_server_start(const char *listen, const struct http_context *ctx,
                      const struct http_options *o, struct http_server **ret)
{
        struct sockaddr_storage ss;
        int family;

        family = parse_sockaddr(listen, &ss);
        if (family < 0)
                return log_error_errno(family, "invalid listen address '%s'", listen);
        return server_start(listen, &ss, -1, ctx, o, ret);
}

int http_server_start_fd(int fd, const struct http_context *ctx, const struct http_options *o,
                         struct http_server **ret)
{
        char what[64];

        (void)snprintf(what, sizeof(what), "the socket systemd passed (fd %d)", fd);
        return server_start(what, NULL, fd, ctx, o, ret);
}

/* Lets the old instance's requests finish, for a short while, then stops it. */
static void instance_retire(struct http_instance *old)
{
        for (unsigned waited = 0; waited < RELOAD_DRAIN_MS; waited += 50) {
                const union MHD_DaemonInfo *i =
                        MHD_get_daemon_info(old->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

                if (!i || i->num_connections == 0)
                        break;
                (void)usleep(50 * 1000);
        }
        instance_free(old);
}

int http_server_reload(struct http_server *srv, const struct http_options *o)
{
        struct http_instance *old = srv->cur, *next = NULL;
        MHD_socket fd;
        int spare, r;

        if (!old)
                return log_error_errno(-EBADF,
                                       "%s: not serving since a failed reload; restart "
                                       "the daemon to serve it again",
                                       srv->listen);
        /* The listening socket moves to a new instance: no connection is refused meanwhile. */
        fd = MHD_quiesce_daemon(old->mhd);
        if (fd == MHD_INVALID_SOCKET)
                return log_error_errno(-EINVAL,
                                       "%s: cannot hand the listening socket over to apply the "
                                       "new http settings; keeping the old ones",
                                       srv->listen);
        /* libmicrohttpd closes a socket it was given when it fails to start: keep a dup. */
        spare = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        r = instance_start(srv, o, fd, &next);
        if (r < 0 && spare >= 0) {
                log_error("%s: the new http settings cannot be applied, serving with the old "
                          "ones",
                          srv->listen);
                r = instance_start(srv, &old->opts, TAKE_FD(spare), &next);
                if (r >= 0)
                        r = -EINVAL;
        }
        if (!next) {
                /* TODO: retry later; until then this address serves nothing. */
                log_error("%s: cannot serve with the old settings either; this address stays "
                          "closed until a restart",
                          srv->listen);
                srv->cur = NULL;
                instance_retire(old);
                return r;
        }
        spare = safe_close(spare);
        srv->cur = next;
        instance_retire(old);
        if (r >= 0)
                log_info("%s: http settings applied (%s, %s)", srv->listen,
                         o->tls_cert_pem ? "TLS" : "plain HTTP",
                         o->token ? "bearer token required" : "no token");
        return r;
}

void http_server_stop(struct http_server *s)
{
        if (!s)
                return;
        instance_free(s->cur);
        http_guard_free(s->guard);
        free(s->listen);
        free(s);
}
