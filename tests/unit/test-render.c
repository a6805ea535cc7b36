/* SPDX-License-Identifier: MIT */
/*
 * The whole no-bus path on the host-a fixture tree: discovery, reading, and both renderers,
 * held against golden files (tests/fixtures/host-a.golden.*) and against values read off the
 * fixture by hand. UNITWATCH_REGEN_GOLDEN=1 rewrites the golden files; review the diff.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/cg_discover.h"
#include "daemon/collector.h"
#include "daemon/util.h"
#include "web/render.h"

#define FIXTURE "tests/fixtures/host-a"
#define SYSFS   "tests/fixtures/host-a-sysfs"

static struct uw_snapshot *collect(unsigned types, char **include, char **exclude)
{
        struct uw_collector_config cc = {.cgroup_root = FIXTURE,
                                         .sysfs_root = SYSFS,
                                         .types = types,
                                         .include = include,
                                         .exclude = exclude};
        struct uw_collector *c = NULL;
        struct uw_snapshot *s = NULL;

        cr_assert_eq(uw_collector_new(&cc, &c), 0, "run the tests from the top of the tree");
        cr_assert_eq(uw_collector_collect(c, NULL, &s), 0);
        uw_collector_free(c);

        /* What differs between checkouts and runs: inode numbers and clocks. */
        s->realtime = 1700000000.25;
        s->collect_usec = 1500;
        for (size_t i = 0; i < s->n_units; i++)
                s->units[i].sample.cgroup_id = 0;
        return s;
}

static char *slurp(const char *path)
{
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t len = 0;

        if (!f)
                return NULL;
        (void)getdelim(&buf, &len, '\0', f);
        (void)fclose(f);
        return buf;
}

static void check_golden(const char *path, const char *text)
{
        _cleanup_free_ char *want = NULL;

        if (getenv("UNITWATCH_REGEN_GOLDEN")) {
                FILE *f = fopen(path, "we");

                cr_assert_not_null(f);
                cr_assert_eq(fputs(text, f) >= 0, true);
                cr_assert_eq(fclose(f), 0);
        }
        want = slurp(path);
        cr_assert_not_null(want, "missing golden file %s", path);
        cr_assert_str_eq(text, want, "output differs from %s", path);
}

Test(render, json_matches_golden)
{
        struct uw_snapshot *s = collect(UNIT_SERVICE, NULL, NULL);
        struct render_opts o = {};
        _cleanup_free_ char *text = NULL;
        size_t len;

        cr_assert_eq(render_json(s, &o, true, &text, &len), 0);
        cr_assert_eq(strlen(text), len);
        check_golden("tests/fixtures/host-a.golden.json", text);
        uw_snapshot_unref(s);
}

Test(render, prometheus_matches_golden)
{
        struct uw_snapshot *s = collect(UNIT_SERVICE, NULL, NULL);
        struct render_opts o = {};
        _cleanup_free_ char *text = NULL;
        size_t len;

        cr_assert_eq(render_prom(s, &o, &text, &len), 0);
        check_golden("tests/fixtures/host-a.golden.prom", text);
        uw_snapshot_unref(s);
}

static json_t *unit_json(json_t *root, const char *name)
{
        size_t i;
        json_t *u;

        json_array_foreach(
                json_object_get(root, "units"), i,
                u) if (streq(json_string_value(json_object_get(u, "unit")), name)) return u;
        return NULL;
}

static json_int_t jint(json_t *o, const char *path)
{
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;

        for (char *k = strtok_r(copy, ".", &save); k; k = strtok_r(NULL, ".", &save))
                o = json_object_get(o, k);
        cr_assert(json_is_integer(o), "%s is not an integer", path);
        return json_integer_value(o);
}

