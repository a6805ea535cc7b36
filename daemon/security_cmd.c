/* SPDX-License-Identifier: MIT */
#include "security_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "../collectors/cg_discover.h"
#include "../collectors/unit_watch.h"
#include "../hardening/scorer.h"
#include "log.h"
#include "util.h"

#define BUS_TIMEOUT_USEC (30u * 1000000u)

struct security_opts {
        bool json;
        int threshold; /* tenths, -1: none */
        const char *bus;
        bool accept; /* --accept-baseline: write the scores as baselines */
        const char *state_dir;
};

static void security_help(void)
{
        printf("Usage: unitwatchd security [OPTIONS] [UNIT...]\n\n"
               "Scores services' sandboxing as systemd-analyze security does, from the bus.\n"
               "Without units: every loaded service that is not Type=oneshot.\n\n"
               "      --format table|json  output (default table)\n"
               "      --threshold N        exit 1 when a unit's exposure is above N (0-100,\n"
               "                           tenths: 50 is 5.0)\n"
               "      --bus ADDRESS        D-Bus address instead of the system bus\n"
               "      --accept-baseline    accept the units' current scores as their baselines\n"
               "      --state-dir DIR      where baselines are kept (default /var/lib/unitwatch)\n"
               "  -h, --help               this help\n");
}

static int parse(int argc, char **argv, struct security_opts *o)
{
        static const struct option options[] = {
                {"format", required_argument, NULL, 'f'},
                {"threshold", required_argument, NULL, 't'},
                {"bus", required_argument, NULL, 'b'},
                {"accept-baseline", no_argument, NULL, 'a'},
                {"state-dir", required_argument, NULL, 's'},
                {"no-pager", no_argument, NULL, 'n'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        int opt;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                char *end;
                long v;

                switch (opt) {
                case 'f':
                        if (!streq(optarg, "table") && !streq(optarg, "json")) {
                                (void)fprintf(stderr, "unitwatchd security: --format is table "
                                                      "or json\n");
                                return -EINVAL;
                        }
                        o->json = streq(optarg, "json");
                        break;
                case 't':
                        errno = 0;
                        v = strtol(optarg, &end, 10);
                        if (errno || *end || end == optarg || v < 0 || v > 100) {
                                (void)fprintf(stderr, "unitwatchd security: --threshold is a "
                                                      "number from 0 to 100\n");
                                return -EINVAL;
                        }
                        o->threshold = (int)v;
                        break;
                case 'b':
                        o->bus = optarg;
                        break;
                case 'n':
                        break;
                case 'a':
                        o->accept = true;
                        break;
                case 's':
                        o->state_dir = optarg;
                        break;
                case 'h':
                        security_help();
                        return 0;
                default:
                        (void)fprintf(stderr,
                                      "unitwatchd security: unknown option '%s'\nTry "
                                      "'unitwatchd security --help'.\n",
                                      argv[optind - 1]);
                        return -EINVAL;
                }
        }
        return 1;
}

static bool wanted(char **names, size_t n, const char *id)
{
        for (size_t i = 0; i < n; i++)
                if (streq(names[i], id))
                        return true;
        return n == 0;
}

static json_t *result_json(const char *unit, const struct score_result *res)
{
        json_t *checks = json_array();
        char buf[16];

        for (size_t i = 0; checks && i < res->n_checks; i++) {
                const struct score_check *c = &res->checks[i];

                (void)json_array_append_new(
                        checks,
                        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", c->id, "json_field",
                                  c->json_field, "state", score_state_to_string(c->state),
                                  "exposure", score_format_exposure(c->exposure, buf, sizeof(buf)),
                                  "value", c->value, "explanation", c->explanation));
        }
        return json_pack("{s:s, s:s, s:s, s:o}", "unit", unit, "exposure",
                         score_format_exposure(res->exposure, buf, sizeof(buf)), "label",
                         res->label, "checks", checks);
}

static void print_checks(const struct score_result *res)
{
        char buf[16];

        printf("  %-6s %-45s %s\n", "", "NAME", "EXPOSURE");
        for (size_t i = 0; i < res->n_checks; i++) {
                const struct score_check *c = &res->checks[i];
                const char *mark = c->state == SCORE_PASS   ? "✓"
                                   : c->state == SCORE_FAIL ? "✗"
                                                            : " ";

                printf("%s %-50s %4s  %s\n", mark, c->id,
                       c->state == SCORE_FAIL ? score_format_exposure(c->exposure, buf, sizeof(buf))
                                              : "",
                       c->explanation);
        }
}

