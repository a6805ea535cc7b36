/* SPDX-License-Identifier: MIT */
#include "top_cmd.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <systemd/sd-event.h>
#include <termios.h>
#include <unistd.h>

#include "../collectors/cg_discover.h"
#include "../collectors/cg_reader.h"
#include "../collectors/cg_root.h"
#include "../collectors/unit_watch.h"
#include "../web/render.h"
#include "collector.h"
#include "log.h"
#include "snapshot.h"
#include "util.h"

#define DEFAULT_URL     "http://127.0.0.1:9839"
#define BODY_MAX        (64u * 1024 * 1024)
#define NAME_MIN        12
#define DIRECT_BUS_USEC (30u * 1000000u)

enum sort_key {
        SORT_CPU,
        SORT_MEMORY,
        SORT_IO,
        SORT_TASKS,
        SORT_EXPOSURE,
        SORT_ALERTS,
        SORT_NAME,
        _SORT_MAX,
        _SORT_INVALID = -EINVAL,
};

static const char *const sort_names[_SORT_MAX] = {
        [SORT_CPU] = "cpu",     [SORT_MEMORY] = "memory",     [SORT_IO] = "io",
        [SORT_TASKS] = "tasks", [SORT_EXPOSURE] = "exposure", [SORT_ALERTS] = "alerts",
        [SORT_NAME] = "name",
};

/* The keys to press, in sort_key order. */
static const char sort_keys[_SORT_MAX] = {'c', 'm', 'i', 't', 'e', 'a', 'n'};

struct row {
        char name[256];
        char state[16];
        double cpu;            /* cores; NAN: unknown */
        double mem, mem_limit; /* bytes; NAN: unknown / unlimited */
        double io;             /* bytes per second, read + write; NAN: unknown */
        double tasks, tasks_max;
        double exposure; /* 0-10; NAN: not scored */
        int alerts;
};

struct top {
        const char *url;
        enum sort_key sort;
        double interval;
        long iterations;
        bool tty;
        /* Direct mode, when no daemon answers. */
        bool direct;
        char *bus_address;
        char *cgroup_root;
        sd_event *event;
        struct unit_watch *watch;
        struct uw_collector *collector;
        struct uw_snapshot *prev;
        char note[256];
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
        (void)sig;
        stop_requested = 1;
}

/* A number, or a decimal string ("9.6": how exposures are written); NaN otherwise. */
static double num_or_nan(json_t *v)
{
        const char *s = json_string_value(v);
        char *end;
        double d;

        if (json_is_number(v))
                return json_number_value(v);
        if (!s || !*s)
                return NAN;
        d = strtod(s, &end);
        return *end ? NAN : d;
}

/* A summary object of /api/v1/units (render_json_summary()) as a row. */
static void row_from_summary(json_t *o, struct row *r)
{
        json_t *state = json_object_get(o, "state");
        double rd = num_or_nan(json_object_get(o, "io_read_bytes_per_second"));
        double wr = num_or_nan(json_object_get(o, "io_write_bytes_per_second"));

        *r = (struct row){
                .cpu = num_or_nan(json_object_get(o, "cpu_usage_cores")),
                .mem = num_or_nan(json_object_get(o, "memory_current")),
                .mem_limit = num_or_nan(json_object_get(o, "memory_limit")),
                .io = isnan(rd) && isnan(wr) ? NAN : (isnan(rd) ? 0 : rd) + (isnan(wr) ? 0 : wr),
                .tasks = num_or_nan(json_object_get(o, "pids_current")),
                .tasks_max = num_or_nan(json_object_get(o, "pids_max")),
                .exposure = num_or_nan(json_object_get(o, "exposure"))};
        (void)snprintf(r->name, sizeof(r->name), "%s",
                       strna(json_string_value(json_object_get(o, "unit"))));
        (void)snprintf(r->state, sizeof(r->state), "%s",
                       json_is_object(state)
                               ? strna(json_string_value(json_object_get(state, "active")))
                               : "-");
}

