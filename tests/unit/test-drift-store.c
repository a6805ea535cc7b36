/* SPDX-License-Identifier: MIT */
/*
 * The drift store: round trips across reopen, bounding, crash and corruption recovery, an
 * unwritable directory, failing writes, odd unit names, filters, and a real kill -9.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/util.h"
#include "hardening/drift_store.h"

static char tmp[64];
static char state[128];

static void setup(void)
{
        (void)snprintf(tmp, sizeof(tmp), "/tmp/drift-store-XXXXXX");
        cr_assert_not_null(mkdtemp(tmp));
        (void)snprintf(state, sizeof(state), "%s/state", tmp);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

static void teardown(void)
{
        char ro[192];

        (void)snprintf(ro, sizeof(ro), "%s/ro", tmp);
        (void)umount2(ro, MNT_DETACH);
        (void)umount2(state, MNT_DETACH); /* the real file system test's, if it failed */
        (void)nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(drift_store, .init = setup, .fini = teardown);

static const char *const drop_ins[] = {"/etc/systemd/system/a.service.d/10-x.conf",
                                       "/run/systemd/system/a.service.d/20-y.conf"};

static struct drift_event event(const char *unit, const char *check, enum drift_kind kind, double t)
{
        return (struct drift_event){
                .time = t,
                .unit = unit,
                .check = check,
                .old_value = "ProtectSystem=full",
                .new_value = "ProtectSystem=no",
                .exposure_old = 42,
                .exposure_new = 57,
                .kind = kind,
                .fragment_path = "/etc/systemd/system/a.service",
                .drop_in_paths = drop_ins,
                .n_drop_in_paths = ARRAY_SIZE(drop_ins),
                .invocation_id = "0123456789abcdef0123456789ABCDEF",
        };
}

static struct drift_store *open_store(const char *dir, size_t max_events)
{
        struct drift_store *s;

        cr_assert_eq(drift_store_open(dir, max_events, &s), 0);
        return s;
}

static void append_ok(struct drift_store *s, const struct drift_event *e)
{
        cr_assert_eq(drift_store_append(s, e), 1);
}

static json_t *events(struct drift_store *s, const char *unit, const char *kind, size_t limit)
{
        json_t *a;

        cr_assert_eq(drift_store_events_json(s, unit, kind, limit, &a), 0);
        cr_assert(json_is_array(a));
        return a;
}

static size_t n_events(struct drift_store *s)
{
        json_t *a = events(s, NULL, NULL, 0);
        size_t n = json_array_size(a);

        json_decref(a);
        return n;
}

static uint64_t count(struct drift_store *s, const char *unit, enum drift_kind kind)
{
        uint64_t n;

        cr_assert_eq(drift_store_count(s, unit, kind, &n), 0);
        return n;
}

static void path_of(char *buf, size_t size, const char *name)
{
        (void)snprintf(buf, size, "%s/%s", state, name);
}

static char *read_text(const char *name, size_t *ret_len)
{
        char path[256], *buf;
        FILE *f;
        long len;

        path_of(path, sizeof(path), name);
        f = fopen(path, "re");
        cr_assert_not_null(f, "cannot open %s", path);
        cr_assert_eq(fseek(f, 0, SEEK_END), 0);
        len = ftell(f);
        rewind(f);
        buf = calloc(1, (size_t)len + 1);
        cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
        (void)fclose(f);
        if (ret_len)
                *ret_len = (size_t)len;
        return buf;
}

static void write_text(const char *name, const char *text, const char *mode)
{
        char path[256];
        FILE *f;

        (void)mkdir(state, 0750);
        path_of(path, sizeof(path), name);
        f = fopen(path, mode);
        cr_assert_not_null(f);
        cr_assert_eq(fputs(text, f) >= 0, true);
        cr_assert_eq(fclose(f), 0);
}

/* The name of the one file starting with prefix in the state directory, or NULL. */
static char *find_aside(const char *prefix)
{
        DIR *d = opendir(state);
        struct dirent *de;
        char *found = NULL;

        cr_assert_not_null(d);
        while ((de = readdir(d)))
                if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
                        cr_assert_null(found, "two files named %s*", prefix);
                        found = strdup(de->d_name);
                }
        (void)closedir(d);
        return found;
}

