/* SPDX-License-Identifier: MIT */
/*
 * Alerts as JSON for /api/v1/alerts: {"labels": {"alertname", "unit", "severity"}, "state",
 * "value", "active_at", "fired_at", "resolved_at", "annotations": {"summary",
 * "description"}}. Times are RFC 3339 in UTC, or null when not (yet) reached. Pure; safe
 * from any thread.
 */
#pragma once

#include <jansson.h>

#include "../daemon/alerts.h"

/* A new reference, or NULL on allocation failure. */
json_t *render_json_alert(const struct uw_alert *a);

/* A JSON string of s, invalid UTF-8 escaped; NULL on allocation failure. */
json_t *render_json_text(const char *s);

/* Seconds since the epoch as RFC 3339 with milliseconds; null for t <= 0. */
json_t *render_json_time(double t);