struct buf {
        char *data;
        size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *userdata)
{
        struct buf *b = userdata;
        size_t add = size * n;
        char *bigger;

        if (b->len + add > BODY_MAX)
                return 0;
        bigger = realloc(b->data, b->len + add + 1);
        if (!bigger)
                return 0;
        memcpy(bigger + b->len, p, add);
        b->data = bigger;
        b->len += add;
        b->data[b->len] = '\0';
        return add;
}

/* GET url+path as JSON; -ECONNREFUSED (or another -errno) when no daemon answers. */
static int http_json(const char *url, const char *path, json_t **ret)
{
        _cleanup_free_ char *full = NULL;
        struct buf b = {};
        CURL *h = curl_easy_init();
        CURLcode rc;
        long status = 0;
        json_t *j;

        if (!h || asprintf(&full, "%s%s", url, path) < 0) {
                if (h)
                        curl_easy_cleanup(h);
                return -ENOMEM;
        }
        (void)curl_easy_setopt(h, CURLOPT_URL, full);
        (void)curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
        (void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
        (void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        (void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        (void)curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
        (void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        rc = curl_easy_perform(h);
        if (rc == CURLE_OK)
                (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(h);
        if (rc != CURLE_OK || status != 200) {
                free(b.data);
                return rc == CURLE_OK ? -EPROTO : -ECONNREFUSED;
        }
        j = json_loads(b.data ? b.data : "", 0, NULL);
        free(b.data);
        if (!j)
                return -EBADMSG;
        *ret = j;
        return 0;
}

static int rows_from_units(json_t *units, struct row **ret, size_t *ret_n)
{
        size_t n = json_array_size(units), i;
        struct row *rows = calloc(n ? n : 1, sizeof(*rows));
        json_t *o;

        if (!rows)
                return -ENOMEM;
        json_array_foreach(units, i, o)
        {
                row_from_summary(o, &rows[i]);
        }
        *ret = rows;
        *ret_n = n;
        return 0;
}

static int fetch_daemon(struct top *t, struct row **ret, size_t *ret_n)
{
        json_auto_t *units = NULL, *alerts = NULL;
        struct row *rows;
        size_t n, i;
        json_t *a;
        int r;

        r = http_json(t->url, "/api/v1/units", &units);
        if (r < 0)
                return r;
        r = rows_from_units(json_object_get(units, "units"), &rows, &n);
        if (r < 0)
                return r;
        /* Alerts are a second request; a daemon without them (--once never serves) has none. */
        if (http_json(t->url, "/api/v1/alerts?state=firing", &alerts) >= 0)
                json_array_foreach(json_object_get(alerts, "alerts"), i, a)
                {
                        const char *unit = json_string_value(
                                json_object_get(json_object_get(a, "labels"), "unit"));

                        for (size_t k = 0; unit && k < n; k++)
                                if (streq(rows[k].name, unit))
                                        rows[k].alerts++;
                }
        *ret = rows;
        *ret_n = n;
        return 0;
}

/* Without a daemon: the bus and the cgroup tree of this host, as --once reads them. */
static int direct_open(struct top *t)
{
        struct uw_collector_config cc = {
                .sysfs_root = "/sys", .types = UNIT_SERVICE, .fd_budget = cg_reader_fd_budget(64)};
        enum cg_layout layout;
        int r;

        r = cg_root_resolve(t->cgroup_root ? t->cgroup_root : "/sys/fs/cgroup", &t->cgroup_root,
                            &layout);
        if (r < 0)
                return log_error_errno(r, "cannot use the cgroup tree: %m");
        cc.cgroup_root = t->cgroup_root;
        r = sd_event_new(&t->event);
        if (r < 0)
                return r;
        r = unit_watch_new(t->event, t->bus_address, UNIT_SERVICE, NULL, NULL, &t->watch);
        if (r >= 0)
                r = unit_watch_run(t->watch, DIRECT_BUS_USEC, true);
        if (r < 0) {
                unit_watch_free(t->watch);
                t->watch = NULL;
                size_t len = strlen(t->note);

                (void)snprintf(t->note + len, sizeof(t->note) - len,
                               "%sno bus: services from "
                               "the cgroup tree",
                               len ? "; " : "");
        }
        return uw_collector_new(&cc, &t->collector);
}

static int fetch_direct(struct top *t, struct row **ret, size_t *ret_n)
{
        struct uw_snapshot *s;
        struct row *rows;
        int r;

        r = t->watch ? uw_collector_collect_bus(t->collector, t->watch, t->prev, &s)
                     : uw_collector_collect(t->collector, t->prev, &s);
        if (r < 0)
                return r;
        rows = calloc(s->n_units ? s->n_units : 1, sizeof(*rows));
        if (!rows) {
                uw_snapshot_unref(s);
                return -ENOMEM;
        }
        for (size_t i = 0; i < s->n_units; i++) {
                json_auto_t *o = render_json_summary(&s->units[i], NULL);

                if (o)
                        row_from_summary(o, &rows[i]);
        }
        *ret = rows;
        *ret_n = s->n_units;
        if (t->prev)
                uw_snapshot_unref(t->prev);
        t->prev = s;
        return 0;
}

/* Descending, unknown values last; names ascending. */
static enum sort_key cmp_key;
static int cmp_rows(const void *a, const void *b)
{
        const struct row *x = a, *y = b;
        double vx = 0, vy = 0;

        switch (cmp_key) {
        case SORT_CPU:
                vx = x->cpu, vy = y->cpu;
                break;
        case SORT_MEMORY:
                vx = x->mem, vy = y->mem;
                break;
        case SORT_IO:
                vx = x->io, vy = y->io;
                break;
        case SORT_TASKS:
                vx = x->tasks, vy = y->tasks;
                break;
        case SORT_EXPOSURE:
                vx = x->exposure, vy = y->exposure;
                break;
        case SORT_ALERTS:
                vx = x->alerts, vy = y->alerts;
                break;
        default:
                return strcmp(x->name, y->name);
        }
        if (isnan(vx) != isnan(vy))
                return isnan(vx) ? 1 : -1;
        if (!isnan(vx) && vx != vy)
                return vx < vy ? 1 : -1;
        return strcmp(x->name, y->name);
}

/* 1.5K, 230M, 1.2G: bytes in at most 6 characters. */
static void human(char *buf, size_t size, double v)
{
        static const char units[] = "BKMGTPE";
        int u = 0;

        if (isnan(v)) {
                (void)snprintf(buf, size, "-");
                return;
        }
        while (v >= 1024 && u < 6) {
                v /= 1024;
                u++;
        }
        (void)snprintf(buf, size, u == 0 || v >= 10 ? "%.0f%c" : "%.1f%c", v, units[u]);
}

/* The optional columns, dropped from the right when the terminal is narrow. */
enum col { COL_CPU, COL_MEM, COL_LIMIT, COL_IO, COL_TASKS, COL_EXPO, COL_ALERTS, _COL_MAX };
static const struct {
        const char *title;
        int width;
} cols[_COL_MAX] = {
        [COL_CPU] = {"CPU%", 7},      [COL_MEM] = {"MEMORY", 8},   [COL_LIMIT] = {"LIMIT", 12},
        [COL_IO] = {"IO/s", 8},       [COL_TASKS] = {"TASKS", 11}, [COL_EXPO] = {"EXPO", 5},
        [COL_ALERTS] = {"ALERTS", 7},
};
/* Which go first when space runs out. */
static const enum col drop_order[_COL_MAX] = {COL_ALERTS, COL_EXPO, COL_LIMIT, COL_IO,
                                              COL_TASKS,  COL_MEM,  COL_CPU};

static void cell(char *buf, size_t size, enum col c, const struct row *r)
{
        char a[16], b[16];

        switch (c) {
        case COL_CPU:
                if (isnan(r->cpu))
                        (void)snprintf(buf, size, "-");
                else
                        (void)snprintf(buf, size, "%.1f", r->cpu * 100);
                break;
        case COL_MEM:
                human(buf, size, r->mem);
                break;
        case COL_LIMIT:
                if (isnan(r->mem_limit) || isnan(r->mem) || r->mem_limit <= 0) {
                        (void)snprintf(buf, size, "-");
                        break;
                }
                human(a, sizeof(a), r->mem_limit);
                (void)snprintf(buf, size, "%s %3.0f%%", a, 100 * r->mem / r->mem_limit);
                break;
        case COL_IO:
                human(buf, size, r->io);
                break;
        case COL_TASKS:
                if (isnan(r->tasks)) {
                        (void)snprintf(buf, size, "-");
                        break;
                }
                (void)snprintf(a, sizeof(a), "%.0f", r->tasks);
                if (isnan(r->tasks_max))
                        (void)snprintf(buf, size, "%s", a);
                else {
                        (void)snprintf(b, sizeof(b), "%.0f", r->tasks_max);
                        (void)snprintf(buf, size, "%s/%s", a, b);
                }
                break;
        case COL_EXPO:
                if (isnan(r->exposure))
                        (void)snprintf(buf, size, "-");
                else
                        (void)snprintf(buf, size, "%.1f", r->exposure);
                break;
        case COL_ALERTS:
                if (r->alerts)
                        (void)snprintf(buf, size, "%d", r->alerts);
                else
                        (void)snprintf(buf, size, "-");
                break;
        default:
                buf[0] = '\0';
        }
}

static void draw(const struct top *t, struct row *rows, size_t n, int width, int height)
{
        bool show[_COL_MAX];
        int fixed = 0, name_w, lines = 0;
        size_t active = 0;

        for (int c = 0; c < _COL_MAX; c++) {
                show[c] = true;
                fixed += cols[c].width + 1;
        }
        /* Narrow terminal: drop columns until the name gets NAME_MIN characters. */
        for (int i = 0; width > 0 && i < _COL_MAX && width - fixed < NAME_MIN; i++) {
                show[drop_order[i]] = false;
                fixed -= cols[drop_order[i]].width + 1;
        }
        name_w = width > 0 ? width - fixed : 0;
        if (width > 0 && name_w < 1)
                name_w = 1;
        if (width <= 0) /* piped: names in full */
                for (size_t i = 0; i < n; i++)
                        if ((int)strlen(rows[i].name) > name_w)
                                name_w = (int)strlen(rows[i].name);

        cmp_key = t->sort;
        qsort(rows, n, sizeof(*rows), cmp_rows);
        for (size_t i = 0; i < n; i++)
                active += streq(rows[i].state, "active");

        {
                char head[512];

                (void)snprintf(head, sizeof(head),
                               "unitwatch top: %zu services (%zu active), %s, sorted by %s%s%s", n,
                               active, t->direct ? "read from this host" : t->url,
                               sort_names[t->sort], t->note[0] ? "; " : "", t->note);
                /* Narrow: what matters first (the count and the sort), then cut. */
                if (width > 0 && (int)strlen(head) > width)
                        (void)snprintf(head, sizeof(head),
                                       "%zu services (%zu active), sorted by %s", n, active,
                                       sort_names[t->sort]);
                if (width > 0 && (int)strlen(head) > width)
                        head[width] = '\0';
                printf("%s\n", head);
                lines++;
        }
        if (t->tty) {
                char keys[160];

                (void)snprintf(keys, sizeof(keys),
                               "sort: c cpu  m memory  i io  t tasks  e "
                               "exposure  a alerts  n name  q quit");
                if (width > 0 && (int)strlen(keys) > width)
                        keys[width] = '\0';
                printf("%s\n", keys);
                lines++;
        }
        printf("%-*s", name_w, "UNIT");
        for (int c = 0; c < _COL_MAX; c++)
                if (show[c])
                        printf(" %*s", cols[c].width, cols[c].title);
        printf("\n");
        lines++;
        /* The last line of the screen stays empty: a newline there would scroll the header. */
        for (size_t i = 0; i < n && (height <= 0 || lines < height - 1); i++, lines++) {
                const struct row *r = &rows[i];
                int len = (int)strlen(r->name);

                /* A name too long for the column keeps its start and its end (".service"). */
                if (len > name_w && name_w > 3) {
                        int head = (name_w - 2) / 2, tail = name_w - 2 - head;

                        printf("%.*s..%s", head, r->name, r->name + len - tail);
                } else
                        printf("%-*.*s", name_w, name_w, r->name);
                for (int c = 0; c < _COL_MAX; c++) {
                        char buf[32];

                        if (!show[c])
                                continue;
                        cell(buf, sizeof(buf), (enum col)c, r);
                        printf(" %*.*s", cols[c].width, cols[c].width, buf);
                }
                printf("\n");
        }
}

static void term_size(int *w, int *h)
{
        struct winsize ws;

        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
                *w = ws.ws_col;
                *h = ws.ws_row;
                return;
        }
        *w = 80;
        *h = 24;
}

static struct termios saved_termios;
static bool termios_saved;

static void term_restore(void)
{
        if (termios_saved)
                (void)tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
        /* Cursor back, leave the screen as it is. */
        printf("\033[?25h");
        (void)fflush(stdout);
}

static void term_raw(void)
{
        struct termios raw;

        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios) < 0)
                return;
        termios_saved = true;
        raw = saved_termios;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        (void)tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

/* Waits up to the interval for a key; returns the key or 0. Direct mode follows the bus. */
static int wait_key(struct top *t)
{
        double left = t->interval;

        while (left > 0 && !stop_requested) {
                struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
                double slice = left > 0.1 ? 0.1 : left;
                char c;

                if (t->watch)
                        (void)unit_watch_run(t->watch, (uint64_t)(slice * 1e6), false);
                else if (!termios_saved)
                        (void)poll(NULL, 0, (int)(slice * 1000));
                if (termios_saved && poll(&p, 1, t->watch ? 0 : (int)(slice * 1000)) > 0 &&
                    read(STDIN_FILENO, &c, 1) == 1)
                        return c;
                left -= slice;
        }
        return 0;
}

static void usage(void)
{
        printf("Usage: unitwatchd top [OPTIONS]\n\n"
               "A live view of every service: CPU, memory against its limit, IO, tasks,\n"
               "hardening exposure and firing alerts. Reads the running daemon; without one,\n"
               "the host itself. Piped: one snapshot, no escape codes.\n\n"
               "  -u, --url URL          the daemon's address (default " DEFAULT_URL ")\n"
               "      --direct           read the host even when a daemon runs\n"
               "  -s, --sort KEY         cpu, memory, io, tasks, exposure, alerts or name\n"
               "                         (default cpu; keys c m i t e a n while running)\n"
               "  -d, --delay SECONDS    time between refreshes (default 2)\n"
               "  -n, --iterations N     stop after N refreshes\n"
               "      --bus ADDRESS      with --direct: a D-Bus address instead of the system bus\n"
               "      --cgroup-root DIR  with --direct: the cgroup v2 mount (default "
               "/sys/fs/cgroup)\n"
               "  -h, --help             this text\n");
}

static void top_release(struct top *t)
{
        if (t->prev)
                uw_snapshot_unref(t->prev);
        uw_collector_free(t->collector);
        unit_watch_free(t->watch);
        sd_event_unref(t->event);
        free(t->bus_address);
        free(t->cgroup_root);
}

int top_command(int argc, char **argv)
{
        enum { ARG_DIRECT = 0x100, ARG_BUS, ARG_CGROUP_ROOT };
        static const struct option options[] = {
                {"url", required_argument, NULL, 'u'},
                {"direct", no_argument, NULL, ARG_DIRECT},
                {"sort", required_argument, NULL, 's'},
                {"delay", required_argument, NULL, 'd'},
                {"iterations", required_argument, NULL, 'n'},
                {"bus", required_argument, NULL, ARG_BUS},
                {"cgroup-root", required_argument, NULL, ARG_CGROUP_ROOT},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        struct top t = {.url = DEFAULT_URL, .sort = SORT_CPU, .interval = 2, .iterations = -1};
        bool force_direct = false;
        int opt, r = 0;
        char *end;

        while ((opt = getopt_long(argc, argv, "u:s:d:n:h", options, NULL)) >= 0) {
                switch (opt) {
                case 'u':
                        t.url = optarg;
                        break;
                case ARG_DIRECT:
                        force_direct = true;
                        break;
                case 's':
                        t.sort = _SORT_INVALID;
                        for (int i = 0; i < _SORT_MAX; i++)
                                if (streq(optarg, sort_names[i]))
                                        t.sort = (enum sort_key)i;
                        if (t.sort < 0) {
                                fprintf(stderr,
                                        "unitwatchd top: unknown sort key '%s' (cpu, "
                                        "memory, io, tasks, exposure, alerts, name)\n",
                                        optarg);
                                return 2;
                        }
                        break;
                case 'd':
                        errno = 0;
                        t.interval = strtod(optarg, &end);
                        if (errno || *end || !(t.interval >= 0.2 && t.interval <= 3600)) {
                                fprintf(stderr,
                                        "unitwatchd top: --delay takes 0.2 to 3600 "
                                        "seconds, not '%s'\n",
                                        optarg);
                                return 2;
                        }
                        break;
                case 'n':
                        errno = 0;
                        t.iterations = strtol(optarg, &end, 10);
                        if (errno || *end || t.iterations < 1) {
                                fprintf(stderr,
                                        "unitwatchd top: --iterations takes a positive "
                                        "number, not '%s'\n",
                                        optarg);
                                return 2;
                        }
                        break;
                case ARG_BUS:
                        free(t.bus_address);
                        t.bus_address = strdup(optarg);
                        break;
                case ARG_CGROUP_ROOT:
                        free(t.cgroup_root);
                        t.cgroup_root = strdup(optarg);
                        break;
                case 'h':
                        usage();
                        return 0;
                default:
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "unitwatchd top: unexpected argument '%s'\n", argv[optind]);
                return 2;
        }
        t.tty = isatty(STDOUT_FILENO);
        if (!t.tty)
                t.iterations = 1;
        /* The library must not chatter over the view; errors still show. */
        if (log_max_level > LOG_LEVEL_WARNING)
                log_max_level = LOG_LEVEL_WARNING;
        (void)curl_global_init(CURL_GLOBAL_DEFAULT);

        if (!force_direct) {
                json_t *probe = NULL;

                r = http_json(t.url, "/healthz", &probe);
                json_decref(probe);
                /* /healthz says "ok", not JSON: any answer but a refused connection will do. */
                if (r == -ECONNREFUSED) {
                        t.direct = true;
                        (void)snprintf(t.note, sizeof(t.note), "no daemon at %s", t.url);
                }
        } else
                t.direct = true;
        if (t.direct) {
                r = direct_open(&t);
                if (r < 0) {
                        top_release(&t);
                        curl_global_cleanup();
                        return 1;
                }
                /* Rates need two samples: the first one only primes them. */
                {
                        struct row *rows = NULL;
                        size_t n = 0;

                        if (fetch_direct(&t, &rows, &n) >= 0)
                                free(rows);
                        if (t.watch)
                                (void)unit_watch_run(t.watch, 1000000, false);
                        else
                                (void)poll(NULL, 0, 1000);
                }
        }

        if (t.tty) {
                signal(SIGINT, on_signal);
                signal(SIGTERM, on_signal);
                term_raw();
                printf("\033[?25l");
        }
        for (long i = 0; !stop_requested && (t.iterations < 0 || i < t.iterations); i++) {
                struct row *rows = NULL;
                size_t n = 0;
                int w = 0, h = 0, key;

                r = t.direct ? fetch_direct(&t, &rows, &n) : fetch_daemon(&t, &rows, &n);
                if (r < 0) {
                        if (t.tty)
                                term_restore();
                        fprintf(stderr, "unitwatchd top: cannot read %s: %s\n",
                                t.direct ? "the host" : t.url, strerror(-r));
                        break;
                }
                if (t.tty) {
                        term_size(&w, &h);
                        printf("\033[H\033[2J");
                }
                draw(&t, rows, n, w, h);
                free(rows);
                (void)fflush(stdout);
                if (t.iterations >= 0 && i + 1 >= t.iterations)
                        break;
                key = wait_key(&t);
                for (int k = 0; key && k < _SORT_MAX; k++)
                        if (key == sort_keys[k])
                                t.sort = (enum sort_key)k;
                if (key == 'q')
                        break;
        }
        if (t.tty && r >= 0)
                term_restore();
        top_release(&t);
        curl_global_cleanup();
        return r < 0 ? 1 : 0;
}
