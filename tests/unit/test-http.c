/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server against a store that a writer thread keeps republishing: every response
 * is whole and well-formed while snapshots are swapped underneath. Also run under
 * ThreadSanitizer (make check-tsan).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collectors/cg_discover.h"
#include "daemon/collector.h"
#include "daemon/store.h"
#include "web/http.h"
#include "web/render.h"

#define PORT_BASE 19950

static struct uw_store store;
static struct uw_collector *collector;
static atomic_bool stop;

static struct uw_snapshot *collect_rendered(void)
{
        struct render_opts o = {};
        struct uw_snapshot *s;

        cr_assert_eq(uw_collector_collect(collector, NULL, &s), 0);
        cr_assert_eq(render_prom(s, &o, &s->metrics, &s->metrics_len), 0);
        return s;
}

static void *writer(void *arg)
{
        (void)arg;
        while (!atomic_load(&stop))
                uw_store_publish(&store, collect_rendered());
        return NULL;
}

static char *request(unsigned port, const char *req);

/* One HTTP/1.0 request; returns the whole response (status line, headers, body). */
static char *get(unsigned port, const char *path)
{
        char req[256];

        (void)snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
        return request(port, req);
}

static char *request(unsigned port, const char *req)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        char chunk[65536];
        ssize_t n;
        int fd;

        cr_assert_not_null(out);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(fd, 0);
        cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
        while ((n = read(fd, chunk, sizeof(chunk))) > 0)
                (void)fwrite(chunk, 1, (size_t)n, out);
        (void)close(fd);
        cr_assert_eq(fclose(out), 0);
        return buf;
}

static void start(unsigned port, struct http_server **srv)
{
        struct uw_collector_config cc = {.cgroup_root = "tests/fixtures/host-a",
                                         .sysfs_root = "tests/fixtures/host-a-sysfs",
                                         .types = UNIT_SERVICE};
        char listen[64];

        uw_store_init(&store);
        cr_assert_eq(uw_collector_new(&cc, &collector), 0);
        (void)snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
        cr_assert_eq(http_server_start(listen, &(struct http_context){.store = &store}, NULL, srv),
                     0);
}

static void finish(struct http_server *srv)
{
        http_server_stop(srv);
        uw_collector_free(collector);
        uw_store_release(&store);
}

Test(http, not_ready_then_ready)
{
        struct http_server *srv;
        char *r;

        start(PORT_BASE, &srv);
        r = get(PORT_BASE, "/readyz");
        cr_assert(strncmp(r, "HTTP/1.0 503", 12) == 0 || strncmp(r, "HTTP/1.1 503", 12) == 0, "%s",
                  r);
        free(r);
        r = get(PORT_BASE, "/metrics");
        cr_assert_not_null(strstr(r, " 503 "), "%s", r);
        free(r);
        uw_store_publish(&store, collect_rendered());
        r = get(PORT_BASE, "/readyz");
        cr_assert_not_null(strstr(r, " 200 "), "%s", r);
        free(r);
        r = get(PORT_BASE, "/nope");
        cr_assert_not_null(strstr(r, " 404 "), "%s", r);
        cr_assert_not_null(strstr(r, "{\"error\""), "%s", r);
        free(r);
        finish(srv);
}

Test(http, responses_stay_whole_while_snapshots_swap)
{
        struct http_server *srv;
        pthread_t w;

        start(PORT_BASE + 1, &srv);
        uw_store_publish(&store, collect_rendered());
        atomic_store(&stop, false);
        cr_assert_eq(pthread_create(&w, NULL, writer, NULL), 0);
        for (int i = 0; i < 40; i++) {
                char *r = get(PORT_BASE + 1, i % 2 ? "/metrics" : "/api/v1/units/nginx.service");
                char *body = strstr(r, "\r\n\r\n");

                cr_assert_not_null(strstr(r, " 200 "), "%s", r);
                cr_assert_not_null(body);
                if (i % 2)
                        cr_assert_not_null(strstr(body, "unitwatch_pressure_stalled_seconds_total{"
                                                        "unit=\"user@1000.service\",resource="
                                                        "\"io\",kind=\"full\"}"));
                else
                        cr_assert_eq(body[strlen(body) - 1], '}');
                free(r);
        }
        atomic_store(&stop, true);
        cr_assert_eq(pthread_join(w, NULL), 0);
        finish(srv);
}

Test(http, baseline_post_needs_json_and_scores)
{
        struct http_server *srv;
        char *r;

        start(PORT_BASE + 2, &srv);
        uw_store_publish(&store, collect_rendered());
        /* A form post (what another site's page could send) is refused. */
        r = request(PORT_BASE + 2, "POST /api/v1/units/nginx.service/baseline HTTP/1.0\r\n"
                                   "Content-Type: application/x-www-form-urlencoded\r\n"
                                   "Content-Length: 3\r\n\r\na=b");
        cr_assert_not_null(strstr(r, " 415 "), "%s", r);
        free(r);
        /* JSON, but this server has no scores: 404 that says why. */
        r = request(PORT_BASE + 2, "POST /api/v1/units/nginx.service/baseline HTTP/1.0\r\n"
                                   "Content-Type: application/json\r\nContent-Length: 2\r\n"
                                   "\r\n{}");
        cr_assert_not_null(strstr(r, " 404 "), "%s", r);
        cr_assert_not_null(strstr(r, "no hardening scores"), "%s", r);
        free(r);
        /* POST elsewhere, and other methods: 405. */
        r = request(PORT_BASE + 2, "POST /metrics HTTP/1.0\r\nContent-Type: application/json"
                                   "\r\nContent-Length: 0\r\n\r\n");
        cr_assert_not_null(strstr(r, " 405 "), "%s", r);
        free(r);
        r = request(PORT_BASE + 2, "DELETE /metrics HTTP/1.0\r\n\r\n");
        cr_assert_not_null(strstr(r, " 405 "), "%s", r);
        free(r);
        finish(srv);
}

/* The dashboard is served before the first snapshot exists, with its policy. */
Test(http, dashboard_before_the_first_snapshot)
{
        struct http_server *srv;
        char *r;

        start(PORT_BASE + 3, &srv);
        r = get(PORT_BASE + 3, "/");
        cr_assert_not_null(strstr(r, " 200 "), "%s", r);
        cr_assert_not_null(strstr(r, "Content-Type: text/html; charset=utf-8"), "%s", r);
        cr_assert_not_null(
                strstr(r, "Content-Security-Policy: default-src 'none'; script-src 'self'"), "%s",
                r);
        cr_assert_not_null(strstr(r, "<!doctype html>"), "%s", r);
        free(r);
        r = get(PORT_BASE + 3, "/app.js");
        cr_assert_not_null(strstr(r, "Content-Type: text/javascript"), "%s", r);
        free(r);
        r = get(PORT_BASE + 3, "/app.js.map");
        cr_assert_not_null(strstr(r, " 404 "), "%s", r);
        free(r);
        finish(srv);
}
