/* SPDX-License-Identifier: MIT */
/*
 * The scoring thread on real properties captured from systemd 252 (tests/fixtures/systemd-252):
 * a snapshot goes in, the exposures come out equal to what systemd-analyze printed; a unit
 * whose sandbox object is unchanged is not scored again; one whose sandbox changed is.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardening/scorer.h"

#define FIX "tests/fixtures/systemd-252/"

static const char *const units[] = {"dbus.service", "systemd-journald.service",
                                    "systemd-logind.service", "t-hard.service", "t-deny.service"};

static struct syscall_groups *load_groups(void)
{
        struct syscall_groups *g = NULL;
        char *text = NULL;
        size_t len = 0;
        FILE *f = fopen(FIX "syscall-filter.txt", "re");

        cr_assert_not_null(f);
        cr_assert_geq(getdelim(&text, &len, '\0', f), 0);
        (void)fclose(f);
        cr_assert_eq(syscall_groups_parse(text, strlen(text), &g), 0);
        free(text);
        return g;
}

/* A snapshot of the fixture units, each with its captured properties. */
static struct uw_snapshot *snapshot(unsigned *want)
{
        struct uw_snapshot *s = uw_snapshot_new("/sys/fs/cgroup", sizeof(units) / sizeof(units[0]));

        cr_assert_not_null(s);
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                char path[256];
                json_t *fx;
                struct unit_props p = {};

                (void)snprintf(path, sizeof(path), FIX "sandbox-%s.json", units[i]);
                fx = json_load_file(path, 0, NULL);
                cr_assert_not_null(fx, "%s", path);
                p.id = strdup(units[i]);
                p.load_state = strdup("loaded");
                p.sandbox = json_incref(json_object_get(fx, "sandbox"));
                want[i] = (unsigned)json_integer_value(json_object_get(fx, "exposure"));
                cr_assert_eq(uw_snapshot_add(s, units[i], NULL, NULL, &p, NULL), 0);
                unit_props_release(&p);
                json_decref(fx);
        }
        uw_snapshot_sort(s);
        return s;
}

static void wait_ready(struct scorer *sc)
{
        for (int i = 0; i < 500 && !scorer_ready(sc); i++)
                (void)usleep(10000);
        cr_assert(scorer_ready(sc));
}

Test(scorer, exposures_match_systemd_analyze)
{
        unsigned want[8];
        struct uw_snapshot *s = snapshot(want);
        struct unit_exposure *e;
        struct scorer *sc;
        size_t n;

        cr_assert_eq(scorer_new(load_groups(), NULL, NULL, &sc), 0);
        cr_assert(scorer_enabled(sc));
        cr_assert_not(scorer_ready(sc), "ready before anything was scored");
        scorer_submit(sc, s);
        wait_ready(sc);
        cr_assert_eq(scorer_exposures(sc, &e, &n), 0);
        cr_assert_eq(n, sizeof(units) / sizeof(units[0]));
        for (size_t i = 0; i < n; i++) {
                size_t k = 0;

                while (strcmp(units[k], e[i].name) != 0)
                        k++;
                cr_assert_eq(e[i].exposure, want[k], "%s: %u, systemd-analyze %u", e[i].name,
                             e[i].exposure, want[k]);
        }
        free(e);
        uw_snapshot_unref(s);
        scorer_free(sc);
}

Test(scorer, no_scores_without_groups)
{
        struct scorer *sc;

        cr_assert_eq(scorer_new(NULL, NULL, NULL, &sc), 0);
        cr_assert_not(scorer_enabled(sc));
        cr_assert(scorer_ready(sc), "nothing to wait for");
        scorer_free(sc);
}

/* One unit, t-hard, with ProtectSystem= set to what the test wants. */
static struct uw_snapshot *hard_unit(const char *protect_system)
{
        struct uw_snapshot *s = uw_snapshot_new("/sys/fs/cgroup", 1);
        json_t *fx = json_load_file(FIX "sandbox-t-hard.service.json", 0, NULL);
        struct unit_props p = {};

        cr_assert_not_null(fx);
        p.id = strdup("t-hard.service");
        p.load_state = strdup("loaded");
        p.fragment_path = strdup("/etc/systemd/system/t-hard.service");
        p.sandbox = json_deep_copy(json_object_get(fx, "sandbox"));
        cr_assert_eq(json_object_set_new(p.sandbox, "ProtectSystem", json_string(protect_system)),
                     0);
        cr_assert_eq(uw_snapshot_add(s, "t-hard.service", NULL, NULL, &p, NULL), 0);
        unit_props_release(&p);
        json_decref(fx);
        return s;
}

static void score_and_wait(struct scorer *sc, struct uw_snapshot *s)
{
        /* ready turns true after each pass; a fresh scorer or a pass we can see. */
        scorer_submit(sc, s);
        uw_snapshot_unref(s);
        for (int i = 0; i < 200; i++) {
                struct unit_exposure *e;
                size_t n;

                (void)usleep(10000);
                if (scorer_exposures(sc, &e, &n) == 0) {
                        free(e);
                        if (n == 1 && scorer_ready(sc))
                                break;
                }
        }
        (void)usleep(50000);
}

static json_t *events(struct scorer *sc)
{
        json_t *ev = NULL;

        cr_assert_eq(drift_store_events_json(scorer_drift(sc), NULL, NULL, 0, &ev), 0);
        return ev;
}

