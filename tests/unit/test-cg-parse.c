/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for collectors/cg_parse.c. Every input is copied into a heap block of exactly its
 * length (no terminating NUL, nothing after it), so ASan reports any read past the end that a
 * parser might make while looking for a NUL or a newline.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/cg_parse.h"

#define U64_MAX_STR  "18446744073709551615"
#define U64_OVER_STR "18446744073709551616"
#define SENTINEL     UINT64_C(0xdeadbeefcafef00d)

#define ALL_IO_KEYS ((1u << _CG_IO_KEY_MAX) - 1)

/* A copy of the first len bytes of s in a block of exactly len bytes. */
static char *exact(const char *s, size_t len)
{
        char *p = malloc(len ? len : 1);

        cr_assert_not_null(p);
        memcpy(p, s, len);
        return p;
}

static int u64n(const char *s, size_t len, uint64_t *ret)
{
        char *b = exact(s, len);
        int r = cg_parse_u64(b, len, ret);

        free(b);
        return r;
}

static int u64(const char *s, uint64_t *ret)
{
        return u64n(s, strlen(s), ret);
}

static int limitn(const char *s, size_t len, struct cg_limit *ret)
{
        char *b = exact(s, len);
        int r = cg_parse_limit(b, len, ret);

        free(b);
        return r;
}

static int limit(const char *s, struct cg_limit *ret)
{
        return limitn(s, strlen(s), ret);
}

static int cpu_maxn(const char *s, size_t len, struct cg_cpu_max *ret)
{
        char *b = exact(s, len);
        int r = cg_parse_cpu_max(b, len, ret);

        free(b);
        return r;
}

static int cpu_max(const char *s, struct cg_cpu_max *ret)
{
        return cpu_maxn(s, strlen(s), ret);
}

/* Flat-keyed parse into a set of cap items; the item after the last one is a canary. */
#define KV_CAP 16
static struct cg_kv kv_items[KV_CAP + 1];
static struct cg_kv_set kv;

static int flatn_cap(const char *s, size_t len, size_t cap)
{
        char *b = exact(s, len);
        int r;

        cr_assert_leq(cap, KV_CAP);
        memset(kv_items, 0, sizeof(kv_items));
        memset(&kv_items[cap], 0x5a, sizeof(kv_items[cap]));
        kv = (struct cg_kv_set){.n = 99, .n_skipped = 99, .cap = cap, .items = kv_items};
        r = cg_parse_flat_keyed(b, len, &kv);
        free(b);
        for (size_t i = 0; i < sizeof(kv_items[cap]); i++)
                cr_assert_eq(((unsigned char *)&kv_items[cap])[i], 0x5a,
                             "item %zu beyond cap %zu was written", cap, cap);
        return r;
}

static int flat(const char *s)
{
        return flatn_cap(s, strlen(s), KV_CAP);
}

static uint64_t kv_value(const char *key)
{
        uint64_t v = SENTINEL;

        cr_assert(cg_kv_get(&kv, key, &v), "key '%s' not found", key);
        return v;
}

static void assert_kv_absent(const char *key)
{
        uint64_t v = SENTINEL;

        cr_assert_not(cg_kv_get(&kv, key, &v), "key '%s' unexpectedly present", key);
        cr_assert_eq(v, SENTINEL, "cg_kv_get() wrote a value for absent key '%s'", key);
}

#define IO_CAP 8
static struct cg_io_dev io_devs[IO_CAP + 1];
static struct cg_io_set io;

static int iostatn_cap(const char *s, size_t len, size_t cap)
{
        char *b = exact(s, len);
        int r;

        cr_assert_leq(cap, IO_CAP);
        memset(io_devs, 0x5a, sizeof(io_devs));
        io = (struct cg_io_set){.n = 99, .n_skipped = 99, .cap = cap, .devs = io_devs};
        r = cg_parse_io_stat(b, len, &io);
        free(b);
        for (size_t i = 0; i < sizeof(io_devs[cap]); i++)
                cr_assert_eq(((unsigned char *)&io_devs[cap])[i], 0x5a,
                             "device %zu beyond cap %zu was written", cap, cap);
        return r;
}

static int iostat(const char *s)
{
        return iostatn_cap(s, strlen(s), IO_CAP);
}

static const struct cg_io_dev *io_dev(unsigned major, unsigned minor)
{
        for (size_t i = 0; i < io.n; i++)
                if (io.devs[i].major == major && io.devs[i].minor == minor)
                        return &io.devs[i];
        cr_assert_fail("device %u:%u not found", major, minor);
        return NULL;
}

static bool io_has_dev(unsigned major, unsigned minor)
{
        for (size_t i = 0; i < io.n; i++)
                if (io.devs[i].major == major && io.devs[i].minor == minor)
                        return true;
        return false;
}

static void assert_io_key(const struct cg_io_dev *d, enum cg_io_key k, uint64_t want)
{
        cr_assert(d->present & (1u << k), "%u:%u %s absent", d->major, d->minor,
                  cg_io_key_to_string(k));
        cr_assert_eq(d->v[k], want, "%u:%u %s = %llu, want %llu", d->major, d->minor,
                     cg_io_key_to_string(k), (unsigned long long)d->v[k], (unsigned long long)want);
}

static void assert_io_six(unsigned major, unsigned minor, uint64_t rb, uint64_t wb, uint64_t ri,
                          uint64_t wi, uint64_t db, uint64_t di)
{
        const struct cg_io_dev *d = io_dev(major, minor);

        cr_assert_eq(d->present, ALL_IO_KEYS, "%u:%u present mask %#x", major, minor, d->present);
        assert_io_key(d, CG_IO_RBYTES, rb);
        assert_io_key(d, CG_IO_WBYTES, wb);
        assert_io_key(d, CG_IO_RIOS, ri);
        assert_io_key(d, CG_IO_WIOS, wi);
        assert_io_key(d, CG_IO_DBYTES, db);
        assert_io_key(d, CG_IO_DIOS, di);
}

