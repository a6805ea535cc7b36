/* SPDX-License-Identifier: MIT */
/* The config loader's acceptance and its precise complaints, and listen address parsing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/cg_discover.h"
#include "daemon/config.h"
#include "daemon/log.h"

static char path[] = "/tmp/unitwatch-test-config-XXXXXX";

static void write_config(const char *text)
{
        int fd = mkstemp(path);
        FILE *f;

        cr_assert_geq(fd, 0);
        f = fdopen(fd, "w");
        cr_assert_not_null(f);
        cr_assert_geq(fputs(text, f), 0);
        cr_assert_eq(fclose(f), 0);
}

static void cleanup(void)
{
        (void)unlink(path);
}

TestSuite(config, .fini = cleanup);

Test(config, full_file_is_applied)
{
        struct uw_config c;
        char err[512] = "";

        write_config(
                "{\"listen\": [\"127.0.0.1:9000\", \"[::1]:9001\"], \"interval\": 2.5,"
                " \"cgroup_root\": \"/x\", \"no_bus\": true, \"log_level\": \"debug\","
                " \"units\": {\"types\": [\"service\", \"slice\"], \"include\": [\"a*\"],"
                " \"exclude\": [\"ab*\"]}, \"memory_stat_all\": true, \"hardening\": {\"accept\":"
                " [{\"units\": \"nginx*.service\", \"check\": \"PrivateNetwork\"}]}}");
        cr_assert_eq(cfg_init(&c), 0);
        cr_assert_eq(cfg_load_file(&c, path, err, sizeof(err)), 0, "%s", err);
        cr_assert_str_eq(c.listen[0], "127.0.0.1:9000");
        cr_assert_str_eq(c.listen[1], "[::1]:9001");
        cr_assert_null(c.listen[2]);
        cr_assert_float_eq(c.interval, 2.5, 1e-9);
        cr_assert_str_eq(c.cgroup_root, "/x");
        cr_assert(c.no_bus);
        cr_assert(c.memory_stat_all);
        cr_assert_eq(c.log_level, LOG_LEVEL_DEBUG);
        cr_assert_eq(c.unit_types, UNIT_SERVICE | UNIT_SLICE);
        cr_assert_str_eq(c.include[0], "a*");
        cr_assert_str_eq(c.exclude[0], "ab*");
        cr_assert_str_eq(c.accept_units[0], "nginx*.service");
        cr_assert_str_eq(c.accept_checks[0], "PrivateNetwork");
        cr_assert_null(c.accept_units[1]);
        cfg_release(&c);
}

static void expect_error(const char *text, const char *needle)
{
        struct uw_config c;
        char err[512] = "";

        write_config(text);
        cr_assert_eq(cfg_init(&c), 0);
        cr_assert_lt(cfg_load_file(&c, path, err, sizeof(err)), 0, "accepted: %s", text);
        cr_assert_not_null(strstr(err, needle), "error '%s' does not mention '%s'", err, needle);
        /* The defaults survive a failed load of a bad value. */
        cr_assert_str_eq(c.cgroup_root, "/sys/fs/cgroup");
        cfg_release(&c);
        cleanup();
        strcpy(path, "/tmp/unitwatch-test-config-XXXXXX");
}

Test(config, errors_say_what_is_wrong)
{
        expect_error("{\"interval\": 0}", "'interval'");
        expect_error("{\"interval\": \"10\"}", "'interval'");
        expect_error("{\"intervall\": 10}", "unknown key 'intervall'");
        expect_error("{\"units\": {\"typo\": 1}}", "unknown key 'units.typo'");
        expect_error("{\"units\": {\"types\": [\"timer\"]}}", "unknown unit type 'timer'");
        expect_error("{\"listen\": [\"localhost\"]}", "'listen'[0]");
        expect_error("{\"listen\": [\"1.2.3.4:99999\"]}", "'listen'[0]");
        expect_error("{\"log_level\": \"loud\"}", "'log_level'");
        expect_error("{\"no_bus\": 1}", "'no_bus' must be true or false");
        expect_error("{\"interval\": 10,\n \"listen\": [}", "line 2");
        expect_error("[1, 2]", "top level must be a JSON object");
        expect_error("{\"interval\": 5, \"interval\": 6}", "duplicate");
        expect_error("{\"hardening\": {\"accept\": [{\"units\": \"a*\"}]}}",
                     "'hardening.accept'[0]");
        expect_error("{\"hardening\": {\"acept\": []}}", "unknown key 'hardening.acept'");
}

Test(config, missing_file)
{
        struct uw_config c;
        char err[512] = "";

        cr_assert_eq(cfg_init(&c), 0);
        cr_assert_lt(cfg_load_file(&c, "/nonexistent/unitwatch.json", err, sizeof(err)), 0);
        cr_assert_not_null(strstr(err, "cannot read '/nonexistent/unitwatch.json'"), "%s", err);
        cfg_release(&c);
}

Test(config, listen_addresses)
{
        char host[64];
        unsigned port;

        cr_assert_eq(cfg_parse_listen("127.0.0.1:9839", host, sizeof(host), &port), 0);
        cr_assert_str_eq(host, "127.0.0.1");
        cr_assert_eq(port, 9839);
        cr_assert_eq(cfg_parse_listen("[::1]:80", host, sizeof(host), &port), 0);
        cr_assert_str_eq(host, "::1");
        cr_assert_eq(port, 80);
        cr_assert_lt(cfg_parse_listen("::1:80", host, sizeof(host), &port), 0);
        cr_assert_lt(cfg_parse_listen("127.0.0.1:0", host, sizeof(host), &port), 0);
        cr_assert_lt(cfg_parse_listen("127.0.0.1:", host, sizeof(host), &port), 0);
        cr_assert_lt(cfg_parse_listen("127.0.0.1:80x", host, sizeof(host), &port), 0);
        cr_assert_lt(cfg_parse_listen("[::1]80", host, sizeof(host), &port), 0);
        cr_assert_lt(cfg_parse_listen("example.com:80", host, sizeof(host), &port), 0);
}
