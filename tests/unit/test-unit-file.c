/* SPDX-License-Identifier: MIT */
/*
 * Reading unit files the way systemd 252 splits them (sections, trimming, comments,
 * continuations and the line numbers systemd reports), the key knowledge behind "did you
 * mean", and the value parsers the bus comparison uses.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "collectors/unit_file.h"

/* The unit, as an operator writes it. */
static const char bad_unit[] = "[Unit]\n"
                               "Description=unitwatch test: settings systemd ignores\n"
                               "\n"
                               "[Service]\n"
                               "ExecStart=/bin/sleep infinity\n"
                               "CpuQuota=70%\n"
                               "MemoryMAX=1G\n"
                               "ProtectSystem=strct\n"
                               "SystemCallFilter=@system-service ~@debug\n";

Test(unit_file, sections_keys_lines)
{
        struct unit_file f;
        const struct unit_file_entry *e;

        cr_assert_eq(unit_file_parse_text("/etc/systemd/system/a.service", bad_unit, &f), 0);
        cr_assert_eq(f.n_entries, 8);
        e = unit_file_at_line(&f, 6);
        cr_assert_not_null(e);
        cr_assert_str_eq(e->section, "Service");
        cr_assert_str_eq(e->key, "CpuQuota");
        cr_assert_str_eq(e->value, "70%");
        e = unit_file_at_line(&f, 9);
        cr_assert_str_eq(e->value, "@system-service ~@debug");
        e = unit_file_at_line(&f, 4);
        cr_assert(e->header);
        cr_assert_str_eq(e->section, "Service");
        cr_assert_null(unit_file_at_line(&f, 3));
        unit_file_release(&f);
}

Test(unit_file, comments_whitespace_continuations)
{
        /* A continued line is reported at its last physical line; comments inside are skipped. */
        static const char text[] = "# comment\n"
                                   "; another\n"
                                   "[Service]\n"
                                   "  Environment = A=1   \n"
                                   "ExecStart=/bin/echo one \\\n"
                                   "# skipped inside the continuation\n"
                                   "  two\n"
                                   "NoEquals\n"
                                   "Empty=\n";
        struct unit_file f;
        const struct unit_file_entry *e;

        cr_assert_eq(unit_file_parse_text("x.service", text, &f), 0);
        e = unit_file_at_line(&f, 4);
        cr_assert_str_eq(e->key, "Environment");
        cr_assert_str_eq(e->value, "A=1");
        cr_assert_null(unit_file_at_line(&f, 5));
        e = unit_file_at_line(&f, 7);
        cr_assert_not_null(e);
        cr_assert_str_eq(e->key, "ExecStart");
        cr_assert_str_eq(e->value, "/bin/echo one  two");
        e = unit_file_at_line(&f, 8);
        cr_assert(e->missing_eq);
        cr_assert_str_eq(e->key, "NoEquals");
        e = unit_file_at_line(&f, 9);
        cr_assert_str_eq(e->value, "");
        unit_file_release(&f);
}

Test(unit_file, load_missing_file)
{
        struct unit_file f;

        cr_assert_eq(unit_file_load("/nonexistent/unitwatch.service", &f), -ENOENT);
}

Test(unit_file, keys)
{
        cr_assert_str_eq(unit_key_section("CPUQuota"), "Service");
        cr_assert_str_eq(unit_key_section("WantedBy"), "Install");
        cr_assert_null(unit_key_section("CpuQuota"));
        cr_assert_str_eq(unit_key_near_miss("CpuQuota"), "CPUQuota");
        cr_assert_str_eq(unit_key_near_miss("MemoryMAX"), "MemoryMax");
        cr_assert_null(unit_key_near_miss("MemoryMax"));
        cr_assert_null(unit_key_near_miss("Frobnicate"));
}

Test(unit_file, values)
{
        uint64_t v;

        cr_assert_eq(unit_parse_boolean("Yes"), 1);
        cr_assert_eq(unit_parse_boolean("off"), 0);
        cr_assert_eq(unit_parse_boolean("strct"), -EINVAL);

        cr_assert_eq(unit_parse_bytes("1G", &v), 0);
        cr_assert_eq(v, 1073741824ull);
        cr_assert_eq(unit_parse_bytes("512M", &v), 0);
        cr_assert_eq(v, 536870912ull);
        cr_assert_eq(unit_parse_bytes("1.5K", &v), 0);
        cr_assert_eq(v, 1536);
        cr_assert_eq(unit_parse_bytes("4096", &v), 0);
        cr_assert_eq(v, 4096);
        cr_assert_eq(unit_parse_bytes("infinity", &v), 0);
        cr_assert_eq(v, UINT64_MAX);
        cr_assert_eq(unit_parse_bytes("50%", &v), -EINVAL);
        cr_assert_eq(unit_parse_bytes("1Q", &v), -EINVAL);

        cr_assert_eq(unit_parse_cpu_quota("70%", &v), 0);
        cr_assert_eq(v, 700000);
        cr_assert_eq(unit_parse_cpu_quota("150%", &v), 0);
        cr_assert_eq(v, 1500000);
        cr_assert_eq(unit_parse_cpu_quota("", &v), 0);
        cr_assert_eq(v, UINT64_MAX);
        cr_assert_eq(unit_parse_cpu_quota("70", &v), -EINVAL);

        cr_assert_eq(unit_parse_tasks("4915", &v), 0);
        cr_assert_eq(v, 4915);
        cr_assert_eq(unit_parse_tasks("infinity", &v), 0);
        cr_assert_eq(v, UINT64_MAX);
        cr_assert_eq(unit_parse_tasks("15%", &v), -EINVAL);
}