static size_t count_lines(const char *text)
{
        size_t n = 0;

        for (; *text; text++)
                n += *text == '\n';
        return n;
}

static const char *str_at(json_t *a, size_t i, const char *key)
{
        return json_string_value(json_object_get(json_array_get(a, i), key));
}

Test(drift_store, round_trip_across_reopen)
{
        struct drift_baseline_check checks[] = {
                {.json_field = (char *)"ProtectSystem",
                 .value = (char *)"ProtectSystem=full",
                 .state = SCORE_PASS},
                {.json_field = (char *)"PrivateNetwork",
                 .value = (char *)"PrivateNetwork=no",
                 .state = SCORE_FAIL},
                {.json_field = (char *)"RootDirectory", .value = (char *)"", .state = SCORE_NA},
        };
        struct drift_baseline b = {.unit = (char *)"a.service",
                                   .exposure = 42,
                                   .time = 1700000000.123456,
                                   .n_checks = ARRAY_SIZE(checks),
                                   .checks = checks},
                              got;
        struct drift_event e = event("a.service", "ProtectSystem", DRIFT_REGRESSION, 1.5);
        struct drift_store *s = open_store(state, 0);
        struct stat st;
        char **units;
        json_t *a, *o;
        mode_t mask = umask(0);

        (void)umask(mask);

        cr_assert(drift_store_persistent(s));
        cr_assert_eq(stat(state, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0750 & ~mask);
        cr_assert_eq(drift_store_get_baseline(s, "a.service", &got), -ENOENT);
        cr_assert_eq(drift_store_set_baseline(s, &b), 1);
        b.unit = (char *)"b.service";
        b.n_checks = 0;
        cr_assert_eq(drift_store_set_baseline(s, &b), 1);
        append_ok(s, &e);
        e.check = DRIFT_CHECK_EXPOSURE;
        e.old_value = e.new_value = NULL;
        e.fragment_path = e.invocation_id = NULL;
        e.n_drop_in_paths = 0;
        e.kind = DRIFT_IMPROVEMENT;
        e.time = 2.25;
        append_ok(s, &e);
        drift_store_free(s);

        s = open_store(state, 0);
        cr_assert(drift_store_persistent(s));
        cr_assert_eq(drift_store_get_baseline(s, "a.service", &got), 0);
        cr_assert_str_eq(got.unit, "a.service");
        cr_assert_eq(got.exposure, 42);
        cr_assert_eq(got.time, 1700000000.123456); /* exactly */
        cr_assert_eq(got.n_checks, 3);
        for (size_t i = 0; i < 3; i++) {
                cr_assert_str_eq(got.checks[i].json_field, checks[i].json_field);
                cr_assert_str_eq(got.checks[i].value, checks[i].value);
                cr_assert_eq(got.checks[i].state, checks[i].state);
        }
        drift_baseline_release(&got);
        cr_assert_eq(drift_store_baseline_units(s, &units), 0);
        cr_assert_str_eq(units[0], "a.service");
        cr_assert_str_eq(units[1], "b.service");
        cr_assert_null(units[2]);
        drift_unit_list_free(units);

        a = events(s, NULL, NULL, 0);
        cr_assert_eq(json_array_size(a), 2);
        /* Newest first, and exactly the documented keys. */
        o = json_array_get(a, 0);
        cr_assert_eq(json_object_size(o), 11);
        cr_assert_str_eq(str_at(a, 0, "check"), "exposure");
        cr_assert_str_eq(str_at(a, 0, "kind"), "improvement");
        cr_assert(json_is_null(json_object_get(o, "old")));
        cr_assert(json_is_null(json_object_get(o, "fragment_path")));
        cr_assert(json_is_null(json_object_get(o, "invocation_id")));
        cr_assert_eq(json_array_size(json_object_get(o, "drop_in_paths")), 0);
        cr_assert_eq(json_real_value(json_object_get(o, "time")), 2.25);
        o = json_array_get(a, 1);
        cr_assert_eq(json_object_size(o), 11);
        cr_assert_str_eq(str_at(a, 1, "unit"), "a.service");
        cr_assert_str_eq(str_at(a, 1, "check"), "ProtectSystem");
        cr_assert_str_eq(str_at(a, 1, "old"), "ProtectSystem=full");
        cr_assert_str_eq(str_at(a, 1, "new"), "ProtectSystem=no");
        cr_assert_str_eq(str_at(a, 1, "kind"), "regression");
        cr_assert_str_eq(str_at(a, 1, "fragment_path"), "/etc/systemd/system/a.service");
        cr_assert_str_eq(str_at(a, 1, "invocation_id"), "0123456789abcdef0123456789ABCDEF");
        cr_assert_eq(json_integer_value(json_object_get(o, "exposure_old")), 42);
        cr_assert_eq(json_integer_value(json_object_get(o, "exposure_new")), 57);
        cr_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "drop_in_paths"), 1)),
                         drop_ins[1]);
        json_decref(a);

        cr_assert_eq(count(s, "a.service", DRIFT_REGRESSION), 1);
        cr_assert_eq(count(s, "a.service", DRIFT_IMPROVEMENT), 1);
        cr_assert_eq(count(s, "nope.service", DRIFT_REGRESSION), 0);
        cr_assert_eq(drift_store_dropped(s), 0);
        cr_assert_eq(drift_store_write_failures(s), 0);
        drift_store_free(s);
}