static int psin(const char *s, size_t len, struct cg_psi *ret)
{
        char *b = exact(s, len);
        int r = cg_parse_psi(b, len, ret);

        free(b);
        return r;
}

static int psi(const char *s, struct cg_psi *ret)
{
        return psin(s, strlen(s), ret);
}

static void assert_psi_line(const struct cg_psi_line *l, double a10, double a60, double a300,
                            uint64_t total)
{
        cr_assert(l->present);
        cr_assert_float_eq(l->avg10, a10, 1e-9, "avg10 = %f, want %f", l->avg10, a10);
        cr_assert_float_eq(l->avg60, a60, 1e-9, "avg60 = %f, want %f", l->avg60, a60);
        cr_assert_float_eq(l->avg300, a300, 1e-9, "avg300 = %f, want %f", l->avg300, a300);
        cr_assert_eq(l->total_usec, total, "total = %llu, want %llu",
                     (unsigned long long)l->total_usec, (unsigned long long)total);
}

/* ---- cg_parse_u64 ---- */

Test(cg_parse_u64, normal)
{
        uint64_t v = SENTINEL;

        cr_assert_eq(u64("2048086016\n", &v), 0);
        cr_assert_eq(v, 2048086016u);
        cr_assert_eq(u64("0\n", &v), 0);
        cr_assert_eq(v, 0);
        cr_assert_eq(u64("000042\n", &v), 0);
        cr_assert_eq(v, 42);
}

Test(cg_parse_u64, no_trailing_newline)
{
        uint64_t v = SENTINEL;

        cr_assert_eq(u64("4096", &v), 0);
        cr_assert_eq(v, 4096);
}

Test(cg_parse_u64, extra_whitespace)
{
        uint64_t v = SENTINEL;

        cr_assert_eq(u64("  \t4096 \t\r\n\n", &v), 0);
        cr_assert_eq(v, 4096);
        cr_assert_eq(u64("\n\n13", &v), 0);
        cr_assert_eq(v, 13);
}

Test(cg_parse_u64, empty_and_blank)
{
        uint64_t v = SENTINEL;

        cr_assert_eq(u64n("", 0, &v), -ENODATA);
        cr_assert_eq(u64(" \t\n \n", &v), -ENODATA);
        cr_assert_eq(u64("\n", &v), -ENODATA);
        cr_assert_eq(v, SENTINEL, "result written on failure");
}

Test(cg_parse_u64, truncated)
{
        uint64_t v = SENTINEL;

        /* A read cut mid-number cannot be told from a shorter number. */
        cr_assert_eq(u64n("1228800\n", 4, &v), 0);
        cr_assert_eq(v, 1228);
        /* A second value on the next line is not a single-value file. */
        cr_assert_eq(u64("12\n34", &v), -EINVAL);
}

Test(cg_parse_u64, garbage)
{
        static const char *const bad[] = {"abc",   "12abc", "-1",  "+1",           "0x10", "1.5",
                                          "12 34", "max",   "1e3", "\xef\xbc\x91", "4096,"};
        uint64_t v = SENTINEL;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_eq(u64(bad[i], &v), -EINVAL, "'%s' accepted", bad[i]);
        /* An embedded NUL is garbage, not the end of the string. */
        cr_assert_eq(u64n("40\0", 3, &v), -EINVAL);
        cr_assert_eq(u64n("\0", 1, &v), -EINVAL);
        cr_assert_eq(v, SENTINEL, "result written on failure");
}

Test(cg_parse_u64, overflow)
{
        uint64_t v = SENTINEL;

        cr_assert_eq(u64(U64_OVER_STR "\n", &v), -ERANGE);
        cr_assert_eq(u64("18446744073709551620", &v), -ERANGE);
        cr_assert_eq(u64("99999999999999999999", &v), -ERANGE);
        cr_assert_eq(u64("184467440737095516150", &v), -ERANGE);
        cr_assert_eq(u64("100000000000000000000000000000", &v), -ERANGE);
        cr_assert_eq(v, SENTINEL, "result written on failure");
}

Test(cg_parse_u64, uint64_max)
{
        uint64_t v = 0;

        cr_assert_eq(u64(U64_MAX_STR "\n", &v), 0);
        cr_assert_eq(v, UINT64_MAX);
        cr_assert_eq(u64("18446744073709551614", &v), 0);
        cr_assert_eq(v, UINT64_MAX - 1);
}

Test(cg_parse_u64, not_nul_terminated)
{
        uint64_t v = SENTINEL;

        cr_assert_eq(u64n("4096999", 4, &v), 0);
        cr_assert_eq(v, 4096);
        cr_assert_eq(u64n("77 junk", 3, &v), 0);
        cr_assert_eq(v, 77);
        /* The first 19 digits of a number above UINT64_MAX are in range. */
        cr_assert_eq(u64n(U64_OVER_STR, 19, &v), 0);
        cr_assert_eq(v, UINT64_C(1844674407370955161));
}

/* ---- cg_parse_limit ---- */

Test(cg_parse_limit, literal_max)
{
        struct cg_limit l = {.value = SENTINEL};

        cr_assert_eq(limit("max\n", &l), 0);
        cr_assert(l.unlimited);
        l = (struct cg_limit){.value = SENTINEL};
        cr_assert_eq(limit("max", &l), 0);
        cr_assert(l.unlimited);
        l = (struct cg_limit){};
        cr_assert_eq(limit(" \tmax \n\n", &l), 0);
        cr_assert(l.unlimited);
}

