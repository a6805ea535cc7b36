/* SPDX-License-Identifier: MIT */
/*
 * unitwatchd: flags, config, and the choice between one snapshot (--once), a config check
 * (--check-config) and the long-running daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "../collectors/cg_reader.h"
#include "../collectors/cg_root.h"
#include "../collectors/unit_watch.h"
#include "../web/http_guard.h"
#include "../web/http_opts.h"
#include "../web/render.h"
#include "collector.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "security_cmd.h"
#include "top_cmd.h"
#include "util.h"

#define EXIT_USAGE 2

enum output_format {
        FORMAT_JSON,
        FORMAT_PROMETHEUS,
};

struct cli {
        const char *config_path;
        bool once, check_config, rates, format_given;
        /* A list given by flags replaces the config file's: cleared at the first flag. */
        bool listen_from_flags, include_from_flags, exclude_from_flags;
        enum output_format format;
};

enum {
        ARG_CGROUP_ROOT = 0x100,
        ARG_SYSFS_ROOT,
        ARG_NO_BUS,
        ARG_BUS,
        ARG_ONCE,
        ARG_FORMAT,
        ARG_RATES,
        ARG_CONFIG,
        ARG_CHECK_CONFIG,
        ARG_STATE_DIR,
        ARG_LOG_LEVEL,
        ARG_TYPES,
        ARG_INCLUDE,
        ARG_EXCLUDE,
        ARG_MEMORY_STAT_ALL,
        ARG_TOKEN_FILE,
        ARG_TLS_CERT,
        ARG_TLS_KEY,
        ARG_VERSION,
};

static const struct option options[] = {
        {"listen", required_argument, NULL, 'l'},
        {"interval", required_argument, NULL, 'i'},
        {"cgroup-root", required_argument, NULL, ARG_CGROUP_ROOT},
        {"sysfs-root", required_argument, NULL, ARG_SYSFS_ROOT},
        {"no-bus", no_argument, NULL, ARG_NO_BUS},
        {"bus", required_argument, NULL, ARG_BUS},
        {"once", no_argument, NULL, ARG_ONCE},
        {"format", required_argument, NULL, ARG_FORMAT},
        {"rates", no_argument, NULL, ARG_RATES},
        {"config", required_argument, NULL, ARG_CONFIG},
        {"check-config", no_argument, NULL, ARG_CHECK_CONFIG},
        {"state-dir", required_argument, NULL, ARG_STATE_DIR},
        {"log-level", required_argument, NULL, ARG_LOG_LEVEL},
        {"types", required_argument, NULL, ARG_TYPES},
        {"include", required_argument, NULL, ARG_INCLUDE},
        {"exclude", required_argument, NULL, ARG_EXCLUDE},
        {"memory-stat-all", no_argument, NULL, ARG_MEMORY_STAT_ALL},
        {"token-file", required_argument, NULL, ARG_TOKEN_FILE},
        {"tls-cert", required_argument, NULL, ARG_TLS_CERT},
        {"tls-key", required_argument, NULL, ARG_TLS_KEY},
        {"version", no_argument, NULL, ARG_VERSION},
        {"help", no_argument, NULL, 'h'},
        {},
};