Test(scorer, drift_events_survive_a_restart)
{
        char dir[] = "/tmp/unitwatch-drift-XXXXXX";
        struct unit_exposure *e;
        struct scorer *sc;
        json_t *ev, *first;
        size_t n;

        cr_assert_not_null(mkdtemp(dir));
        cr_assert_eq(scorer_new(load_groups(), NULL, dir, &sc), 0);
        score_and_wait(sc, hard_unit("strict"));
        ev = events(sc);
        cr_assert_eq(json_array_size(ev), 0, "the first score is the baseline, not a change");
        json_decref(ev);

        /* Weakened: one regression, with the old and the new setting. */
        score_and_wait(sc, hard_unit("no"));
        ev = events(sc);
        cr_assert_eq(json_array_size(ev), 1);
        first = json_array_get(ev, 0);
        cr_assert_str_eq(json_string_value(json_object_get(first, "check")), "ProtectSystem");
        cr_assert_str_eq(json_string_value(json_object_get(first, "kind")), "regression");
        cr_assert_not_null(strstr(json_string_value(json_object_get(first, "old")), "strict"));
        cr_assert_not_null(strstr(json_string_value(json_object_get(first, "new")), "no"));
        cr_assert_gt(json_integer_value(json_object_get(first, "exposure_new")),
                     json_integer_value(json_object_get(first, "exposure_old")));
        cr_assert_str_eq(json_string_value(json_object_get(first, "fragment_path")),
                         "/etc/systemd/system/t-hard.service");
        json_decref(ev);
        cr_assert_eq(scorer_exposures(sc, &e, &n), 0);
        cr_assert_eq(e[0].regressions, 1);
        cr_assert(e[0].has_baseline);
        cr_assert_lt(e[0].baseline_exposure, e[0].exposure);
        free(e);
        scorer_free(sc);

        /* A restart: fixed while we were down, noticed as an improvement; then nothing new. */
        cr_assert_eq(scorer_new(load_groups(), NULL, dir, &sc), 0);
        score_and_wait(sc, hard_unit("strict"));
        ev = events(sc);
        cr_assert_eq(json_array_size(ev), 2, "%s", json_dumps(ev, 0));
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(ev, 0), "kind")),
                         "improvement");
        json_decref(ev);
        score_and_wait(sc, hard_unit("strict"));
        ev = events(sc);
        cr_assert_eq(json_array_size(ev), 2, "the same settings again are no drift");
        json_decref(ev);
        cr_assert_eq(scorer_exposures(sc, &e, &n), 0);
        cr_assert_eq(e[0].regressions, 1, "counted across the restart");
        free(e);
        scorer_free(sc);
}

/* Regression: the first pass wrote the baselines file once per unit (quadratic). */
Test(scorer, first_pass_writes_the_baselines_once)
{
        char dir[] = "/tmp/unitwatch-firstpass-XXXXXX";
        json_t *fx = json_load_file(FIX "sandbox-t-hard.service.json", 0, NULL);
        struct uw_snapshot *s = uw_snapshot_new("/sys/fs/cgroup", 40);
        struct unit_exposure *e = NULL;
        struct drift_baseline b = {};
        struct scorer *sc;
        uint64_t before;
        size_t n = 0;

        cr_assert_not_null(mkdtemp(dir));
        cr_assert_not_null(fx);
        for (int i = 0; i < 40; i++) {
                struct unit_props p = {};
                char name[32];

                (void)snprintf(name, sizeof(name), "t-%02d.service", i);
                p.id = strdup(name);
                p.load_state = strdup("loaded");
                p.sandbox = json_deep_copy(json_object_get(fx, "sandbox"));
                cr_assert_eq(uw_snapshot_add(s, name, NULL, NULL, &p, NULL), 0);
                unit_props_release(&p);
        }
        json_decref(fx);
        uw_snapshot_sort(s);
        cr_assert_eq(scorer_new(load_groups(), NULL, dir, &sc), 0);
        before = drift_store_file_writes(scorer_drift(sc));
        scorer_submit(sc, s);
        uw_snapshot_unref(s);
        for (int i = 0; i < 500 && n != 40; i++) {
                (void)usleep(10000);
                free(e);
                e = NULL;
                cr_assert_eq(scorer_exposures(sc, &e, &n), 0);
        }
        free(e);
        cr_assert_eq(n, 40);
        (void)usleep(50000);
        cr_assert_eq(drift_store_file_writes(scorer_drift(sc)) - before, 1,
                     "40 new baselines in %llu writes",
                     (unsigned long long)(drift_store_file_writes(scorer_drift(sc)) - before));
        cr_assert_eq(drift_store_get_baseline(scorer_drift(sc), "t-39.service", &b), 0);
        drift_baseline_release(&b);
        scorer_free(sc);
}

Test(scorer, accepted_exceptions_are_no_drift)
{
        char dir[] = "/tmp/unitwatch-accept-XXXXXX";
        char *globs[] = {(char *)"t-*.service", NULL}, *checks[] = {(char *)"ProtectSystem", NULL};
        struct unit_exposure *e;
        struct scorer *sc;
        json_t *ev;
        size_t n;

        cr_assert_not_null(mkdtemp(dir));
        cr_assert_eq(scorer_new(load_groups(), NULL, dir, &sc), 0);
        cr_assert_eq(scorer_set_accepted(sc, globs, checks), 0);
        score_and_wait(sc, hard_unit("strict"));
        score_and_wait(sc, hard_unit("no"));
        ev = events(sc);
        cr_assert_eq(json_array_size(ev), 0, "an accepted weakness is no drift");
        json_decref(ev);
        cr_assert_eq(scorer_exposures(sc, &e, &n), 0);
        cr_assert_eq(e[0].regressions, 0);
        free(e);
        scorer_free(sc);
}