Test(cg_parse_limit, number)
{
        struct cg_limit l = {.unlimited = true};

        cr_assert_eq(limit("44040192\n", &l), 0);
        cr_assert_not(l.unlimited);
        cr_assert_eq(l.value, 44040192);

        /* 0 is a real limit (memory.swap.max: swap disabled), not "unset". */
        l = (struct cg_limit){.unlimited = true, .value = SENTINEL};
        cr_assert_eq(limit("0", &l), 0);
        cr_assert_not(l.unlimited);
        cr_assert_eq(l.value, 0);
}

Test(cg_parse_limit, uint64_max_is_not_max)
{
        struct cg_limit l = {.unlimited = true};

        cr_assert_eq(limit(U64_MAX_STR "\n", &l), 0);
        cr_assert_not(l.unlimited);
        cr_assert_eq(l.value, UINT64_MAX);
}

Test(cg_parse_limit, empty_blank_garbage_overflow)
{
        static const char *const bad[] = {"MAX",   "Max", "maxx", "ma",       "max 5",
                                          "5 max", "-1",  "inf",  "max\nmax", "max,"};
        struct cg_limit l = {.value = SENTINEL};

        cr_assert_eq(limitn("", 0, &l), -ENODATA);
        cr_assert_eq(limit("  \n\t", &l), -ENODATA);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_eq(limit(bad[i], &l), -EINVAL, "'%s' accepted", bad[i]);
        cr_assert_eq(limitn("max\0", 4, &l), -EINVAL);
        cr_assert_eq(limit(U64_OVER_STR, &l), -ERANGE);
        cr_assert_not(l.unlimited, "result written on failure");
        cr_assert_eq(l.value, SENTINEL, "result written on failure");
}

Test(cg_parse_limit, truncated_and_not_nul_terminated)
{
        struct cg_limit l = {.value = SENTINEL};

        /* "max" cut to "ma" is not a limit... */
        cr_assert_eq(limitn("max\n", 2, &l), -EINVAL);
        /* ...while the first three bytes of a longer buffer are exactly "max". */
        cr_assert_eq(limitn("maximum", 3, &l), 0);
        cr_assert(l.unlimited);
        cr_assert_eq(limitn("41943040\n", 5, &l), 0);
        cr_assert_not(l.unlimited);
        cr_assert_eq(l.value, 41943);
}

/* ---- cg_parse_cpu_max ---- */

Test(cg_parse_cpu_max, unlimited)
{
        struct cg_cpu_max m = {};

        cr_assert_eq(cpu_max("max 100000\n", &m), 0);
        cr_assert(m.quota_usec.unlimited);
        cr_assert_eq(m.period_usec, 100000);
}

Test(cg_parse_cpu_max, quota)
{
        struct cg_cpu_max m = {.quota_usec.unlimited = true};

        cr_assert_eq(cpu_max("42000 100000\n", &m), 0);
        cr_assert_not(m.quota_usec.unlimited);
        cr_assert_eq(m.quota_usec.value, 42000);
        cr_assert_eq(m.period_usec, 100000);
}

Test(cg_parse_cpu_max, no_newline_whitespace_extra_field)
{
        struct cg_cpu_max m = {};

        cr_assert_eq(cpu_max("50000 100000", &m), 0);
        cr_assert_eq(m.quota_usec.value, 50000);
        cr_assert_eq(m.period_usec, 100000);

        cr_assert_eq(cpu_max("  \t25000\t\t 200000 \r\n", &m), 0);
        cr_assert_eq(m.quota_usec.value, 25000);
        cr_assert_eq(m.period_usec, 200000);

        /* Some vendor kernels print a burst field after the period. */
        cr_assert_eq(cpu_max("max 100000 0\n", &m), 0);
        cr_assert(m.quota_usec.unlimited);
        cr_assert_eq(m.period_usec, 100000);
}

Test(cg_parse_cpu_max, uint64_max_quota)
{
        struct cg_cpu_max m = {};

        cr_assert_eq(cpu_max(U64_MAX_STR " " U64_MAX_STR "\n", &m), 0);
        cr_assert_not(m.quota_usec.unlimited);
        cr_assert_eq(m.quota_usec.value, UINT64_MAX);
        cr_assert_eq(m.period_usec, UINT64_MAX);
}

Test(cg_parse_cpu_max, errors)
{
        struct cg_cpu_max m = {.period_usec = SENTINEL};

        cr_assert_eq(cpu_maxn("", 0, &m), -ENODATA);
        cr_assert_eq(cpu_max(" \n \t\n", &m), -ENODATA);
        cr_assert_eq(cpu_max("max\n", &m), -EINVAL);
        cr_assert_eq(cpu_max("max\n100000\n", &m), -EINVAL);
        cr_assert_eq(cpu_max("max 0\n", &m), -EINVAL);
        cr_assert_eq(cpu_max("abc 100000\n", &m), -EINVAL);
        cr_assert_eq(cpu_max("max abc\n", &m), -EINVAL);
        cr_assert_eq(cpu_max("max max\n", &m), -EINVAL);
        cr_assert_eq(cpu_max("-1 100000\n", &m), -EINVAL);
        cr_assert_eq(cpu_max(U64_OVER_STR " 100000\n", &m), -ERANGE);
        cr_assert_eq(cpu_max("max " U64_OVER_STR "\n", &m), -ERANGE);
        cr_assert_eq(m.period_usec, SENTINEL, "result written on failure");
}