static void help(void)
{
        printf("unitwatchd %s: per-service resource monitor for systemd hosts\n\n"
               "Usage: unitwatchd [OPTIONS]\n"
               "       unitwatchd security [OPTIONS] [UNIT...]\n"
               "       (the hardening table; see unitwatchd security --help)\n"
               "       unitwatchd top [OPTIONS]\n"
               "       (a live view of every service; see unitwatchd top --help)\n\n"
               "  -l, --listen ADDRESS:PORT  serve HTTP here (repeatable; [::1]:PORT for IPv6;\n"
               "                             default %s)\n"
               "  -i, --interval SECONDS     time between collections (default 10)\n"
               "      --cgroup-root DIR      cgroup v2 mount (default /sys/fs/cgroup; a hybrid\n"
               "                             layout's DIR/unified is found by itself)\n"
               "      --sysfs-root DIR       where block device names are looked up (default "
               "/sys)\n"
               "      --no-bus               do not use D-Bus: units come from the cgroup tree\n"
               "      --bus ADDRESS          D-Bus address instead of the system bus\n"
               "      --once                 print one snapshot to stdout and exit\n"
               "      --format FORMAT        json or prometheus (with --once; default json)\n"
               "      --rates                with --once: sample twice, --interval apart, and\n"
               "                             add rates\n"
               "      --config FILE          JSON config file (flags override it)\n"
               "      --check-config         validate the config and flags, then exit\n"
               "      --state-dir DIR        state directory (default /var/lib/unitwatch)\n"
               "      --log-level LEVEL      debug, info, notice, warning or error (default "
               "info)\n"
               "      --types LIST           unit types to list: service,scope,slice (default "
               "service)\n"
               "      --include GLOB         only units matching GLOB (repeatable)\n"
               "      --exclude GLOB         skip units matching GLOB (repeatable)\n"
               "      --memory-stat-all      export every memory.stat key on /metrics\n"
               "      --token-file FILE      require 'Authorization: Bearer TOKEN', the token\n"
               "                             being FILE's first line (never give it on argv)\n"
               "      --tls-cert FILE        serve HTTPS with this PEM certificate (chain)\n"
               "      --tls-key FILE         the PEM private key of --tls-cert\n"
               "      --version              print the version and exit\n"
               "  -h, --help                 print this help and exit\n\n"
               "Signals: SIGHUP reloads the config, SIGTERM stops. Full manual: man unitwatchd\n",
               UNITWATCH_VERSION, CFG_DEFAULT_LISTEN);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
        va_list ap;

        (void)fprintf(stderr, "unitwatchd: ");
        va_start(ap, fmt);
        (void)vfprintf(stderr, fmt, ap);
        va_end(ap);
        (void)fprintf(stderr, "\nTry 'unitwatchd --help'.\n");
        return -EINVAL;
}

static int replace(char **dst, const char *s)
{
        char *copy = strdup(s);

        if (!copy)
                return -ENOMEM;
        free(*dst);
        *dst = copy;
        return 0;
}

/* Flags are applied over the config file, so the file is looked for first. */
static const char *find_config_flag(int argc, char **argv)
{
        const char *path = NULL;

        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--config") && i + 1 < argc)
                        path = argv[++i];
                else if (strncmp(argv[i], "--config=", 9) == 0)
                        path = argv[i] + 9;
                else if (streq(argv[i], "--"))
                        break;
        }
        return path;
}

