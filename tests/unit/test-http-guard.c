/* SPDX-License-Identifier: MIT */
/*
 * What keeps one client from taking the HTTP server (web/http_guard.h), the token and TLS
 * files (web/http_opts.h), and the "http" config keys with the loopback rule.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config.h"
#include "web/http_guard.h"
#include "web/http_opts.h"

static struct sockaddr_in v4(const char *a)
{
        struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(1234)};

        cr_assert_eq(inet_pton(AF_INET, a, &s.sin_addr), 1);
        return s;
}

static struct sockaddr_in6 v6(const char *a)
{
        struct sockaddr_in6 s = {.sin6_family = AF_INET6};

        cr_assert_eq(inet_pton(AF_INET6, a, &s.sin6_addr), 1);
        return s;
}

Test(http_guard, loopback_addresses)
{
        struct sockaddr_in a = v4("127.0.0.1"), b = v4("127.9.9.9"), c = v4("10.0.0.1");
        struct sockaddr_in6 d = v6("::1"), e = v6("::ffff:127.0.0.2"), f = v6("2001:db8::1");

        cr_assert(http_addr_is_loopback((struct sockaddr *)&a));
        cr_assert(http_addr_is_loopback((struct sockaddr *)&b));
        cr_assert_not(http_addr_is_loopback((struct sockaddr *)&c));
        cr_assert(http_addr_is_loopback((struct sockaddr *)&d));
        cr_assert(http_addr_is_loopback((struct sockaddr *)&e));
        cr_assert_not(http_addr_is_loopback((struct sockaddr *)&f));
        cr_assert(cfg_listen_is_loopback("127.0.0.1:1"));
        cr_assert(cfg_listen_is_loopback("[::1]:1"));
        cr_assert_not(cfg_listen_is_loopback("0.0.0.0:1"));
        cr_assert_not(cfg_listen_is_loopback("[::]:1"));
}

/* Counts are per address (ports ignored), loopback exempt unless asked, freed on close. */
Test(http_guard, per_client_limit)
{
        struct http_guard *g;
        struct sockaddr_in a = v4("10.0.0.7"), a2 = v4("10.0.0.7"), b = v4("10.0.0.8");
        struct sockaddr_in lo = v4("127.0.0.1");
        struct http_conn *c[3];

        a2.sin_port = htons(999);
        cr_assert_eq(http_guard_new(1000, &g), 0);
        cr_assert(http_guard_admit(g, (struct sockaddr *)&a, 2, false));
        c[0] = http_guard_open(g, -1, (struct sockaddr *)&a, 10);
        c[1] = http_guard_open(g, -1, (struct sockaddr *)&a2, 10);
        cr_assert_eq(http_guard_count(g, (struct sockaddr *)&a), 2);
        cr_assert_not(http_guard_admit(g, (struct sockaddr *)&a, 2, false));
        cr_assert(http_guard_admit(g, (struct sockaddr *)&a, 3, false));
        cr_assert(http_guard_admit(g, (struct sockaddr *)&a, 0, false), "0 is no limit");
        cr_assert(http_guard_admit(g, (struct sockaddr *)&b, 2, false));
        for (int i = 0; i < 5; i++)
                (void)http_guard_open(g, -1, (struct sockaddr *)&lo, 10);
        cr_assert(http_guard_admit(g, (struct sockaddr *)&lo, 2, false));
        cr_assert_not(http_guard_admit(g, (struct sockaddr *)&lo, 2, true));
        http_guard_close(g, c[0]);
        cr_assert_eq(http_guard_count(g, (struct sockaddr *)&a), 1);
        cr_assert(http_guard_admit(g, (struct sockaddr *)&a, 2, false));
        http_guard_close(g, c[1]);
        cr_assert_eq(http_guard_count(g, (struct sockaddr *)&a), 0);
        c[2] = http_guard_open(g, -1, (struct sockaddr *)&b, 10);
        cr_assert_eq(http_guard_count(g, (struct sockaddr *)&b), 1);
        http_guard_free(g); /* frees what is still open */
}