Test(cg_parse_cpu_max, truncated_and_not_nul_terminated)
{
        struct cg_cpu_max m = {};

        cr_assert_eq(cpu_maxn("42000 100000\n", 5, &m), -EINVAL);
        cr_assert_eq(cpu_maxn("42000 100000\n", 8, &m), 0);
        cr_assert_eq(m.quota_usec.value, 42000);
        cr_assert_eq(m.period_usec, 10);
}

/* ---- cg_parse_flat_keyed / cg_kv_get ---- */

Test(cg_parse_flat_keyed, normal)
{
        cr_assert_eq(flat("usage_usec 26314432\nuser_usec 23039841\nsystem_usec 3274591\n"), 3);
        cr_assert_eq(kv.n, 3);
        cr_assert_eq(kv.n_skipped, 0);
        cr_assert_eq(kv_value("usage_usec"), 26314432);
        cr_assert_eq(kv_value("user_usec"), 23039841);
        cr_assert_eq(kv_value("system_usec"), 3274591);
        cr_assert_str_eq(kv.items[0].key, "usage_usec");
}

Test(cg_parse_flat_keyed, no_trailing_newline)
{
        cr_assert_eq(flat("populated 1\nfrozen 0"), 2);
        cr_assert_eq(kv_value("populated"), 1);
        cr_assert_eq(kv_value("frozen"), 0);
        cr_assert_eq(kv.n_skipped, 0);
}

Test(cg_parse_flat_keyed, extra_whitespace)
{
        cr_assert_eq(flat("  anon \t 24641536 \r\n\n\tfile\t1942446080\t\n \n   kernel   7\n"), 3);
        cr_assert_eq(kv_value("anon"), 24641536);
        cr_assert_eq(kv_value("file"), 1942446080);
        cr_assert_eq(kv_value("kernel"), 7);
        cr_assert_eq(kv.n_skipped, 0);
}

Test(cg_parse_flat_keyed, empty_and_blank)
{
        cr_assert_eq(flatn_cap("", 0, KV_CAP), 0);
        cr_assert_eq(kv.n, 0);
        cr_assert_eq(kv.n_skipped, 0);
        cr_assert_eq(flat(" \n\n\t\n  "), 0);
        cr_assert_eq(kv.n, 0);
        cr_assert_eq(kv.n_skipped, 0);
        assert_kv_absent("usage_usec");
}

Test(cg_parse_flat_keyed, truncated)
{
        static const char text[] = "usage_usec 12345\nuser_usec 678\n";

        /* Cut mid-key of the second line: the first line stands, the stub is skipped. */
        cr_assert_eq(flatn_cap(text, 21, KV_CAP), 1);
        cr_assert_eq(kv_value("usage_usec"), 12345);
        assert_kv_absent("user_u");
        assert_kv_absent("user_usec");
        cr_assert_eq(kv.n_skipped, 1);

        /* Cut after the second key: a key without a value is skipped. */
        cr_assert_eq(flatn_cap(text, 27, KV_CAP), 1);
        assert_kv_absent("user_usec");
        cr_assert_eq(kv.n_skipped, 1);

        /* Cut mid-number: indistinguishable from a smaller value. */
        cr_assert_eq(flatn_cap(text, 13, KV_CAP), 1);
        cr_assert_eq(kv_value("usage_usec"), 12);
}

Test(cg_parse_flat_keyed, garbage_lines_are_skipped)
{
        cr_assert_eq(flat("usage_usec abc\nfoo 1 2\n===\nbar -1\nok 7\nhalf 1.5\nneg +3\n"), 1);
        cr_assert_eq(kv_value("ok"), 7);
        cr_assert_eq(kv.n_skipped, 6);
        assert_kv_absent("usage_usec");
        assert_kv_absent("foo");
        assert_kv_absent("bar");
        assert_kv_absent("===");
}

Test(cg_parse_flat_keyed, embedded_nul_does_not_alias_a_key)
{
        /* "ab\0c" is not "ab": a garbage line must not overwrite a real key's value. */
        cr_assert_eq(flatn_cap("ab 2\nab\0c 1\n", 12, KV_CAP), 1);
        cr_assert_eq(kv_value("ab"), 2);
        cr_assert_eq(kv.n_skipped, 1);

        cr_assert_eq(flatn_cap("ab\0c 1\nab 2\n", 12, KV_CAP), 1);
        cr_assert_eq(kv_value("ab"), 2);
        cr_assert_eq(kv.n_skipped, 1);

        cr_assert_eq(flatn_cap("ab 1\0\n", 6, KV_CAP), 0);
        assert_kv_absent("ab");
}

Test(cg_parse_flat_keyed, overflow_and_uint64_max)
{
        cr_assert_eq(flat("big " U64_OVER_STR "\nhuge 99999999999999999999\ntop " U64_MAX_STR "\n"),
                     1);
        assert_kv_absent("big");
        assert_kv_absent("huge");
        cr_assert_eq(kv_value("top"), UINT64_MAX);
        cr_assert_eq(kv.n_skipped, 2);
}

Test(cg_parse_flat_keyed, literal_max)
{
        /* "max" as a key (memory.events, pids.events) is fine; as a value it is not a u64. */
        cr_assert_eq(flat("low 0\nhigh 0\nmax 112\noom 9\noom_kill 7\n"), 5);
        cr_assert_eq(kv_value("max"), 112);
        cr_assert_eq(kv_value("oom_kill"), 7);
        cr_assert_eq(flat("limit max\nmax 0\n"), 1);
        assert_kv_absent("limit");
        cr_assert_eq(kv_value("max"), 0);
        cr_assert_eq(kv.n_skipped, 1);
}