Test(render, json_values_from_the_fixture)
{
        struct uw_snapshot *s = collect(UNIT_SERVICE, NULL, NULL);
        struct render_opts o = {};
        _cleanup_free_ char *text = NULL;
        json_auto_t *root = NULL;
        json_t *u, *io;
        size_t len;

        cr_assert_eq(render_json(s, &o, false, &text, &len), 0);
        root = json_loads(text, 0, NULL);
        cr_assert_not_null(root);
        cr_assert_eq(json_array_size(json_object_get(root, "units")), 12);

        u = unit_json(root, "nginx.service");
        cr_assert_not_null(u);
        cr_assert_eq(jint(u, "memory.max"), 536870912);
        cr_assert_eq(jint(u, "memory.high"), 503316480);
        cr_assert(json_is_null(json_object_get(json_object_get(u, "memory"), "swap_max")));
        cr_assert_eq(jint(u, "memory.working_set"), 209715200 - 52428800);
        cr_assert_eq(jint(u, "cpu.max.quota_usec"), 50000);
        cr_assert_eq(jint(u, "pids.max"), 512);
        /* sda and nvme0n1 counted; "7:3 " and "(unknown)" lines give no device. */
        io = json_object_get(u, "io");
        cr_assert_eq(json_array_size(io), 2);
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(io, 0), "device")),
                         "sda");
        cr_assert_eq(jint(json_array_get(io, 1), "wbytes"), 3145728);

        /* cpu controller off: no cpu.max, no weight, no throttling keys, usage still there. */
        u = unit_json(root, "cron.service");
        cr_assert_null(json_object_get(json_object_get(u, "cpu"), "max"));
        cr_assert_null(json_object_get(json_object_get(u, "cpu"), "weight"));
        cr_assert_null(
                json_object_get(json_object_get(json_object_get(u, "cpu"), "stat"), "nr_periods"));
        cr_assert_eq(jint(u, "cpu.stat.usage_usec"), 7716312);

        /* PSI files absent: no pressure entries at all, rather than zeros. */
        u = unit_json(root, "dbus.service");
        cr_assert_eq(json_object_size(json_object_get(u, "pressure")), 0);

        u = unit_json(root, "memhog.service");
        cr_assert_eq(jint(u, "memory.events.oom_kill"), 7);

        /* Old kernels' io.stat without dbytes/dios: those keys absent, big values exact. */
        u = unit_json(root, "postgresql@15-main.service");
        io = json_object_get(u, "io");
        cr_assert_eq(jint(json_array_get(io, 0), "rbytes"), 227002702848000);
        cr_assert_null(json_object_get(json_array_get(io, 0), "dbytes"));

        cr_assert_not_null(unit_json(root, "foo\\x2dbar.service"));
        cr_assert_not_null(unit_json(root, "quote\"and<angle>.service"));
        cr_assert_not_null(unit_json(root, "stopped.service"));
        cr_assert(json_is_false(json_object_get(unit_json(root, "stopped.service"), "populated")));
        /* A service's own sub-directories are not units. */
        cr_assert_null(unit_json(root, "inner.service"));
        cr_assert_null(unit_json(root, "worker"));
        uw_snapshot_unref(s);
}

Test(render, unit_types_and_globs)
{
        char *include[] = {(char *)"*.scope", (char *)"nginx.*", NULL};
        char *exclude[] = {(char *)"init.*", NULL};
        struct uw_snapshot *s = collect(UNIT_SERVICE | UNIT_SCOPE | UNIT_SLICE, NULL, NULL);

        /* 12 services, 2 scopes, 5 slices. */
        cr_assert_eq(s->n_units, 19);
        cr_assert_not_null(uw_snapshot_find(s, "system-getty.slice"));
        cr_assert_not_null(uw_snapshot_find(s, "session-2.scope"));
        uw_snapshot_unref(s);

        s = collect(UNIT_SERVICE | UNIT_SCOPE, include, exclude);
        cr_assert_eq(s->n_units, 2);
        cr_assert_not_null(uw_snapshot_find(s, "nginx.service"));
        cr_assert_not_null(uw_snapshot_find(s, "session-2.scope"));
        uw_snapshot_unref(s);
}

Test(render, prometheus_label_escaping_and_absent_limits)
{
        struct uw_snapshot *s = collect(UNIT_SERVICE, NULL, NULL);
        struct render_opts o = {};
        _cleanup_free_ char *text = NULL;
        size_t len;

        cr_assert_eq(render_prom(s, &o, &text, &len), 0);
        cr_assert_not_null(strstr(text, "unitwatch_memory_max_bytes{unit=\"nginx.service\"} "
                                        "536870912\n"));
        /* Unlimited: no series rather than 0 or 2^64-1. */
        cr_assert_null(strstr(text, "unitwatch_memory_max_bytes{unit=\"sshd.service\"}"));
        cr_assert_not_null(strstr(text, "{unit=\"foo\\\\x2dbar.service\""));
        cr_assert_not_null(strstr(text, "{unit=\"quote\\\"and<angle>.service\""));
        cr_assert_not_null(strstr(text,
                                  "unitwatch_io_read_bytes_total{unit=\"nginx.service\",device="
                                  "\"nvme0n1\",major_minor=\"259:0\"} 1449984\n"));
        cr_assert_not_null(strstr(text, "unitwatch_cpu_quota_cores{unit=\"nginx.service\"} 0.5\n"));
        cr_assert_not_null(strstr(text, "unitwatch_cpu_usage_seconds_total{unit=\"nginx.service\","
                                        "mode=\"user\"} 74.074074\n"));
        /* Core memory.stat set only, unless asked for all keys. */
        cr_assert_null(strstr(text, "type=\"pgfault\""));
        free(text);
        text = NULL;
        o.memory_stat_all = true;
        cr_assert_eq(render_prom(s, &o, &text, &len), 0);
        cr_assert_not_null(strstr(text, "unitwatch_memory_stat_events_total{unit=\"nginx.service\","
                                        "type=\"pgfault\"} 1000\n"));
        uw_snapshot_unref(s);
}