Test(drift_store, bounded_with_dropped_counter_across_reopen)
{
        struct drift_store *s = open_store(state, 10);
        size_t len;
        char *text;
        json_t *a;

        for (int i = 0; i < 30; i++) {
                struct drift_event e =
                        event(i % 2 ? "odd.service" : "even.service", "X", DRIFT_REGRESSION, i);

                append_ok(s, &e);
                text = read_text("drift.jsonl", NULL);
                /* Header plus at most 1.25 x max_events events. */
                cr_assert_leq(count_lines(text), 1 + 12);
                free(text);
        }
        cr_assert_eq(drift_store_dropped(s), 20);
        a = events(s, NULL, NULL, 0);
        cr_assert_eq(json_array_size(a), 10);
        cr_assert_eq(json_real_value(json_object_get(json_array_get(a, 0), "time")), 29);
        cr_assert_eq(json_real_value(json_object_get(json_array_get(a, 9), "time")), 20);
        json_decref(a);
        /* The counter behind regressions_total never goes down. */
        cr_assert_eq(count(s, "odd.service", DRIFT_REGRESSION), 15);
        cr_assert_eq(count(s, NULL, DRIFT_REGRESSION), 30);
        drift_store_free(s);

        s = open_store(state, 10);
        cr_assert_eq(drift_store_dropped(s), 20);
        cr_assert_eq(n_events(s), 10);
        cr_assert_eq(count(s, "odd.service", DRIFT_REGRESSION), 15);
        cr_assert_eq(count(s, "even.service", DRIFT_REGRESSION), 15);
        {
                struct drift_event e = event("odd.service", "X", DRIFT_REGRESSION, 30);

                append_ok(s, &e);
        }
        cr_assert_eq(drift_store_dropped(s), 21);
        drift_store_free(s);

        /* A smaller bound on reopen sheds more, and counts it. */
        s = open_store(state, 4);
        cr_assert_eq(drift_store_dropped(s), 27);
        cr_assert_eq(n_events(s), 4);
        cr_assert_eq(count(s, NULL, DRIFT_REGRESSION), 31);
        drift_store_free(s);
        text = read_text("drift.jsonl", &len);
        cr_assert_eq(count_lines(text), 1 + 4); /* compacted at open */
        free(text);
}