/* A connection past its deadline is shut down (the peer sees EOF); a disarmed one is not. */
Test(http_guard, sweep_shuts_down_late_requests)
{
        struct http_guard *g;
        struct sockaddr_in a = v4("10.0.0.7");
        int late[2], done[2];
        struct http_conn *cl, *cd;
        char byte;

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, late), 0);
        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, done), 0);
        cr_assert_eq(http_guard_new(60000, &g), 0);
        cl = http_guard_open(g, late[0], (struct sockaddr *)&a, 0);
        cd = http_guard_open(g, done[0], (struct sockaddr *)&a, 0);
        http_guard_disarm(g, cd);
        cr_assert_eq(http_guard_sweep(g, UINT64_MAX / 2), 1);
        cr_assert_eq(read(late[1], &byte, 1), 0, "the late client sees EOF");
        cr_assert_eq(fcntl(done[1], F_SETFL, O_NONBLOCK), 0);
        cr_assert_eq(read(done[1], &byte, 1), -1, "the answered client is left alone");
        cr_assert_eq(http_guard_sweep(g, UINT64_MAX / 2), 0, "shut down once");
        cr_assert_eq(http_guard_expired(g), 1);
        http_guard_arm(g, cd, 3600);
        cr_assert_eq(http_guard_sweep(g, 1), 0, "armed for later: not yet");
        http_guard_close(g, cl);
        http_guard_close(g, cd);
        http_guard_free(g);
        for (int i = 0; i < 2; i++) {
                (void)close(late[i]);
                (void)close(done[i]);
        }
}

/* The sweeper thread does it by itself. */
Test(http_guard, sweeper_thread)
{
        struct http_guard *g;
        struct sockaddr_in a = v4("10.0.0.7");
        int sp[2];
        char byte;

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
        cr_assert_eq(http_guard_new(50, &g), 0);
        (void)http_guard_open(g, sp[0], (struct sockaddr *)&a, 0);
        cr_assert_eq(read(sp[1], &byte, 1), 0, "EOF within a sweep");
        http_guard_free(g);
        (void)close(sp[0]);
        (void)close(sp[1]);
}

Test(http_opts, bearer_matches)
{
        cr_assert(http_bearer_matches("Bearer 0123456789abcdef", "0123456789abcdef"));
        cr_assert(http_bearer_matches("bearer 0123456789abcdef", "0123456789abcdef"));
        cr_assert_not(http_bearer_matches("Bearer 0123456789abcdeF", "0123456789abcdef"));
        cr_assert_not(http_bearer_matches("Bearer 0123456789abcde", "0123456789abcdef"));
        cr_assert_not(http_bearer_matches("Bearer 0123456789abcdefg", "0123456789abcdef"));
        cr_assert_not(http_bearer_matches("Basic 0123456789abcdef", "0123456789abcdef"));
        cr_assert_not(http_bearer_matches("Bearer ", "0123456789abcdef"));
        cr_assert_not(http_bearer_matches(NULL, "0123456789abcdef"));
        cr_assert_not(http_bearer_matches("Bearer x", ""));
}

static char *token_file(const char *text, mode_t mode)
{
        static char path[64];
        FILE *f;

        (void)snprintf(path, sizeof(path), "/tmp/unitwatch-test-token-%d", (int)getpid());
        f = fopen(path, "w");
        cr_assert_not_null(f);
        cr_assert_geq(fputs(text, f), 0);
        cr_assert_eq(fclose(f), 0);
        cr_assert_eq(chmod(path, mode), 0);
        return path;
}

Test(http_opts, token_file_rules)
{
        struct uw_http_config h = {.connection_limit = 7, .methods = CFG_METHOD_GET};
        struct http_options o;
        char err[512];

        h.token_file = token_file("  s3cret-0123456789abcdef \n second line\n", 0600);
        cr_assert_eq(http_options_load(&h, &o, err, sizeof(err)), 0, "%s", err);
        cr_assert_str_eq(o.token, "s3cret-0123456789abcdef", "first line, blanks trimmed");
        cr_assert_eq(o.connection_limit, 7);
        cr_assert_eq(o.methods, CFG_METHOD_GET);
        cr_assert_null(o.tls_cert_pem);
        http_options_release(&o);

        h.token_file = token_file("short\n", 0600);
        cr_assert_eq(http_options_load(&h, &o, err, sizeof(err)), -EINVAL);
        cr_assert(strstr(err, "5 characters long, fewer than 16"), "%s", err);
        h.token_file = token_file("with a blank inside 0123456789\n", 0600);
        cr_assert_eq(http_options_load(&h, &o, err, sizeof(err)), -EINVAL);
        cr_assert(strstr(err, "blank or a control character"), "%s", err);
        (void)unlink(h.token_file);
        cr_assert_eq(http_options_load(&h, &o, err, sizeof(err)), -ENOENT);
        cr_assert(strstr(err, "cannot read the token file"), "%s", err);
        h.token_file = (char *)"/tmp";
        cr_assert_eq(http_options_load(&h, &o, err, sizeof(err)), -EBADF);
        cr_assert(strstr(err, "not a regular file"), "%s", err);

        h.token_file = NULL;
        h.tls_cert = token_file("not a certificate\n", 0600);
        h.tls_key = h.tls_cert;
        cr_assert_eq(http_options_load(&h, &o, err, sizeof(err)), -EINVAL);
        cr_assert(strstr(err, "is not PEM"), "%s", err);
        (void)unlink(h.tls_cert);
}

