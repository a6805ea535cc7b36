/* SPDX-License-Identifier: MIT */
/*
 * One unit's findings from its files, the journal lines PID 1 logged about them (systemd 252's
 * own text) and its properties as the bus reports them: the broken unit, the same
 * unit fixed, and the unit-file-only path when the journal cannot be read.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config_findings.h"
#include "daemon/snapshot.h"

static char dir[] = "/tmp/unitwatch-test-findings.XXXXXX";
static char path[256], dropin[256];

static const char bad_unit[] = "[Unit]\n"
                               "Description=unitwatch test: settings systemd ignores\n"
                               "\n"
                               "[Service]\n"
                               "ExecStart=/bin/sleep infinity\n"
                               "CpuQuota=70%\n"
                               "MemoryMAX=1G\n"
                               "ProtectSystem=strct\n"
                               "SystemCallFilter=@system-service ~@debug\n";

static const char good_unit[] = "[Unit]\n"
                                "Description=unitwatch test: the same settings, spelt right\n"
                                "\n"
                                "[Service]\n"
                                "ExecStart=/bin/sleep infinity\n"
                                "CPUQuota=70%\n"
                                "MemoryMax=1G\n"
                                "ProtectSystem=strict\n"
                                "SystemCallFilter=@system-service\n"
                                "SystemCallFilter=~@debug\n";

static void write_file(const char *p, const char *text)
{
        FILE *f = fopen(p, "w");

        cr_assert_not_null(f);
        cr_assert_eq(fputs(text, f) >= 0, true);
        cr_assert_eq(fclose(f), 0);
}

static void setup(void)
{
        cr_assert_not_null(mkdtemp(dir));
        (void)snprintf(path, sizeof(path), "%s/uw-intended.service", dir);
        (void)snprintf(dropin, sizeof(dropin), "%s/50-limits.conf", dir);
}

static void teardown(void)
{
        (void)unlink(path);
        (void)unlink(dropin);
        (void)rmdir(dir);
}

/* The properties systemd 252 reports for the broken unit: nothing of it in effect. */
static void props_as_loaded(struct unit_props *p, const char *protect_system, uint64_t quota,
                            uint64_t memory_max)
{
        *p = (struct unit_props){.fragment_path = path};
        p->has_limit[UNIT_CPU_QUOTA_PER_SEC_USEC] = true;
        p->limit[UNIT_CPU_QUOTA_PER_SEC_USEC] = quota;
        p->has_limit[UNIT_MEMORY_MAX] = true;
        p->limit[UNIT_MEMORY_MAX] = memory_max;
        p->sandbox = json_pack("{s:s, s:b}", "ProtectSystem", protect_system, "PrivateTmp", 0);
}

static json_t *finding_at(json_t *a, int line)
{
        size_t i;
        json_t *x;

        json_array_foreach(a, i, x)
        {
                if (json_integer_value(json_object_get(x, "line")) == line)
                        return x;
        }
        return NULL;
}

static const char *str(json_t *x, const char *key)
{
        return json_string_value(json_object_get(x, key));
}

Test(config_findings, broken_unit_with_journal, .init = setup, .fini = teardown)
{
        struct findings_journal_line jl[] = {
                {path, 6, NULL},
                {path, 7, NULL},
                {path, 8, NULL},
                {path, 9, NULL},
        };
        char m[4][512];
        struct unit_props p;
        json_t *a = NULL, *x;

        write_file(path, bad_unit);
        (void)snprintf(m[0], sizeof(m[0]),
                       "%s:6: Unknown key 'CpuQuota' in section [Service], ignoring.", path);
        (void)snprintf(m[1], sizeof(m[1]),
                       "%s:7: Unknown key 'MemoryMAX' in section [Service], ignoring.", path);
        (void)snprintf(m[2], sizeof(m[2]),
                       "%s:8: Failed to parse protect system value, ignoring: strct", path);
        (void)snprintf(m[3], sizeof(m[3]), "%s:9: Failed to parse system call, ignoring: ~@debug",
                       path);
        for (int i = 0; i < 4; i++)
                jl[i].message = m[i];
        props_as_loaded(&p, "no", UINT64_MAX, UINT64_MAX);

        cr_assert_eq(findings_check_unit(&p, jl, 4, &a), 0);
        cr_assert_eq(json_array_size(a), 4, "%s", json_dumps(a, 0));

        x = finding_at(a, 6);
        cr_assert_str_eq(str(x, "kind"), "unknown-key");
        cr_assert_str_eq(str(x, "key"), "CpuQuota");
        cr_assert_str_eq(str(x, "value"), "70%");
        cr_assert_str_eq(str(x, "source"), "journal");
        cr_assert_str_eq(str(x, "file"), path);
        cr_assert(strstr(str(x, "reason"), "Did you mean 'CPUQuota='?"), "%s", str(x, "reason"));

        x = finding_at(a, 7);
        cr_assert_str_eq(str(x, "key"), "MemoryMAX");
        cr_assert(strstr(str(x, "reason"), "'MemoryMax='"));

        x = finding_at(a, 8);
        cr_assert_str_eq(str(x, "kind"), "invalid-value");
        cr_assert_str_eq(str(x, "key"), "ProtectSystem");
        cr_assert_str_eq(str(x, "value"), "strct");

        x = finding_at(a, 9);
        cr_assert_str_eq(str(x, "kind"), "invalid-value");
        cr_assert_str_eq(str(x, "key"), "SystemCallFilter");
        cr_assert_str_eq(str(x, "value"), "@system-service ~@debug");
        json_decref(a);
        json_decref(p.sandbox);
}