Test(cg_parse_flat_keyed, keys_never_seen)
{
        cr_assert_eq(flat("usage_usec 1\nrun_delay_usec 5\ncore_sched.force_idle_usec 0\n"
                          "brand_new_key_v7 99\n"),
                     4);
        cr_assert_eq(kv_value("run_delay_usec"), 5);
        cr_assert_eq(kv_value("core_sched.force_idle_usec"), 0);
        cr_assert_eq(kv_value("brand_new_key_v7"), 99);
}

Test(cg_parse_flat_keyed, key_length_limit)
{
        char text[256];
        char key39[CG_KEY_MAX], key40[CG_KEY_MAX + 1];

        memset(key39, 'k', CG_KEY_MAX - 1);
        key39[CG_KEY_MAX - 1] = '\0';
        memset(key40, 'l', CG_KEY_MAX);
        key40[CG_KEY_MAX] = '\0';
        cr_assert_lt((size_t)snprintf(text, sizeof(text), "%s 1\n%s 2\n", key39, key40),
                     sizeof(text));
        cr_assert_eq(flat(text), 1);
        cr_assert_eq(kv_value(key39), 1);
        assert_kv_absent(key40);
        cr_assert_eq(kv.n_skipped, 1);
}

Test(cg_parse_flat_keyed, duplicate_keys_keep_last)
{
        cr_assert_eq(flat("a 1\nb 2\na 3\n"), 2);
        cr_assert_eq(kv.n, 2);
        cr_assert_eq(kv_value("a"), 3);
        cr_assert_eq(kv_value("b"), 2);
        cr_assert_eq(kv.n_skipped, 0);

        /* A key that is a prefix of another is a different key. */
        cr_assert_eq(flat("workingset_refault 4\nworkingset_refault_file 5\n"), 2);
        cr_assert_eq(kv_value("workingset_refault"), 4);
        cr_assert_eq(kv_value("workingset_refault_file"), 5);
}

Test(cg_parse_flat_keyed, capacity_exhaustion)
{
        cr_assert_eq(flatn_cap("a 1\nb 2\nc 3\nd 4\n", 16, 2), 2);
        cr_assert_eq(kv.n, 2);
        cr_assert_eq(kv.n_skipped, 2);
        cr_assert_eq(kv_value("a"), 1);
        cr_assert_eq(kv_value("b"), 2);
        assert_kv_absent("c");
        assert_kv_absent("d");

        /* A key already kept is still updated once the set is full. */
        cr_assert_eq(flatn_cap("a 1\nb 2\nc 3\na 9\n", 16, 2), 2);
        cr_assert_eq(kv_value("a"), 9);
        cr_assert_eq(kv.n_skipped, 1);

        cr_assert_eq(flatn_cap("a 1\nb 2\n", 8, 0), 0);
        cr_assert_eq(kv.n, 0);
        cr_assert_eq(kv.n_skipped, 2);
}

Test(cg_parse_flat_keyed, not_nul_terminated)
{
        cr_assert_eq(flatn_cap("a 1\nb 23456", 7, KV_CAP), 2);
        cr_assert_eq(kv_value("a"), 1);
        cr_assert_eq(kv_value("b"), 2);
        cr_assert_eq(flatn_cap("a 1\nb 2", 5, KV_CAP), 1);
        assert_kv_absent("b");
        cr_assert_eq(kv.n_skipped, 1);
}

Test(cg_kv_get, lookups)
{
        cr_assert_eq(flat("usage_usec 10\nuser_usec 20\n"), 2);
        cr_assert_eq(kv_value("usage_usec"), 10);
        cr_assert_eq(kv_value("user_usec"), 20);
        assert_kv_absent("usage");
        assert_kv_absent("usage_usec_x");
        assert_kv_absent("USAGE_USEC");
        assert_kv_absent("");
        assert_kv_absent("usage_usec ");
}

Test(cg_kv_get, empty_set)
{
        struct cg_kv_set empty = {};
        uint64_t v = SENTINEL;

        cr_assert_not(cg_kv_get(&empty, "usage_usec", &v));
        cr_assert_eq(v, SENTINEL);
}

/* ---- cg_parse_io_stat ---- */

Test(cg_parse_io_stat, normal)
{
        cr_assert_eq(iostat("8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 "
                            "dios=0\n"
                            "8:0 rbytes=90430464 wbytes=299008000 rios=8950 wios=1252 "
                            "dbytes=50331648 dios=3021\n"),
                     2);
        cr_assert_eq(io.n, 2);
        cr_assert_eq(io.n_skipped, 0);
        assert_io_six(8, 16, 1459200, 314773504, 192, 353, 0, 0);
        assert_io_six(8, 0, 90430464, 299008000, 8950, 1252, 50331648, 3021);
}

Test(cg_parse_io_stat, major_first)
{
        cr_assert_eq(iostat("259:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6"), 1);
        cr_assert_eq(io.devs[0].major, 259);
        cr_assert_eq(io.devs[0].minor, 0);
        assert_io_six(259, 0, 1, 2, 3, 4, 5, 6);
}

Test(cg_parse_io_stat, extra_whitespace)
{
        cr_assert_eq(iostat("\n  8:0\t rbytes=1  wbytes=2\t\trios=3 wios=4 dbytes=5 dios=6 \r\n\n"
                            "\t8:1 rbytes=7 wbytes=8 rios=9 wios=10 dbytes=11 dios=12"),
                     2);
        assert_io_six(8, 0, 1, 2, 3, 4, 5, 6);
        assert_io_six(8, 1, 7, 8, 9, 10, 11, 12);
}