static int apply_flag(struct uw_config *c, struct cli *cli, int opt, const char *arg)
{
        char err[256];
        char *end;
        int r = 0;

        switch (opt) {
        case 'l': {
                char host[64];
                unsigned port;

                if (cfg_parse_listen(arg, host, sizeof(host), &port) < 0)
                        return usage_error("invalid --listen '%s': expected a numeric IPv4 "
                                           "ADDRESS:PORT or [IPV6]:PORT (no host names)",
                                           arg);
                if (!cli->listen_from_flags)
                        cfg_list_clear(c->listen);
                cli->listen_from_flags = true;
                if (cfg_list_add(c->listen, CFG_LISTEN_MAX, arg) < 0)
                        return usage_error("too many --listen addresses at '%s'", arg);
                return 0;
        }
        case 'i':
                errno = 0;
                c->interval = strtod(arg, &end);
                if (errno || *end || end == arg || !isfinite(c->interval) || c->interval < 0.1 ||
                    c->interval > 3600)
                        return usage_error("invalid --interval '%s': expected seconds from 0.1 "
                                           "to 3600",
                                           arg);
                return 0;
        case ARG_CGROUP_ROOT:
                return replace(&c->cgroup_root, arg);
        case ARG_SYSFS_ROOT:
                return replace(&c->sysfs_root, arg);
        case ARG_NO_BUS:
                c->no_bus = true;
                return 0;
        case ARG_BUS:
                return replace(&c->bus_address, arg);
        case ARG_ONCE:
                cli->once = true;
                return 0;
        case ARG_FORMAT:
                cli->format_given = true;
                if (streq(arg, "json"))
                        cli->format = FORMAT_JSON;
                else if (streq(arg, "prometheus"))
                        cli->format = FORMAT_PROMETHEUS;
                else
                        return usage_error("invalid --format '%s': expected json or prometheus",
                                           arg);
                return 0;
        case ARG_RATES:
                cli->rates = true;
                return 0;
        case ARG_CONFIG:
                return 0; /* loaded before the flags */
        case ARG_CHECK_CONFIG:
                cli->check_config = true;
                return 0;
        case ARG_STATE_DIR:
                return replace(&c->state_dir, arg);
        case ARG_LOG_LEVEL:
                r = log_level_from_string(arg);
                if (r < 0)
                        return usage_error("invalid --log-level '%s': expected debug, info, "
                                           "notice, warning or error",
                                           arg);
                c->log_level = r;
                return 0;
        case ARG_TYPES:
                r = cfg_parse_unit_types(arg, &c->unit_types, err, sizeof(err));
                if (r < 0)
                        return usage_error("invalid --types: %s", err);
                return 0;
        case ARG_INCLUDE:
        case ARG_EXCLUDE: {
                bool *from_flags =
                        opt == ARG_INCLUDE ? &cli->include_from_flags : &cli->exclude_from_flags;

                if (!*from_flags)
                        cfg_list_clear(opt == ARG_INCLUDE ? c->include : c->exclude);
                *from_flags = true;
                if (cfg_list_add(opt == ARG_INCLUDE ? c->include : c->exclude, CFG_GLOBS_MAX, arg) <
                    0)
                        return usage_error("too many globs at '%s'", arg);
                return 0;
        }
        case ARG_MEMORY_STAT_ALL:
                c->memory_stat_all = true;
                return 0;
        case ARG_TOKEN_FILE:
                return replace(&c->http.token_file, arg);
        case ARG_TLS_CERT:
                return replace(&c->http.tls_cert, arg);
        case ARG_TLS_KEY:
                return replace(&c->http.tls_key, arg);
        }
        return -EINVAL;
}

/*
 * Loads the config file named by --config, then applies the flags over it. Returns 1 to go
 * on, 0 when --help or --version was answered, -EINVAL with a reason in err (config) or on
 * stderr (flags).
 */
static int parse_argv(int argc, char **argv, struct uw_config *c, struct cli *cli, char *err,
                      size_t err_size)
{
        const char *config_path = find_config_flag(argc, argv);
        int opt, r;

        err[0] = '\0';
        if (config_path) {
                cli->config_path = config_path;
                r = cfg_load_file(c, config_path, err, err_size);
                if (r < 0)
                        return -EINVAL;
        }

        optind = 0; /* glibc: start over, also when called again for SIGHUP */
        opterr = 0; /* our messages, with the hint to --help */

        while ((opt = getopt_long(argc, argv, "l:i:h", options, NULL)) >= 0) {
                if (opt == 'h') {
                        help();
                        return 0;
                }
                if (opt == ARG_VERSION) {
                        printf("unitwatchd %s\n", UNITWATCH_VERSION);
                        return 0;
                }
                if (opt == '?') {
                        if (optopt && optopt < 0x100)
                                return usage_error("invalid option '-%c' or missing value", optopt);
                        if (optopt)
                                return usage_error("'%s' needs a value", argv[optind - 1]);
                        return usage_error("unknown option '%s'", argv[optind - 1]);
                }
                r = apply_flag(c, cli, opt, optarg);
                if (r < 0)
                        return r;
        }
        if (optind < argc)
                return usage_error("unexpected argument '%s'", argv[optind]);
        if (cli->rates && !cli->once)
                return usage_error("%s only makes sense with --once", "--rates");
        if (cli->format_given && !cli->once)
                return usage_error("%s only makes sense with --once", "--format");
        if (!cli->once) {
                struct http_options o;

                /* The token and TLS files are read now, so --check-config and SIGHUP see them. */
                if (cfg_check_http(c, err, err_size) < 0 ||
                    http_options_load(&c->http, &o, err, err_size) < 0)
                        return -EINVAL;
                http_options_release(&o);
        }
        return 1;
}