Test(config_findings, broken_unit_without_journal, .init = setup, .fini = teardown)
{
        struct unit_props p;
        json_t *a = NULL, *x;

        write_file(path, bad_unit);
        props_as_loaded(&p, "no", UINT64_MAX, UINT64_MAX);
        cr_assert_eq(findings_check_unit(&p, NULL, 0, &a), 0);
        cr_assert_eq(json_array_size(a), 4, "%s", json_dumps(a, 0));
        cr_assert_str_eq(str(finding_at(a, 6), "kind"), "unknown-key");
        cr_assert_str_eq(str(finding_at(a, 7), "kind"), "unknown-key");
        /* The rejected value shows as the difference between file and bus. */
        x = finding_at(a, 8);
        cr_assert_str_eq(str(x, "kind"), "mismatch");
        cr_assert_str_eq(str(x, "source"), "bus");
        cr_assert(strstr(str(x, "reason"), "systemd runs with ProtectSystem=no"), "%s",
                  str(x, "reason"));
        x = finding_at(a, 9);
        cr_assert_str_eq(str(x, "kind"), "ineffective");
        cr_assert(strstr(str(x, "reason"), "'~@debug'"), "%s", str(x, "reason"));
        json_decref(a);
        json_decref(p.sandbox);
}

Test(config_findings, fixed_unit_clears_stale_journal_lines, .init = setup, .fini = teardown)
{
        char m[512];
        struct findings_journal_line jl[] = {{path, 6, m}};
        struct unit_props p;
        json_t *a = NULL;

        /* The journal still holds the old complaint; the file at line 6 says CPUQuota now. */
        write_file(path, good_unit);
        (void)snprintf(m, sizeof(m), "%s:6: Unknown key 'CpuQuota' in section [Service], ignoring.",
                       path);
        props_as_loaded(&p, "strict", 700000, 1073741824ull);
        cr_assert_eq(findings_check_unit(&p, jl, 1, &a), 0);
        cr_assert_eq(json_array_size(a), 0, "%s", json_dumps(a, 0));
        json_decref(a);
        json_decref(p.sandbox);
}

Test(config_findings, drop_in_overrides_and_mismatch, .init = setup, .fini = teardown)
{
        char *dropins[] = {dropin, NULL};
        struct unit_props p;
        json_t *a = NULL, *x;

        /* The drop-in sets MemoryMax=512M, but the bus reports 1G: a set-property elsewhere? */
        write_file(path, good_unit);
        write_file(dropin, "[Service]\nMemoryMax=512M\nPrivateTmp=yes\n");
        props_as_loaded(&p, "strict", 700000, 1073741824ull);
        p.drop_in_paths = dropins;
        cr_assert_eq(findings_check_unit(&p, NULL, 0, &a), 0);
        cr_assert_eq(json_array_size(a), 2, "%s", json_dumps(a, 0));
        x = json_array_get(a, 0);
        cr_assert_str_eq(str(x, "file"), dropin);
        cr_assert_str_eq(str(x, "kind"), "mismatch");
        cr_assert_str_eq(str(x, "key"), "MemoryMax");
        cr_assert(strstr(str(x, "reason"), "MemoryMax=536870912"), "%s", str(x, "reason"));
        cr_assert(strstr(str(x, "reason"), "systemd runs with MemoryMax=1073741824"));
        x = json_array_get(a, 1);
        cr_assert_str_eq(str(x, "key"), "PrivateTmp");
        json_decref(a);
        json_decref(p.sandbox);
}

Test(config_findings, wrong_section_from_file, .init = setup, .fini = teardown)
{
        struct unit_props p;
        json_t *a = NULL, *x;

        write_file(path, "[Unit]\nDescription=x\nMemoryMax=1G\n[Service]\nExecStart=/bin/true\n"
                         "[Install]\nWantedBy=multi-user.target\n");
        props_as_loaded(&p, "no", UINT64_MAX, UINT64_MAX);
        cr_assert_eq(findings_check_unit(&p, NULL, 0, &a), 0);
        cr_assert_eq(json_array_size(a), 1, "%s", json_dumps(a, 0));
        x = finding_at(a, 3);
        cr_assert_str_eq(str(x, "kind"), "wrong-section");
        cr_assert_str_eq(str(x, "section"), "Unit");
        json_decref(a);
        json_decref(p.sandbox);
}

/* The thread: a submitted snapshot's unit gets its findings attached to the next snapshot. */
Test(config_findings, checker_thread, .init = setup, .fini = teardown)
{
        struct findings_checker *fc = NULL;
        struct unit_props p;
        json_t *got = NULL;

        write_file(path, bad_unit);
        props_as_loaded(&p, "no", UINT64_MAX, UINT64_MAX);
        p.id = (char *)"uw-intended.service";
        cr_assert_eq(findings_checker_new(false, &fc), 0);
        for (int i = 0; i < 500 && !got; i++) {
                struct uw_snapshot *s = uw_snapshot_new("/sys/fs/cgroup", 1);

                cr_assert_eq(uw_snapshot_add(s, "uw-intended.service", NULL, NULL, &p, NULL), 0);
                uw_snapshot_sort(s);
                findings_checker_annotate(fc, s);
                if (s->units[0].config_findings)
                        got = json_incref(s->units[0].config_findings);
                findings_checker_submit(fc, s, 0, 0);
                uw_snapshot_unref(s);
                if (!got)
                        (void)usleep(10000);
        }
        cr_assert_not_null(got, "no findings attached within 5 s");
        cr_assert_eq(json_array_size(got), 4, "%s", json_dumps(got, 0));
        cr_assert_not(findings_checker_journal_ok(fc));
        json_decref(got);
        findings_checker_free(fc);
        json_decref(p.sandbox);
}