Test(cg_parse_io_stat, empty_and_blank)
{
        cr_assert_eq(iostatn_cap("", 0, IO_CAP), 0);
        cr_assert_eq(io.n, 0);
        cr_assert_eq(io.n_skipped, 0);
        cr_assert_eq(iostat("\n \t\n"), 0);
        cr_assert_eq(io.n, 0);
        cr_assert_eq(io.n_skipped, 0);
}

Test(cg_parse_io_stat, truncated)
{
        static const char text[] = "8:0 rbytes=123 wbytes=2 rios=3 wios=4 dbytes=5 dios=6\n";
        const struct cg_io_dev *d;

        /* Mid-number: a shorter value. */
        cr_assert_eq(iostatn_cap(text, 12, IO_CAP), 1);
        d = io_dev(8, 0);
        cr_assert_eq(d->present, 1u << CG_IO_RBYTES);
        assert_io_key(d, CG_IO_RBYTES, 1);

        /* Right after '=': no value, key absent. */
        cr_assert_eq(iostatn_cap(text, 11, IO_CAP), 1);
        cr_assert_eq(io_dev(8, 0)->present, 0);

        /* Mid-key: "wi" is not a key; the four before it stand. */
        cr_assert_eq(iostatn_cap(text, (size_t)(strstr(text, "wios") - text) + 2, IO_CAP), 1);
        d = io_dev(8, 0);
        cr_assert_eq(d->present, 0x7u);
        assert_io_key(d, CG_IO_RIOS, 3);

        /* Mid-device: "8:" names no device. */
        cr_assert_eq(iostatn_cap(text, 2, IO_CAP), 0);
        cr_assert_eq(io.n_skipped, 1);
}

Test(cg_parse_io_stat, garbage)
{
        cr_assert_eq(iostat("foo bar=1\n8:0 rbytes=abc wbytes=-1 rios=3 wios=1.5 RBYTES=9 =5 "
                            "dbytes= dios=0x1\n"),
                     1);
        cr_assert_eq(io.n_skipped, 1);
        cr_assert_eq(io_dev(8, 0)->present, 1u << CG_IO_RIOS);
        assert_io_key(io_dev(8, 0), CG_IO_RIOS, 3);
}

Test(cg_parse_io_stat, bad_device_numbers)
{
        cr_assert_eq(iostat("4096:0 rbytes=1\n1:1048576 rbytes=2\n1:2:3 rbytes=3\n:1 rbytes=4\n"
                            "a:b rbytes=5\n-1:0 rbytes=6\n4095:1048575 rbytes=7\n"),
                     1);
        cr_assert_eq(io.n_skipped, 6);
        assert_io_key(io_dev(4095, 1048575), CG_IO_RBYTES, 7);
        cr_assert_eq(io_dev(4095, 1048575)->present, 1u << CG_IO_RBYTES);
}

Test(cg_parse_io_stat, overflow_and_uint64_max)
{
        cr_assert_eq(iostat("8:0 rbytes=" U64_OVER_STR " wbytes=" U64_MAX_STR
                            " rios=99999999999999999999 wios=4\n"),
                     1);
        cr_assert_eq(io_dev(8, 0)->present, (1u << CG_IO_WBYTES) | (1u << CG_IO_WIOS));
        assert_io_key(io_dev(8, 0), CG_IO_WBYTES, UINT64_MAX);
        assert_io_key(io_dev(8, 0), CG_IO_WIOS, 4);
}

Test(cg_parse_io_stat, unknown_device_lines_are_skipped)
{
        cr_assert_eq(iostat("259:0 rbytes=20480 wbytes=0 rios=5 wios=0 dbytes=0 dios=0\n"
                            "(unknown) rbytes=0 wbytes=0 rios=6 wios=0 dbytes=0 dios=0\n"
                            "(unknown) rbytes=8192 wbytes=0 rios=2 wios=0 dbytes=0 dios=0\n"
                            "230:16 rbytes=0 wbytes=40960 rios=0 wios=10 dbytes=0 dios=0\n"),
                     2);
        cr_assert_eq(io.n_skipped, 2);
        /* The (unknown) keys did not attach to the device before them. */
        assert_io_six(259, 0, 20480, 0, 5, 0, 0, 0);
        assert_io_six(230, 16, 0, 40960, 0, 10, 0, 0);
}

Test(cg_parse_io_stat, bare_device_lines)
{
        cr_assert_eq(iostat("259:0 rbytes=1449984 wbytes=3145728 rios=18 wios=24 dbytes=0 dios=0\n"
                            "7:3 \n7:2 \n252:0 \n"
                            "253:1 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n"),
                     5);
        cr_assert_eq(io.n_skipped, 0);
        cr_assert_eq(io_dev(7, 3)->present, 0);
        cr_assert_eq(io_dev(7, 2)->present, 0);
        cr_assert_eq(io_dev(252, 0)->present, 0);
        assert_io_six(259, 0, 1449984, 3145728, 18, 24, 0, 0);
        assert_io_six(253, 1, 4096, 0, 1, 0, 0, 0);

        /* A bare last line without newline or trailing space. */
        cr_assert_eq(iostat("7:3"), 1);
        cr_assert_eq(io_dev(7, 3)->present, 0);
}

Test(cg_parse_io_stat, concatenated_5_15_form)
{
        cr_assert_eq(iostat("259:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0 7:3 253:1 "
                            "rbytes=5 wbytes=6 rios=7 wios=8 dbytes=9 dios=10 7:2 7:1 8:0 "
                            "rbytes=11 wbytes=12 rios=13 wios=14 dbytes=15 dios=16\n"),
                     6);
        cr_assert_eq(io.n_skipped, 0);
        assert_io_six(259, 0, 1, 2, 3, 4, 0, 0);
        assert_io_six(253, 1, 5, 6, 7, 8, 9, 10);
        assert_io_six(8, 0, 11, 12, 13, 14, 15, 16);
        cr_assert_eq(io_dev(7, 3)->present, 0);
        cr_assert_eq(io_dev(7, 2)->present, 0);
        cr_assert_eq(io_dev(7, 1)->present, 0);
}