static int load_config(const char *text, struct uw_config *c, char *err, size_t err_size)
{
        char path[] = "/tmp/unitwatch-test-http-config-XXXXXX";
        int fd = mkstemp(path), r;

        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        (void)close(fd);
        cr_assert_eq(cfg_init(c), 0);
        r = cfg_load_file(c, path, err, err_size);
        (void)unlink(path);
        return r;
}

Test(http_config, keys_and_checks)
{
        struct uw_config c;
        char err[1024] = "";

        cr_assert_eq(load_config("{\"http\": {\"connection_limit\": 2048, \"per_client_limit\": 0,"
                                 " \"per_client_loopback\": true, \"max_header_bytes\": 8192,"
                                 " \"max_body_bytes\": 100, \"idle_timeout\": 5,"
                                 " \"request_timeout\": 3, \"methods\": [\"GET\", \"HEAD\"],"
                                 " \"token_file\": \"/t\"}, \"listen\": [\"10.0.0.5:9839\"]}",
                                 &c, err, sizeof(err)),
                     0, "%s", err);
        cr_assert_eq(c.http.connection_limit, 2048);
        cr_assert_eq(c.http.per_client_limit, 0);
        cr_assert(c.http.per_client_loopback);
        cr_assert_eq(c.http.max_header_bytes, 8192);
        cr_assert_eq(c.http.max_body_bytes, 100);
        cr_assert_eq(c.http.idle_timeout, 5);
        cr_assert_eq(c.http.request_timeout, 3);
        cr_assert_eq(c.http.methods, CFG_METHOD_GET | CFG_METHOD_HEAD);
        cr_assert_str_eq(c.http.token_file, "/t");
        cr_assert_eq(cfg_check_http(&c, err, sizeof(err)), 0, "a token makes it acceptable");
        cfg_release(&c);

        cr_assert_eq(load_config("{\"listen\": [\"127.0.0.1:1\", \"10.0.0.5:9839\"]}", &c, err,
                                 sizeof(err)),
                     0);
        cr_assert_eq(cfg_check_http(&c, err, sizeof(err)), -EINVAL);
        cr_assert(strstr(err, "'10.0.0.5:9839', which is not a loopback address"), "%s", err);
        cfg_release(&c);
        cr_assert_eq(load_config("{\"listen\": [\"[::]:1\"], \"http\": {\"allow_insecure_remote\":"
                                 " true}}",
                                 &c, err, sizeof(err)),
                     0);
        cr_assert_eq(cfg_check_http(&c, err, sizeof(err)), 0);
        cfg_release(&c);
        cr_assert_eq(load_config("{\"http\": {\"tls_cert\": \"/c\"}}", &c, err, sizeof(err)), 0);
        cr_assert_eq(cfg_check_http(&c, err, sizeof(err)), -EINVAL);
        cr_assert(strstr(err, "'http.tls_key' is not"), "%s", err);
        cfg_release(&c);

        cr_assert_eq(load_config("{\"http\": {\"methods\": [\"DELETE\"]}}", &c, err, sizeof(err)),
                     -EINVAL);
        cr_assert(strstr(err, "'http.methods' must be"), "%s", err);
        cfg_release(&c);
        cr_assert_eq(load_config("{\"http\": {\"connection_limit\": 0}}", &c, err, sizeof(err)),
                     -EINVAL);
        cr_assert(strstr(err, "'http.connection_limit' must be an integer from 1"), "%s", err);
        cfg_release(&c);
        cr_assert_eq(load_config("{\"http\": {\"token\": \"x\"}}", &c, err, sizeof(err)), -EINVAL);
        cr_assert(strstr(err, "unknown key 'http.token'"), "%s", err);
        cfg_release(&c);
}