static void sleep_seconds(double s)
{
        struct timespec ts = {.tv_sec = (time_t)s,
                              .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* How long --once waits for the bus to answer ListUnits and every GetAll. */
#define ONCE_BUS_TIMEOUT_USEC (30u * 1000000u)

static int once_collect(struct uw_collector *col, struct unit_watch *w,
                        const struct uw_snapshot *prev, struct uw_snapshot **ret)
{
        return w ? uw_collector_collect_bus(col, w, prev, ret)
                 : uw_collector_collect(col, prev, ret);
}

static int run_once(const struct uw_config *c, const struct cli *cli, const char *root)
{
        struct uw_collector_config cc = {
                .cgroup_root = root,
                .sysfs_root = c->sysfs_root,
                .types = c->unit_types,
                .include = (char **)c->include,
                .exclude = (char **)c->exclude,
                .fd_budget = 0, /* one pass (or two): nothing to keep open */
        };
        struct render_opts o = {.memory_stat_all = c->memory_stat_all, .rates = cli->rates};
        _cleanup_(uw_snapshot_unrefp) struct uw_snapshot *first = NULL, *s = NULL;
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        struct uw_collector *col = NULL;
        struct unit_watch *w = NULL;
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        /* With the bus, units come with their states, limits and sandbox, as in the daemon. */
        if (!c->no_bus) {
                r = sd_event_new(&e);
                if (r >= 0)
                        r = unit_watch_new(e, c->bus_address, c->unit_types, NULL, NULL, &w);
                if (r >= 0) {
                        r = unit_watch_run(w, ONCE_BUS_TIMEOUT_USEC, true);
                        if (r < 0) {
                                (void)log_warning_errno(r, "the bus did not answer in time (%m)");
                                unit_watch_free(w);
                                w = NULL;
                        }
                }
                if (!w)
                        log_notice("%s (%s): units are discovered from the cgroup tree under "
                                   "'%s' and unit states are not reported%s",
                                   r == -EHOSTDOWN ? "systemd is not on the bus"
                                                   : "system bus unavailable",
                                   c->bus_address ? c->bus_address : strerror(-r), root,
                                   unit_watch_refusal_hint(r));
        }

        if (cli->rates)
                cc.fd_budget = cg_reader_fd_budget(64);
        r = uw_collector_new(&cc, &col);
        if (r < 0) {
                unit_watch_free(w);
                return log_error_errno(r, "cannot open the cgroup tree '%s': %m", root);
        }
        r = once_collect(col, w, NULL, &s);
        if (r >= 0 && cli->rates) {
                first = TAKE_PTR(s);
                if (w)
                        (void)unit_watch_run(w, (uint64_t)(c->interval * 1e6), false);
                else
                        sleep_seconds(c->interval);
                r = once_collect(col, w, first, &s);
        }
        uw_collector_free(col);
        unit_watch_free(w);
        if (r < 0)
                return r;

        if (cli->format == FORMAT_PROMETHEUS)
                r = render_prom(s, &o, &text, &len);
        else
                r = render_json(s, &o, true, &text, &len);
        if (r < 0)
                return log_error_errno(r, "cannot render the snapshot: %m");
        if (fwrite(text, 1, len, stdout) != len ||
            (cli->format == FORMAT_JSON && putchar('\n') < 0) || fflush(stdout) != 0)
                return log_error_errno(-EIO, "cannot write to stdout");
        return 0;
}

/*
 * Sockets passed by systemd replace --listen, so the loopback rule of cfg_check_http() is
 * applied to their addresses here. Returns -EINVAL with the reason in err.
 */
static int check_passed_sockets(const struct uw_config *c, char *err, size_t err_size)
{
        int n = sd_listen_fds(0);

        if (c->http.token_file || c->http.tls_cert || c->http.allow_insecure_remote)
                return 0;
        for (int i = 0; i < n; i++) {
                struct sockaddr_storage ss;
                socklen_t len = sizeof(ss);

                if (getsockname(SD_LISTEN_FDS_START + i, (struct sockaddr *)&ss, &len) < 0 ||
                    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) ||
                    http_addr_is_loopback((struct sockaddr *)&ss))
                        continue;
                (void)snprintf(err, err_size,
                               "refusing to serve the socket systemd passed (fd %d), which is "
                               "not on a loopback address, without a bearer token or TLS: set "
                               "http.token_file and/or http.tls_cert and http.tls_key, or "
                               "\"http\": {\"allow_insecure_remote\": true} to accept that",
                               SD_LISTEN_FDS_START + i);
                return -EINVAL;
        }
        return 0;
}

struct args {
        int argc;
        char **argv;
};

/* SIGHUP: the same file and flags as at start, read again. */
static int reload_config(void *userdata, struct uw_config *ret, char *err, size_t err_size)
{
        const struct args *a = userdata;
        struct cli cli = {.format = FORMAT_JSON};
        int r;

        r = cfg_init(ret);
        if (r >= 0)
                r = parse_argv(a->argc, a->argv, ret, &cli, err, err_size);
        if (r <= 0) {
                cfg_release(ret);
                return r < 0 ? r : -EINVAL;
        }
        return 0;
}

int main(int argc, char **argv)
{
        struct args args = {argc, argv};
        char err[1024];
        struct uw_config cfg;
        struct cli cli = {.format = FORMAT_JSON};
        _cleanup_free_ char *root = NULL;
        enum cg_layout layout;
        int r;

        log_open();
        if (argc > 1 && streq(argv[1], "security"))
                return security_command(argc - 1, argv + 1);
        if (argc > 1 && streq(argv[1], "top"))
                return top_command(argc - 1, argv + 1);
        if (cfg_init(&cfg) < 0) {
                (void)fprintf(stderr, "unitwatchd: out of memory\n");
                return EXIT_FAILURE;
        }
        r = parse_argv(argc, argv, &cfg, &cli, err, sizeof(err));
        if (r < 0 && err[0])
                (void)fprintf(stderr, "unitwatchd: invalid config: %s\n", err);
        if (r <= 0) {
                cfg_release(&cfg);
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
        }
        log_max_level = cfg.log_level;
        if (!cli.once && check_passed_sockets(&cfg, err, sizeof(err)) < 0) {
                log_error("%s", err);
                cfg_release(&cfg);
                return EXIT_USAGE;
        }

        if (cli.check_config) {
                printf("configuration is valid%s%s%s\n", cli.config_path ? " ('" : "",
                       cli.config_path ? cli.config_path : "", cli.config_path ? "')" : "");
                cfg_release(&cfg);
                return EXIT_SUCCESS;
        }

        r = cg_root_resolve(cfg.cgroup_root, &root, &layout);
        if (r < 0) {
                (void)log_error_errno(r, "cannot use cgroup root '%s': %m", cfg.cgroup_root);
                cfg_release(&cfg);
                return EXIT_FAILURE;
        }
        if (layout == CG_LAYOUT_HYBRID)
                log_notice("'%s' has a hybrid cgroup layout: reading the cgroup v2 tree at '%s', "
                           "where v1-bound controllers (memory, pids, io) have no files",
                           cfg.cgroup_root, root);
        else if (layout == CG_LAYOUT_OTHER)
                log_info("'%s' is not a cgroup file system: reading it as a plain directory tree",
                         root);

        if (cli.once)
                r = run_once(&cfg, &cli, root);
        else
                r = uw_daemon_run(&cfg, root, reload_config, &args);
        cfg_release(&cfg);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
