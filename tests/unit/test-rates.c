/* SPDX-License-Identifier: MIT */
/*
 * Rates between two snapshots, on the real files of case05 (io.stat 1 s apart) and case15
 * (a unit restarted between two samples: new cgroup, counters back near zero).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/cg_parse.h"
#include "daemon/snapshot.h"
#include "daemon/util.h"

#define CASES "tests/cases/"

static size_t slurp(const char *path, char *buf, size_t size)
{
        FILE *f = fopen(path, "re");
        size_t n;

        cr_assert_not_null(f, "cannot open %s (run from the top of the tree)", path);
        n = fread(buf, 1, size, f);
        (void)fclose(f);
        return n;
}

struct fixture_sample {
        struct cg_sample s;
        struct cg_kv kv[64];
        struct cg_io_dev io[8];
};

static void load(struct fixture_sample *fs, const char *dir, uint64_t id, uint64_t time_usec)
{
        char path[512], buf[8192];
        size_t n;

        memset(fs, 0, sizeof(*fs));
        fs->s.cgroup_id = id;
        fs->s.time_usec = time_usec;
        fs->s.io = (struct cg_io_set){.cap = 8, .devs = fs->io};
        fs->s.cpu_stat = (struct cg_kv_set){.cap = 64, .items = fs->kv};

        (void)snprintf(path, sizeof(path), "%s/io.stat", dir);
        n = slurp(path, buf, sizeof(buf));
        cr_assert_geq(cg_parse_io_stat(buf, n, &fs->s.io), 0);
        fs->s.has_io = true;

        (void)snprintf(path, sizeof(path), "%s/cpu.stat", dir);
        if (access(path, F_OK) == 0) {
                n = slurp(path, buf, sizeof(buf));
                cr_assert_gt(cg_parse_flat_keyed(buf, n, &fs->s.cpu_stat), 0);
                fs->s.has_cpu_stat = true;
        }
}

static struct uw_snapshot *snapshot_of(const struct cg_sample *s, struct blockdev_cache *bd)
{
        struct uw_snapshot *snap = uw_snapshot_new("/sys/fs/cgroup", 1);

        cr_assert_not_null(snap);
        cr_assert_eq(uw_snapshot_add(snap, "foo.service", "/system.slice/foo.service", s, NULL, bd),
                     0);
        return snap;
}

Test(rates, case05_io_rates_over_one_second)
{
        struct fixture_sample t0, t1;
        struct blockdev_cache *bd;
        struct uw_snapshot *a, *b;
        const struct uw_unit *u;

        cr_assert_eq(blockdev_cache_new("/nonexistent", &bd), 0);
        load(&t0, CASES "case05-iostat-ops-and-old-format/t0", 7, 1000000);
        load(&t1, CASES "case05-iostat-ops-and-old-format/t1", 7, 2000000);
        a = snapshot_of(&t0.s, bd);
        b = snapshot_of(&t1.s, bd);
        cr_assert_eq(uw_snapshot_compute_rates(b, a), 0);

        u = &b->units[0];
        cr_assert(u->has_rates);
        cr_assert_eq(u->sample.io.n, 2);
        /* 254:3 first in the file */
        cr_assert_eq(u->sample.io.devs[0].major, 254);
        cr_assert_float_eq(u->rates.io[0].v[UW_IO_WRITE_BYTES], 896532480.0, 1e-3);
        cr_assert_float_eq(u->rates.io[0].v[UW_IO_WRITE_OPS], 855.0, 1e-9);
        cr_assert_float_eq(u->rates.io[0].v[UW_IO_READ_BYTES], 0.0, 1e-9);
        cr_assert_float_eq(u->rates.io[1].v[UW_IO_READ_BYTES], 0.0, 1e-9);
        cr_assert_float_eq(u->rates.io[1].v[UW_IO_WRITE_OPS], 0.0, 1e-9);
        cr_assert_str_eq(u->io_names[0], "254:3");

        uw_snapshot_unref(a);
        uw_snapshot_unref(b);
        blockdev_cache_free(bd);
}

