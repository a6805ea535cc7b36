/* SPDX-License-Identifier: MIT */
/*
 * Built with ThreadSanitizer (make check-tsan): the config findings thread checks snapshots
 * handed over one after another (each with a new reload count, so every one is checked
 * again) while the collection side attaches the results to new snapshots and reader threads
 * render them as an HTTP thread would; then everything stops with work in flight. Exits 0
 * when every attached list was whole (the unit's four findings).
 */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config_findings.h"
#include "daemon/snapshot.h"

#define READERS 3

static char path[] = "/tmp/unitwatch-findings-stress.XXXXXX";
static struct uw_snapshot *_Atomic current;
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool stop;
static atomic_int bad_reads, reads;

static struct uw_snapshot *snapshot(unsigned long gen)
{
        struct uw_snapshot *s = uw_snapshot_new("/sys/fs/cgroup", 1);
        struct unit_props p = {
                .id = (char *)"uw-intended.service", .fragment_path = path, .generation = gen};

        p.sandbox = json_pack("{s:s}", "ProtectSystem", "no");
        if (!s || uw_snapshot_add(s, "uw-intended.service", NULL, NULL, &p, NULL) < 0)
                exit(2);
        json_decref(p.sandbox);
        uw_snapshot_sort(s);
        return s;
}

static void *reader(void *arg)
{
        (void)arg;
        while (!atomic_load(&stop)) {
                struct uw_snapshot *s;
                char *text;

                pthread_mutex_lock(&current_lock);
                s = current ? uw_snapshot_ref(current) : NULL;
                pthread_mutex_unlock(&current_lock);
                if (!s)
                        continue;
                if (s->units[0].config_findings) {
                        text = json_dumps(s->units[0].config_findings, 0);
                        if (!text || json_array_size(s->units[0].config_findings) != 4)
                                atomic_fetch_add(&bad_reads, 1);
                        free(text);
                        atomic_fetch_add(&reads, 1);
                }
                uw_snapshot_unref(s);
        }
        return NULL;
}

int main(void)
{
        static const char text[] =
                "[Service]\nExecStart=/bin/true\nCpuQuota=70%\nMemoryMAX=1G\n"
                "ProtectSystem=strct\nSystemCallFilter=@system-service ~@debug\n";
        struct findings_checker *fc;
        pthread_t t[READERS];
        FILE *f;
        int fd = mkstemp(path);

        if (fd < 0 || !(f = fdopen(fd, "w")) || fputs(text, f) < 0 || fclose(f) != 0)
                return 2;
        if (findings_checker_new(false, &fc) < 0)
                return 2;
        for (int i = 0; i < READERS; i++)
                (void)pthread_create(&t[i], NULL, reader, NULL);
        for (unsigned long gen = 0; gen < 300; gen++) {
                struct uw_snapshot *s = snapshot(gen), *old;

                findings_checker_annotate(fc, s);
                findings_checker_submit(fc, s, gen, 0);
                pthread_mutex_lock(&current_lock);
                old = current;
                current = s;
                pthread_mutex_unlock(&current_lock);
                if (old)
                        uw_snapshot_unref(old);
                (void)usleep(1000);
        }
        findings_checker_free(fc); /* with a check maybe in flight */
        atomic_store(&stop, true);
        for (int i = 0; i < READERS; i++)
                (void)pthread_join(t[i], NULL);
        if (current)
                uw_snapshot_unref(current);
        (void)unlink(path);
        printf("%d reads of attached findings, %d bad\n", atomic_load(&reads),
               atomic_load(&bad_reads));
        return atomic_load(&bad_reads) || !atomic_load(&reads) ? 1 : 0;
}
