/* SPDX-License-Identifier: MIT */
/*
 * What keeps one client from taking the HTTP server: open connections counted per client
 * address, and a deadline for each request. libmicrohttpd itself bounds the total of
 * connections, the size of a request's head and the idle time; but a client that trickles a
 * byte before every idle timeout would keep a connection forever. So every connection gets a
 * deadline when it opens and again after each response; the request (head and body) must be in
 * by then, or a sweeper thread shuts the socket down (libmicrohttpd then closes it as it would
 * any connection the peer dropped).
 *
 * Ownership: the guard owns its records; a record lives from http_guard_open() to
 * http_guard_close(). Thread-safety: every function may be called from any thread (one mutex).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct http_guard;
struct http_conn;

/* Starts the sweeper thread, which looks at the deadlines every sweep_ms milliseconds. */
int http_guard_new(unsigned sweep_ms, struct http_guard **ret);
/* Stops the sweeper; records still open are freed. NULL is fine. */
void http_guard_free(struct http_guard *g);

/* 127.0.0.0/8, ::1 and IPv4-mapped 127.x.y.z. */
bool http_addr_is_loopback(const struct sockaddr *sa);

/*
 * Whether one more connection from sa fits under limit (0: no limit). Loopback clients are
 * always admitted unless loopback_too.
 */
bool http_guard_admit(struct http_guard *g, const struct sockaddr *sa, unsigned limit,
                      bool loopback_too);

/* The connections open from sa's address now. */
unsigned http_guard_count(struct http_guard *g, const struct sockaddr *sa);

/*
 * Registers an accepted connection on fd from sa, counted for its address, with a first
 * request due within timeout_s seconds. NULL when out of memory (the connection then goes
 * without a deadline and uncounted).
 */
struct http_conn *http_guard_open(struct http_guard *g, int fd, const struct sockaddr *sa,
                                  unsigned timeout_s);
void http_guard_close(struct http_guard *g, struct http_conn *c);

/* The next request is due within timeout_s seconds (after a response). NULL c is fine. */
void http_guard_arm(struct http_guard *g, struct http_conn *c, unsigned timeout_s);
/* The request is in: no deadline until the next arm. NULL c is fine. */
void http_guard_disarm(struct http_guard *g, struct http_conn *c);

/*
 * Shuts down (shutdown(2), not close) every connection whose deadline is before now_usec
 * (CLOCK_MONOTONIC); returns how many. The sweeper calls it; tests may too.
 */
unsigned http_guard_sweep(struct http_guard *g, uint64_t now_usec);

/* Connections shut down by sweeps since the guard was made. */
uint64_t http_guard_expired(struct http_guard *g);