Test(rates, case15_restart_gives_no_rate)
{
        struct fixture_sample t0, t1;
        struct blockdev_cache *bd;
        struct uw_snapshot *a, *b;
        const struct uw_unit *u;

        cr_assert_eq(blockdev_cache_new("/nonexistent", &bd), 0);
        /* Inodes of the two incarnations as the case records them; samples 30 s apart. */
        load(&t0, CASES "case15-counters-reset-on-restart/t0-before-restart", 18342, 1000000);
        load(&t1, CASES "case15-counters-reset-on-restart/t1-after-restart", 19977, 31000000);
        a = snapshot_of(&t0.s, bd);
        b = snapshot_of(&t1.s, bd);
        cr_assert_eq(uw_snapshot_compute_rates(b, a), 0);
        u = &b->units[0];
        cr_assert_not(u->has_rates, "a recreated cgroup must not get rates");
        uw_snapshot_unref(b);

        /* Same cgroup id but counters went down (a missed recreation): still no negative rate. */
        t1.s.cgroup_id = 18342;
        b = snapshot_of(&t1.s, bd);
        cr_assert_eq(uw_snapshot_compute_rates(b, a), 0);
        u = &b->units[0];
        cr_assert(u->has_rates);
        cr_assert_not(u->rates.has_cpu, "usage_usec went down: no CPU rate");
        cr_assert_eq(u->rates.io[0].present & (1u << UW_IO_READ_BYTES), 0);

        uw_snapshot_unref(a);
        uw_snapshot_unref(b);
        blockdev_cache_free(bd);
}

Test(rates, cpu_cores_from_usage)
{
        static const char c0[] = "usage_usec 1000000\nuser_usec 600000\nsystem_usec 400000\n";
        static const char c1[] = "usage_usec 3000000\nuser_usec 2100000\nsystem_usec 900000\n";
        struct fixture_sample t0 = {}, t1 = {};
        struct blockdev_cache *bd;
        struct uw_snapshot *a, *b;
        const struct uw_unit *u;

        cr_assert_eq(blockdev_cache_new("/nonexistent", &bd), 0);
        t0.s.cpu_stat = (struct cg_kv_set){.cap = 64, .items = t0.kv};
        t1.s.cpu_stat = (struct cg_kv_set){.cap = 64, .items = t1.kv};
        cr_assert_eq(cg_parse_flat_keyed(c0, sizeof(c0) - 1, &t0.s.cpu_stat), 3);
        cr_assert_eq(cg_parse_flat_keyed(c1, sizeof(c1) - 1, &t1.s.cpu_stat), 3);
        t0.s.has_cpu_stat = t1.s.has_cpu_stat = true;
        t0.s.cgroup_id = t1.s.cgroup_id = 5;
        t0.s.time_usec = 10000000;
        t1.s.time_usec = 14000000; /* 2 s of CPU over 4 s: half a core */
        a = snapshot_of(&t0.s, bd);
        b = snapshot_of(&t1.s, bd);
        cr_assert_eq(uw_snapshot_compute_rates(b, a), 0);
        u = &b->units[0];
        cr_assert(u->rates.has_cpu);
        cr_assert_float_eq(u->rates.cpu_usage_cores, 0.5, 1e-12);
        cr_assert_float_eq(u->rates.cpu_user_cores, 0.375, 1e-12);
        cr_assert_float_eq(u->rates.cpu_system_cores, 0.125, 1e-12);
        uw_snapshot_unref(a);
        uw_snapshot_unref(b);
        blockdev_cache_free(bd);
}

/* IP counters (IPAccounting=yes): a rate within one run of the unit, none across a restart. */
static struct uw_snapshot *ip_snapshot(uint64_t time_usec, uint8_t invocation, uint64_t in_bytes)
{
        struct uw_snapshot *snap = uw_snapshot_new("/sys/fs/cgroup", 1);
        struct cg_sample s = {.cgroup_id = 7, .time_usec = time_usec};
        struct unit_props p = {.id = (char *)"net.service", .ip_accounting = true};

        p.has_invocation_id = true;
        p.invocation_id[0] = invocation;
        unit_props_set_ip(&p, UNIT_IP_INGRESS_BYTES, in_bytes);
        unit_props_set_ip(&p, UNIT_IP_EGRESS_BYTES, UINT64_MAX); /* systemd: no data */
        cr_assert_not_null(snap);
        cr_assert_eq(
                uw_snapshot_add(snap, "net.service", "/system.slice/net.service", &s, &p, NULL), 0);
        return snap;
}

Test(rates, ip_counters)
{
        struct uw_snapshot *a = ip_snapshot(1000000, 1, 1000);
        struct uw_snapshot *b = ip_snapshot(3000000, 1, 9000);
        struct uw_snapshot *c = ip_snapshot(4000000, 2, 100); /* restarted: a new invocation */

        cr_assert_eq(uw_snapshot_compute_rates(b, a), 0);
        cr_assert(b->units[0].rates.ip_present & (1u << UNIT_IP_INGRESS_BYTES));
        cr_assert_float_eq(b->units[0].rates.ip[UNIT_IP_INGRESS_BYTES], 4000.0, 1e-9);
        cr_assert_not(b->units[0].rates.ip_present & (1u << UNIT_IP_EGRESS_BYTES));
        cr_assert_eq(uw_snapshot_compute_rates(c, b), 0);
        cr_assert_eq(c->units[0].rates.ip_present, 0, "a rate across a restart");
        uw_snapshot_unref(a);
        uw_snapshot_unref(b);
        uw_snapshot_unref(c);
}