Test(drift_store, torn_last_line_is_dropped_and_cut_off)
{
        struct drift_store *s = open_store(state, 0);
        struct drift_event e = event("a.service", "X", DRIFT_REGRESSION, 1);
        size_t good_len, len;
        char *text;

        for (int i = 0; i < 3; i++)
                append_ok(s, &e);
        drift_store_free(s);
        text = read_text("drift.jsonl", &good_len);
        free(text);

        write_text("drift.jsonl", "{\"time\":4,\"unit\":\"a.serv", "ae");
        s = open_store(state, 0);
        cr_assert(drift_store_persistent(s));
        cr_assert_eq(n_events(s), 3);
        text = read_text("drift.jsonl", &len);
        cr_assert_eq(len, good_len);
        free(text);
        append_ok(s, &e);
        drift_store_free(s);

        /* A last line that is complete but not JSON goes the same way. */
        write_text("drift.jsonl", "{\"time\":4,\"unit\n", "ae");
        s = open_store(state, 0);
        cr_assert_eq(n_events(s), 4);
        drift_store_free(s);
        cr_assert_null(find_aside("drift.jsonl.corrupt-"));
}

static void expect_moved_aside(const char *name, const char *original)
{
        char prefix[64], *aside, *moved;

        (void)snprintf(prefix, sizeof(prefix), "%s.corrupt-", name);
        aside = find_aside(prefix);
        cr_assert_not_null(aside, "%s was not moved aside", name);
        moved = read_text(aside, NULL);
        cr_assert_str_eq(moved, original);
        free(moved);
        free(aside);
}

Test(drift_store, corrupt_middle_line_moves_the_file_aside)
{
        struct drift_event e = event("a.service", "X", DRIFT_REGRESSION, 1);
        struct drift_store *s = open_store(state, 0);
        char *text, *bad, *second;
        size_t len;

        append_ok(s, &e);
        append_ok(s, &e);
        drift_store_free(s);
        /* Garbage between the two events: not something a crash leaves behind. */
        text = read_text("drift.jsonl", &len);
        second = strchr(strchr(text, '\n') + 1, '\n') + 1;
        cr_assert_eq(asprintf(&bad, "%.*snot json at all\n%s", (int)(second - text), text, second) >
                             0,
                     true);
        write_text("drift.jsonl", bad, "we");

        s = open_store(state, 0);
        cr_assert(drift_store_persistent(s));
        cr_assert_eq(n_events(s), 0);
        expect_moved_aside("drift.jsonl", bad);
        append_ok(s, &e);
        drift_store_free(s);

        s = open_store(state, 0);
        cr_assert_eq(n_events(s), 1);
        drift_store_free(s);
        free(text);
        text = read_text("drift.jsonl", NULL);
        cr_assert_eq(count_lines(text), 2);
        free(text);
        free(bad);
}

Test(drift_store, event_with_a_missing_field_is_corruption)
{
        struct drift_store *s = open_store(state, 0);
        struct drift_event e = event("a.service", "X", DRIFT_REGRESSION, 1);
        char *text, *bad;
        size_t len;

        append_ok(s, &e);
        append_ok(s, &e);
        drift_store_free(s);
        /* Valid JSON, but the first event lost its "kind". */
        text = read_text("drift.jsonl", &len);
        bad = strstr(text, ",\"kind\":\"regression\"");
        cr_assert_not_null(bad);
        memmove(bad, bad + strlen(",\"kind\":\"regression\""),
                strlen(bad + strlen(",\"kind\":\"regression\"")) + 1);
        write_text("drift.jsonl", text, "we");

        s = open_store(state, 0);
        cr_assert_eq(n_events(s), 0);
        drift_store_free(s);
        expect_moved_aside("drift.jsonl", text);
        free(text);
}

Test(drift_store, wrong_schema_moves_the_file_aside)
{
        const char *future = "{\"schema\":2,\"dropped\":0,\"dropped_by_unit\":{}}\n";
        struct drift_store *s;

        write_text("drift.jsonl", future, "we");
        s = open_store(state, 0);
        cr_assert(drift_store_persistent(s));
        cr_assert_eq(n_events(s), 0);
        cr_assert_eq(drift_store_dropped(s), 0);
        drift_store_free(s);
        expect_moved_aside("drift.jsonl", future);
}

