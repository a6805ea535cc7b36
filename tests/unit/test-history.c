/* SPDX-License-Identifier: MIT */
/* The per-unit ring of recent samples: order, values, wrap-around, units that go away. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "collectors/cg_discover.h"
#include "daemon/collector.h"
#include "daemon/history.h"

static struct uw_snapshot *collect(struct uw_collector *c, struct uw_snapshot *prev, double t)
{
        struct uw_snapshot *s;

        cr_assert_eq(uw_collector_collect(c, prev, &s), 0);
        s->realtime = t;
        return s;
}

static struct uw_collector *collector(char **include)
{
        struct uw_collector_config cc = {.cgroup_root = "tests/fixtures/host-a",
                                         .sysfs_root = "tests/fixtures/host-a-sysfs",
                                         .types = UNIT_SERVICE,
                                         .include = include};
        struct uw_collector *c;

        cr_assert_eq(uw_collector_new(&cc, &c), 0);
        return c;
}

Test(history, points_in_order_and_wrapping)
{
        struct uw_collector *c = collector(NULL);
        struct uw_history *h;
        struct uw_snapshot *prev = NULL;
        struct uw_point *p;
        int n;

        cr_assert_eq(uw_history_new(&h), 0);
        for (int i = 0; i < UW_HISTORY_POINTS + 5; i++) {
                struct uw_snapshot *s = collect(c, prev, 1000.0 + i);

                cr_assert_eq(uw_history_record(h, s), 0);
                uw_snapshot_unref(prev);
                prev = s;
        }
        n = uw_history_get(h, "nginx.service", &p);
        cr_assert_eq(n, UW_HISTORY_POINTS);
        /* The oldest five fell out of the ring. */
        cr_assert_float_eq(p[0].time, 1005.0, 1e-9);
        cr_assert_float_eq(p[n - 1].time, 1000.0 + UW_HISTORY_POINTS + 4, 1e-9);
        cr_assert_eq(p[n - 1].memory_current, 209715200);
        cr_assert_eq(p[n - 1].memory_working_set, 209715200 - 52428800);
        cr_assert_eq(p[n - 1].pids_current, 9);
        /* The fixture's counters do not move: a rate of exactly 0, not absent. */
        cr_assert_float_eq(p[n - 1].cpu_cores, 0.0f, 1e-9);
        cr_assert_float_eq(p[n - 1].psi_io_some_avg10, 1.5f, 1e-6);
        free(p);

        n = uw_history_get(h, "no-such.service", &p);
        cr_assert_eq(n, 0);
        cr_assert_null(p);

        uw_snapshot_unref(prev);
        uw_collector_free(c);
        uw_history_free(h);
}

Test(history, first_point_has_no_rate_and_gone_units_are_forgotten)
{
        char *only_nginx[] = {(char *)"nginx.service", NULL};
        struct uw_collector *all = collector(NULL), *one = collector(only_nginx);
        struct uw_history *h;
        struct uw_snapshot *s;
        struct uw_point *p;

        cr_assert_eq(uw_history_new(&h), 0);
        s = collect(all, NULL, 1.0);
        cr_assert_eq(uw_history_record(h, s), 0);
        uw_snapshot_unref(s);
        cr_assert_eq(uw_history_get(h, "sshd.service", &p), 1);
        cr_assert(isnan(p[0].cpu_cores));
        free(p);

        s = collect(one, NULL, 2.0);
        cr_assert_eq(uw_history_record(h, s), 0);
        uw_snapshot_unref(s);
        cr_assert_eq(uw_history_get(h, "sshd.service", &p), 0);
        cr_assert_eq(uw_history_get(h, "nginx.service", &p), 2);
        free(p);

        uw_collector_free(all);
        uw_collector_free(one);
        uw_history_free(h);
}
