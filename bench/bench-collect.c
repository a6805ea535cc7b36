/* SPDX-License-Identifier: MIT */
/*
 * Collection benchmark: how long one collection cycle takes for 100, 1000 and 10000 service
 * cgroups, and how close that is to the physical limit of the design.
 *
 * A synthetic cgroup tree (system.slice/<unit>.service/ with the 21 interface files the reader
 * reads, plus cgroup.procs) is written to a tmpfs. For each size it measures:
 *
 *   - unitwatch: uw_collector_collect() (discovery, read, parse, snapshot build and rates; no
 *     rendering), once with the fd budget of cg_reader_fd_budget(1200) and once with a budget
 *     of 0 (every file opened and closed per read);
 *   - the floor: the same files read with one pread() at offset 0 into a static buffer and no
 *     parsing, with fds kept under the same budget and, again, opened per read;
 *   - rendering: render_prom() and render_json() of the last snapshot; the daemon's cycle is
 *     a collection plus render_prom();
 *   - the daemon: build/unitwatchd --no-bus on the same tree as its own process, its time to
 *     the first snapshot, GET /metrics (plain and gzip) and /api/v1/units over loopback
 *     (wall time, median and p99), its RSS with the sample ring full (see bench_daemon());
 *   - the scorer's first pass into the drift store: one baseline write per unit, as the
 *     scorer makes them, against one write for all (see bench_baselines()).
 *
 * Cycles are timed in CPU time of the process (user + system, all threads), which a busy
 * shared machine disturbs much less than wall time. Every figure is the median of MEASURED_CYCLES
 * runs (MEASURED_CYCLES_LARGE at 10,000 units) after WARMUP_CYCLES. A table goes to stdout and
 * every figure to build/bench.json (or argv[1]). `bench-collect --real ROOT [JSON]` measures the
 * collector and the floor on a real cgroup tree instead (see bench_real()). Kept fds are skipped
 * when the unit directory fds plus the budget do not fit RLIMIT_NOFILE, and any phase that would
 * end past DEADLINE_S is skipped, both with a note in the table. tmpfs is not kernfs: the numbers
 * say what unitwatch costs on top of the syscalls, not what a real /sys/fs/cgroup costs.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collectors/cg_discover.h"
#include "collectors/cg_reader.h"
#include "daemon/collector.h"
#include "daemon/history.h"
#include "daemon/snapshot.h"
#include "daemon/util.h"
#include "hardening/drift_store.h"
#include "web/render.h"

#define WARMUP_CYCLES         2
#define MEASURED_CYCLES       15
#define MEASURED_CYCLES_LARGE 5 /* from LARGE_UNITS up: each cycle takes most of a second */
#define LARGE_UNITS           10000

static int measured_cycles = MEASURED_CYCLES; /* for the size being measured */
#define FD_RESERVE 1200                       /* what the daemon keeps back from RLIMIT_NOFILE */
#define FD_SLACK   64                         /* stdio, the root and walk fds, blockdev lookups */
#define JSON_OUT   "build/bench.json"

static const unsigned bench_sizes[] = {100, 1000, 10000};

/* The files cg_reader.c reads, in its order. cgroup.procs is written but not read. */
static const char *const cg_file_names[] = {
        "cgroup.events",
        "cpu.stat",
        "cpu.max",
        "cpu.weight",
        "memory.current",
        "memory.peak",
        "memory.min",
        "memory.low",
        "memory.high",
        "memory.max",
        "memory.swap.current",
        "memory.swap.max",
        "memory.events",
        "memory.stat",
        "io.stat",
        "pids.current",
        "pids.max",
        "pids.events",
        "cpu.pressure",
        "memory.pressure",
        "io.pressure",
};

#define N_FILES ARRAY_SIZE(cg_file_names)

/* memory.stat keys of a 6.x kernel, in the kernel's order; 40 of them. */
static const char *const memory_stat_keys[] = {
        "anon",
        "file",
        "kernel",
        "kernel_stack",
        "pagetables",
        "sec_pagetables",
        "percpu",
        "sock",
        "vmalloc",
        "shmem",
        "zswap",
        "zswapped",
        "file_mapped",
        "file_dirty",
        "file_writeback",
        "swapcached",
        "anon_thp",
        "file_thp",
        "shmem_thp",
        "inactive_anon",
        "active_anon",
        "inactive_file",
        "active_file",
        "unevictable",
        "slab_reclaimable",
        "slab_unreclaimable",
        "slab",
        "workingset_refault_anon",
        "workingset_refault_file",
        "workingset_activate_anon",
        "workingset_activate_file",
        "workingset_restore_anon",
        "workingset_restore_file",
        "workingset_nodereclaim",
        "pgscan",
        "pgsteal",
        "pgfault",
        "pgmajfault",
        "thp_fault_alloc",
        "thp_collapse_alloc",
};

/* One figure for bench.json. */
struct result {
        const char *tool; /* "unitwatch" or "floor" */
        unsigned units;
        const char *metric; /* "cycle_median_ms", ... */
        double value;
        const char *unit_of_measure;
};

static struct result results[160];
static const char *where = "host"; /* "vm" with --real in the guest */
static size_t n_results;

static void result_add(const char *tool, unsigned units, const char *metric, double value,
                       const char *uom)
{
        assert(n_results < ARRAY_SIZE(results));
        results[n_results++] = (struct result){tool, units, metric, value, uom};
}

