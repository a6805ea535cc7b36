/* SPDX-License-Identifier: MIT */
/*
 * Built with ThreadSanitizer (make check-tsan): the scoring thread scores snapshots handed
 * over one after another while reader threads copy the results out, then everything stops
 * with work in flight. Exits 0 when every read saw a whole table.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardening/scorer.h"

#define FIX     "tests/fixtures/systemd-252/"
#define READERS 3

static const char *const units[] = {"dbus.service", "systemd-journald.service",
                                    "systemd-logind.service", "t-hard.service"};
static struct scorer *sc;
static atomic_bool stop;
static atomic_int bad_reads, reads;

static struct uw_snapshot *snapshot(void)
{
        struct uw_snapshot *s = uw_snapshot_new("/sys/fs/cgroup", 4);

        for (size_t i = 0; s && i < 4; i++) {
                char path[256];
                struct unit_props p = {};
                json_t *fx;

                (void)snprintf(path, sizeof(path), FIX "sandbox-%s.json", units[i]);
                fx = json_load_file(path, 0, NULL);
                if (!fx)
                        exit(2);
                p.id = strdup(units[i]);
                p.load_state = strdup("loaded");
                /* A fresh object each time: the thread must score again. */
                p.sandbox = json_deep_copy(json_object_get(fx, "sandbox"));
                (void)uw_snapshot_add(s, units[i], NULL, NULL, &p, NULL);
                unit_props_release(&p);
                json_decref(fx);
        }
        uw_snapshot_sort(s);
        return s;
}

static void *reader(void *arg)
{
        (void)arg;
        while (!atomic_load(&stop)) {
                struct unit_exposure *e;
                size_t n;

                if (scorer_exposures(sc, &e, &n) == 0) {
                        if (n != 0 && n != 4)
                                atomic_fetch_add(&bad_reads, 1);
                        free(e);
                        atomic_fetch_add(&reads, 1);
                }
        }
        return NULL;
}

int main(void)
{
        struct syscall_groups *g = NULL;
        pthread_t t[READERS];
        char *text = NULL;
        size_t len = 0;
        FILE *f = fopen(FIX "syscall-filter.txt", "re");

        if (!f || getdelim(&text, &len, '\0', f) < 0 ||
            syscall_groups_parse(text, strlen(text), &g) < 0)
                return 2;
        (void)fclose(f);
        free(text);
        if (scorer_new(g, NULL, NULL, &sc) < 0)
                return 2;
        for (int i = 0; i < READERS; i++)
                (void)pthread_create(&t[i], NULL, reader, NULL);
        for (int i = 0; i < 40; i++) {
                struct uw_snapshot *s = snapshot();

                scorer_submit(sc, s);
                uw_snapshot_unref(s);
                (void)usleep(1000);
        }
        atomic_store(&stop, true);
        for (int i = 0; i < READERS; i++)
                (void)pthread_join(t[i], NULL);
        scorer_free(sc);
        printf("scorer-stress: %d passed, %d failed\n",
               atomic_load(&reads) - atomic_load(&bad_reads), atomic_load(&bad_reads));
        return atomic_load(&bad_reads) ? 1 : 0;
}