Test(drift_store, corrupt_baselines_move_aside_and_twice_keeps_both)
{
        const char *bad = "{\"schema\":1,\"baselines\":{\"a.service\":{\"exposure\":";
        const char *wrong = "{\"schema\":7,\"baselines\":{}}\n";
        struct drift_baseline b = {.unit = (char *)"a.service", .exposure = 1, .time = 1}, got;
        struct drift_store *s;
        char *aside;

        write_text("baselines.json", bad, "we");
        s = open_store(state, 0);
        cr_assert(drift_store_persistent(s));
        cr_assert_eq(drift_store_get_baseline(s, "a.service", &got), -ENOENT);
        cr_assert_eq(drift_store_set_baseline(s, &b), 1);
        drift_store_free(s);
        expect_moved_aside("baselines.json", bad);

        s = open_store(state, 0);
        cr_assert_eq(drift_store_get_baseline(s, "a.service", &got), 0);
        drift_baseline_release(&got);
        drift_store_free(s);

        /* A second bad file in the same second must not replace the first one aside. */
        aside = find_aside("baselines.json.corrupt-");
        write_text("baselines.json", wrong, "we");
        s = open_store(state, 0);
        cr_assert_eq(drift_store_get_baseline(s, "a.service", &got), -ENOENT);
        drift_store_free(s);
        {
                char *first = read_text(aside, NULL);
                DIR *d = opendir(state);
                struct dirent *de;
                int n = 0;

                cr_assert_str_eq(first, bad);
                free(first);
                while ((de = readdir(d)))
                        n += strncmp(de->d_name, "baselines.json.corrupt-", 23) == 0;
                (void)closedir(d);
                cr_assert_eq(n, 2);
        }
        free(aside);
}

Test(drift_store, unwritable_directory_works_in_memory)
{
        char file[128], dir[160];
        struct drift_baseline b = {.unit = (char *)"a.service", .exposure = 3, .time = 1}, got;
        struct drift_event e = event("a.service", "X", DRIFT_REGRESSION, 1);
        struct drift_store *s;
        char **units;

        /* A path below a regular file cannot be created, not even by root. */
        (void)snprintf(file, sizeof(file), "%s/afile", tmp);
        (void)snprintf(dir, sizeof(dir), "%s/state", file);
        cr_assert_eq(close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)), 0);

        s = open_store(dir, 3);
        cr_assert_not(drift_store_persistent(s));
        cr_assert_eq(drift_store_set_baseline(s, &b), 0);
        cr_assert_eq(drift_store_get_baseline(s, "a.service", &got), 0);
        cr_assert_eq(got.exposure, 3);
        drift_baseline_release(&got);
        cr_assert_eq(drift_store_baseline_units(s, &units), 0);
        cr_assert_str_eq(units[0], "a.service");
        drift_unit_list_free(units);
        for (int i = 0; i < 5; i++)
                cr_assert_eq(drift_store_append(s, &e), 0);
        cr_assert_eq(n_events(s), 3);
        cr_assert_eq(drift_store_dropped(s), 2);
        cr_assert_eq(count(s, "a.service", DRIFT_REGRESSION), 5);
        cr_assert_eq(drift_store_write_failures(s), 0);
        drift_store_free(s);
}

Test(drift_store, failing_writes_keep_memory_and_the_file_valid)
{
        struct drift_event e = event("a.service", "X", DRIFT_REGRESSION, 1);
        struct drift_store *s = open_store(state, 0);
        struct rlimit rl;
        struct stat st;
        char path[256];

        append_ok(s, &e);
        path_of(path, sizeof(path), "drift.jsonl");
        cr_assert_eq(stat(path, &st), 0);

        /* A file size limit makes writes fail part-way, like a full disk (EFBIG). */
        cr_assert_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
        (void)signal(SIGXFSZ, SIG_IGN);
        rl.rlim_cur = (rlim_t)st.st_size + 20;
        cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
        e.time = 2;
        cr_assert_eq(drift_store_append(s, &e), 0);
        e.time = 3;
        cr_assert_eq(drift_store_append(s, &e), 0);
        cr_assert_eq(drift_store_write_failures(s), 2);
        cr_assert_eq(n_events(s), 3);
        cr_assert_eq(stat(path, &st), 0);

        rl.rlim_cur = rl.rlim_max;
        cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
        e.time = 4;
        append_ok(s, &e);
        drift_store_free(s);

        /* The file is whole: the events written, not the two that failed. */
        s = open_store(state, 0);
        cr_assert_eq(n_events(s), 2);
        drift_store_free(s);
        cr_assert_null(find_aside("drift.jsonl.corrupt-"));
}

