/* SPDX-License-Identifier: MIT */
/* The JSON API on the host-a fixture: routing, filters, strict decoding, error statuses. */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/cg_discover.h"
#include "daemon/collector.h"
#include "hardening/scorer.h"
#include "web/api.h"
#include "web/render.h"
#include "web/url.h"

static struct uw_snapshot *snap;

static void setup(void)
{
        struct uw_collector_config cc = {.cgroup_root = "tests/fixtures/host-a",
                                         .sysfs_root = "tests/fixtures/host-a-sysfs",
                                         .types = UNIT_SERVICE};
        struct uw_collector *c;

        cr_assert_eq(uw_collector_new(&cc, &c), 0);
        cr_assert_eq(uw_collector_collect(c, NULL, &snap), 0);
        uw_collector_free(c);
}

static void teardown(void)
{
        uw_snapshot_unref(snap);
}

TestSuite(api, .init = setup, .fini = teardown);

static json_t *call(const char *path, const char *query, unsigned want_status)
{
        struct api_response r;
        json_t *j;

        cr_assert_eq(api_handle(snap, NULL, NULL, path, query, &r), 0);
        cr_assert_eq(r.status, want_status, "%s?%s gave %u: %s", path, query, r.status, r.body);
        j = json_loads(r.body, 0, NULL);
        cr_assert_not_null(j, "not JSON: %s", r.body);
        free(r.body);
        return j;
}

Test(api, list_and_filters)
{
        json_t *j = call("/api/v1/units", "", 200);

        cr_assert_eq(json_array_size(json_object_get(j, "units")), 12);
        json_decref(j);

        j = call("/api/v1/units", "name=post*", 200);
        cr_assert_eq(json_array_size(json_object_get(j, "units")), 1);
        cr_assert_eq(json_integer_value(json_object_get(
                             json_array_get(json_object_get(j, "units"), 0), "memory_limit")),
                     2147483648);
        json_decref(j);

        /* A percent-encoded glob: "foo\x2d*" */
        j = call("/api/v1/units", "name=foo%5Cx2d%2A", 200);
        cr_assert_eq(json_array_size(json_object_get(j, "units")), 1);
        json_decref(j);

        /* stopped.service has an empty cgroup: 11 of 12 are running. */
        j = call("/api/v1/units", "state=running", 200);
        cr_assert_eq(json_array_size(json_object_get(j, "units")), 11);
        json_decref(j);
}

/* The list's summary: what the dashboard's overview shows of each unit, from the fixture. */
Test(api, summary_fields)
{
        json_t *j = call("/api/v1/units", "name=nginx.service", 200);
        json_t *u = json_array_get(json_object_get(j, "units"), 0);

        cr_assert_float_eq(json_real_value(json_object_get(u, "cpu_quota_cores")), 0.5, 1e-9);
        cr_assert_eq(json_integer_value(json_object_get(u, "memory_limit")), 503316480,
                     "memory.high is lower than memory.max");
        cr_assert_float_eq(json_real_value(json_object_get(u, "psi_io_some_avg10")), 1.5, 1e-9);
        cr_assert_float_eq(json_real_value(json_object_get(u, "psi_cpu_some_avg10")), 0.12, 1e-9);
        /* No bus, no scores, no rates yet: those keys are absent rather than made up. */
        cr_assert_null(json_object_get(u, "description"));
        cr_assert_null(json_object_get(u, "exposure"));
        cr_assert_null(json_object_get(u, "io_read_bytes_per_second"));
        json_decref(j);

        /* sshd.service has "max" in cpu.max: a known quota of none. */
        j = call("/api/v1/units", "name=sshd.service", 200);
        u = json_array_get(json_object_get(j, "units"), 0);
        cr_assert(json_is_null(json_object_get(u, "cpu_quota_cores")));
        json_decref(j);
}