static uint64_t now_ns(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * CPU time of the whole process (every thread, user and system). Cycles are timed with it,
 * not with the wall clock: on a shared machine, time spent waiting for a CPU would otherwise
 * land in whichever of two compared phases was unlucky.
 */
static uint64_t cpu_ns(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

/* Median of n samples; sorts them in place. */
static double median(double *v, size_t n)
{
        qsort(v, n, sizeof(*v), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A small deterministic generator, so each unit gets different but reproducible numbers. */
static uint64_t rng_next(uint64_t *state)
{
        uint64_t x = *state;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *state = x;
        return x;
}

static uint64_t rng_range(uint64_t *state, uint64_t lo, uint64_t hi)
{
        return lo + rng_next(state) % (hi - lo + 1);
}

/*
 * ---------------------------------------------------------------------------------------------
 * The synthetic tree
 * ---------------------------------------------------------------------------------------------
 */

__attribute__((format(printf, 3, 4))) static int write_file(int dir_fd, const char *name,
                                                            const char *fmt, ...)
{
        _cleanup_close_ int fd = -1;
        char buf[4096];
        va_list ap;
        int len;

        va_start(ap, fmt);
        len = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (len < 0 || (size_t)len >= sizeof(buf))
                return -ENOBUFS;

        fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return negative_errno();
        if (write(fd, buf, (size_t)len) != len)
                return negative_errno();
        return 0;
}

static void unit_name(unsigned i, char *buf, size_t size)
{
        (void)snprintf(buf, size, "app-%05u-worker.service", i);
}

/* The three lines of a PSI file; mostly idle, now and then under pressure. */
static int write_psi(int dir_fd, const char *name, uint64_t *rng)
{
        double some10 = rng_range(rng, 0, 3) == 0 ? (double)rng_range(rng, 0, 900) / 100 : 0;
        uint64_t total = rng_range(rng, 0, 50000000);

        return write_file(dir_fd, name,
                          "some avg10=%.2f avg60=%.2f avg300=%.2f total=%" PRIu64 "\n"
                          "full avg10=%.2f avg60=%.2f avg300=%.2f total=%" PRIu64 "\n",
                          some10, some10 / 2, some10 / 5, total, some10 / 2, some10 / 4,
                          some10 / 10, total / 2);
}

static int write_memory_stat(int dir_fd, uint64_t *rng, uint64_t anon, uint64_t file)
{
        char buf[4096];
        size_t len = 0;

        for (size_t k = 0; k < ARRAY_SIZE(memory_stat_keys); k++) {
                const char *key = memory_stat_keys[k];
                uint64_t v;

                if (streq(key, "anon"))
                        v = anon;
                else if (streq(key, "file"))
                        v = file;
                else if (streq(key, "inactive_file"))
                        v = file / 2;
                else if (streq(key, "active_file"))
                        v = file - file / 2;
                else if (streq(key, "inactive_anon") || streq(key, "active_anon"))
                        v = anon / 2;
                else if (k % 3 == 0)
                        v = 0;
                else
                        v = rng_range(rng, 0, 1u << 16) * 4096;
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %" PRIu64 "\n", key, v);
                assert(len < sizeof(buf));
        }
        return write_file(dir_fd, "memory.stat", "%s", buf);
}

/* Writes system.slice/<unit i>/ with realistic contents; numbers vary with i. */
static int write_unit(int slice_fd, unsigned i)
{
        _cleanup_close_ int fd = -1;
        uint64_t rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)i * 0x100000001b3ull + 1);
        uint64_t anon = rng_range(&rng, 1, 2048) << 20, file = rng_range(&rng, 0, 1024) << 20;
        uint64_t usage = rng_range(&rng, 1000, 1000000000000ull), user = usage / 4 * 3;
        uint64_t memory_max = rng_range(&rng, 0, 1) ? 0 : rng_range(&rng, 1, 8) << 30;
        char name[64];
        int r;

        unit_name(i, name, sizeof(name));
        if (mkdirat(slice_fd, name, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        fd = openat(slice_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();

        r = write_file(fd, "cgroup.procs", "%u\n%u\n", 1000 + i * 3, 1001 + i * 3);
        r = r ?: write_file(fd, "cgroup.events", "populated 1\nfrozen 0\n");
        r = r
                    ?: write_file(fd, "cpu.stat",
                                  "usage_usec %" PRIu64 "\nuser_usec %" PRIu64
                                  "\nsystem_usec %" PRIu64
                                  "\nnice_usec 0\ncore_sched.force_idle_usec 0\nnr_periods %" PRIu64
                                  "\nnr_throttled %" PRIu64 "\nthrottled_usec %" PRIu64
                                  "\nnr_bursts 0\nburst_usec 0\n",
                                  usage, user, usage - user, rng_range(&rng, 0, 100000),
                                  rng_range(&rng, 0, 500), rng_range(&rng, 0, 10000000));
        r = r ?: write_file(fd, "cpu.max", i % 4 ? "max 100000\n" : "50000 100000\n");
        r = r ?: write_file(fd, "cpu.weight", "%u\n", i % 10 ? 100 : 1000);
        r = r ?: write_file(fd, "memory.current", "%" PRIu64 "\n", anon + file);
        r = r ?: write_file(fd, "memory.peak", "%" PRIu64 "\n", anon + file + (anon >> 3));
        r = r ?: write_file(fd, "memory.min", "0\n");
        r = r ?: write_file(fd, "memory.low", "0\n");
        if (memory_max) {
                r = r ?: write_file(fd, "memory.high", "%" PRIu64 "\n", memory_max / 16 * 15);
                r = r ?: write_file(fd, "memory.max", "%" PRIu64 "\n", memory_max);
        } else {
                r = r ?: write_file(fd, "memory.high", "max\n");
                r = r ?: write_file(fd, "memory.max", "max\n");
        }
        r = r
                    ?: write_file(fd, "memory.swap.current", "%" PRIu64 "\n",
                                  i % 7 ? 0 : rng_range(&rng, 1, 4096) * 4096);
        r = r ?: write_file(fd, "memory.swap.max", "max\n");
        r = r
                    ?: write_file(fd, "memory.events",
                                  "low 0\nhigh %" PRIu64 "\nmax %" PRIu64
                                  "\noom 0\noom_kill %u\noom_group_kill 0\n",
                                  rng_range(&rng, 0, 50), rng_range(&rng, 0, 5), i % 97 ? 0 : 1);
        r = r ?: write_memory_stat(fd, &rng, anon, file);
        r = r
                    ?: write_file(fd, "io.stat",
                                  "8:0 rbytes=%" PRIu64 " wbytes=%" PRIu64 " rios=%" PRIu64
                                  " wios=%" PRIu64 " dbytes=0 dios=0\n"
                                  "259:0 rbytes=%" PRIu64 " wbytes=%" PRIu64 " rios=%" PRIu64
                                  " wios=%" PRIu64 " dbytes=0 dios=0\n",
                                  rng_range(&rng, 0, 1ull << 34), rng_range(&rng, 0, 1ull << 36),
                                  rng_range(&rng, 0, 1u << 20), rng_range(&rng, 0, 1u << 22),
                                  rng_range(&rng, 0, 1ull << 30), rng_range(&rng, 0, 1ull << 32),
                                  rng_range(&rng, 0, 1u << 16), rng_range(&rng, 0, 1u << 18));
        r = r ?: write_file(fd, "pids.current", "%" PRIu64 "\n", rng_range(&rng, 1, 200));
        r = r ?: write_file(fd, "pids.max", i % 3 ? "4915\n" : "max\n");
        r = r ?: write_file(fd, "pids.events", "max 0\n");
        r = r ?: write_psi(fd, "cpu.pressure", &rng);
        r = r ?: write_psi(fd, "memory.pressure", &rng);
        r = r ?: write_psi(fd, "io.pressure", &rng);
        return r;
}

/* Adds units [from, to) below root/system.slice. */
static int grow_tree(const char *root, unsigned from, unsigned to)
{
        _cleanup_close_ int root_fd = -1, slice_fd = -1;

        root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return negative_errno();
        if (mkdirat(root_fd, "system.slice", 0755) < 0 && errno != EEXIST)
                return negative_errno();
        slice_fd = openat(root_fd, "system.slice", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (slice_fd < 0)
                return negative_errno();
        for (unsigned i = from; i < to; i++) {
                int r = write_unit(slice_fd, i);

                if (r < 0)
                        return r;
        }
        return 0;
}

/* /dev/shm/unitwatch-bench-<pid> when /dev/shm is a tmpfs, else a fresh directory in /tmp. */
static int make_root(char *buf, size_t size)
{
        struct statfs sfs;

        if (statfs("/dev/shm", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC) {
                (void)snprintf(buf, size, "/dev/shm/unitwatch-bench-%d", (int)getpid());
                if (mkdir(buf, 0700) < 0)
                        return negative_errno();
                return 0;
        }
        (void)snprintf(buf, size, "/tmp/unitwatch-bench-XXXXXX");
        if (!mkdtemp(buf))
                return negative_errno();
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path) < 0 ? -1 : 0;
}

static void remove_tree(const char *root)
{
        if (nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
                fprintf(stderr, "cannot remove '%s' completely: %m\n", root);
}

/*
 * ---------------------------------------------------------------------------------------------
 * fd accounting
 * ---------------------------------------------------------------------------------------------
 */

static rlim_t nofile_limit(void)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return 1024;
        return rl.rlim_cur;
}

/*
 * The reader's budget counts the handles' directory fds too, so unitwatch holds at most the
 * budget, or one fd per unit when units outnumber it; the floor holds at most the budget.
 */
static bool fds_fit(unsigned n, unsigned budget)
{
        uint64_t held = n > budget ? n : budget;

        return held + FD_SLACK <= (uint64_t)nofile_limit();
}

/*
 * ---------------------------------------------------------------------------------------------
 * unitwatch: the collector and the renderers
 * ---------------------------------------------------------------------------------------------
 */

/* Units whose sample lacks something the tree holds; 0 when the snapshot is complete. */
static size_t incomplete_units(const struct uw_snapshot *s)
{
        size_t bad = 0;

        for (size_t i = 0; i < s->n_units; i++) {
                const struct cg_sample *x = &s->units[i].sample;
                bool ok = x->has_cpu_max && x->has_cpu_stat && x->has_memory_stat &&
                          x->has_memory_events && x->has_pids_events && x->has_cgroup_events &&
                          x->has_io && x->io.n == 2 &&
                          x->memory_stat.n == ARRAY_SIZE(memory_stat_keys);

                for (size_t v = 0; v < _CG_V_MAX; v++)
                        ok = ok && x->values[v].present;
                for (size_t p = 0; p < _CG_PSI_MAX; p++)
                        ok = ok && x->has_psi[p];
                bad += !ok;
        }
        return bad;
}

struct collect_result {
        double cycle_ms;   /* median */
        unsigned fds_kept; /* after the last cycle */
        size_t n_units;
        size_t incomplete;
};

/*
 * Runs the collector over root for warm-up and measured cycles, each with the previous
 * snapshot for rates as the daemon does. Freeing the previous snapshot is not timed. Leaves
 * the last snapshot in *ret_last when asked.
 */
static int bench_collector(const char *root, unsigned fd_budget, struct collect_result *ret,
                           struct uw_snapshot **ret_last)
{
        struct uw_collector_config cfg = {
                .cgroup_root = root,
                .sysfs_root = "/sys",
                .types = UNIT_SERVICE,
                .fd_budget = fd_budget,
        };
        struct uw_collector *c = NULL;
        struct uw_snapshot *prev = NULL;
        double ms[MEASURED_CYCLES];
        int r;

        r = uw_collector_new(&cfg, &c);
        if (r < 0)
                return r;
        for (int i = 0; i < WARMUP_CYCLES + measured_cycles; i++) {
                struct uw_snapshot *s = NULL;
                uint64_t t0 = cpu_ns();

                r = uw_collector_collect(c, prev, &s);
                if (r < 0)
                        break;
                if (i >= WARMUP_CYCLES)
                        ms[i - WARMUP_CYCLES] = (double)(cpu_ns() - t0) / 1e6;
                uw_snapshot_unrefp(&prev);
                prev = s;
        }
        if (r >= 0) {
                *ret = (struct collect_result){
                        .cycle_ms = median(ms, (size_t)measured_cycles),
                        .fds_kept = uw_collector_fds_kept(c),
                        .n_units = prev->n_units,
                        .incomplete = incomplete_units(prev),
                };
                if (ret_last)
                        prev = (*ret_last = prev, NULL);
        }
        uw_snapshot_unrefp(&prev);
        uw_collector_free(c);
        return r;
}

/* Median time of render_prom() (json false) or render_json() of s, in ms. */
static int bench_render(const struct uw_snapshot *s, bool json, double *ret_ms, size_t *ret_bytes)
{
        const struct render_opts opts = {.memory_stat_all = false, .rates = true};
        double ms[MEASURED_CYCLES];

        for (int i = 0; i < WARMUP_CYCLES + measured_cycles; i++) {
                _cleanup_free_ char *text = NULL;
                uint64_t t0 = cpu_ns();
                size_t len = 0;
                int r;

                r = json ? render_json(s, &opts, false, &text, &len)
                         : render_prom(s, &opts, &text, &len);
                if (r < 0)
                        return r;
                if (i >= WARMUP_CYCLES)
                        ms[i - WARMUP_CYCLES] = (double)(cpu_ns() - t0) / 1e6;
                *ret_bytes = len;
        }
        *ret_ms = median(ms, (size_t)measured_cycles);
        return 0;
}

/*
 * ---------------------------------------------------------------------------------------------
 * The floor: the same files, the same fd policy, one pread() each and no parsing
 * ---------------------------------------------------------------------------------------------
 */

#define FLOOR_ABSENT (-2)

struct floor_set {
        unsigned n_units;
        int *dir_fds;  /* one per unit, as cg_handle keeps */
        int *file_fds; /* N_FILES per unit; -1: opened per read; FLOOR_ABSENT: no such file */
        unsigned kept;
};

static void floor_release(struct floor_set *f)
{
        for (size_t i = 0; f->dir_fds && i < f->n_units; i++)
                (void)safe_close(f->dir_fds[i]);
        for (size_t i = 0; f->file_fds && i < (size_t)f->n_units * N_FILES; i++)
                (void)safe_close(f->file_fds[i]);
        free(f->dir_fds);
        free(f->file_fds);
        *f = (struct floor_set){};
}

/*
 * The unit directory of unit u: on the synthetic tree the u-th unit's, on a real tree
 * (dirs != NULL) the cgroup the collector found for it.
 */
static void floor_unit_dir(const char *root, char *const *dirs, unsigned u, char *buf, size_t size)
{
        char name[64];

        if (dirs) {
                (void)snprintf(buf, size, "%s%s", root, dirs[u]);
                return;
        }
        unit_name(u, name, sizeof(name));
        (void)snprintf(buf, size, "%s/system.slice/%s", root, name);
}

/*
 * dirs: NULL for the synthetic tree, else n cgroup paths below root ("/system.slice/x").
 * On a real tree a file the kernel does not offer there (a controller not enabled) is
 * skipped, as the reader skips it.
 */
static int floor_open(const char *root, char *const *dirs, unsigned n, unsigned budget,
                      struct floor_set *ret)
{
        struct floor_set f = {.n_units = n};
        char path[PATH_MAX];
        int r = 0;

        f.dir_fds = malloc(n * sizeof(int));
        f.file_fds = malloc((size_t)n * N_FILES * sizeof(int));
        if (!f.dir_fds || !f.file_fds) {
                free(f.dir_fds);
                free(f.file_fds);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                f.dir_fds[i] = -1;
        for (size_t i = 0; i < (size_t)n * N_FILES; i++)
                f.file_fds[i] = -1;

        for (unsigned u = 0; u < n && r >= 0; u++) {
                floor_unit_dir(root, dirs, u, path, sizeof(path));
                f.dir_fds[u] = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (f.dir_fds[u] < 0) {
                        r = negative_errno();
                        break;
                }
                for (size_t k = 0; k < N_FILES; k++) {
                        int fd;

                        if (dirs && faccessat(f.dir_fds[u], cg_file_names[k], F_OK, 0) < 0) {
                                f.file_fds[(size_t)u * N_FILES + k] = FLOOR_ABSENT;
                                continue;
                        }
                        /* Like the reader's, the budget counts the directory fds held too. */
                        if (f.kept + n >= budget)
                                continue;
                        fd = openat(f.dir_fds[u], cg_file_names[k], O_RDONLY | O_CLOEXEC);
                        if (fd < 0) {
                                r = negative_errno();
                                break;
                        }
                        f.file_fds[(size_t)u * N_FILES + k] = fd;
                        f.kept++;
                }
        }
        if (r < 0) {
                floor_release(&f);
                return r;
        }
        *ret = f;
        return 0;
}

/* One cycle: every file once, into a static buffer. Returns bytes read, to keep it honest. */
static int64_t floor_cycle(const struct floor_set *f)
{
        static char buf[65536];
        int64_t total = 0;

        for (size_t u = 0; u < f->n_units; u++) {
                for (size_t k = 0; k < N_FILES; k++) {
                        int fd = f->file_fds[u * N_FILES + k];
                        bool once = fd == -1;
                        ssize_t n;

                        if (fd == FLOOR_ABSENT)
                                continue;
                        if (once) {
                                fd = openat(f->dir_fds[u], cg_file_names[k],
                                            O_RDONLY | O_CLOEXEC | O_NOCTTY);
                                if (fd < 0)
                                        return negative_errno();
                        }
                        n = pread(fd, buf, sizeof(buf), 0);
                        if (n < 0)
                                total = negative_errno();
                        if (once)
                                (void)close(fd);
                        if (total < 0)
                                return total;
                        total += n;
                }
        }
        return total;
}

static int bench_floor(const char *root, char *const *dirs, unsigned n, unsigned budget,
                       double *ret_ms, unsigned *ret_kept)
{
        struct floor_set f;
        double ms[MEASURED_CYCLES];
        int r;

        r = floor_open(root, dirs, n, budget, &f);
        if (r < 0)
                return r;
        for (int i = 0; i < WARMUP_CYCLES + measured_cycles; i++) {
                uint64_t t0 = cpu_ns();
                int64_t bytes = floor_cycle(&f);

                if (bytes < 0) {
                        floor_release(&f);
                        return (int)bytes;
                }
                if (i >= WARMUP_CYCLES)
                        ms[i - WARMUP_CYCLES] = (double)(cpu_ns() - t0) / 1e6;
        }
        *ret_ms = median(ms, (size_t)measured_cycles);
        *ret_kept = f.kept;
        floor_release(&f);
        return 0;
}

/*
 * ---------------------------------------------------------------------------------------------
 * The daemon itself: build/unitwatchd --no-bus on the same tree, as a separate process
 * ---------------------------------------------------------------------------------------------
 *
 * What the in-process figures cannot say: the RSS of the real daemon with its sample ring
 * full, and how long /metrics and /api/v1/units take over HTTP on loopback. The daemon runs
 * with a config file: interval 0.1 s until the ring of the first unit holds
 * UW_HISTORY_POINTS points, then (SIGHUP) 3600 s, so no collection runs while it is timed.
 */

#define DAEMON_BINARY       "build/unitwatchd"
#define HTTP_WARMUP         3
#define HTTP_REQUESTS       50
#define API_REQUESTS        20
#define READY_TIMEOUT_S     60.0
#define RING_FILL_TIMEOUT_S 40.0 /* up to 1,000 units; beyond, the ring is not filled */

/* A TCP port on 127.0.0.1 that was free a moment ago. */
static int free_port(uint16_t *ret)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(a);
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return negative_errno();
        if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            getsockname(fd, (struct sockaddr *)&a, &len) < 0)
                return negative_errno();
        *ret = ntohs(a.sin_port);
        return 0;
}

struct http_reply {
        int status;
        char *body; /* NUL-terminated; owned */
        size_t body_len;
};

static void http_reply_release(struct http_reply *r)
{
        free(r->body);
        *r = (struct http_reply){};
}

/*
 * GET path from 127.0.0.1:port, HTTP/1.1 with Connection: close, the reply read to EOF. The
 * time this takes is what a scraper waits for (connect included, as Prometheus pays it too
 * when a keep-alive connection was dropped).
 */
static int http_get(uint16_t port, const char *path, bool gzip, struct http_reply *ret)
{
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons(port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 1 << 16;
        char req[512], *end;
        int n;

        if (fd < 0)
                return negative_errno();
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
                return negative_errno();
        n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n", path,
                     gzip ? "Accept-Encoding: gzip\r\n" : "");
        if (n < 0 || (size_t)n >= sizeof(req))
                return -ENOBUFS;
        if (write(fd, req, (size_t)n) != n)
                return negative_errno();

        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k;

                if (cap - len < 4096) {
                        char *bigger = realloc(buf, cap * 2);

                        if (!bigger)
                                return -ENOMEM;
                        buf = bigger;
                        cap *= 2;
                }
                k = read(fd, buf + len, cap - len - 1);
                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        buf[len] = '\0';

        end = strstr(buf, "\r\n\r\n");
        if (!end || sscanf(buf, "HTTP/1.%*d %d", &ret->status) != 1)
                return -EBADMSG;
        end += 4;
        ret->body_len = len - (size_t)(end - buf);
        ret->body = malloc(ret->body_len + 1);
        if (!ret->body)
                return -ENOMEM;
        memcpy(ret->body, end, ret->body_len + 1);
        return 0;
}

static long proc_status_kib(pid_t pid, const char *key)
{
        _cleanup_fclose_ FILE *f = NULL;
        char path[64], line[256];
        size_t klen = strlen(key);

        (void)snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, key, klen) == 0 && line[klen] == ':')
                        return strtol(line + klen + 1, NULL, 10);
        return -1;
}

static int write_daemon_config(const char *path, const char *root, uint16_t port,
                               const char *state_dir, double interval)
{
        _cleanup_fclose_ FILE *f = fopen(path, "we");

        if (!f)
                return negative_errno();
        fprintf(f,
                "{\"listen\": [\"127.0.0.1:%u\"], \"interval\": %g, \"cgroup_root\": \"%s\", "
                "\"no_bus\": true, \"state_dir\": \"%s\", \"log_level\": \"warning\"}\n",
                port, interval, root, state_dir);
        if (fflush(f) != 0 || ferror(f))
                return -EIO;
        return 0;
}

/* Points in the sample ring of unit; -1 when it cannot be asked. */
static int ring_points(uint16_t port, const char *unit)
{
        struct http_reply rep = {};
        char path[128];
        json_auto_t *doc = NULL;
        int n = -1;

        (void)snprintf(path, sizeof(path), "/api/v1/units/%s/series", unit);
        if (http_get(port, path, false, &rep) >= 0 && rep.status == 200) {
                doc = json_loadb(rep.body, rep.body_len, 0, NULL);
                n = doc ? (int)json_array_size(json_object_get(doc, "points")) : -1;
        }
        http_reply_release(&rep);
        return n;
}

/* Median and p99 of count GETs of path after HTTP_WARMUP; also the body size. */
static int time_gets(uint16_t port, const char *path, bool gzip, int count, double *ret_median,
                     double *ret_p99, size_t *ret_bytes)
{
        double ms[HTTP_REQUESTS];

        assert(count <= HTTP_REQUESTS);
        for (int i = 0; i < HTTP_WARMUP + count; i++) {
                struct http_reply rep = {};
                uint64_t t0 = now_ns();
                int r = http_get(port, path, gzip, &rep);

                if (r >= 0 && rep.status != 200)
                        r = -EPROTO;
                *ret_bytes = rep.body_len;
                http_reply_release(&rep);
                if (r < 0)
                        return r;
                if (i >= HTTP_WARMUP)
                        ms[i - HTTP_WARMUP] = (double)(now_ns() - t0) / 1e6;
        }
        *ret_median = median(ms, (size_t)count);
        /* Sorted by median(): the 99th percentile of count samples (the largest below 100). */
        *ret_p99 = ms[(size_t)((count - 1) * 0.99)];
        return 0;
}

static double seconds_since(uint64_t t0)
{
        return (double)(now_ns() - t0) / 1e9;
}

static void daemon_row(unsigned n, const char *what, const char *value)
{
        printf("%6u  %-44s %s\n", n, what, value);
}

/* Runs build/unitwatchd on root (n units) and measures it; skipped when the binary is absent. */
static int bench_daemon(const char *root, unsigned n)
{
        const char *binary = getenv("UNITWATCH_BENCH_DAEMON") ?: DAEMON_BINARY;
        char cfg_path[192], state_dir[192], unit[64], text[128], config_flag[] = "--config";
        char *argv[] = {(char *)binary, config_flag, cfg_path, NULL};
        double med, p99;
        size_t bytes = 0;
        uint16_t port;
        pid_t pid;
        uint64_t t0;
        long rss;
        int points = -1, r, status;

        if (access(binary, X_OK) < 0) {
                printf("%6u  daemon: skipped, no %s (make builds it)\n", n, binary);
                return 0;
        }
        r = free_port(&port);
        if (r < 0)
                return r;
        /* Next to the tree, not in it: the tree is the daemon's cgroup root. */
        (void)snprintf(cfg_path, sizeof(cfg_path), "%s.daemon.json", root);
        (void)snprintf(state_dir, sizeof(state_dir), "%s.state", root);
        r = write_daemon_config(cfg_path, root, port, state_dir, 0.1);
        if (r < 0)
                return r;

        t0 = now_ns();
        r = -posix_spawn(&pid, binary, NULL, NULL, argv, environ);
        if (r < 0)
                goto out_files;

        /* Time to the first snapshot: until /readyz says 200. */
        for (;;) {
                struct http_reply rep = {};
                bool ready = http_get(port, "/readyz", false, &rep) >= 0 && rep.status == 200;

                http_reply_release(&rep);
                if (ready)
                        break;
                if (seconds_since(t0) > READY_TIMEOUT_S || waitpid(pid, &status, WNOHANG) == pid) {
                        printf("%6u  daemon: not ready within %.0f s or exited\n", n,
                               READY_TIMEOUT_S);
                        r = -ETIMEDOUT;
                        goto out_kill;
                }
                (void)usleep(10000);
        }
        (void)snprintf(text, sizeof(text), "%.3f s", seconds_since(t0));
        daemon_row(n, "daemon: start to first snapshot (/readyz)", text);
        result_add("unitwatch", n, "first_snapshot_s", seconds_since(t0), "s");

        /* Fill the ring at 0.1 s, then park the timer so nothing else runs while timed. */
        unit_name(0, unit, sizeof(unit));
        t0 = now_ns();
        while ((points = ring_points(port, unit)) < UW_HISTORY_POINTS &&
               seconds_since(t0) < (n <= 1000 ? RING_FILL_TIMEOUT_S : 0))
                (void)usleep(200000);
        r = write_daemon_config(cfg_path, root, port, state_dir, 3600);
        if (r < 0 || kill(pid, SIGHUP) < 0) {
                r = r < 0 ? r : negative_errno();
                goto out_kill;
        }
        (void)usleep(500000);

        r = time_gets(port, "/metrics", false, HTTP_REQUESTS, &med, &p99, &bytes);
        if (r < 0)
                goto out_kill;
        (void)snprintf(text, sizeof(text), "median %.3f ms, p99 %.3f ms, %zu KiB", med, p99,
                       bytes / 1024);
        daemon_row(n, "daemon: GET /metrics", text);
        result_add("unitwatch", n, "metrics_median_ms", med, "ms");
        result_add("unitwatch", n, "metrics_p99_ms", p99, "ms");
        result_add("unitwatch", n, "metrics_bytes", (double)bytes, "bytes");

        r = time_gets(port, "/metrics", true, HTTP_REQUESTS, &med, &p99, &bytes);
        if (r < 0)
                goto out_kill;
        (void)snprintf(text, sizeof(text), "median %.3f ms, p99 %.3f ms, %zu KiB", med, p99,
                       bytes / 1024);
        daemon_row(n, "daemon: GET /metrics, gzip (as Prometheus asks)", text);
        result_add("unitwatch", n, "metrics_gzip_median_ms", med, "ms");
        result_add("unitwatch", n, "metrics_gzip_p99_ms", p99, "ms");
        result_add("unitwatch", n, "metrics_gzip_bytes", (double)bytes, "bytes");

        r = time_gets(port, "/api/v1/units", false, API_REQUESTS, &med, &p99, &bytes);
        if (r < 0)
                goto out_kill;
        (void)snprintf(text, sizeof(text), "median %.3f ms, p99 %.3f ms, %zu KiB", med, p99,
                       bytes / 1024);
        daemon_row(n, "daemon: GET /api/v1/units", text);
        result_add("unitwatch", n, "api_units_median_ms", med, "ms");
        result_add("unitwatch", n, "api_units_p99_ms", p99, "ms");
        result_add("unitwatch", n, "api_units_bytes", (double)bytes, "bytes");

        rss = proc_status_kib(pid, "VmRSS");
        (void)snprintf(text, sizeof(text), "%.1f MiB (peak %.1f MiB), ring %d of %d points%s",
                       (double)rss / 1024, (double)proc_status_kib(pid, "VmHWM") / 1024, points,
                       UW_HISTORY_POINTS,
                       points < UW_HISTORY_POINTS ? " (not full: too slow to fill here)" : "");
        daemon_row(n, "daemon: RSS after the requests", text);
        result_add("unitwatch", n, "rss_kib", (double)rss, "KiB");
        result_add("unitwatch", n, "rss_peak_kib", (double)proc_status_kib(pid, "VmHWM"), "KiB");
        result_add("unitwatch", n, "ring_points", points, "points");
        r = 0;

out_kill:
        (void)kill(pid, SIGTERM);
        (void)waitpid(pid, &status, 0);
out_files:
        (void)unlink(cfg_path);
        if (access(state_dir, F_OK) == 0) /* only made with the bus */
                remove_tree(state_dir);
        return r;
}

/*
 * ---------------------------------------------------------------------------------------------
 * Reporting
 * ---------------------------------------------------------------------------------------------
 */

static void print_header(void)
{
        printf("%6s  %-44s %11s %13s %9s\n", "units", "what", "CPU ms", "per unit µs", "vs floor");
}

/* One table row; floor_ms <= 0 leaves the ratio out. */
static void print_row(unsigned n, const char *what, double ms, double floor_ms)
{
        char ratio[32] = "";

        if (floor_ms > 0)
                (void)snprintf(ratio, sizeof(ratio), "%.2fx", ms / floor_ms);
        printf("%6u  %-44s %11.3f %13.3f %9s\n", n, what, ms, ms * 1000 / n, ratio);
}

/* Records the median cycle and its per-unit share under metric prefix ("cycle", ...). */
static void record(const char *tool, unsigned n, const char *prefix, double ms)
{
        static char names[ARRAY_SIZE(results)][64];
        static size_t n_names;
        char *cycle = names[n_names++], *per_unit = names[n_names++];

        assert(n_names <= ARRAY_SIZE(names));
        (void)snprintf(cycle, 64, "%s_median_ms", prefix);
        (void)snprintf(per_unit, 64, "%s_per_unit_median_us", prefix);
        result_add(tool, n, cycle, ms, "ms");
        result_add(tool, n, per_unit, ms * 1000 / n, "us");
}

/*
 * Writes the figures to path. Figures already there from elsewhere (the VM's, written by
 * vm-bench.sh) are kept; those from here (the same "where") are replaced.
 */
static int write_json(const char *path)
{
        json_auto_t *old = json_load_file(path, 0, NULL);
        json_auto_t *list = json_array();
        json_t *entry;
        size_t i;

        if (!list)
                return -ENOMEM;
        if (json_is_array(old))
                json_array_foreach(old, i, entry)
                {
                        const char *w = json_string_value(json_object_get(entry, "where"));

                        if (w && !streq(w, where) && json_array_append(list, entry) < 0)
                                return -ENOMEM;
                }
        for (i = 0; i < n_results; i++) {
                const struct result *x = &results[i];
                json_t *o = json_pack("{s:s, s:I, s:s, s:f, s:s, s:s}", "tool", x->tool, "units",
                                      (json_int_t)x->units, "metric", x->metric, "value", x->value,
                                      "unit_of_measure", x->unit_of_measure, "where", where);

                if (!o || json_array_append_new(list, o) < 0)
                        return -ENOMEM;
        }
        if (streq(path, JSON_OUT) && mkdir("build", 0755) < 0 && errno != EEXIST)
                return negative_errno();
        if (json_dump_file(list, path, JSON_INDENT(2)) < 0)
                return -EIO;
        return 0;
}

/*
 * The whole run must stay under eight minutes on a small shared machine. Each phase of a size
 * is skipped, with a note, when its wall time at the previous size scaled to this one (with a
 * margin, since rendering grows faster than linearly) would end past the deadline.
 */
#define DEADLINE_S   480.0
#define SCALE_MARGIN 1.5

enum phase {
        PHASE_COLLECT_KEPT,
        PHASE_FLOOR_KEPT,
        PHASE_COLLECT_PER_READ,
        PHASE_FLOOR_PER_READ,
        PHASE_RENDER_PROM,
        PHASE_RENDER_JSON,
        _PHASE_MAX,
};

static uint64_t started_ns;
static double phase_wall_s[_PHASE_MAX]; /* at phase_units; 0: not run */
static unsigned phase_units[_PHASE_MAX];

/* Whether phase p for n units is expected to end before the deadline. */
static bool phase_fits(enum phase p, unsigned n)
{
        double elapsed = (double)(now_ns() - started_ns) / 1e9, expected;

        if (!phase_units[p])
                return true; /* nothing to go by: the smallest size always runs */
        expected = phase_wall_s[p] * n / phase_units[p] * SCALE_MARGIN;
        return elapsed + expected < DEADLINE_S;
}

static void phase_done(enum phase p, unsigned n, uint64_t t0)
{
        phase_wall_s[p] = (double)(now_ns() - t0) / 1e9;
        phase_units[p] = n;
}

static void print_skipped(unsigned n, const char *what)
{
        printf("%6u  %-44s skipped: would not finish within %.0f s\n", n, what, DEADLINE_S);
}

/*
 * ---------------------------------------------------------------------------------------------
 * The scorer's first pass: one baseline per unit into the drift store
 * ---------------------------------------------------------------------------------------------
 *
 * At start the scorer gives every unit its first baseline with drift_store_set_baseline(),
 * one unit at a time, and each call rewrites baselines.json whole (hardening/scorer.c,
 * track_drift()). Measured here on a tmpfs, so only the CPU side shows (a disk adds two
 * fsyncs per call): one call per unit as the scorer makes them, against one call for all.
 */

#define BASELINE_CHECKS 81 /* the rows of systemd 252's security table */

static int make_baselines(unsigned n, struct drift_baseline **ret)
{
        struct drift_baseline *b = calloc(n, sizeof(*b));

        if (!b)
                return -ENOMEM;
        for (unsigned u = 0; u < n; u++) {
                char name[64];

                unit_name(u, name, sizeof(name));
                b[u] = (struct drift_baseline){.unit = strdup(name), .exposure = 92, .time = 1.7e9};
                b[u].checks = calloc(BASELINE_CHECKS, sizeof(*b[u].checks));
                if (!b[u].unit || !b[u].checks)
                        goto fail;
                for (unsigned k = 0; k < BASELINE_CHECKS; k++) {
                        struct drift_baseline_check *c = &b[u].checks[k];

                        if (asprintf(&c->json_field, "ProtectSetting%02u", k) < 0 ||
                            asprintf(&c->value, "ProtectSetting%02u=no", k) < 0)
                                goto fail;
                        c->state = k % 3 ? SCORE_FAIL : SCORE_PASS;
                        b[u].n_checks++;
                }
        }
        *ret = b;
        return 0;
fail:
        for (unsigned u = 0; u < n; u++)
                drift_baseline_release(&b[u]);
        free(b);
        return -ENOMEM;
}

#define BASELINE_CALLS 5 /* single-unit writes timed on a store holding the others */

/*
 * CPU time of the scorer's way, a whole-file rewrite per unit: the median of BASELINE_CALLS
 * single-unit calls made once the store holds n - BASELINE_CALLS baselines already (one call
 * costs in proportion to what the store holds, so a first pass of n units costs about n / 2
 * such calls at n). And of one call that sets all n at once.
 */
static int time_baselines(const char *dir, const struct drift_baseline *b, unsigned n,
                          double *ret_each_ms, double *ret_all_ms)
{
        struct drift_store *st = NULL;
        double ms[BASELINE_CALLS];
        unsigned held = n - BASELINE_CALLS;
        uint64_t t0;
        int r;

        assert(n > BASELINE_CALLS);
        r = drift_store_open(dir, 0, &st);
        if (r < 0)
                return r;
        r = drift_store_set_baselines(st, b, held);
        for (unsigned k = 0; k < BASELINE_CALLS && r >= 0; k++) {
                t0 = cpu_ns();
                r = drift_store_set_baseline(st, &b[held + k]);
                ms[k] = (double)(cpu_ns() - t0) / 1e6;
        }
        drift_store_free(st);
        remove_tree(dir);
        if (r < 0)
                return r;
        *ret_each_ms = median(ms, BASELINE_CALLS);

        r = drift_store_open(dir, 0, &st);
        if (r < 0)
                return r;
        t0 = cpu_ns();
        r = drift_store_set_baselines(st, b, n);
        *ret_all_ms = (double)(cpu_ns() - t0) / 1e6;
        drift_store_free(st);
        remove_tree(dir);
        return r < 0 ? r : 0;
}

static int bench_baselines(const char *root, unsigned n)
{
        struct drift_baseline *b = NULL;
        char dir[192], what[96];
        double each_ms, all_ms;
        int r;

        r = make_baselines(n, &b);
        if (r < 0)
                return r;
        (void)snprintf(dir, sizeof(dir), "%s.drift", root);
        r = time_baselines(dir, b, n, &each_ms, &all_ms);
        if (r >= 0) {
                (void)snprintf(what, sizeof(what), "baseline of 1 unit set, %u held (ms per call)",
                               n - 1);
                printf("%6u  %-44s %11.3f\n", n, what, each_ms);
                (void)snprintf(what, sizeof(what), "first pass as the scorer does it (~n/2 calls)");
                printf("%6u  %-44s %11.3f %13.3f\n", n, what, each_ms * n / 2, each_ms * 1000 / 2);
                print_row(n, "baselines of all units set in one call", all_ms, 0);
                result_add("unitwatch", n, "baseline_set_one_unit_ms", each_ms, "ms");
                result_add("unitwatch", n, "baselines_first_pass_estimated_ms", each_ms * n / 2,
                           "ms");
                result_add("unitwatch", n, "baselines_set_all_at_once_ms", all_ms, "ms");
        }
        for (unsigned u = 0; u < n; u++)
                drift_baseline_release(&b[u]);
        free(b);
        return r;
}

/*
 * Runs every measurement for n units (the tree holds exactly n), one after the other: the
 * fds of one are closed before the next opens its own.
 */
static int bench_size(const char *root, unsigned n, unsigned budget)
{
        struct collect_result res;
        struct uw_snapshot *last = NULL;
        double floor_ms = 0, ms, kept_ms = 0, kept_floor_ms = 0, render_prom_ms = 0;
        unsigned floor_fds;
        size_t bytes = 0;
        char what[96];
        uint64_t t0;
        int r;

        if (!fds_fit(n, budget)) {
                printf("%6u  fds kept: skipped, %u unit dir fds or a budget of %u fds exceed "
                       "RLIMIT_NOFILE %llu\n",
                       n, n, budget, (unsigned long long)nofile_limit());
        } else if (!phase_fits(PHASE_COLLECT_KEPT, n) || !phase_fits(PHASE_FLOOR_KEPT, n)) {
                print_skipped(n, "fds kept");
        } else {
                t0 = now_ns();
                r = bench_collector(root, budget, &res, NULL);
                if (r < 0)
                        return r;
                phase_done(PHASE_COLLECT_KEPT, n, t0);

                t0 = now_ns();
                r = bench_floor(root, NULL, n, budget, &floor_ms, &floor_fds);
                if (r < 0)
                        return r;
                phase_done(PHASE_FLOOR_KEPT, n, t0);

                (void)snprintf(what, sizeof(what), "unitwatch collect, fds kept (%u of %zu)",
                               res.fds_kept, (size_t)n * N_FILES);
                print_row(n, what, res.cycle_ms, floor_ms);
                (void)snprintf(what, sizeof(what), "floor pread, fds kept (%u of %zu)", floor_fds,
                               (size_t)n * N_FILES);
                print_row(n, what, floor_ms, 0);
                record("unitwatch", n, "cycle", res.cycle_ms);
                record("floor", n, "cycle", floor_ms);
                kept_ms = res.cycle_ms;
                kept_floor_ms = floor_ms;
                /* A fast cycle that skipped files would be a wrong number, not a good one. */
                if (res.n_units != n || res.incomplete)
                        printf("%6u  WARNING: fds kept: %zu units, %zu with missing values\n", n,
                               res.n_units, res.incomplete);
        }

        if (!phase_fits(PHASE_COLLECT_PER_READ, n) || !phase_fits(PHASE_FLOOR_PER_READ, n)) {
                print_skipped(n, "open per read, rendering");
                return 0;
        }
        t0 = now_ns();
        r = bench_collector(root, 0, &res, &last);
        if (r < 0)
                return r;
        phase_done(PHASE_COLLECT_PER_READ, n, t0);

        t0 = now_ns();
        r = bench_floor(root, NULL, n, 0, &floor_ms, &floor_fds);
        if (r < 0)
                goto out;
        phase_done(PHASE_FLOOR_PER_READ, n, t0);

        print_row(n, "unitwatch collect, open per read (budget 0)", res.cycle_ms, floor_ms);
        print_row(n, "floor openat+pread+close per file", floor_ms, 0);
        record("unitwatch", n, "cycle_open_per_read", res.cycle_ms);
        record("floor", n, "cycle_open_per_read", floor_ms);
        if (res.n_units != n || res.incomplete)
                printf("%6u  WARNING: open per read: %zu units, %zu with missing values\n", n,
                       res.n_units, res.incomplete);

        /* Rendering the snapshot of the last per-read cycle. */
        for (enum phase p = PHASE_RENDER_PROM; p <= PHASE_RENDER_JSON; p++) {
                bool json = p == PHASE_RENDER_JSON;
                const char *name = json ? "render_json" : "render_prom";

                if (!phase_fits(p, n)) {
                        print_skipped(n, name);
                        continue;
                }
                t0 = now_ns();
                r = bench_render(last, json, &ms, &bytes);
                if (r < 0)
                        goto out;
                phase_done(p, n, t0);
                (void)snprintf(what, sizeof(what), "%s (%zu KiB)", name, bytes / 1024);
                print_row(n, what, ms, 0);
                record("unitwatch", n, name, ms);
                if (!json)
                        render_prom_ms = ms;
        }

        /* The daemon's cycle is a collection and the /metrics text rendered from it. */
        if (kept_ms > 0 && render_prom_ms > 0) {
                print_row(n, "daemon cycle: collect (fds kept) + render_prom",
                          kept_ms + render_prom_ms, kept_floor_ms);
                record("unitwatch", n, "daemon_cycle", kept_ms + render_prom_ms);
        }

        r = bench_daemon(root, n);
        if (r >= 0)
                r = bench_baselines(root, n);
out:
        uw_snapshot_unrefp(&last);
        return r;
}

/*
 * --real ROOT: the collector and the floor on a real cgroup tree (the VM benchmark runs it in
 * the guest, on /sys/fs/cgroup, where kernfs and not tmpfs answers), over the services the
 * tree shows, fds kept. The floor reads the same files of the same cgroups.
 */
static int bench_real(const char *root, const char *json_path)
{
        struct collect_result res;
        struct uw_snapshot *last = NULL;
        _cleanup_free_ char **dirs = NULL;
        unsigned budget = cg_reader_fd_budget(FD_RESERVE), n = 0, floor_fds;
        double floor_ms, render_ms;
        size_t bytes = 0;
        char what[96];
        int r;

        where = "vm";
        r = bench_collector(root, budget, &res, &last);
        if (r < 0)
                return r;
        if (last->n_units == 0) {
                fprintf(stderr, "no services in '%s'\n", root);
                r = -ENOENT;
                goto out;
        }
        dirs = calloc(last->n_units, sizeof(*dirs));
        if (!dirs) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < last->n_units; i++)
                if (last->units[i].cgroup)
                        dirs[n++] = last->units[i].cgroup;
        r = bench_floor(root, dirs, n, budget, &floor_ms, &floor_fds);
        if (r < 0)
                goto out;
        r = bench_render(last, false, &render_ms, &bytes);
        if (r < 0)
                goto out;

        printf("%s: %zu services, %u with a cgroup, %d cycles (median) after %d warm-up\n\n", root,
               last->n_units, n, measured_cycles, WARMUP_CYCLES);
        print_header();
        (void)snprintf(what, sizeof(what), "unitwatch collect, fds kept (%u)", res.fds_kept);
        print_row(n, what, res.cycle_ms, floor_ms);
        (void)snprintf(what, sizeof(what), "floor pread, fds kept (%u)", floor_fds);
        print_row(n, what, floor_ms, 0);
        (void)snprintf(what, sizeof(what), "render_prom (%zu KiB)", bytes / 1024);
        print_row(n, what, render_ms, 0);
        print_row(n, "daemon cycle: collect + render_prom", res.cycle_ms + render_ms, floor_ms);
        record("unitwatch", n, "cycle", res.cycle_ms);
        record("floor", n, "cycle", floor_ms);
        record("unitwatch", n, "render_prom", render_ms);
        record("unitwatch", n, "daemon_cycle", res.cycle_ms + render_ms);
        r = write_json(json_path);
out:
        uw_snapshot_unrefp(&last);
        return r;
}

int main(int argc, char **argv)
{
        const char *json_path = argc > 1 ? argv[1] : JSON_OUT;

        char root[128];
        unsigned budget, built = 0;
        uint64_t t0;
        int r = 0;

        if (argc > 2 && streq(argv[1], "--real")) {
                r = bench_real(argv[2], argc > 3 ? argv[3] : JSON_OUT);
                if (r < 0)
                        fprintf(stderr, "benchmark of '%s' failed: %s\n", argv[2], strerror(-r));
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        }

        started_ns = now_ns();

        /* Raises the soft limit to the hard one, as the daemon does at start. */
        budget = cg_reader_fd_budget(FD_RESERVE);

        r = make_root(root, sizeof(root));
        if (r < 0) {
                fprintf(stderr, "cannot create the benchmark tree: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        printf("tree: %s, RLIMIT_NOFILE %llu, fd budget %u, %d cycles (median) after %d "
               "warm-up\n\n",
               root, (unsigned long long)nofile_limit(), budget, MEASURED_CYCLES, WARMUP_CYCLES);
        print_header();

        for (size_t i = 0; i < ARRAY_SIZE(bench_sizes) && r >= 0; i++) {
                unsigned n = bench_sizes[i];

                measured_cycles = n >= LARGE_UNITS ? MEASURED_CYCLES_LARGE : MEASURED_CYCLES;

                t0 = now_ns();

                /* The tree grows: units 0..n-1 exist, each size adds what is missing. */
                r = grow_tree(root, built, n);
                if (r < 0) {
                        fprintf(stderr, "cannot write %u units below '%s': %s\n", n, root,
                                strerror(-r));
                        break;
                }
                built = n;
                fprintf(stderr, "(%u units written in %.1f s)\n", n, (double)(now_ns() - t0) / 1e9);

                t0 = now_ns();
                r = bench_size(root, n, budget);
                fprintf(stderr, "(%u units benchmarked in %.1f s)\n", n,
                        (double)(now_ns() - t0) / 1e9);
                if (r < 0) {
                        fprintf(stderr, "benchmark of %u units failed: %s\n", n, strerror(-r));
                        break;
                }
                putchar('\n');
                (void)fflush(stdout); /* rows appear as sizes finish, even through a pipe */
        }

        t0 = now_ns();
        remove_tree(root);
        fprintf(stderr, "(tree removed in %.1f s)\n", (double)(now_ns() - t0) / 1e9);
        if (r < 0)
                return EXIT_FAILURE;

        r = write_json(json_path);
        if (r < 0) {
                fprintf(stderr, "cannot write '%s': %s\n", json_path, strerror(-r));
                return EXIT_FAILURE;
        }
        printf("results: %s\n", json_path);
        return EXIT_SUCCESS;
}
