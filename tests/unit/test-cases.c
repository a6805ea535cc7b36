/* SPDX-License-Identifier: MIT */
/*
 * The field cases (tests/cases/caseNN-*, a copy of the project's shared cases) run through
 * the real reader: each test copies the case's input files, as they are at run time, into a
 * cgroup-like directory under a mkdtemp() tree, reads it with cg_handle_open()/cg_handle_read() and
 * checks every value of the case's expected.txt. Each reading is done with no kept fds (budget 0),
 * with a budget smaller than the number of files, and with one large enough to keep them all.
 *
 * The file-system cases (08, 14, 19, 20) build their trees in the suite's .init. What a
 * regular file system cannot do (read() failing with ENODEV or EOPNOTSUPP) is left to the VM
 * tier; the parser-level outcome of those files is checked here.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/cg_reader.h"

#define CASES "tests/cases"

static const unsigned budgets[] = {0, 3, 64};
#define N_BUDGETS (sizeof(budgets) / sizeof(budgets[0]))
static unsigned budget_now; /* for messages */

static char tmp_root[PATH_MAX];
static int tmp_fd = -1;

/* ---- fixture trees ---- */

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st;
        (void)type;
        (void)ftw;
        (void)remove(path);
        return 0;
}

static void tree_init(void)
{
        int n = snprintf(tmp_root, sizeof(tmp_root), "/tmp/unitwatch-test-cases-XXXXXX");

        cr_assert(n > 0 && (size_t)n < sizeof(tmp_root));
        cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp: %s", strerror(errno));
        tmp_fd = open(tmp_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(tmp_fd, 0, "cannot open '%s': %s", tmp_root, strerror(errno));
}

static void tree_fini(void)
{
        if (tmp_fd >= 0)
                (void)close(tmp_fd);
        tmp_fd = -1;
        if (tmp_root[0])
                (void)nftw(tmp_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdir_p(const char *rel)
{
        char path[PATH_MAX];
        size_t len = strlen(rel);

        cr_assert_lt(len, sizeof(path));
        memcpy(path, rel, len + 1);
        for (char *p = path;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                if (p != path) {
                        char c = *p;

                        *p = '\0';
                        cr_assert(mkdirat(tmp_fd, path, 0755) == 0 || errno == EEXIST,
                                  "mkdir '%s': %s", path, strerror(errno));
                        *p = c;
                }
                if (*p == '\0')
                        break;
        }
}

static void write_at(const char *rel, const char *text, size_t len, int flags)
{
        int fd = openat(tmp_fd, rel, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);

        cr_assert_geq(fd, 0, "cannot create '%s': %s", rel, strerror(errno));
        while (len > 0) {
                ssize_t n = write(fd, text, len);

                cr_assert_gt(n, 0, "write '%s': %s", rel, strerror(errno));
                text += n;
                len -= (size_t)n;
        }
        cr_assert_eq(close(fd), 0);
}

/* Creates or rewrites rel in place (O_TRUNC: same inode). */
static void put(const char *dir, const char *name, const char *text)
{
        char rel[PATH_MAX];

        cr_assert_lt((size_t)snprintf(rel, sizeof(rel), "%s/%s", dir, name), sizeof(rel));
        write_at(rel, text, strlen(text), O_TRUNC);
}

/* Replaces rel by a new file (new inode), as an editor or `mv` would. */
static void replace(const char *dir, const char *name, const char *text)
{
        char rel[PATH_MAX], tmp[PATH_MAX];

        cr_assert_lt((size_t)snprintf(rel, sizeof(rel), "%s/%s", dir, name), sizeof(rel));
        cr_assert_lt((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.new", dir, name), sizeof(tmp));
        write_at(tmp, text, strlen(text), O_TRUNC | O_EXCL);
        cr_assert_eq(renameat(tmp_fd, tmp, tmp_fd, rel), 0, "rename: %s", strerror(errno));
}

static void unlink_in(const char *dir, const char *name)
{
        char rel[PATH_MAX];

        cr_assert_lt((size_t)snprintf(rel, sizeof(rel), "%s/%s", dir, name), sizeof(rel));
        cr_assert_eq(unlinkat(tmp_fd, rel, 0), 0, "unlink '%s': %s", rel, strerror(errno));
}

/* Removes a fixture cgroup directory with everything in it. */
static void remove_dir(const char *rel)
{
        char path[PATH_MAX];

        cr_assert_lt((size_t)snprintf(path, sizeof(path), "%s/%s", tmp_root, rel), sizeof(path));
        cr_assert_eq(nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
        cr_assert_eq(faccessat(tmp_fd, rel, F_OK, 0), -1, "'%s' still exists", rel);
}

/* ---- the shared cases ---- */

static void need_case(const char *name)
{
        char path[PATH_MAX];
        struct stat st;

        cr_assert_lt((size_t)snprintf(path, sizeof(path), CASES "/%s", name), sizeof(path));
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                cr_assert_fail("case folder '%s' not found (%s): the tests run from the top of "
                               "the repository and read the cases from " CASES,
                               path, strerror(errno));
}

/* The bytes of a case file; NULL when it does not exist. */
static char *case_read(const char *rel, size_t *ret_len)
{
        char path[PATH_MAX];
        char *buf;
        size_t len = 0, size = 4096;
        int fd;

        cr_assert_lt((size_t)snprintf(path, sizeof(path), CASES "/%s", rel), sizeof(path));
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                cr_assert_eq(errno, ENOENT, "cannot open '%s': %s", path, strerror(errno));
                return NULL;
        }
        buf = malloc(size);
        cr_assert_not_null(buf);
        for (;;) {
                ssize_t n;

                if (len == size) {
                        size *= 2;
                        buf = realloc(buf, size);
                        cr_assert_not_null(buf);
                }
                n = read(fd, buf + len, size - len);
                cr_assert_geq(n, 0, "read '%s': %s", path, strerror(errno));
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        (void)close(fd);
        *ret_len = len;
        return buf;
}

static bool is_input_file(const char *name)
{
        size_t n = strlen(name);

        return !(n >= 4 && (strcmp(name + n - 4, ".txt") == 0 || strcmp(name + n - 3, ".md") == 0));
}

static void copy_case_file(const char *case_rel, const char *dir, const char *name)
{
        char src[PATH_MAX], dst[PATH_MAX];
        size_t len;
        char *buf;

        cr_assert_lt((size_t)snprintf(src, sizeof(src), "%s/%s", case_rel, name), sizeof(src));
        cr_assert_lt((size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, name), sizeof(dst));
        buf = case_read(src, &len);
        cr_assert_not_null(buf, "case file '%s' missing", src);
        write_at(dst, buf, len, O_TRUNC);
        free(buf);
}

/*
 * Copies the input files of CASES/case_rel (everything but *.txt and *.md) into the fixture
 * directory dir, adding the empty cgroup.procs every live cgroup has.
 */
static void copy_case_dir(const char *case_rel, const char *dir)
{
        char path[PATH_MAX];
        struct dirent *de;
        DIR *d;

        cr_assert_lt((size_t)snprintf(path, sizeof(path), CASES "/%s", case_rel), sizeof(path));
        d = opendir(path);
        cr_assert_not_null(d, "cannot open case directory '%s': %s", path, strerror(errno));
        mkdir_p(dir);
        while ((de = readdir(d))) {
                if (de->d_type != DT_REG || !is_input_file(de->d_name))
                        continue;
                copy_case_file(case_rel, dir, de->d_name);
        }
        (void)closedir(d);
        cr_assert_lt((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", dir), sizeof(path));
        write_at(path, "", 0, 0);
}

/* Contents for files a case lists but does not provide. */
static const struct {
        const char *name, *text;
} synth[] = {
        {"cgroup.events", "populated 1\nfrozen 0\n"},
        {"cgroup.procs", "1204\n"},
        {"cpu.max", "max 100000\n"},
        {"cpu.weight", "100\n"},
        {"cpu.stat", "usage_usec 1000\nuser_usec 600\nsystem_usec 400\n"},
        {"memory.current", "1228800\n"},
        {"memory.peak", "2457600\n"},
        {"memory.min", "0\n"},
        {"memory.low", "0\n"},
        {"memory.high", "max\n"},
        {"memory.max", "44040192\n"},
        {"memory.swap.current", "0\n"},
        {"memory.swap.max", "max\n"},
        {"memory.events", "low 0\nhigh 0\nmax 2\noom 0\noom_kill 0\n"},
        {"memory.stat", "anon 4096\nfile 8192\ninactive_file 1024\n"},
        {"io.stat", "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n"},
        {"pids.current", "3\n"},
        {"pids.max", "4675\n"},
        {"pids.events", "max 0\n"},
        {"cpu.pressure", "some avg10=0.10 avg60=0.20 avg300=0.30 total=11\n"
                         "full avg10=0.01 avg60=0.02 avg300=0.03 total=12\n"},
        {"memory.pressure", "some avg10=1.10 avg60=1.20 avg300=1.30 total=21\n"
                            "full avg10=1.01 avg60=1.02 avg300=1.03 total=22\n"},
        {"io.pressure", "some avg10=2.10 avg60=2.20 avg300=2.30 total=31\n"
                        "full avg10=2.01 avg60=2.02 avg300=2.03 total=32\n"},
};

/* The files cg_handle_read() reads: all of synth[] but cgroup.procs. */
#define N_READER_FILES (sizeof(synth) / sizeof(synth[0]) - 1)

static const char *synth_text(const char *name)
{
        for (size_t i = 0; i < sizeof(synth) / sizeof(synth[0]); i++)
                if (strcmp(synth[i].name, name) == 0)
                        return synth[i].text;
        return "";
}

/* A cgroup directory holding every file the reader knows, with the synthetic contents. */
static void put_full_cgroup(const char *dir)
{
        mkdir_p(dir);
        for (size_t i = 0; i < sizeof(synth) / sizeof(synth[0]); i++)
                put(dir, synth[i].name, synth[i].text);
}

static bool is_subdir_name(const char *name)
{
        static const char *const suffixes[] = {".slice", ".scope", ".service", ".mount"};
        size_t n = strlen(name);

        for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
                size_t k = strlen(suffixes[i]);

                if (n > k && strcmp(name + n - k, suffixes[i]) == 0)
                        return true;
        }
        return false;
}

/*
 * Builds dir from the case's directory-listing.txt: exactly the listed entries exist, files
 * the case provides are copied, the others get synthetic contents.
 */
static void build_from_listing(const char *case_rel, const char *dir)
{
        char rel[PATH_MAX];
        char *buf, *line, *next;
        size_t len;
        unsigned n = 0;

        cr_assert_lt((size_t)snprintf(rel, sizeof(rel), "%s/directory-listing.txt", case_rel),
                     sizeof(rel));
        buf = case_read(rel, &len);
        cr_assert_not_null(buf, "'%s' missing", rel);
        buf = realloc(buf, len + 1);
        cr_assert_not_null(buf);
        buf[len] = '\0';
        mkdir_p(dir);
        for (line = buf; line; line = next) {
                char sub[PATH_MAX], *probe;
                size_t plen;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (line[0] == '#' || line[0] == '\0')
                        continue;
                n++;
                if (is_subdir_name(line)) {
                        cr_assert_lt((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, line),
                                     sizeof(sub));
                        mkdir_p(sub);
                        continue;
                }
                cr_assert_lt((size_t)snprintf(sub, sizeof(sub), "%s/%s", case_rel, line),
                             sizeof(sub));
                probe = case_read(sub, &plen);
                if (probe)
                        copy_case_file(case_rel, dir, line);
                else
                        put(dir, line, synth_text(line));
                free(probe);
        }
        free(buf);
        cr_assert_gt(n, 0, "'%s' lists nothing", rel);
}

/* ---- reading and checking samples ---- */

static int read_sample(const char *rel, unsigned budget, struct cg_sample *ret)
{
        struct cg_reader *r = NULL;
        struct cg_handle *h = NULL;
        const struct cg_sample *s = NULL;
        int q;

        budget_now = budget;
        cr_assert_eq(cg_reader_new(budget, &r), 0);
        q = cg_handle_open(r, tmp_fd, rel, &h);
        cr_assert_eq(q, 0, "cannot open '%s': %s", rel, strerror(-q));
        q = cg_handle_read(r, h, &s);
        if (q >= 0) {
                cr_assert_not_null(s);
                cr_assert_eq(s->cgroup_id, cg_handle_id(h));
                cr_assert_eq(cg_sample_copy(ret, s), 0);
        }
        cr_assert_leq(cg_reader_fds_kept(r), budget);
        cg_handle_free(r, h);
        cr_assert_eq(cg_reader_fds_kept(r), 0);
        cg_reader_free(r);
        return q;
}

static const char *const value_names[_CG_V_MAX] = {
        [CG_V_CPU_WEIGHT] = "cpu.weight",    [CG_V_MEMORY_CURRENT] = "memory.current",
        [CG_V_MEMORY_PEAK] = "memory.peak",  [CG_V_MEMORY_MIN] = "memory.min",
        [CG_V_MEMORY_LOW] = "memory.low",    [CG_V_MEMORY_HIGH] = "memory.high",
        [CG_V_MEMORY_MAX] = "memory.max",    [CG_V_SWAP_CURRENT] = "memory.swap.current",
        [CG_V_SWAP_MAX] = "memory.swap.max", [CG_V_PIDS_CURRENT] = "pids.current",
        [CG_V_PIDS_MAX] = "pids.max",
};

static void assert_value(const struct cg_sample *s, enum cg_value_id id, uint64_t want)
{
        const struct cg_value *v = &s->values[id];

        cr_assert(v->present, "%s absent (fd budget %u)", value_names[id], budget_now);
        cr_assert_not(v->v.unlimited, "%s unlimited (fd budget %u)", value_names[id], budget_now);
        cr_assert_eq(v->v.value, want, "%s = %llu, want %llu (fd budget %u)", value_names[id],
                     (unsigned long long)v->v.value, (unsigned long long)want, budget_now);
}

static void assert_unlimited(const struct cg_sample *s, enum cg_value_id id)
{
        cr_assert(s->values[id].present, "%s absent (fd budget %u)", value_names[id], budget_now);
        cr_assert(s->values[id].v.unlimited, "%s = %llu, want max (fd budget %u)", value_names[id],
                  (unsigned long long)s->values[id].v.value, budget_now);
}

static void assert_absent(const struct cg_sample *s, enum cg_value_id id)
{
        cr_assert_not(s->values[id].present, "%s present (%llu), want absent (fd budget %u)",
                      value_names[id], (unsigned long long)s->values[id].v.value, budget_now);
}

static void assert_kv(const struct cg_kv_set *set, bool has, const char *file, const char *key,
                      uint64_t want)
{
        uint64_t v = 0;

        cr_assert(has, "%s absent (fd budget %u)", file, budget_now);
        cr_assert(cg_kv_get(set, key, &v), "%s:%s absent (fd budget %u)", file, key, budget_now);
        cr_assert_eq(v, want, "%s:%s = %llu, want %llu (fd budget %u)", file, key,
                     (unsigned long long)v, (unsigned long long)want, budget_now);
}

static void assert_kv_absent(const struct cg_kv_set *set, const char *file, const char *key)
{
        uint64_t v = 0;

        cr_assert_not(cg_kv_get(set, key, &v), "%s:%s = %llu, want absent (fd budget %u)", file,
                      key, (unsigned long long)v, budget_now);
}

static uint64_t kv_of(const struct cg_kv_set *set, const char *key)
{
        uint64_t v = 0;

        cr_assert(cg_kv_get(set, key, &v), "key '%s' absent", key);
        return v;
}

#define CPU_STAT(s, key, want) assert_kv(&(s)->cpu_stat, (s)->has_cpu_stat, "cpu.stat", key, want)
#define MEMORY_STAT(s, key, want)                                                                  \
        assert_kv(&(s)->memory_stat, (s)->has_memory_stat, "memory.stat", key, want)
#define MEMORY_EVENT(s, key, want)                                                                 \
        assert_kv(&(s)->memory_events, (s)->has_memory_events, "memory.events", key, want)

static const struct cg_io_dev *io_find(const struct cg_sample *s, unsigned major, unsigned minor)
{
        for (size_t i = 0; i < s->io.n; i++)
                if (s->io.devs[i].major == major && s->io.devs[i].minor == minor)
                        return &s->io.devs[i];
        return NULL;
}

static void assert_io(const struct cg_sample *s, unsigned major, unsigned minor, enum cg_io_key k,
                      uint64_t want)
{
        const struct cg_io_dev *d;

        cr_assert(s->has_io, "io.stat absent (fd budget %u)", budget_now);
        d = io_find(s, major, minor);
        cr_assert_not_null(d, "io.stat has no device %u:%u (fd budget %u)", major, minor,
                           budget_now);
        cr_assert(d->present & (1u << k), "io.stat:%s{dev=\"%u:%u\"} absent (fd budget %u)",
                  cg_io_key_to_string(k), major, minor, budget_now);
        cr_assert_eq(d->v[k], want, "io.stat:%s{dev=\"%u:%u\"} = %llu, want %llu (fd budget %u)",
                     cg_io_key_to_string(k), major, minor, (unsigned long long)d->v[k],
                     (unsigned long long)want, budget_now);
}

static void assert_io_six(const struct cg_sample *s, unsigned major, unsigned minor, uint64_t rb,
                          uint64_t wb, uint64_t ri, uint64_t wi, uint64_t db, uint64_t di)
{
        assert_io(s, major, minor, CG_IO_RBYTES, rb);
        assert_io(s, major, minor, CG_IO_WBYTES, wb);
        assert_io(s, major, minor, CG_IO_RIOS, ri);
        assert_io(s, major, minor, CG_IO_WIOS, wi);
        assert_io(s, major, minor, CG_IO_DBYTES, db);
        assert_io(s, major, minor, CG_IO_DIOS, di);
}

/* No series for the device: it is either not listed or listed with no key at all. */
static void assert_io_dev_absent(const struct cg_sample *s, unsigned major, unsigned minor)
{
        const struct cg_io_dev *d = io_find(s, major, minor);

        cr_assert(!d || d->present == 0, "io.stat{dev=\"%u:%u\"} has keys %#x, want none", major,
                  minor, d ? d->present : 0);
}

/* Prometheus refuses a scrape with two series of one label set: devices must be unique. */
static void assert_io_devs_unique(const struct cg_sample *s)
{
        for (size_t i = 0; i < s->io.n; i++)
                for (size_t j = i + 1; j < s->io.n; j++)
                        cr_assert(s->io.devs[i].major != s->io.devs[j].major ||
                                          s->io.devs[i].minor != s->io.devs[j].minor,
                                  "device %u:%u listed twice", s->io.devs[i].major,
                                  s->io.devs[i].minor);
}

static void assert_psi(const struct cg_psi_line *l, double a10, double a60, double a300,
                       uint64_t total)
{
        cr_assert(l->present);
        cr_assert_float_eq(l->avg10, a10, 1e-9);
        cr_assert_float_eq(l->avg60, a60, 1e-9);
        cr_assert_float_eq(l->avg300, a300, 1e-9);
        cr_assert_eq(l->total_usec, total);
}

/* memory.current / memory.max; false when there is no finite, non-zero limit. */
static bool usage_ratio(const struct cg_sample *s, double *ret)
{
        const struct cg_value *cur = &s->values[CG_V_MEMORY_CURRENT],
                              *max = &s->values[CG_V_MEMORY_MAX];

        if (!cur->present || !max->present || max->v.unlimited || max->v.value == 0)
                return false;
        *ret = (double)cur->v.value / (double)max->v.value;
        return true;
}

/* Copies a case directory into the tree and reads it with every budget. */
#define for_each_budget_sample(case_rel, s)                                                        \
        for (size_t _b = 0; _b < N_BUDGETS; _b++)                                                  \
                for (struct cg_sample s = {}, *_once = &s; _once;                                  \
                     cg_sample_release(&s), _once = NULL)                                          \
                        if (read_sample(case_rel, budgets[_b], &s) != 0)                           \
                                cr_assert_fail("reading '%s' failed (fd budget %u)", case_rel,     \
                                               budgets[_b]);                                       \
                        else

static void load_case(const char *case_name, const char *sub)
{
        char rel[PATH_MAX];

        need_case(case_name);
        if (sub)
                cr_assert_lt((size_t)snprintf(rel, sizeof(rel), "%s/%s", case_name, sub),
                             sizeof(rel));
        else
                cr_assert_lt((size_t)snprintf(rel, sizeof(rel), "%s", case_name), sizeof(rel));
        copy_case_dir(rel, rel);
}

TestSuite(case02, .init = tree_init, .fini = tree_fini);
TestSuite(case03, .init = tree_init, .fini = tree_fini);
TestSuite(case05, .init = tree_init, .fini = tree_fini);
TestSuite(case06, .init = tree_init, .fini = tree_fini);
TestSuite(case10, .init = tree_init, .fini = tree_fini);
TestSuite(case11, .init = tree_init, .fini = tree_fini);
TestSuite(case12, .init = tree_init, .fini = tree_fini);
TestSuite(case15, .init = tree_init, .fini = tree_fini);
TestSuite(reader, .init = tree_init, .fini = tree_fini);

/* ---- case02: io.stat devices without stats, empty io.stat ---- */

#define CASE02 "case02-iostat-devices-without-stats"

Test(case02, modern)
{
        load_case(CASE02, "modern");
        for_each_budget_sample(CASE02 "/modern", s)
        {
                assert_io_six(&s, 259, 0, 1449984, 3145728, 18, 24, 0, 0);
                assert_io_dev_absent(&s, 7, 3);
                assert_io_dev_absent(&s, 7, 2);
                assert_io_dev_absent(&s, 252, 0);
                assert_io_six(&s, 253, 1, 4096, 0, 1, 0, 0, 0);
                assert_io_devs_unique(&s);
                cr_assert_eq(s.io.n_skipped, 0);
        }
}

Test(case02, fresh_cgroup_empty_file)
{
        load_case(CASE02, "fresh-cgroup");
        for_each_budget_sample(CASE02 "/fresh-cgroup", s)
        {
                cr_assert(s.has_io, "an empty io.stat is a valid file, not a missing one");
                cr_assert_eq(s.io.n, 0);
                cr_assert_eq(s.io.n_skipped, 0);
        }
}

/* ---- case03: (unknown) devices, listed twice ---- */

#define CASE03 "case03-iostat-unknown-device"

Test(case03, unknown_device_skipped)
{
        load_case(CASE03, NULL);
        for_each_budget_sample(CASE03, s)
        {
                assert_io_six(&s, 259, 0, 20480, 0, 5, 0, 0, 0);
                assert_io_six(&s, 230, 16, 0, 40960, 0, 10, 0, 0);
                cr_assert_eq(s.io.n, 2, "only the two named devices are kept");
                cr_assert_eq(s.io.n_skipped, 2, "both (unknown) lines are skipped");
                assert_io_devs_unique(&s);
        }
}

/* ---- case05: operation counts, old 4-key format, large counters ---- */

#define CASE05 "case05-iostat-ops-and-old-format"

Test(case05, t0_and_t1)
{
        load_case(CASE05, "t0");
        load_case(CASE05, "t1");
        for_each_budget_sample(CASE05 "/t0", s)
        {
                assert_io_six(&s, 254, 3, 598016, 227002702848000u, 146, 124342581, 0, 0);
                assert_io_six(&s, 254, 0, 1916928, 0, 53, 0, 0, 0);
        }
        /* Rates belong to a later module; the raw t1 values are what it will get. */
        for_each_budget_sample(CASE05 "/t1", s)
        {
                assert_io_six(&s, 254, 3, 598016, 227003599380480u, 146, 124343436, 0, 0);
                assert_io_six(&s, 254, 0, 1916928, 0, 53, 0, 0, 0);
        }
}

Test(case05, kernel_4_18_four_keys)
{
        load_case(CASE05, "kernel-4.18");
        for_each_budget_sample(CASE05 "/kernel-4.18", s)
        {
                const struct cg_io_dev *d;

                assert_io(&s, 8, 0, CG_IO_RBYTES, 90430464);
                assert_io(&s, 8, 0, CG_IO_WBYTES, 299008000);
                assert_io(&s, 8, 0, CG_IO_RIOS, 8950);
                assert_io(&s, 8, 0, CG_IO_WIOS, 1252);
                d = io_find(&s, 8, 0);
                cr_assert_not(d->present & (1u << CG_IO_DBYTES), "dbytes must be absent, not 0");
                cr_assert_not(d->present & (1u << CG_IO_DIOS), "dios must be absent, not 0");
        }
}

/* ---- case06: limit files holding the literal max ---- */

#define CASE06 "case06-limit-files-literal-max"

Test(case06, unlimited)
{
        load_case(CASE06, "unlimited");
        for_each_budget_sample(CASE06 "/unlimited", s)
        {
                double ratio;

                assert_value(&s, CG_V_MEMORY_CURRENT, 4096);
                assert_unlimited(&s, CG_V_MEMORY_MAX);
                assert_unlimited(&s, CG_V_MEMORY_HIGH);
                assert_value(&s, CG_V_MEMORY_LOW, 0);
                assert_value(&s, CG_V_MEMORY_MIN, 0);
                assert_unlimited(&s, CG_V_SWAP_MAX);
                assert_unlimited(&s, CG_V_PIDS_MAX);
                assert_value(&s, CG_V_PIDS_CURRENT, 13);
                cr_assert_not(usage_ratio(&s, &ratio), "no ratio against an unlimited max");
                /* Files the case does not have stay absent. */
                assert_absent(&s, CG_V_MEMORY_PEAK);
                assert_absent(&s, CG_V_SWAP_CURRENT);
                assert_absent(&s, CG_V_CPU_WEIGHT);
        }
}

Test(case06, limited)
{
        load_case(CASE06, "limited");
        for_each_budget_sample(CASE06 "/limited", s)
        {
                double ratio = 0;

                assert_value(&s, CG_V_MEMORY_CURRENT, 20398080);
                assert_value(&s, CG_V_MEMORY_MAX, 44040192);
                assert_value(&s, CG_V_MEMORY_HIGH, 41943040);
                assert_value(&s, CG_V_SWAP_MAX, 0);
                assert_value(&s, CG_V_PIDS_MAX, 4675);
                assert_value(&s, CG_V_PIDS_CURRENT, 13);
                assert_absent(&s, CG_V_MEMORY_LOW);
                assert_absent(&s, CG_V_MEMORY_MIN);
                cr_assert(usage_ratio(&s, &ratio));
                cr_assert_float_eq(ratio, 20398080.0 / 44040192.0, 1e-15);
                cr_assert_float_eq(ratio, 0.463169, 1e-6, "ratio %f", ratio);
        }
}

/* ---- case08: PSI missing, unreadable, hidden per cgroup ---- */

#define CASE08 "case08-psi-unavailable"

static void case08_init(void)
{
        need_case(CASE08); /* first: a failed .init gets no .fini */
        tree_init();
        build_from_listing(CASE08 "/files-absent", "files-absent");
        copy_case_dir(CASE08 "/read-eopnotsupp", "read-eopnotsupp");
        build_from_listing(CASE08 "/cgroup-pressure-off", "cgroup-pressure-off");
        put_full_cgroup("other");
}

TestSuite(case08, .init = case08_init, .fini = tree_fini);

Test(case08, files_absent)
{
        for_each_budget_sample("files-absent", s)
        {
                for (int p = 0; p < _CG_PSI_MAX; p++)
                        cr_assert_not(s.has_psi[p], "%s.pressure present",
                                      cg_psi_resource_to_string((enum cg_psi_resource)p));
                CPU_STAT(&s, "usage_usec", 26314432);
                CPU_STAT(&s, "user_usec", 23039841);
                CPU_STAT(&s, "system_usec", 3274591);
                /* Other files are still collected. */
                assert_value(&s, CG_V_MEMORY_CURRENT, 1228800);
                assert_value(&s, CG_V_PIDS_CURRENT, 3);
        }
}

Test(case08, read_eopnotsupp)
{
        static const char *const files[] = {"cpu.pressure", "memory.pressure", "io.pressure"};

        /*
         * read() failing with EOPNOTSUPP needs a kernel with PSI off (the VM tier has one);
         * here the files exist with what stat() reports for them, 0 bytes, and must parse to
         * "absent" rather than to zeros or an error of the whole sample.
         */
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                char rel[PATH_MAX];
                struct cg_psi psi = {.some.present = true};
                size_t len;
                char *buf;

                (void)snprintf(rel, sizeof(rel), CASE08 "/read-eopnotsupp/%s", files[i]);
                buf = case_read(rel, &len);
                cr_assert_not_null(buf, "'%s' missing", rel);
                cr_assert_eq(cg_parse_psi(buf, len, &psi), -ENODATA);
                cr_assert(psi.some.present, "result written on failure");
                free(buf);
        }
        for_each_budget_sample("read-eopnotsupp", s)
        {
                for (int p = 0; p < _CG_PSI_MAX; p++)
                        cr_assert_not(s.has_psi[p]);
        }
}

Test(case08, cgroup_pressure_off)
{
        char *buf;
        size_t len;
        uint64_t v = 1;

        buf = case_read(CASE08 "/cgroup-pressure-off/cgroup.pressure", &len);
        cr_assert_not_null(buf);
        cr_assert_eq(cg_parse_u64(buf, len, &v), 0);
        cr_assert_eq(v, 0);
        free(buf);

        for_each_budget_sample("cgroup-pressure-off", s)
        {
                for (int p = 0; p < _CG_PSI_MAX; p++)
                        cr_assert_not(s.has_psi[p]);
                assert_value(&s, CG_V_MEMORY_CURRENT, 1228800);
                cr_assert(s.has_cpu_stat);
        }
        /* Another cgroup is unaffected. */
        for_each_budget_sample("other", s)
        {
                for (int p = 0; p < _CG_PSI_MAX; p++)
                        cr_assert(s.has_psi[p]);
                assert_psi(&s.psi[CG_PSI_CPU].some, 0.10, 0.20, 0.30, 11);
                assert_psi(&s.psi[CG_PSI_MEMORY].full, 1.01, 1.02, 1.03, 22);
                assert_psi(&s.psi[CG_PSI_IO].some, 2.10, 2.20, 2.30, 31);
        }
}

/* ---- case10: cpu.stat key sets ---- */

#define CASE10 "case10-cpu-stat-variable-keys"

Test(case10, controller_off)
{
        load_case(CASE10, "controller-off");
        for_each_budget_sample(CASE10 "/controller-off", s)
        {
                CPU_STAT(&s, "usage_usec", 26314432);
                CPU_STAT(&s, "user_usec", 23039841);
                CPU_STAT(&s, "system_usec", 3274591);
                assert_kv_absent(&s.cpu_stat, "cpu.stat", "nr_periods");
                assert_kv_absent(&s.cpu_stat, "cpu.stat", "nr_throttled");
                assert_kv_absent(&s.cpu_stat, "cpu.stat", "throttled_usec");
                cr_assert_eq(s.cpu_stat.n, 3);
        }
}

Test(case10, kernel_5_10)
{
        load_case(CASE10, "kernel-5.10");
        for_each_budget_sample(CASE10 "/kernel-5.10", s)
        {
                CPU_STAT(&s, "usage_usec", 26314432);
                CPU_STAT(&s, "user_usec", 23039841);
                CPU_STAT(&s, "system_usec", 3274591);
                CPU_STAT(&s, "nr_periods", 1843321);
                CPU_STAT(&s, "nr_throttled", 4112);
                CPU_STAT(&s, "throttled_usec", 9823411022u);
                assert_kv_absent(&s.cpu_stat, "cpu.stat", "nr_bursts");
                assert_kv_absent(&s.cpu_stat, "cpu.stat", "burst_usec");
                assert_kv_absent(&s.cpu_stat, "cpu.stat", "nice_usec");
        }
}

Test(case10, kernel_6_x)
{
        load_case(CASE10, "kernel-6.x");
        for_each_budget_sample(CASE10 "/kernel-6.x", s)
        {
                CPU_STAT(&s, "usage_usec", 84211930117u);
                CPU_STAT(&s, "user_usec", 51093004521u);
                CPU_STAT(&s, "system_usec", 33118925596u);
                CPU_STAT(&s, "nice_usec", 2210400188u);
                CPU_STAT(&s, "core_sched.force_idle_usec", 0);
                CPU_STAT(&s, "nr_periods", 0);
                CPU_STAT(&s, "nr_throttled", 0);
                CPU_STAT(&s, "throttled_usec", 0);
                CPU_STAT(&s, "nr_bursts", 0);
                CPU_STAT(&s, "burst_usec", 0);
        }
}

Test(case10, root_cgroup)
{
        load_case(CASE10, "root-cgroup");
        for_each_budget_sample(CASE10 "/root-cgroup", s)
        {
                CPU_STAT(&s, "usage_usec", 40125877000u);
                CPU_STAT(&s, "user_usec", 30982341000u);
                CPU_STAT(&s, "system_usec", 9143536000u);
                CPU_STAT(&s, "nice_usec", 51230000);
                CPU_STAT(&s, "core_sched.force_idle_usec", 0);
                assert_kv_absent(&s.cpu_stat, "cpu.stat", "nr_periods");
        }
}

/* ---- case11: memory.stat key drift ---- */

#define CASE11 "case11-memory-stat-key-drift"

Test(case11, kernel_5_4)
{
        load_case(CASE11, "kernel-5.4");
        for_each_budget_sample(CASE11 "/kernel-5.4", s)
        {
                MEMORY_STAT(&s, "anon", 1589248000);
                MEMORY_STAT(&s, "file", 2310144000u);
                assert_kv_absent(&s.memory_stat, "memory.stat", "cache");
                assert_kv_absent(&s.memory_stat, "memory.stat", "kernel");
                cr_assert_eq(kv_of(&s.memory_stat, "kernel_stack") + kv_of(&s.memory_stat, "slab") +
                                     kv_of(&s.memory_stat, "sock"),
                             49491968);
                MEMORY_STAT(&s, "inactive_file", 1632374784);
                MEMORY_STAT(&s, "active_file", 677769216);
                MEMORY_STAT(&s, "workingset_refault", 0);
                assert_kv_absent(&s.memory_stat, "memory.stat", "workingset_refault_file");
                MEMORY_STAT(&s, "pgmajfault", 1122);
                MEMORY_STAT(&s, "thp_fault_alloc", 478);
                cr_assert_eq(s.memory_stat.n, 31);
                cr_assert_eq(s.memory_stat.n_skipped, 0);
        }
}

Test(case11, kernel_6_8)
{
        load_case(CASE11, "kernel-6.8");
        for_each_budget_sample(CASE11 "/kernel-6.8", s)
        {
                MEMORY_STAT(&s, "anon", 24641536);
                MEMORY_STAT(&s, "file", 2023444480);
                MEMORY_STAT(&s, "kernel", 7069696);
                MEMORY_STAT(&s, "inactive_file", 81096704);
                MEMORY_STAT(&s, "active_file", 1942347776);
                MEMORY_STAT(&s, "slab", 6067072);
                assert_kv_absent(&s.memory_stat, "memory.stat", "workingset_refault");
                MEMORY_STAT(&s, "workingset_refault_file", 0);
                MEMORY_STAT(&s, "pgfault", 1228834);
                cr_assert_eq(s.memory_stat.n, 58, "keys_parsed = %zu", s.memory_stat.n);
                cr_assert_eq(s.memory_stat.n_skipped, 0);
        }
}

/* ---- case12: memory.current includes page cache ---- */

#define CASE12 "case12-memory-current-includes-page-cache"

Test(case12, active_cache_daemon)
{
        load_case(CASE12, "active-cache-daemon");
        for_each_budget_sample(CASE12 "/active-cache-daemon", s)
        {
                uint64_t ws = 0, cur;

                assert_value(&s, CG_V_MEMORY_CURRENT, 2048086016);
                MEMORY_STAT(&s, "anon", 24641536);
                MEMORY_STAT(&s, "file", 1942446080);
                MEMORY_STAT(&s, "kernel", 80998400);
                MEMORY_STAT(&s, "active_file", 1942446080);
                MEMORY_STAT(&s, "inactive_file", 0);
                cr_assert(cg_sample_working_set(&s, &ws));
                cr_assert_eq(ws, 2048086016);
                cur = s.values[CG_V_MEMORY_CURRENT].v.value;
                cr_assert_eq(cur - kv_of(&s.memory_stat, "file"), 105639936);
                cr_assert_eq(kv_of(&s.memory_stat, "anon") + kv_of(&s.memory_stat, "kernel"),
                             105639936);
        }
}

Test(case12, cold_cache_writer)
{
        load_case(CASE12, "cold-cache-writer");
        for_each_budget_sample(CASE12 "/cold-cache-writer", s)
        {
                uint64_t ws = 0;

                assert_value(&s, CG_V_MEMORY_CURRENT, 50999967744u);
                MEMORY_STAT(&s, "anon", 1799999488);
                MEMORY_STAT(&s, "file", 48999989248u);
                MEMORY_STAT(&s, "inactive_file", 45999988736u);
                MEMORY_STAT(&s, "active_file", 3000000512u);
                cr_assert(cg_sample_working_set(&s, &ws));
                cr_assert_eq(ws, 4999979008u);
                cr_assert_eq(s.values[CG_V_MEMORY_CURRENT].v.value - kv_of(&s.memory_stat, "file"),
                             1999978496u);
        }
}

Test(case12, working_set_needs_both_inputs)
{
        struct cg_sample s = {};
        uint64_t ws = 7;

        need_case(CASE12);
        copy_case_dir(CASE12 "/cold-cache-writer", "no-stat");
        unlink_in("no-stat", "memory.stat");
        cr_assert_eq(read_sample("no-stat", 0, &s), 0);
        cr_assert_not(cg_sample_working_set(&s, &ws));
        cg_sample_release(&s);

        copy_case_dir(CASE12 "/cold-cache-writer", "no-current");
        unlink_in("no-current", "memory.current");
        cr_assert_eq(read_sample("no-current", 0, &s), 0);
        cr_assert_not(cg_sample_working_set(&s, &ws));
        cg_sample_release(&s);
        cr_assert_eq(ws, 7);

        /* Floored at 0 when inactive_file exceeds memory.current (separate reads). */
        put_full_cgroup("floor");
        put("floor", "memory.current", "1000\n");
        put("floor", "memory.stat", "inactive_file 5000\n");
        cr_assert_eq(read_sample("floor", 0, &s), 0);
        cr_assert(cg_sample_working_set(&s, &ws));
        cr_assert_eq(ws, 0);
        cg_sample_release(&s);
}

/* ---- case14: the cgroup vanishes mid-scrape ---- */

#define CASE14 "case14-cgroup-vanishes-mid-scrape"

static void case14_init(void)
{
        need_case(CASE14); /* first: a failed .init gets no .fini */
        tree_init();
        copy_case_dir(CASE14 "/snapshot-before-removal", "snapshot");
        put_full_cgroup("system.slice/foo.service");
}

TestSuite(case14, .init = case14_init, .fini = tree_fini);

Test(case14, snapshot_before_removal)
{
        char *procs;
        size_t len = 1;

        procs = case_read(CASE14 "/snapshot-before-removal/cgroup.procs", &len);
        cr_assert_not_null(procs);
        cr_assert_eq(len, 0, "cgroup.procs of the case is empty: 0 PIDs");
        free(procs);
        for_each_budget_sample("snapshot", s)
        {
                assert_kv(&s.cgroup_events, s.has_cgroup_events, "cgroup.events", "populated", 0);
                assert_kv(&s.cgroup_events, s.has_cgroup_events, "cgroup.events", "frozen", 0);
                assert_value(&s, CG_V_PIDS_CURRENT, 0);
                assert_value(&s, CG_V_MEMORY_CURRENT, 1228800);
        }
}

Test(case14, directory_gone_before_open)
{
        struct cg_reader *r;
        struct cg_handle *h = NULL;

        remove_dir("system.slice/foo.service");
        cr_assert_eq(cg_reader_new(0, &r), 0);
        cr_assert_eq(cg_handle_open(r, tmp_fd, "system.slice/foo.service", &h), -ENOENT);
        cr_assert_null(h);
        cg_reader_free(r);
}

Test(case14, directory_removed_after_open)
{
        for (size_t b = 0; b < N_BUDGETS; b++) {
                struct cg_reader *r;
                struct cg_handle *h;
                const struct cg_sample *s = NULL;

                put_full_cgroup("gone.service");
                cr_assert_eq(cg_reader_new(budgets[b], &r), 0);
                cr_assert_eq(cg_handle_open(r, tmp_fd, "gone.service", &h), 0);
                remove_dir("gone.service");
                cr_assert_eq(cg_handle_read(r, h, &s), -ENODEV, "fd budget %u", budgets[b]);
                cr_assert_null(s, "no sample for a vanished cgroup");
                cg_handle_free(r, h);
                cg_reader_free(r);
        }
}

Test(case14, directory_removed_between_reads)
{
        /*
         * Budget 0 reopens every file; budget 3 keeps only a few. On cgroupfs a kept fd's
         * read fails with ENODEV too, which a regular file system cannot show: with every file
         * kept, the VM tier covers it.
         */
        static const unsigned small[] = {0, 3};

        for (size_t b = 0; b < sizeof(small) / sizeof(small[0]); b++) {
                struct cg_reader *r;
                struct cg_handle *h;
                const struct cg_sample *s = NULL;

                put_full_cgroup("gone.service");
                cr_assert_eq(cg_reader_new(small[b], &r), 0);
                cr_assert_eq(cg_handle_open(r, tmp_fd, "gone.service", &h), 0);
                cr_assert_eq(cg_handle_read(r, h, &s), 0);
                cr_assert_eq(s->values[CG_V_MEMORY_CURRENT].v.value, 1228800);
                /* The handle's directory fd counts against the budget too. */
                cr_assert_eq(cg_reader_fds_kept(r), small[b] > 1 ? small[b] - 1 : 0);
                remove_dir("gone.service");
                s = NULL;
                cr_assert_eq(cg_handle_read(r, h, &s), -ENODEV, "fd budget %u", small[b]);
                cr_assert_null(s);
                cg_handle_free(r, h);
                cr_assert_eq(cg_reader_fds_kept(r), 0);
                cg_reader_free(r);
        }
}

Test(case14, zero_byte_reads)
{
        put("system.slice/foo.service", "memory.current", "");
        put("system.slice/foo.service", "pids.current", "");
        put("system.slice/foo.service", "memory.max", "");
        put("system.slice/foo.service", "io.stat", "");
        for_each_budget_sample("system.slice/foo.service", s)
        {
                assert_absent(&s, CG_V_MEMORY_CURRENT);
                assert_absent(&s, CG_V_PIDS_CURRENT);
                assert_absent(&s, CG_V_MEMORY_MAX);
                cr_assert(s.has_io, "an empty io.stat is valid: no devices");
                cr_assert_eq(s.io.n, 0);
                /* The rest of the sample is still there. */
                assert_value(&s, CG_V_PIDS_MAX, 4675);
                CPU_STAT(&s, "usage_usec", 1000);
        }
}

Test(case14, files_rewritten_in_place_with_kept_fds)
{
        for (size_t b = 0; b < N_BUDGETS; b++) {
                const char *dir = "system.slice/foo.service";
                struct cg_reader *r;
                struct cg_handle *h;
                const struct cg_sample *s;
                unsigned kept;

                put_full_cgroup(dir);
                cr_assert_eq(cg_reader_new(budgets[b], &r), 0);
                cr_assert_eq(cg_handle_open(r, tmp_fd, dir, &h), 0);
                cr_assert_eq(cg_handle_read(r, h, &s), 0);
                cr_assert_eq(s->values[CG_V_MEMORY_CURRENT].v.value, 1228800);
                kept = cg_reader_fds_kept(r);
                /* One of the budget's fds is the handle's directory. */
                cr_assert_eq(kept, budgets[b] <= 1                   ? 0
                                   : budgets[b] - 1 < N_READER_FILES ? budgets[b] - 1
                                                                     : N_READER_FILES);

                /* Same inodes, new contents: longer, shorter, then empty. */
                put(dir, "memory.current", "99999999999\n");
                put(dir, "cpu.stat", "usage_usec 5\n");
                put(dir, "io.stat", "8:0 rbytes=9\n8:16 rbytes=10\n");
                cr_assert_eq(cg_handle_read(r, h, &s), 0);
                cr_assert_eq(s->values[CG_V_MEMORY_CURRENT].v.value, 99999999999u);
                cr_assert_eq(kv_of(&s->cpu_stat, "usage_usec"), 5);
                cr_assert_eq(s->cpu_stat.n, 1, "nothing left over from the longer old content");
                cr_assert_eq(s->io.n, 2);
                cr_assert_eq(cg_reader_fds_kept(r), kept, "kept fds were reused");

                put(dir, "memory.current", "7\n");
                cr_assert_eq(cg_handle_read(r, h, &s), 0);
                cr_assert_eq(s->values[CG_V_MEMORY_CURRENT].v.value, 7);

                put(dir, "memory.current", "");
                cr_assert_eq(cg_handle_read(r, h, &s), 0);
                cr_assert_not(s->values[CG_V_MEMORY_CURRENT].present);

                cg_handle_free(r, h);
                cg_reader_free(r);
        }
}

Test(case14, files_replaced_without_kept_fds)
{
        const char *dir = "system.slice/foo.service";
        struct cg_reader *r;
        struct cg_handle *h;
        const struct cg_sample *s;

        cr_assert_eq(cg_reader_new(0, &r), 0);
        cr_assert_eq(cg_handle_open(r, tmp_fd, dir, &h), 0);
        cr_assert_eq(cg_handle_read(r, h, &s), 0);
        cr_assert_eq(s->values[CG_V_MEMORY_CURRENT].v.value, 1228800);
        replace(dir, "memory.current", "4096\n");
        replace(dir, "memory.stat", "anon 1\ninactive_file 2\n");
        cr_assert_eq(cg_handle_read(r, h, &s), 0);
        cr_assert_eq(s->values[CG_V_MEMORY_CURRENT].v.value, 4096);
        cr_assert_eq(kv_of(&s->memory_stat, "inactive_file"), 2);
        cr_assert_eq(cg_reader_fds_kept(r), 0);
        cg_handle_free(r, h);
        cg_reader_free(r);
}

/* ---- case15: counters reset when the unit restarts ---- */

#define CASE15 "case15-counters-reset-on-restart"

Test(case15, restart_gives_new_cgroup_and_lower_counters)
{
        const char *dir = "system.slice/foo.service";

        need_case(CASE15);
        for (size_t b = 0; b < N_BUDGETS; b++) {
                struct cg_reader *r;
                struct cg_handle *h0, *h1;
                const struct cg_sample *s;
                struct cg_sample t0 = {}, t1 = {};

                budget_now = budgets[b];
                copy_case_dir(CASE15 "/t0-before-restart", dir);
                cr_assert_eq(cg_reader_new(budgets[b], &r), 0);
                cr_assert_eq(cg_handle_open(r, tmp_fd, dir, &h0), 0);
                cr_assert_eq(cg_handle_read(r, h0, &s), 0);
                cr_assert_eq(cg_sample_copy(&t0, s), 0);

                /* systemd removes the cgroup and creates a new one under the same path. */
                cr_assert_eq(renameat(tmp_fd, dir, tmp_fd, "system.slice/foo.service.old"), 0);
                copy_case_dir(CASE15 "/t1-after-restart", dir);
                cr_assert_eq(cg_handle_open(r, tmp_fd, dir, &h1), 0);
                cr_assert_eq(cg_handle_read(r, h1, &s), 0);
                cr_assert_eq(cg_sample_copy(&t1, s), 0);

                CPU_STAT(&t0, "usage_usec", 16405214312u);
                assert_io(&t0, 8, 0, CG_IO_RBYTES, 1073741824);
                MEMORY_EVENT(&t0, "oom_kill", 1);
                CPU_STAT(&t1, "usage_usec", 781274);
                assert_io(&t1, 8, 0, CG_IO_RBYTES, 4194304);
                MEMORY_EVENT(&t1, "oom_kill", 0);

                cr_assert_lt(kv_of(&t1.cpu_stat, "usage_usec"), kv_of(&t0.cpu_stat, "usage_usec"));
                cr_assert_lt(io_find(&t1, 8, 0)->v[CG_IO_RBYTES],
                             io_find(&t0, 8, 0)->v[CG_IO_RBYTES]);
                cr_assert_lt(kv_of(&t1.memory_events, "oom_kill"),
                             kv_of(&t0.memory_events, "oom_kill"));
                cr_assert_neq(t0.cgroup_id, t1.cgroup_id, "a new incarnation has a new id");
                cr_assert_gt(t1.time_usec, 0);
                cr_assert_geq(t1.time_usec, t0.time_usec);

                /* The old handle still reads the old directory, never the new one. */
                cr_assert_eq(cg_handle_read(r, h0, &s), 0);
                cr_assert_eq(s->cgroup_id, t0.cgroup_id);
                cr_assert_eq(kv_of(&s->cpu_stat, "usage_usec"), 16405214312u);

                cg_sample_release(&t0);
                cg_sample_release(&t1);
                cg_handle_free(r, h0);
                cg_handle_free(r, h1);
                cg_reader_free(r);
                remove_dir("system.slice/foo.service.old");
                remove_dir(dir);
        }
}

/* ---- case19: files absent because a controller is not enabled ---- */

#define CASE19 "case19-files-absent-controller-not-enabled"

static void case19_init(void)
{
        need_case(CASE19); /* first: a failed .init gets no .fini */
        tree_init();
        build_from_listing(CASE19 "/root-cgroup", "root");
        build_from_listing(CASE19 "/cpu-accounting-off", "cpu-accounting-off");
        build_from_listing(CASE19 "/kernel-5.4-no-swap-files", "kernel-5.4");
}

TestSuite(case19, .init = case19_init, .fini = tree_fini);

Test(case19, root_cgroup)
{
        for_each_budget_sample("root", s)
        {
                assert_absent(&s, CG_V_MEMORY_CURRENT);
                assert_absent(&s, CG_V_MEMORY_MAX);
                assert_absent(&s, CG_V_PIDS_CURRENT);
                assert_absent(&s, CG_V_PIDS_MAX);
                assert_absent(&s, CG_V_SWAP_CURRENT);
                assert_absent(&s, CG_V_SWAP_MAX);
                cr_assert_not(s.has_cpu_max);
                cr_assert_not(s.has_memory_events);
                /* Read normally. */
                CPU_STAT(&s, "usage_usec", 1000);
                MEMORY_STAT(&s, "inactive_file", 1024);
                assert_io(&s, 8, 0, CG_IO_WIOS, 4);
                for (int p = 0; p < _CG_PSI_MAX; p++)
                        cr_assert(s.has_psi[p]);
        }
}

Test(case19, cpu_accounting_off)
{
        for_each_budget_sample("cpu-accounting-off", s)
        {
                CPU_STAT(&s, "usage_usec", 7716312);
                CPU_STAT(&s, "user_usec", 5120944);
                CPU_STAT(&s, "system_usec", 2595368);
                assert_kv_absent(&s.cpu_stat, "cpu.stat", "nr_periods");
                cr_assert_not(s.has_cpu_max);
                assert_absent(&s, CG_V_CPU_WEIGHT);
                assert_value(&s, CG_V_MEMORY_CURRENT, 1228800);
                assert_value(&s, CG_V_MEMORY_MAX, 44040192);
                assert_unlimited(&s, CG_V_SWAP_MAX);
                assert_value(&s, CG_V_PIDS_CURRENT, 3);
                assert_value(&s, CG_V_PIDS_MAX, 4675);
                assert_io(&s, 8, 0, CG_IO_RBYTES, 1);
                cr_assert(s.has_memory_stat && s.has_memory_events && s.has_pids_events);
        }
}

Test(case19, kernel_5_4_no_swap_files)
{
        for_each_budget_sample("kernel-5.4", s)
        {
                assert_absent(&s, CG_V_SWAP_CURRENT);
                assert_absent(&s, CG_V_SWAP_MAX);
                assert_value(&s, CG_V_MEMORY_CURRENT, 1228800);
                assert_value(&s, CG_V_MEMORY_MAX, 44040192);
                assert_unlimited(&s, CG_V_MEMORY_HIGH);
                assert_value(&s, CG_V_CPU_WEIGHT, 100);
                cr_assert(s.has_cpu_max);
                cr_assert(s.cpu_max.quota_usec.unlimited);
        }
}

Test(case19, absent_file_is_not_looked_for_every_read)
{
        struct cg_reader *r;
        struct cg_handle *h;
        const struct cg_sample *s;
        unsigned reads = 1;

        cr_assert_eq(cg_reader_new(64, &r), 0);
        cr_assert_eq(cg_handle_open(r, tmp_fd, "cpu-accounting-off", &h), 0);
        cr_assert_eq(cg_handle_read(r, h, &s), 0);
        cr_assert_not(s->values[CG_V_CPU_WEIGHT].present);

        /* The controller gets enabled: the file appears, and is found again later. */
        put("cpu-accounting-off", "cpu.weight", "200\n");
        cr_assert_eq(cg_handle_read(r, h, &s), 0);
        reads++;
        cr_assert_not(s->values[CG_V_CPU_WEIGHT].present, "absent files are not reopened at once");
        while (!s->values[CG_V_CPU_WEIGHT].present && reads < 40) {
                cr_assert_eq(cg_handle_read(r, h, &s), 0);
                reads++;
        }
        cr_assert(s->values[CG_V_CPU_WEIGHT].present, "still absent after %u reads", reads);
        cr_assert_eq(s->values[CG_V_CPU_WEIGHT].v.value, 200);
        cg_handle_free(r, h);
        cg_reader_free(r);
}

/* ---- case20: the daemon's own cgroup is a separate mount ---- */

#define CASE20 "case20-own-cgroup-exdev-under-protectcontrolgroups"

static bool case20_mounted;
static char case20_target[PATH_MAX];

static void case20_init(void)
{
        need_case(CASE20); /* first: a failed .init gets no .fini */
        tree_init();
        put_full_cgroup("system.slice/other.service");
        put_full_cgroup("system.slice/monitor.service");
        put("system.slice/monitor.service", "memory.current", "111\n");
        put_full_cgroup("monitor-mount");
        put("monitor-mount", "memory.current", "222\n");
}

static void case20_fini(void)
{
        if (case20_mounted)
                (void)umount2(case20_target, MNT_DETACH);
        tree_fini();
}

TestSuite(case20, .init = case20_init, .fini = case20_fini);

static void assert_same_presence(const struct cg_sample *a, const struct cg_sample *b)
{
        for (int i = 0; i < _CG_V_MAX; i++)
                cr_assert_eq(a->values[i].present, b->values[i].present, "%s", value_names[i]);
        for (int p = 0; p < _CG_PSI_MAX; p++)
                cr_assert_eq(a->has_psi[p], b->has_psi[p]);
        cr_assert_eq(a->has_cpu_max, b->has_cpu_max);
        cr_assert_eq(a->has_cpu_stat, b->has_cpu_stat);
        cr_assert_eq(a->has_memory_stat, b->has_memory_stat);
        cr_assert_eq(a->has_memory_events, b->has_memory_events);
        cr_assert_eq(a->has_pids_events, b->has_pids_events);
        cr_assert_eq(a->has_cgroup_events, b->has_cgroup_events);
        cr_assert_eq(a->has_io, b->has_io);
        cr_assert_eq(a->io.n, b->io.n);
}

Test(case20, services_read_through_directory_fds)
{
        for (size_t b = 0; b < N_BUDGETS; b++) {
                struct cg_sample other = {}, monitor = {};

                cr_assert_eq(read_sample("system.slice/other.service", budgets[b], &other), 0);
                cr_assert_eq(read_sample("/system.slice/monitor.service", budgets[b], &monitor), 0);
                assert_value(&monitor, CG_V_MEMORY_CURRENT, 111);
                assert_same_presence(&other, &monitor);
                cg_sample_release(&other);
                cg_sample_release(&monitor);
        }
}

Test(case20, own_cgroup_on_a_separate_mount)
{
        struct cg_reader *r[N_BUDGETS];
        struct cg_handle *before[N_BUDGETS];
        struct cg_sample other = {};
        char src[PATH_MAX];
        int root_fd;

        if (geteuid() != 0)
                cr_skip_test("needs root for a private mount namespace");
        cr_assert_lt((size_t)snprintf(src, sizeof(src), "%s/monitor-mount", tmp_root), sizeof(src));
        cr_assert_lt((size_t)snprintf(case20_target, sizeof(case20_target),
                                      "%s/system.slice/monitor.service", tmp_root),
                     sizeof(case20_target));
        cr_assert_eq(read_sample("system.slice/other.service", 0, &other), 0);

        /* Handles opened before the mount hold the directory underneath it. */
        for (size_t b = 0; b < N_BUDGETS; b++) {
                cr_assert_eq(cg_reader_new(budgets[b], &r[b]), 0);
                cr_assert_eq(
                        cg_handle_open(r[b], tmp_fd, "system.slice/monitor.service", &before[b]),
                        0);
        }

        /* Criterion runs each test in its own process: the namespace dies with it. */
        if (unshare(CLONE_NEWNS) < 0) {
                if (errno == EPERM)
                        cr_skip_test("unshare(CLONE_NEWNS): %s", strerror(errno));
                cr_assert_fail("unshare(CLONE_NEWNS): %s", strerror(errno));
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                if (errno == EPERM)
                        cr_skip_test("making / private: %s", strerror(errno));
                cr_assert_fail("making / private: %s", strerror(errno));
        }
        if (mount(src, case20_target, NULL, MS_BIND, NULL) < 0) {
                if (errno == EPERM)
                        cr_skip_test("bind mount: %s", strerror(errno));
                cr_assert_fail("bind mount: %s", strerror(errno));
        }
        case20_mounted = true;

        /* An fd opened before unshare() still walks the old namespace's mounts. */
        root_fd = open(tmp_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(root_fd, 0, "cannot open '%s': %s", tmp_root, strerror(errno));

        for (size_t b = 0; b < N_BUDGETS; b++) {
                struct cg_handle *after;
                const struct cg_sample *s;
                struct cg_sample monitor = {};

                budget_now = budgets[b];

                /* Opened across the mount point: read like any other service. */
                cr_assert_eq(cg_handle_open(r[b], root_fd, "system.slice/monitor.service", &after),
                             0);
                cr_assert_eq(cg_handle_read(r[b], after, &s), 0);
                cr_assert_eq(cg_sample_copy(&monitor, s), 0);
                assert_value(&monitor, CG_V_MEMORY_CURRENT, 222);
                assert_same_presence(&other, &monitor);
                cr_assert_neq(cg_handle_id(after), cg_handle_id(before[b]));

                /* The earlier handle still reads through its own directory fd. */
                cr_assert_eq(cg_handle_read(r[b], before[b], &s), 0);
                assert_value(s, CG_V_MEMORY_CURRENT, 111);
                assert_same_presence(&other, s);

                cg_sample_release(&monitor);
                cg_handle_free(r[b], before[b]);
                cg_handle_free(r[b], after);
                cr_assert_eq(cg_reader_fds_kept(r[b]), 0);
                cg_reader_free(r[b]);
        }
        (void)close(root_fd);
        cg_sample_release(&other);
}

/* ---- reader mechanics the cases rely on ---- */

Test(reader, open_errors_and_ids)
{
        struct cg_reader *r;
        struct cg_handle *h = NULL;
        struct stat st;

        put_full_cgroup("a.service");
        cr_assert_eq(cg_reader_new(0, &r), 0);
        cr_assert_eq(cg_handle_open(r, tmp_fd, "missing.service", &h), -ENOENT);
        cr_assert_eq(cg_handle_open(r, tmp_fd, "a.service/memory.current", &h), -ENOTDIR);
        cr_assert_null(h);
        cr_assert_eq(cg_handle_open(r, tmp_fd, "//a.service", &h), 0);
        cr_assert_eq(fstatat(tmp_fd, "a.service", &st, 0), 0);
        cr_assert_eq(cg_handle_id(h), (uint64_t)st.st_ino);
        cg_handle_free(r, h);
        cg_handle_free(r, NULL);
        cg_reader_free(r);
        cg_reader_free(NULL);
}

Test(reader, fd_budget_is_shared_and_returned)
{
        struct cg_reader *r;
        struct cg_handle *a, *b;
        const struct cg_sample *s;

        put_full_cgroup("a.service");
        put_full_cgroup("b.service");
        cr_assert_eq(cg_reader_new(30, &r), 0);
        cr_assert_eq(cg_handle_open(r, tmp_fd, "a.service", &a), 0);
        cr_assert_eq(cg_handle_open(r, tmp_fd, "b.service", &b), 0);
        cr_assert_eq(cg_handle_read(r, a, &s), 0);
        cr_assert_eq(cg_reader_fds_kept(r), N_READER_FILES);
        /* 30 fds in all, two of them the handles' directories. */
        cr_assert_eq(cg_handle_read(r, b, &s), 0);
        cr_assert_eq(cg_reader_fds_kept(r), 28);
        assert_value(s, CG_V_PIDS_MAX, 4675);
        cr_assert_eq(cg_handle_read(r, b, &s), 0);
        cr_assert_eq(cg_reader_fds_kept(r), 28);
        assert_value(s, CG_V_PIDS_MAX, 4675);
        cg_handle_free(r, a);
        cr_assert_eq(cg_reader_fds_kept(r), 28 - N_READER_FILES);
        cg_handle_free(r, b);
        cr_assert_eq(cg_reader_fds_kept(r), 0);
        cg_reader_free(r);
}

Test(reader, large_file)
{
        /* Larger than the reader's initial buffer and than its key storage. */
        size_t cap = 64 * 1024, len = 0;
        char *text = malloc(cap);
        unsigned lines = 0;

        cr_assert_not_null(text);
        while (len + 64 < cap) {
                len += (size_t)snprintf(text + len, cap - len, "key_%05u %u\n", lines, lines);
                lines++;
        }
        put_full_cgroup("big.service");
        write_at("big.service/memory.stat", text, len, O_TRUNC);
        free(text);
        for_each_budget_sample("big.service", s)
        {
                cr_assert(s.has_memory_stat);
                cr_assert_gt(s.memory_stat.n, 0);
                cr_assert_eq(s.memory_stat.n + s.memory_stat.n_skipped, lines);
                MEMORY_STAT(&s, "key_00000", 0);
                MEMORY_STAT(&s, "key_00042", 42);
                assert_value(&s, CG_V_MEMORY_CURRENT, 1228800);
        }
}

Test(reader, sample_copy_is_independent)
{
        struct cg_reader *r;
        struct cg_handle *h;
        const struct cg_sample *s;
        struct cg_sample copy = {}, empty = {};

        put_full_cgroup("a.service");
        cr_assert_eq(cg_reader_new(64, &r), 0);
        cr_assert_eq(cg_handle_open(r, tmp_fd, "a.service", &h), 0);
        cr_assert_eq(cg_handle_read(r, h, &s), 0);
        cr_assert_eq(cg_sample_copy(&copy, s), 0);
        put("a.service", "cpu.stat", "usage_usec 77\n");
        put("a.service", "io.stat", "9:9 rbytes=1\n");
        cr_assert_eq(cg_handle_read(r, h, &s), 0);
        cr_assert_eq(kv_of(&s->cpu_stat, "usage_usec"), 77);
        cr_assert_eq(kv_of(&copy.cpu_stat, "usage_usec"), 1000);
        cr_assert_eq(kv_of(&copy.memory_events, "max"), 2);
        cr_assert_eq(kv_of(&copy.pids_events, "max"), 0);
        cr_assert_eq(kv_of(&copy.cgroup_events, "populated"), 1);
        cr_assert_eq(copy.io.n, 1);
        cr_assert_eq(copy.io.devs[0].major, 8);
        cr_assert_eq(copy.io.devs[0].v[CG_IO_WIOS], 4);
        cr_assert_eq(copy.cpu_stat.cap, copy.cpu_stat.n);
        cg_handle_free(r, h);
        cg_reader_free(r);
        cg_sample_release(&copy);
        cr_assert_null(copy.storage);
        cg_sample_release(&empty);

        /* An empty sample copies too. */
        cr_assert_eq(cg_sample_copy(&copy, &empty), 0);
        cr_assert_eq(copy.io.n, 0);
        cg_sample_release(&copy);
}

Test(reader, fd_budget_from_rlimit)
{
        unsigned all = cg_reader_fd_budget(0);

        cr_assert_gt(all, 100);
        cr_assert_eq(cg_reader_fd_budget(100), all - 100);
        cr_assert_eq(cg_reader_fd_budget(UINT32_MAX), 0);
}

Test(reader, psi_and_names)
{
        cr_assert_str_eq(cg_psi_resource_to_string(CG_PSI_CPU), "cpu");
        cr_assert_str_eq(cg_psi_resource_to_string(CG_PSI_MEMORY), "memory");
        cr_assert_str_eq(cg_psi_resource_to_string(CG_PSI_IO), "io");
        cr_assert_null(cg_psi_resource_to_string(_CG_PSI_MAX));
        put_full_cgroup("a.service");
        for_each_budget_sample("a.service", s)
        {
                assert_psi(&s.psi[CG_PSI_CPU].some, 0.10, 0.20, 0.30, 11);
                assert_psi(&s.psi[CG_PSI_CPU].full, 0.01, 0.02, 0.03, 12);
                assert_psi(&s.psi[CG_PSI_MEMORY].some, 1.10, 1.20, 1.30, 21);
                assert_psi(&s.psi[CG_PSI_IO].full, 2.01, 2.02, 2.03, 32);
                assert_value(&s, CG_V_MEMORY_PEAK, 2457600);
                assert_value(&s, CG_V_CPU_WEIGHT, 100);
                cr_assert(s.cpu_max.quota_usec.unlimited);
                cr_assert_eq(s.cpu_max.period_usec, 100000);
        }
}