/* Fills the file system under dir; returns the filler file's fd (unlink it to free space). */
static int fill(const char *dir)
{
        static char block[4096];
        char path[256];
        int fd;

        (void)snprintf(path, sizeof(path), "%s/filler", dir);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        cr_assert_geq(fd, 0);
        while (write(fd, block, sizeof(block)) > 0)
                ;
        cr_assert_eq(errno, ENOSPC);
        /* Byte by byte into the last page too. */
        while (write(fd, block, 1) > 0)
                ;
        return fd;
}

/*
 * The same faults on real file systems (root only: a tmpfs of 64 KiB that fills up, and a
 * read-only bind mount): a full disk keeps events in memory and counts the failures, the file
 * on disk stays valid, and writes resume by themselves; a read-only state directory is read
 * (nothing moved aside) and the store works in memory.
 */
Test(drift_store, real_full_and_read_only_file_systems)
{
        struct drift_event e = event("a.service", "X", DRIFT_REGRESSION, 1);
        char filler[256], ro[192];
        struct drift_store *s;
        int fd, n, r;

        cr_assert_eq(mkdir(state, 0700), 0);
        if (mount("tmpfs", state, "tmpfs", 0, "size=64k,mode=0700") < 0)
                cr_skip_test("mounting a tmpfs needs root: %s", strerror(errno));

        s = open_store(state, 0);
        cr_assert(drift_store_persistent(s));
        append_ok(s, &e);
        fd = fill(state);
        /* The journal's last page may have room for a few more events; then it is full. */
        for (n = 2, r = 1; r == 1 && n < 100; n++) {
                e.time = n;
                r = drift_store_append(s, &e);
        }
        cr_assert_eq(r, 0, "disk full: kept in memory");
        cr_assert_eq(drift_store_write_failures(s), 1);
        cr_assert_eq(n_events(s), (size_t)n - 1, "nothing lost in memory");
        (void)close(fd);
        (void)snprintf(filler, sizeof(filler), "%s/filler", state);
        cr_assert_eq(unlink(filler), 0);
        e.time = 1000;
        append_ok(s, &e);
        cr_assert_eq(drift_store_write_failures(s), 1);
        drift_store_free(s);
        s = open_store(state, 0);
        cr_assert_geq(n_events(s), 2, "the events written are on disk");
        cr_assert_null(find_aside("drift.jsonl.corrupt-"), "the file stayed valid");
        drift_store_free(s);

        /* The same directory, read-only. */
        (void)snprintf(ro, sizeof(ro), "%s/ro", tmp);
        cr_assert_eq(mkdir(ro, 0700), 0);
        cr_assert_eq(mount(state, ro, NULL, MS_BIND, NULL), 0);
        cr_assert_eq(mount(NULL, ro, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), 0);
        s = open_store(ro, 0);
        cr_assert_not(drift_store_persistent(s), "a read-only directory: memory only");
        cr_assert_geq(n_events(s), 2, "what is on disk is still read");
        e.time = 4;
        cr_assert_eq(drift_store_append(s, &e), 0);
        drift_store_free(s);
        cr_assert_null(find_aside("drift.jsonl.corrupt-"), "nothing moved aside");
        cr_assert_eq(umount2(ro, 0), 0);
        cr_assert_eq(umount2(state, 0), 0);
}

