/* SPDX-License-Identifier: MIT */
/*
 * Built with ThreadSanitizer (make check-tsan): the HTTP server's threads serve /metrics and
 * the JSON API while this process keeps publishing new snapshots into the store and reloads
 * the server's settings (as SIGHUP does) a few times, then the server stops with requests in
 * flight. A plain program, since Criterion's shared arena does
 * not start under TSan. Exits 0 when every response was whole.
 */
#include <arpa/inet.h>
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

#define PORT     19960
#define CLIENTS  4
#define REQUESTS 50

static struct uw_store store;
static atomic_int failures;

static int get_ok(const char *path)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT)};
        char req[128], buf[65536];
        size_t total = 0;
        bool ok200 = false;
        ssize_t n;
        int fd;

        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
                if (fd >= 0)
                        (void)close(fd);
                return -1;
        }
        (void)snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", path);
        if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
                (void)close(fd);
                return -1;
        }
        while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
                if (total == 0) {
                        buf[n] = '\0';
                        ok200 = strstr(buf, " 200 ") != NULL;
                }
                total += (size_t)n;
        }
        (void)close(fd);
        return ok200 && total > 1000 ? 0 : -1;
}

static void *client(void *arg)
{
        (void)arg;
        for (int i = 0; i < REQUESTS; i++)
                if (get_ok(i % 2 ? "/metrics" : "/api/v1/units") < 0)
                        atomic_fetch_add(&failures, 1);
        return NULL;
}

int main(void)
{
        struct uw_collector_config cc = {.cgroup_root = "tests/fixtures/host-a",
                                         .sysfs_root = "tests/fixtures/host-a-sysfs",
                                         .types = UNIT_SERVICE};
        struct render_opts o = {};
        struct uw_collector *c;
        struct http_server *srv;
        pthread_t threads[CLIENTS];
        char listen[32];

        uw_store_init(&store);
        if (uw_collector_new(&cc, &c) < 0)
                return 1;
        (void)snprintf(listen, sizeof(listen), "127.0.0.1:%d", PORT);
        if (http_server_start(listen, &(struct http_context){.store = &store}, NULL, &srv) < 0)
                return 1;
        for (int i = 0; i < 60; i++) {
                struct uw_snapshot *s;

                if (uw_collector_collect(c, NULL, &s) < 0 ||
                    render_prom(s, &o, &s->metrics, &s->metrics_len) < 0)
                        return 1;
                uw_store_publish(&store, s);
                /* A SIGHUP's reload now and then: a new instance takes the socket over. */
                if (i % 15 == 7) {
                        struct http_options ho;

                        http_options_default(&ho);
                        ho.request_timeout = 5 + (unsigned)i;
                        if (http_server_reload(srv, &ho) < 0)
                                return 1;
                }
                /* Clients start once there is something to serve (503 before). */
                if (i == 0)
                        for (int k = 0; k < CLIENTS; k++)
                                (void)pthread_create(&threads[k], NULL, client, NULL);
                (void)usleep(2000);
        }
        for (int i = 0; i < CLIENTS; i++)
                (void)pthread_join(threads[i], NULL);
        http_server_stop(srv);
        uw_collector_free(c);
        uw_store_release(&store);
        printf("%d requests, %d failed\n", CLIENTS * REQUESTS, atomic_load(&failures));
        printf("%d passed, %d failed\n", CLIENTS * REQUESTS - atomic_load(&failures),
               atomic_load(&failures));
        return atomic_load(&failures) ? 1 : 0;
}
