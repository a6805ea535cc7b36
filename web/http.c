/* SPDX-License-Identifier: MIT */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/config.h"
#include "../daemon/log.h"
#include "../daemon/util.h"
#include "api.h"
#include "assets.h"
#include "render.h"
#include "url.h"

#define CONNECTION_LIMIT   1024
#define CONNECTION_TIMEOUT 30 /* seconds a connection may stay idle */

struct http_server {
        struct MHD_Daemon *mhd;
        struct http_context ctx;
        char *listen;
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

/* Errors are JSON too: {"error": "...", "status": N}. */
static enum MHD_Result queue_error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
        json_auto_t *j = json_pack("{s:s, s:i}", "error", msg, "status", (int)status);
        _cleanup_free_ char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

        if (!text)
                return MHD_NO;
        return queue_copy(conn, status, "application/json", text, strlen(text));
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

/* A POST body is read and dropped, up to this size: the action is in the path. */
#define POST_BODY_MAX 4096

struct post_state {
        size_t body_len;
};

/*
 * POST /api/v1/units/{unit}/baseline: accepts the unit's current hardening as its baseline.
 * A JSON content type is required, so no HTML form of another site can send it.
 * TODO: require the bearer token once the daemon has one (see the security issue).
 */
static enum MHD_Result handle_post(struct http_server *srv, struct MHD_Connection *conn,
                                   const char *url, const char *upload_data,
                                   size_t *upload_data_size, void **req_cls)
{
        static const char prefix[] = "/api/v1/units/", suffix[] = "/baseline";
        struct post_state *st = *req_cls;
        const char *type;
        _cleanup_free_ char *raw = NULL, *unit = NULL;
        size_t len = strlen(url);
        unsigned exposure;
        int r;

        (void)upload_data;
        if (!st) {
                st = calloc(1, sizeof(*st));
                if (!st)
                        return MHD_NO;
                *req_cls = st;
                return MHD_YES;
        }
        if (*upload_data_size) {
                st->body_len += *upload_data_size;
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (st->body_len > POST_BODY_MAX)
                return queue_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
        if (len <= strlen(prefix) + strlen(suffix) || strncmp(url, prefix, strlen(prefix)) != 0 ||
            strcmp(url + len - strlen(suffix), suffix) != 0)
                return queue_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
        type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (!type || strncmp(type, "application/json", 16) != 0)
                return queue_error(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                   "send Content-Type: application/json");
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

static void request_done(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
        (void)cls;
        (void)conn;
        (void)toe;
        free(*req_cls);
        *req_cls = NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
        struct http_server *srv = cls;
        _cleanup_(uw_snapshot_unrefp) struct uw_snapshot *s = NULL;
        const struct web_asset *asset;

        (void)version;
        if (streq(method, "POST"))
                return handle_post(srv, conn, url, upload_data, upload_data_size, req_cls);
        if (!streq(method, "GET") && !streq(method, "HEAD"))
                return queue_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
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

/* libmicrohttpd's own messages ("Failed to bind to port 0") go to our log, at debug: the
 * daemon says what went wrong in its own words. */
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

static int server_start(const char *what, const struct sockaddr_storage *ss, int fd,
                        const struct http_context *ctx, struct http_server **ret)
{
        struct http_server *srv;
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

        if (ss && ss->ss_family == AF_INET6)
                flags |= MHD_USE_IPv6;
        srv = calloc(1, sizeof(*srv));
        if (!srv)
                return -ENOMEM;
        srv->ctx = *ctx;
        srv->listen = strdup(what);
        /* The logger first, as libmicrohttpd wants; then where to listen. */
        struct MHD_OptionItem options[] = {
                {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
                fd >= 0 ? (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, fd, NULL}
                        : (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)ss},
                {MHD_OPTION_CONNECTION_LIMIT, CONNECTION_LIMIT, NULL},
                {MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT, NULL},
                {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape_none, NULL},
                {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_done, NULL},
                {MHD_OPTION_END, 0, NULL},
        };

        srv->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handle, srv, MHD_OPTION_ARRAY, options,
                                    MHD_OPTION_END);
        if (!srv->mhd) {
                int e = errno ? errno : EADDRNOTAVAIL;

                free(srv->listen);
                free(srv);
                return log_error_errno(-e, "cannot listen on %s: %m", what);
        }
        log_info("serving the dashboard, /metrics and /api/v1 on %s", what);
        *ret = srv;
        return 0;
}

int http_server_start(const char *listen, const struct http_context *ctx, struct http_server **ret)
{
        struct sockaddr_storage ss;
        char what[128];
        int family;

        family = parse_sockaddr(listen, &ss);
        if (family < 0)
                return log_error_errno(family, "invalid listen address '%s'", listen);
        (void)snprintf(what, sizeof(what), "http://%s", listen);
        return server_start(what, &ss, -1, ctx, ret);
}

int http_server_start_fd(int fd, const struct http_context *ctx, struct http_server **ret)
{
        char what[64];

        (void)snprintf(what, sizeof(what), "the socket systemd passed (fd %d)", fd);
        return server_start(what, NULL, fd, ctx, ret);
}

void http_server_stop(struct http_server *s)
{
        if (!s)
                return;
        MHD_stop_daemon(s->mhd);
        free(s->listen);
        free(s);
}
