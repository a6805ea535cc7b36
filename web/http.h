/* SPDX-License-Identifier: MIT */
/*
 * The embedded HTTP server (libmicrohttpd, its own thread). Serves the current snapshot of a
 * uw_store: the dashboard at / (web/assets.h), /metrics (Prometheus text), /api/v1/...,
 * /healthz and /readyz. Handlers only take a snapshot reference and send pre-rendered bytes.
 */
#pragma once

#include "../daemon/history.h"
#include "../daemon/store.h"
#include "../hardening/scorer.h"
#include "http_opts.h"

struct http_server;

/* What the handlers serve from; history and scorer may be NULL. Must outlive the server. */
struct http_context {
        struct uw_store *store;
        struct uw_history *history;
        struct scorer *scorer;
};

/*
 * listen: "ADDRESS:PORT" or "[IPV6]:PORT". o: token, TLS and limits (copied; NULL: the
 * defaults, no token, no TLS). Logs and returns -errno when it cannot bind.
 */
int http_server_start(const char *listen, const struct http_context *ctx,
                      const struct http_options *o, struct http_server **ret);
/* Serves on a listening socket handed over by systemd (socket activation). */
int http_server_start_fd(int fd, const struct http_context *ctx, const struct http_options *o,
                         struct http_server **ret);

/*
 * Applies new options (a new token, certificate, limits) on the same listening socket: a new
 * libmicrohttpd instance takes the socket over, the old one gets a second to finish its
 * requests. When o cannot be applied (a key that does not match its certificate) the server
 * goes on with the old options and -EINVAL is returned; both logged. Main thread only.
 */
int http_server_reload(struct http_server *s, const struct http_options *o);

void http_server_stop(struct http_server *s);
