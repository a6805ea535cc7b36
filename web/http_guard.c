/* SPDX-License-Identifier: MIT */
#include "http_guard.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../daemon/log.h"
#include "../daemon/util.h"

/* A client is its address: 4 or 16 bytes, the port left out. */
struct client_key {
        int family;
        unsigned char addr[16];
};

struct client_count {
        struct client_key key;
        unsigned n;
};

struct http_conn {
        struct http_conn *prev, *next;
        int fd;
        bool counted;
        bool shut;
        uint64_t deadline_usec; /* 0: none */
        struct client_key key;
};

struct http_guard {
        pthread_mutex_t lock;
        pthread_cond_t wake;
        pthread_t sweeper;
        bool stop;
        unsigned sweep_ms;
        struct http_conn *conns;
        /*
         * Open connections per client. A plain array searched from the start: there are at
         * most as many clients as connections (connection_limit), and the search runs once per
         * accepted connection, not per request.
         */
        struct client_count *clients;
        size_t n_clients, cap_clients;
        uint64_t expired;
};

static uint64_t now_usec(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static bool key_of(const struct sockaddr *sa, struct client_key *ret)
{
        memset(ret, 0, sizeof(*ret));
        if (!sa)
                return false;
        ret->family = sa->sa_family;
        if (sa->sa_family == AF_INET) {
                memcpy(ret->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
                return true;
        }
        if (sa->sa_family == AF_INET6) {
                memcpy(ret->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
                return true;
        }
        return false;
}

bool http_addr_is_loopback(const struct sockaddr *sa)
{
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        static const unsigned char zeros[15] = {0};
        struct client_key k;

        if (!key_of(sa, &k))
                return false;
        if (k.family == AF_INET)
                return k.addr[0] == 127;
        return (memcmp(k.addr, zeros, 15) == 0 && k.addr[15] == 1) ||
               (memcmp(k.addr, mapped, 12) == 0 && k.addr[12] == 127);
}

static struct client_count *find_client(struct http_guard *g, const struct client_key *k)
{
        for (size_t i = 0; i < g->n_clients; i++)
                if (memcmp(&g->clients[i].key, k, sizeof(*k)) == 0)
                        return &g->clients[i];
        return NULL;
}

static void *sweeper_main(void *arg)
{
        struct http_guard *g = arg;

        (void)pthread_mutex_lock(&g->lock);
        while (!g->stop) {
                struct timespec until;

                (void)clock_gettime(CLOCK_MONOTONIC, &until);
                until.tv_nsec += (long)(g->sweep_ms % 1000) * 1000000L;
                until.tv_sec += g->sweep_ms / 1000 + until.tv_nsec / 1000000000L;
                until.tv_nsec %= 1000000000L;
                (void)pthread_cond_timedwait(&g->wake, &g->lock, &until);
                if (g->stop)
                        break;
                (void)pthread_mutex_unlock(&g->lock);
                (void)http_guard_sweep(g, now_usec());
                (void)pthread_mutex_lock(&g->lock);
        }
        (void)pthread_mutex_unlock(&g->lock);
        return NULL;
}

int http_guard_new(unsigned sweep_ms, struct http_guard **ret)
{
        struct http_guard *g = calloc(1, sizeof(*g));
        pthread_condattr_t attr;
        int r;

        if (!g)
                return -ENOMEM;
        g->sweep_ms = sweep_ms ? sweep_ms : 1000;
        (void)pthread_mutex_init(&g->lock, NULL);
        (void)pthread_condattr_init(&attr);
        (void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        (void)pthread_cond_init(&g->wake, &attr);
        (void)pthread_condattr_destroy(&attr);
        r = -pthread_create(&g->sweeper, NULL, sweeper_main, g);
        if (r < 0) {
                (void)pthread_cond_destroy(&g->wake);
                (void)pthread_mutex_destroy(&g->lock);
                free(g);
                return r;
        }
        *ret = g;
        return 0;
}

void http_guard_free(struct http_guard *g)
{
        if (!g)
                return;
        (void)pthread_mutex_lock(&g->lock);
        g->stop = true;
        (void)pthread_cond_signal(&g->wake);
        (void)pthread_mutex_unlock(&g->lock);
        (void)pthread_join(g->sweeper, NULL);
        while (g->conns) {
                struct http_conn *c = g->conns;

                g->conns = c->next;
                free(c);
        }
        free(g->clients);
        (void)pthread_cond_destroy(&g->wake);
        (void)pthread_mutex_destroy(&g->lock);
        free(g);
}

bool http_guard_admit(struct http_guard *g, const struct sockaddr *sa, unsigned limit,
                      bool loopback_too)
{
        struct client_key k;
        const struct client_count *cc;
        bool ok;

        if (limit == 0 || !key_of(sa, &k) || (!loopback_too && http_addr_is_loopback(sa)))
                return true;
        (void)pthread_mutex_lock(&g->lock);
        cc = find_client(g, &k);
        ok = !cc || cc->n < limit;
        (void)pthread_mutex_unlock(&g->lock);
        return ok;
}

unsigned http_guard_count(struct http_guard *g, const struct sockaddr *sa)
{
        struct client_key k;
        const struct client_count *cc;
        unsigned n;

        if (!key_of(sa, &k))
                return 0;
        (void)pthread_mutex_lock(&g->lock);
        cc = find_client(g, &k);
        n = cc ? cc->n : 0;
        (void)pthread_mutex_unlock(&g->lock);
        return n;
}

struct http_conn *http_guard_open(struct http_guard *g, int fd, const struct sockaddr *sa,
                                  unsigned timeout_s)
{
        struct http_conn *c = calloc(1, sizeof(*c));
        struct client_count *cc;

        if (!c)
                return NULL;
        c->fd = fd;
        c->deadline_usec = now_usec() + (uint64_t)timeout_s * 1000000u;
        (void)pthread_mutex_lock(&g->lock);
        if (key_of(sa, &c->key)) {
                cc = find_client(g, &c->key);
                if (!cc && g->n_clients == g->cap_clients) {
                        size_t cap = g->cap_clients ? 2 * g->cap_clients : 16;
                        struct client_count *n = realloc(g->clients, cap * sizeof(*n));

                        if (n) {
                                g->clients = n;
                                g->cap_clients = cap;
                        }
                }
                if (!cc && g->n_clients < g->cap_clients) {
                        cc = &g->clients[g->n_clients++];
                        *cc = (struct client_count){.key = c->key};
                }
                if (cc) {
                        cc->n++;
                        c->counted = true;
                }
        }
        c->next = g->conns;
        if (g->conns)
                g->conns->prev = c;
        g->conns = c;
        (void)pthread_mutex_unlock(&g->lock);
        return c;
}

void http_guard_close(struct http_guard *g, struct http_conn *c)
{
        struct client_count *cc;

        if (!c)
                return;
        (void)pthread_mutex_lock(&g->lock);
        if (c->counted) {
                cc = find_client(g, &c->key);
                if (cc && --cc->n == 0)
                        *cc = g->clients[--g->n_clients];
        }
        if (c->prev)
                c->prev->next = c->next;
        else
                g->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        (void)pthread_mutex_unlock(&g->lock);
        free(c);
}

void http_guard_arm(struct http_guard *g, struct http_conn *c, unsigned timeout_s)
{
        uint64_t deadline = now_usec() + (uint64_t)timeout_s * 1000000u;

        if (!c)
                return;
        (void)pthread_mutex_lock(&g->lock);
        c->deadline_usec = deadline;
        (void)pthread_mutex_unlock(&g->lock);
}

void http_guard_disarm(struct http_guard *g, struct http_conn *c)
{
        if (!c)
                return;
        (void)pthread_mutex_lock(&g->lock);
        c->deadline_usec = 0;
        (void)pthread_mutex_unlock(&g->lock);
}

unsigned http_guard_sweep(struct http_guard *g, uint64_t now)
{
        unsigned n = 0;

        /*
         * Under the lock, a record's fd is still open: libmicrohttpd reports a connection
         * closed (http_guard_close) before it closes the socket, so a shutdown here never hits
         * an fd number reused by a newer connection.
         */
        (void)pthread_mutex_lock(&g->lock);
        for (struct http_conn *c = g->conns; c; c = c->next) {
                if (c->shut || c->deadline_usec == 0 || c->deadline_usec > now)
                        continue;
                (void)shutdown(c->fd, SHUT_RDWR);
                c->shut = true;
                n++;
        }
        g->expired += n;
        (void)pthread_mutex_unlock(&g->lock);
        if (n)
                log_debug("http: shut down %u connection(s) that did not send a whole request "
                          "in time",
                          n);
        return n;
}

uint64_t http_guard_expired(struct http_guard *g)
{
        uint64_t n;

        (void)pthread_mutex_lock(&g->lock);
        n = g->expired;
        (void)pthread_mutex_unlock(&g->lock);
        return n;
}
