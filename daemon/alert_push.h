/* SPDX-License-Identifier: MIT */
/*
 * Delivery of alerts to Alertmanager's v2 API (POST /api/v2/alerts) from a thread of its
 * own, with libcurl, so that a slow or unreachable Alertmanager never holds up collection.
 * The collection thread hands over the current alert list (alert_push_submit()); the thread
 * sends every firing and recently resolved alert at once when something changed, again every
 * resend interval while any are listed, and sooner (10 s) after a failed attempt. Each
 * request carries the whole set, so what was missed while Alertmanager was away arrives with
 * the next request that gets through. Firing alerts carry an end time of four resend
 * intervals ahead, so Alertmanager resolves them by itself if this daemon goes away.
 * All functions are thread-safe.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts.h"

struct alert_push;

/* Copies what it needs of cfg. Starts no thread while there are no URLs. */
int alert_push_new(const struct alert_config *cfg, struct alert_push **ret);

/* Stops the thread (waiting at most one request timeout) and frees everything. */
void alert_push_free(struct alert_push *p);

/* New URLs, host label, intervals (SIGHUP). Counters of URLs that stay are kept. */
int alert_push_set_config(struct alert_push *p, const struct alert_config *cfg);

/* Hands over the current list (copied); changed: a firing or resolved transition happened. */
void alert_push_submit(struct alert_push *p, const struct uw_alert *alerts, size_t n, bool changed);

struct alert_push_stat {
        char url[1024];
        uint64_t sent;   /* requests Alertmanager accepted */
        uint64_t failed; /* requests that failed: no connection, timeout, a non-2xx status */
        bool up;         /* the last request succeeded */
};

/* A copy of the per-URL counters; the caller frees *ret. */
int alert_push_stats(struct alert_push *p, struct alert_push_stat **ret, size_t *ret_n);

/*
 * The request body for alerts at time now (seconds since the epoch): a JSON array of
 * {labels: {alertname, unit, severity, host}, annotations: {summary, description},
 * startsAt, endsAt}; pending alerts are left out. *ret is NULL when there is nothing to send.
 */
int alert_push_payload(const struct uw_alert *alerts, size_t n, const char *host, double now,
                       double resend_interval, char **ret);
