/* SPDX-License-Identifier: MIT */
/*
 * The drift store's files (hardening/drift_store.h) as found on disk after anything: a crash,
 * a full disk, a person's editor. The first input byte picks the file (even: drift.jsonl,
 * odd: baselines.json), the rest is its content. Opening never fails for a file's sake; what
 * it loads can be listed and counted, and one more event can be appended. The directory is
 * on /dev/shm when it exists (fsync is cheap there) and emptied between runs.
 */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/log.h"
#include "hardening/drift_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void empty_dir(void)
{
        DIR *d = opendir(dir);
        struct dirent *e;

        if (!d)
                return;
        while ((e = readdir(d)))
                if (e->d_name[0] != '.')
                        (void)unlinkat(dirfd(d), e->d_name, 0);
        (void)closedir(d);
}

/* libFuzzer ends with exit(): the directory goes with it. */
static void remove_dir(void)
{
        empty_dir();
        (void)rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct drift_event ev = {.time = 1.7e9,
                                 .unit = "a.service",
                                 .check = "ProtectSystem",
                                 .old_value = "yes",
                                 .new_value = "no",
                                 .exposure_old = 10,
                                 .exposure_new = 20,
                                 .kind = DRIFT_REGRESSION};
        struct drift_baseline b = {};
        struct drift_store *s;
        char path[128];
        json_t *events;
        uint64_t n;
        char **units;
        int fd;

        if (!dir[0]) {
                log_max_level = LOG_LEVEL_ERROR; /* every moved-aside file is a warning */
                (void)snprintf(dir, sizeof(dir), "%s/unitwatch-fuzz-drift-%d",
                               access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
                assert(mkdir(dir, 0700) == 0);
                (void)atexit(remove_dir);
        }
        if (size == 0)
                return 0;
        empty_dir();
        (void)snprintf(path, sizeof(path), "%s/%s", dir,
                       data[0] % 2 ? "baselines.json" : "drift.jsonl");
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert(fd >= 0);
        assert(write(fd, data + 1, size - 1) == (ssize_t)(size - 1));
        (void)close(fd);

        assert(drift_store_open(dir, 4, &s) == 0);
        if (drift_store_events_json(s, NULL, NULL, 0, &events) >= 0)
                json_decref(events);
        (void)drift_store_count(s, NULL, DRIFT_REGRESSION, &n);
        if (drift_store_baseline_units(s, &units) >= 0) {
                for (size_t i = 0; units[i]; i++) {
                        assert(drift_store_get_baseline(s, units[i], &b) == 0);
                        drift_baseline_release(&b);
                }
                drift_unit_list_free(units);
        }
        assert(drift_store_append(s, &ev) >= 0);
        drift_store_free(s);
        return 0;
}