Test(cg_parse_io_stat, policy_keys_are_ignored)
{
        cr_assert_eq(iostat("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6 cost.vrate=100.00 "
                            "cost.usage=5 cost.wait=0 cost.indebt=0 cost.indelay=0 depth=max "
                            "avg_lat=10 win=100 use_delay=-1 delay_nsec=0\n"
                            "8:16 rbytes=7 wbytes=8 rios=9 wios=10 dbytes=11 dios=12 missed=1 "
                            "total=2 depth=4\n"),
                     2);
        cr_assert_eq(io.n_skipped, 0);
        assert_io_six(8, 0, 1, 2, 3, 4, 5, 6);
        assert_io_six(8, 16, 7, 8, 9, 10, 11, 12);
}

Test(cg_parse_io_stat, old_four_key_format)
{
        cr_assert_eq(iostat("8:0 rbytes=90430464 wbytes=299008000 rios=8950 wios=1252\n"), 1);
        cr_assert_eq(io_dev(8, 0)->present, 0xfu);
        assert_io_key(io_dev(8, 0), CG_IO_WIOS, 1252);
}

Test(cg_parse_io_stat, duplicates)
{
        /* A device listed twice keeps one record; later values win. */
        cr_assert_eq(iostat("8:0 rbytes=1 rios=1\n8:16 rbytes=3\n8:0 rbytes=5 wbytes=2\n"), 2);
        cr_assert_eq(io_dev(8, 0)->present,
                     (1u << CG_IO_RBYTES) | (1u << CG_IO_RIOS) | (1u << CG_IO_WBYTES));
        assert_io_key(io_dev(8, 0), CG_IO_RBYTES, 5);
        assert_io_key(io_dev(8, 0), CG_IO_WBYTES, 2);
        assert_io_key(io_dev(8, 0), CG_IO_RIOS, 1);
        assert_io_key(io_dev(8, 16), CG_IO_RBYTES, 3);

        cr_assert_eq(iostat("8:0 rbytes=1 rbytes=2\n"), 1);
        assert_io_key(io_dev(8, 0), CG_IO_RBYTES, 2);
}

Test(cg_parse_io_stat, capacity_exhaustion)
{
        static const char text[] = "8:0 rbytes=1\n8:16 rbytes=2\n8:32 rbytes=3 wbytes=3\n"
                                   "8:16 wbytes=4\n8:48 rbytes=5\n";

        cr_assert_eq(iostatn_cap(text, strlen(text), 2), 2);
        cr_assert_eq(io.n_skipped, 2);
        cr_assert_not(io_has_dev(8, 32));
        cr_assert_not(io_has_dev(8, 48));
        /* The dropped device's keys did not land on the record before it. */
        cr_assert_eq(io_dev(8, 16)->present, (1u << CG_IO_RBYTES) | (1u << CG_IO_WBYTES));
        assert_io_key(io_dev(8, 16), CG_IO_RBYTES, 2);
        assert_io_key(io_dev(8, 16), CG_IO_WBYTES, 4);
        assert_io_key(io_dev(8, 0), CG_IO_RBYTES, 1);

        cr_assert_eq(iostatn_cap(text, strlen(text), 0), 0);
        cr_assert_eq(io.n_skipped, 5);
}

Test(cg_parse_io_stat, not_nul_terminated)
{
        cr_assert_eq(iostatn_cap("8:0 rbytes=123", 12, IO_CAP), 1);
        assert_io_key(io_dev(8, 0), CG_IO_RBYTES, 1);
        cr_assert_eq(iostatn_cap("8:16 rbytes=1", 3, IO_CAP), 1);
        cr_assert(io_has_dev(8, 1));
        cr_assert_eq(io_dev(8, 1)->present, 0);
}

Test(cg_parse_io_stat, key_names)
{
        static const char *const names[] = {"rbytes", "wbytes", "rios", "wios", "dbytes", "dios"};

        for (int k = 0; k < _CG_IO_KEY_MAX; k++)
                cr_assert_str_eq(cg_io_key_to_string((enum cg_io_key)k), names[k]);
        cr_assert_null(cg_io_key_to_string(_CG_IO_KEY_MAX));
        cr_assert_null(cg_io_key_to_string((enum cg_io_key) - 1));
}

/* ---- cg_parse_psi ---- */

#define PSI_SOME "some avg10=0.22 avg60=1.05 avg300=0.37 total=2210934\n"
#define PSI_FULL "full avg10=0.20 avg60=0.98 avg300=0.35 total=2087310\n"

Test(cg_parse_psi, normal)
{
        struct cg_psi p = {};

        cr_assert_eq(psi(PSI_SOME PSI_FULL, &p), 0);
        assert_psi_line(&p.some, 0.22, 1.05, 0.37, 2210934);
        assert_psi_line(&p.full, 0.20, 0.98, 0.35, 2087310);
}

Test(cg_parse_psi, only_some_line)
{
        struct cg_psi p = {.full.present = true};

        cr_assert_eq(psi(PSI_SOME, &p), 0);
        assert_psi_line(&p.some, 0.22, 1.05, 0.37, 2210934);
        cr_assert_not(p.full.present);
}

Test(cg_parse_psi, only_full_line)
{
        struct cg_psi p = {.some.present = true};

        cr_assert_eq(psi(PSI_FULL, &p), 0);
        cr_assert_not(p.some.present);
        assert_psi_line(&p.full, 0.20, 0.98, 0.35, 2087310);
}