Test(drift_store, filters_and_limit)
{
        struct drift_store *s = open_store(state, 0);
        json_t *a;

        for (int i = 0; i < 12; i++) {
                struct drift_event e = event(i % 3 == 0 ? "a.service" : "b.service", "X",
                                             i % 2 ? DRIFT_IMPROVEMENT : DRIFT_REGRESSION, i);

                append_ok(s, &e);
        }
        a = events(s, "a.service", NULL, 0); /* 0, 3, 6, 9 */
        cr_assert_eq(json_array_size(a), 4);
        cr_assert_eq(json_real_value(json_object_get(json_array_get(a, 0), "time")), 9);
        json_decref(a);
        a = events(s, "a.service", "regression", 0); /* 0, 6 */
        cr_assert_eq(json_array_size(a), 2);
        cr_assert_eq(json_real_value(json_object_get(json_array_get(a, 0), "time")), 6);
        json_decref(a);
        a = events(s, NULL, "improvement", 2); /* 11, 9 */
        cr_assert_eq(json_array_size(a), 2);
        cr_assert_eq(json_real_value(json_object_get(json_array_get(a, 1), "time")), 9);
        json_decref(a);
        a = events(s, NULL, NULL, 5);
        cr_assert_eq(json_array_size(a), 5);
        json_decref(a);
        a = events(s, "a.servic", NULL, 0); /* exact match only */
        cr_assert_eq(json_array_size(a), 0);
        json_decref(a);
        cr_assert_eq(drift_store_events_json(s, NULL, "worse", 0, &a), -EINVAL);
        cr_assert_eq(count(s, "b.service", DRIFT_IMPROVEMENT), 4);
        cr_assert_eq(drift_store_count(s, NULL, _DRIFT_KIND_MAX, &(uint64_t){0}), -EINVAL);
        drift_store_free(s);
}

Test(drift_store, odd_names_round_trip_and_invalid_input_is_refused)
{
        const char *odd = "we\"ird\\na\nme \t ü.service";
        struct drift_baseline b = {.unit = (char *)odd, .exposure = 100, .time = -1.0}, got;
        struct drift_event e = event(odd, "ProtectSystem", DRIFT_REGRESSION, 1);
        struct drift_store *s = open_store(state, 0);
        json_t *a;

        cr_assert_eq(drift_store_set_baseline(s, &b), 1);
        append_ok(s, &e);
        drift_store_free(s);

        s = open_store(state, 0);
        cr_assert_eq(drift_store_get_baseline(s, odd, &got), 0);
        cr_assert_str_eq(got.unit, odd);
        drift_baseline_release(&got);
        a = events(s, odd, NULL, 0);
        cr_assert_eq(json_array_size(a), 1);
        cr_assert_str_eq(str_at(a, 0, "unit"), odd);
        json_decref(a);
        cr_assert_eq(count(s, odd, DRIFT_REGRESSION), 1);

        e.unit = "a/b.service";
        cr_assert_eq(drift_store_append(s, &e), -EINVAL);
        e.unit = "";
        cr_assert_eq(drift_store_append(s, &e), -EINVAL);
        e.unit = "\xff\xfe.service";
        cr_assert_eq(drift_store_append(s, &e), -EINVAL);
        e.unit = "a.service";
        e.invocation_id = "0123";
        cr_assert_eq(drift_store_append(s, &e), -EINVAL);
        e.invocation_id = NULL;
        e.exposure_new = 101;
        cr_assert_eq(drift_store_append(s, &e), -EINVAL);
        e.exposure_new = 0;
        e.kind = _DRIFT_KIND_MAX;
        cr_assert_eq(drift_store_append(s, &e), -EINVAL);
        b.unit = (char *)"x/y";
        cr_assert_eq(drift_store_set_baseline(s, &b), -EINVAL);
        b.unit = (char *)"\xff.service";
        cr_assert_eq(drift_store_set_baseline(s, &b), -EINVAL);
        b.unit = (char *)"x";
        b.exposure = 101;
        cr_assert_eq(drift_store_set_baseline(s, &b), -EINVAL);
        cr_assert_eq(n_events(s), 1);
        drift_store_free(s);
}

/* The child appends until killed; after each acknowledged append one byte goes to the
 * marker, so the marker's size is the number of appends that returned. */
