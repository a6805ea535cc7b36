/* SPDX-License-Identifier: MIT */
#include "render_alerts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../daemon/util.h"
#include "escape.h"

json_t *render_json_text(const char *s)
{
        _cleanup_free_ char *safe = NULL;

        if (utf8_is_valid(s, strlen(s)))
                return json_string(s);
        safe = utf8_escape_invalid(s);
        return safe ? json_string(safe) : NULL;
}

json_t *render_json_time(double t)
{
        time_t secs = (time_t)floor(t);
        char buf[64], out[80];
        struct tm tm;

        if (t <= 0 || !gmtime_r(&secs, &tm))
                return json_null();
        (void)strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        (void)snprintf(out, sizeof(out), "%s.%03dZ", buf,
                       (int)fmin(999, floor((t - (double)secs) * 1000)));
        return json_string(out);
}

json_t *render_json_alert(const struct uw_alert *a)
{
        return json_pack(
                "{s:{s:s, s:o*, s:s}, s:s, s:f, s:o, s:o, s:o, s:{s:o*, s:o*}}", "labels",
                "alertname", alert_rule_to_string(a->rule), "unit", render_json_text(a->unit),
                "severity", alert_severity_to_string(a->severity), "state",
                alert_state_to_string(a->state), "value", isfinite(a->value) ? a->value : 0.0,
                "active_at", render_json_time(a->active_at), "fired_at",
                render_json_time(a->fired_at), "resolved_at", render_json_time(a->resolved_at),
                "annotations", "summary", render_json_text(a->summary), "description",
                render_json_text(a->description));
}