int security_command(int argc, char **argv)
{
        struct security_opts o = {.threshold = -1, .state_dir = "/var/lib/unitwatch"};
        struct drift_store *store = NULL;
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_free_ struct score_result *res = malloc(sizeof(*res));
        struct syscall_groups *groups = NULL;
        struct unit_watch *w = NULL;
        json_t *all = json_array();
        char **fields = NULL, **names;
        size_t n_names, scored = 0;
        bool above = false;
        int r;

        r = parse(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        names = argv + optind;
        n_names = (size_t)(argc - optind);
        if (!res || !all)
                return 1;

        r = sd_event_new(&e);
        if (r >= 0)
                r = unit_watch_new(e, o.bus, UNIT_SERVICE, NULL, NULL, &w);
        if (r >= 0)
                r = unit_watch_run(w, BUS_TIMEOUT_USEC, true);
        if (r < 0) {
                (void)log_error_errno(r, "cannot read the units from %s: %m",
                                      o.bus ? o.bus : "the system bus");
                unit_watch_free(w);
                return 1;
        }
        scorer_probe(n_names ? names[0] : "systemd-journald.service", &groups, &fields);
        if (!groups) {
                unit_watch_free(w);
                return 1;
        }

        if (o.accept) {
                if (n_names == 0) {
                        (void)fprintf(stderr, "unitwatchd security: --accept-baseline needs the "
                                              "units to accept\n");
                        unit_watch_free(w);
                        return 2;
                }
                (void)drift_store_open(o.state_dir, 0, &store);
        }
        if (!o.json && n_names != 1)
                printf("%-45s %8s %s\n", "UNIT", "EXPOSURE", "PREDICATE");
        for (size_t i = 0; i < unit_watch_n_units(w); i++) {
                const struct unit_props *p = unit_watch_unit(w, i);
                struct score_input in;
                char buf[16];

                if (!p || !p->id || !wanted(names, n_names, p->id))
                        continue;
                in = (struct score_input){.id = p->id,
                                          .load_state = p->load_state,
                                          .fragment_path = p->fragment_path,
                                          .sandbox = p->sandbox};
                if (n_names == 0 && !score_unit_listed(&in))
                        continue;
                if (score_unit(&in, groups, (const char *const *)fields, res) < 0)
                        continue;
                scored++;
                if (store) {
                        struct drift_baseline b;

                        if (scorer_baseline_of(p->id, res, (double)time(NULL), &b) >= 0) {
                                if (drift_store_set_baseline(store, &b) < 0 ||
                                    !drift_store_persistent(store))
                                        log_error("cannot keep the baseline of '%s' in '%s'", p->id,
                                                  o.state_dir);
                                else
                                        log_notice("accepted the hardening of '%s' as its "
                                                   "baseline (%u.%u); a running unitwatchd "
                                                   "uses it after a restart",
                                                   p->id, res->exposure / 10, res->exposure % 10);
                                drift_baseline_release(&b);
                        }
                }
                above = above || (o.threshold >= 0 && (int)res->exposure > o.threshold);
                if (o.json)
                        (void)json_array_append_new(all, result_json(p->id, res));
                else if (n_names == 1) {
                        print_checks(res);
                        printf("\nOverall exposure level for %s: %s %s\n", p->id,
                               score_format_exposure(res->exposure, buf, sizeof(buf)), res->label);
                } else
                        printf("%-45s %8s %s\n", p->id,
                               score_format_exposure(res->exposure, buf, sizeof(buf)), res->label);
        }
        if (o.json) {
                char *text = json_dumps(
                        n_names == 1 && json_array_size(all) == 1 ? json_array_get(all, 0) : all,
                        JSON_INDENT(2));

                if (text)
                        printf("%s\n", text);
                free(text);
        }
        json_decref(all);
        drift_store_free(store);
        unit_watch_free(w);
        syscall_groups_free(groups);
        for (size_t i = 0; fields && fields[i]; i++)
                free(fields[i]);
        free(fields);
        if (n_names > 0 && scored < n_names) {
                log_error("%zu of the %zu units asked for are not loaded services",
                          n_names - scored, n_names);
                return 1;
        }
        return above ? 1 : 0;
}