_Noreturn static void append_forever(const char *marker)
{
        struct drift_store *s;
        int fd = open(marker, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

        if (fd < 0 || drift_store_open(state, 50, &s) < 0)
                _exit(2);
        for (int i = 0;; i++) {
                struct drift_event e =
                        event(i % 2 ? "a.service" : "b.service", "X", DRIFT_REGRESSION, i);

                if (drift_store_append(s, &e) != 1 || write(fd, "x", 1) != 1)
                        _exit(3);
        }
}

Test(drift_store, kill_9_loses_at_most_the_event_being_written)
{
        char marker[128];
        struct stat st;

        (void)snprintf(marker, sizeof(marker), "%s/marker", tmp);
        srand((unsigned)time(NULL) ^ (unsigned)getpid());
        for (int round = 0; round < 8; round++) {
                struct drift_store *s;
                pid_t pid = fork();
                int status;
                uint64_t total;

                cr_assert_geq(pid, 0);
                if (pid == 0)
                        append_forever(marker);
                (void)usleep(20000 + (unsigned)(rand() % 80000));
                cr_assert_eq(kill(pid, SIGKILL), 0);
                cr_assert_eq(waitpid(pid, &status, 0), pid);
                cr_assert(WIFSIGNALED(status), "child exited by itself: %d", status);

                cr_assert_eq(stat(marker, &st), 0);
                s = open_store(state, 50);
                cr_assert(drift_store_persistent(s));
                total = count(s, NULL, DRIFT_REGRESSION);
                cr_assert_geq(total, (uint64_t)st.st_size, "lost events: %ju < %jd",
                              (uintmax_t)total, (intmax_t)st.st_size);
                cr_assert_leq(total, (uint64_t)st.st_size + 1);
                cr_assert_eq(n_events(s) + drift_store_dropped(s), total);
                drift_store_free(s);
                cr_assert_null(find_aside("drift.jsonl.corrupt-"));
                /* The event in flight made it: marker and file agree for the next round. */
                if (total > (uint64_t)st.st_size) {
                        int fd = open(marker, O_WRONLY | O_APPEND | O_CLOEXEC);

                        cr_assert_eq(write(fd, "x", 1), 1);
                        (void)close(fd);
                }
        }
        cr_assert_gt(st.st_size, 0);
        cr_log_info("kill -9: %jd appends acknowledged", (intmax_t)st.st_size);
}

struct thread_arg {
        struct drift_store *s;
        int id;
};

static void *writer(void *p)
{
        struct thread_arg *arg = p;

        for (int i = 0; i < 200; i++) {
                char unit[32];
                struct drift_event e;

                (void)snprintf(unit, sizeof(unit), "t%d.service", arg->id);
                e = event(unit, "X", DRIFT_IMPROVEMENT, i);
                if (drift_store_append(arg->s, &e) != 1)
                        return (void *)1;
                if (i % 20 == 0) {
                        json_t *a;

                        if (drift_store_events_json(arg->s, unit, NULL, 10, &a) < 0)
                                return (void *)1;
                        json_decref(a);
                }
        }
        return NULL;
}

Test(drift_store, concurrent_appends_and_reads)
{
        struct drift_store *s = open_store(state, 100);
        struct thread_arg args[4];
        pthread_t t[4];

        for (int i = 0; i < 4; i++) {
                args[i] = (struct thread_arg){.s = s, .id = i};
                cr_assert_eq(pthread_create(&t[i], NULL, writer, &args[i]), 0);
        }
        for (int i = 0; i < 4; i++) {
                void *r;

                cr_assert_eq(pthread_join(t[i], &r), 0);
                cr_assert_null(r);
        }
        cr_assert_eq(count(s, NULL, DRIFT_IMPROVEMENT), 800);
        cr_assert_eq(count(s, "t2.service", DRIFT_IMPROVEMENT), 200);
        cr_assert_eq(n_events(s), 100);
        cr_assert_eq(drift_store_dropped(s), 700);
        drift_store_free(s);

        s = open_store(state, 100);
        cr_assert_eq(count(s, NULL, DRIFT_IMPROVEMENT), 800);
        drift_store_free(s);
}