Test(cg_parse_psi, no_trailing_newline_extra_whitespace_any_order)
{
        struct cg_psi p = {};

        cr_assert_eq(psi("some avg10=1.00 avg60=2.00 avg300=3.00 total=4", &p), 0);
        assert_psi_line(&p.some, 1.0, 2.0, 3.0, 4);

        cr_assert_eq(psi("\n  full\ttotal=9  avg300=0.01 \t avg10=12.34 avg60=100.00 \r\n\n"
                         "some avg10=0 avg60=5. avg300=.5 total=0\n",
                         &p),
                     0);
        assert_psi_line(&p.full, 12.34, 100.0, 0.01, 9);
        assert_psi_line(&p.some, 0.0, 5.0, 0.5, 0);
}

Test(cg_parse_psi, unknown_keys_ignored)
{
        struct cg_psi p = {};

        cr_assert_eq(psi("some avg10=0.10 avg60=0.20 avg300=0.30 total=40 avg3600=9.99\n", &p), 0);
        assert_psi_line(&p.some, 0.10, 0.20, 0.30, 40);
}

Test(cg_parse_psi, empty_and_blank)
{
        struct cg_psi p = {.some.total_usec = SENTINEL};

        cr_assert_eq(psin("", 0, &p), -ENODATA);
        cr_assert_eq(psi(" \n\t\n", &p), -ENODATA);
        cr_assert_eq(p.some.total_usec, SENTINEL, "result written on failure");
}

Test(cg_parse_psi, malformed)
{
        static const char *const bad[] = {
                "some\n",
                "bogus avg10=0.22 avg60=1.05 avg300=0.37 total=1\n",
                "some avg10=0.22 avg60=1.05 avg300=0.37\n",
                "some avg10=abc avg60=1.05 avg300=0.37 total=1\n",
                "some avg10=-1.00 avg60=1.05 avg300=0.37 total=1\n",
                "some avg10=1.2.3 avg60=1.05 avg300=0.37 total=1\n",
                "some avg10=. avg60=1.05 avg300=0.37 total=1\n",
                "some avg10=0.22 junk avg60=1.05 avg300=0.37 total=1\n",
                "some avg10=0.22 avg60=1.05 avg300=0.37 total=max\n",
                "some avg10=0.22 avg60=1.05 avg300=0.37 total=1.5\n",
                "some avg10=0.22 avg60=1.05 avg300=0.37 total=" U64_OVER_STR "\n",
                "some avg10=0.22 avg60=1.05\navg300=0.37 total=1\n",
                "SOME avg10=0.22 avg60=1.05 avg300=0.37 total=1\n",
                "garbage\n\x01\x02\n",
        };
        struct cg_psi p = {.some.total_usec = SENTINEL};

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_eq(psi(bad[i], &p), -EINVAL, "'%s' accepted", bad[i]);
        cr_assert_eq(p.some.total_usec, SENTINEL, "result written on failure");
}

Test(cg_parse_psi, malformed_line_next_to_good_one)
{
        struct cg_psi p = {};

        cr_assert_eq(psi("some avg10=x avg60=1.05 avg300=0.37 total=1\n" PSI_FULL, &p), 0);
        cr_assert_not(p.some.present);
        assert_psi_line(&p.full, 0.20, 0.98, 0.35, 2087310);

        cr_assert_eq(psi(PSI_SOME "full avg10=0.20 avg60=0.98\n", &p), 0);
        assert_psi_line(&p.some, 0.22, 1.05, 0.37, 2210934);
        cr_assert_not(p.full.present);
}

/*
 * Found by fuzz-cg-psi: a broken line after a good one of the same kind wiped the good one,
 * and the parse succeeded with no line at all.
 */
Test(cg_parse_psi, broken_repeat_keeps_the_good_line)
{
        struct cg_psi p = {};

        cr_assert_eq(psi("full avg10=0.20 avg60=0.98 avg300=0.35 total=2087310\nfull \n", &p), 0);
        cr_assert_not(p.some.present);
        assert_psi_line(&p.full, 0.20, 0.98, 0.35, 2087310);
        cr_assert_eq(psi(PSI_SOME "some avg10=x\n" PSI_FULL "full avg10=\n", &p), 0);
        assert_psi_line(&p.some, 0.22, 1.05, 0.37, 2210934);
        assert_psi_line(&p.full, 0.20, 0.98, 0.35, 2087310);
}

Test(cg_parse_psi, uint64_max_total)
{
        struct cg_psi p = {};

        cr_assert_eq(psi("some avg10=0.00 avg60=0.00 avg300=0.00 total=" U64_MAX_STR "\n", &p), 0);
        assert_psi_line(&p.some, 0, 0, 0, UINT64_MAX);
}

Test(cg_parse_psi, truncated_and_not_nul_terminated)
{
        static const char text[] = PSI_SOME PSI_FULL;
        size_t some_len = strlen(PSI_SOME);
        struct cg_psi p = {};

        /* Cut inside the full line, before its total: only some remains. */
        cr_assert_eq(psin(text, some_len + 30, &p), 0);
        assert_psi_line(&p.some, 0.22, 1.05, 0.37, 2210934);
        cr_assert_not(p.full.present);

        /* Cut mid-number of the total: a smaller total. */
        cr_assert_eq(psin(text, some_len - 4, &p), 0);
        assert_psi_line(&p.some, 0.22, 1.05, 0.37, 2210);
        cr_assert_not(p.full.present);

        /* Cut before the first total: nothing usable. */
        cr_assert_eq(psin(text, 30, &p), -EINVAL);
}