Test(api, summary_with_props_rates_and_score)
{
        struct uw_unit *u = (struct uw_unit *)uw_snapshot_find(snap, "nginx.service");
        struct unit_exposure e = {.exposure = 96, .n_failed = 31};
        json_t *j;

        cr_assert_not_null(u);
        cr_assert_gt(u->sample.io.n, 1);
        u->has_props = true;
        u->props.description = strdup("web <server> \"x\"");
        u->has_rates = true;
        u->rates.has_cpu = true;
        u->rates.cpu_usage_cores = 0.25;
        u->rates.io = calloc(u->sample.io.n, sizeof(*u->rates.io));
        cr_assert_not_null(u->rates.io);
        /* Two devices: the sums are what the overview shows. */
        u->rates.io[0].present = 1u << UW_IO_READ_BYTES | 1u << UW_IO_WRITE_BYTES;
        u->rates.io[0].v[UW_IO_READ_BYTES] = 1000;
        u->rates.io[0].v[UW_IO_WRITE_BYTES] = 10;
        u->rates.io[1].present = 1u << UW_IO_READ_BYTES;
        u->rates.io[1].v[UW_IO_READ_BYTES] = 24;

        j = render_json_summary(u, &e);
        cr_assert_str_eq(json_string_value(json_object_get(j, "description")),
                         "web <server> \"x\"");
        cr_assert_float_eq(json_real_value(json_object_get(j, "cpu_usage_cores")), 0.25, 1e-9);
        cr_assert_float_eq(json_real_value(json_object_get(j, "io_read_bytes_per_second")), 1024,
                           1e-9);
        cr_assert_float_eq(json_real_value(json_object_get(j, "io_write_bytes_per_second")), 10,
                           1e-9);
        cr_assert_str_eq(json_string_value(json_object_get(j, "exposure")), "9.6");
        cr_assert_str_eq(json_string_value(json_object_get(j, "exposure_label")), "UNSAFE");
        cr_assert_eq(json_integer_value(json_object_get(j, "failed_checks")), 31);
        json_decref(j);

        /* The unit's own document carries the description too. */
        j = call("/api/v1/units/nginx.service", "", 200);
        cr_assert_str_eq(json_string_value(json_object_get(j, "description")),
                         "web <server> \"x\"");
        json_decref(j);

        /* A transient unit's Description is systemd-run's command line: never shown. */
        u->props.transient = true;
        j = render_json_summary(u, NULL);
        cr_assert_null(json_object_get(j, "description"));
        json_decref(j);
        j = call("/api/v1/units/nginx.service", "", 200);
        cr_assert_null(json_object_get(j, "description"));
        json_decref(j);
}

Test(api, errors)
{
        json_t *j;

        j = call("/api/v1/units", "state=sleepy", 400);
        cr_assert_eq(json_integer_value(json_object_get(j, "status")), 400);
        json_decref(j);
        json_decref(call("/api/v1/units", "name=%4", 400));
        json_decref(call("/api/v1/units/nope.service", "", 404));
        json_decref(call("/api/v1/units/a%00b.service", "", 400));
        json_decref(call("/api/v1/units/%GGx", "", 400));
        json_decref(call("/api/v1/units/", "", 404));
        json_decref(call("/api/v1/other", "", 404));
}

Test(api, unit_by_escaped_name)
{
        json_t *j = call("/api/v1/units/quote%22and%3Cangle%3E.service", "", 200);

        cr_assert_str_eq(json_string_value(json_object_get(j, "unit")),
                         "quote\"and<angle>.service");
        json_decref(j);
        j = call("/api/v1/units/foo%5Cx2dbar.service", "", 200);
        cr_assert_str_eq(json_string_value(json_object_get(j, "unit")), "foo\\x2dbar.service");
        json_decref(j);
}

Test(url, decode)
{
        char *s;

        cr_assert_eq(url_decode("a%2Fb%5c", 8, &s), 0);
        cr_assert_str_eq(s, "a/b\\");
        free(s);
        cr_assert_eq(url_decode("%", 1, NULL), -EINVAL);
        cr_assert_eq(url_decode("%4", 2, NULL), -EINVAL);
        cr_assert_eq(url_decode("%00", 3, NULL), -EINVAL);
        cr_assert_eq(url_decode("%zz", 3, NULL), -EINVAL);
        cr_assert_eq(url_query_get("a=1&bb=2%203&c", "bb", &s), 1);
        cr_assert_str_eq(s, "2 3");
        free(s);
        cr_assert_eq(url_query_get("a=1&c", "c", &s), 1);
        cr_assert_str_eq(s, "");
        free(s);
        cr_assert_eq(url_query_get("a=1", "b", &s), 0);
}
