/* SPDX-License-Identifier: MIT */
#include "cg_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../daemon/log.h"
#include "../daemon/util.h"

enum cg_file_kind {
        KIND_VALUE, /* one u64 */
        KIND_LIMIT, /* one u64 or "max" */
        KIND_CPU_MAX,
        KIND_FLAT, /* flat-keyed, into one of the sample's kv sets */
        KIND_IO,
        KIND_PSI,
};

enum cg_kv_target {
        KV_CPU_STAT,
        KV_MEMORY_STAT,
        KV_MEMORY_EVENTS,
        KV_PIDS_EVENTS,
        KV_CGROUP_EVENTS,
        _KV_MAX,
};

struct cg_file_def {
        const char *name;
        enum cg_file_kind kind;
        int target; /* enum cg_value_id, enum cg_kv_target or enum cg_psi_resource */
};

static const struct cg_file_def cg_files[] = {
        {"cgroup.events", KIND_FLAT, KV_CGROUP_EVENTS},
        {"cpu.stat", KIND_FLAT, KV_CPU_STAT},
        {"cpu.max", KIND_CPU_MAX, 0},
        {"cpu.weight", KIND_VALUE, CG_V_CPU_WEIGHT},
        {"memory.current", KIND_VALUE, CG_V_MEMORY_CURRENT},
        {"memory.peak", KIND_VALUE, CG_V_MEMORY_PEAK},
        {"memory.min", KIND_LIMIT, CG_V_MEMORY_MIN},
        {"memory.low", KIND_LIMIT, CG_V_MEMORY_LOW},
        {"memory.high", KIND_LIMIT, CG_V_MEMORY_HIGH},
        {"memory.max", KIND_LIMIT, CG_V_MEMORY_MAX},
        {"memory.swap.current", KIND_VALUE, CG_V_SWAP_CURRENT},
        {"memory.swap.max", KIND_LIMIT, CG_V_SWAP_MAX},
        {"memory.events", KIND_FLAT, KV_MEMORY_EVENTS},
        {"memory.stat", KIND_FLAT, KV_MEMORY_STAT},
        {"io.stat", KIND_IO, 0},
        {"pids.current", KIND_VALUE, CG_V_PIDS_CURRENT},
        {"pids.max", KIND_LIMIT, CG_V_PIDS_MAX},
        {"pids.events", KIND_FLAT, KV_PIDS_EVENTS},
        {"cpu.pressure", KIND_PSI, CG_PSI_CPU},
        {"memory.pressure", KIND_PSI, CG_PSI_MEMORY},
        {"io.pressure", KIND_PSI, CG_PSI_IO},
};

#define CG_N_FILES ARRAY_SIZE(cg_files)

/* An absent file (controller off, PSI off) is looked for again after this many reads. */
#define ABSENT_RETRY_READS 16

#define KV_SCRATCH  256
#define IO_SCRATCH  256
#define BUF_INITIAL 16384
#define BUF_LIMIT   (4u << 20)

struct cg_file_state {
        int fd;              /* -1 when not kept open */
        unsigned absent_for; /* > 0: absent, skip this many more reads */
};

struct cg_handle {
        int dir_fd;
        uint64_t id;
        char *path; /* for log messages */
        struct cg_file_state files[CG_N_FILES];
};

struct cg_reader {
        unsigned fd_budget;
        unsigned fds_kept; /* interface-file fds held open by handles */
        unsigned dir_fds;  /* directory fds of handles: always held, counted in the budget */
        char *buf;
        size_t buf_size;
        struct cg_sample sample;
        struct cg_kv kv_storage[_KV_MAX][KV_SCRATCH];
        struct cg_io_dev io_storage[IO_SCRATCH];
};

int cg_reader_new(unsigned fd_budget, struct cg_reader **ret)
{
        struct cg_reader *r = calloc(1, sizeof(*r));

        if (!r)
                return -ENOMEM;
        r->buf = malloc(BUF_INITIAL);
        if (!r->buf) {
                free(r);
                return -ENOMEM;
        }
        r->buf_size = BUF_INITIAL;
        r->fd_budget = fd_budget;
        *ret = r;
        return 0;
}

void cg_reader_free(struct cg_reader *r)
{
        if (!r)
                return;
        free(r->buf);
        free(r);
}

unsigned cg_reader_fd_budget(unsigned reserve)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return 0;
        if (rl.rlim_cur < rl.rlim_max) {
                struct rlimit raised = {.rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max};

                if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
                        rl = raised;
        }
        if (rl.rlim_cur == RLIM_INFINITY)
                rl.rlim_cur = 1u << 20;
        if (rl.rlim_cur <= reserve)
                return 0;
        return rl.rlim_cur - reserve > UINT32_MAX ? UINT32_MAX : (unsigned)(rl.rlim_cur - reserve);
}

unsigned cg_reader_fds_kept(const struct cg_reader *r)
{
        return r->fds_kept;
}

int cg_handle_open(struct cg_reader *r, int root_fd, const char *relpath, struct cg_handle **ret)
{
        _cleanup_close_ int fd = -1;
        struct cg_handle *h;
        struct stat st;

        while (*relpath == '/')
                relpath++;
        fd = openat(root_fd, *relpath ? relpath : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();

        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->path = strdup(relpath);
        if (!h->path) {
                free(h);
                return -ENOMEM;
        }
        for (size_t i = 0; i < CG_N_FILES; i++)
                h->files[i].fd = -1;
        h->dir_fd = TAKE_FD(fd);
        h->id = (uint64_t)st.st_ino;
        r->dir_fds++;
        *ret = h;
        return 0;
}

static void file_close(struct cg_reader *r, struct cg_file_state *f)
{
        if (f->fd < 0)
                return;
        f->fd = safe_close(f->fd);
        r->fds_kept--;
}

void cg_handle_free(struct cg_reader *r, struct cg_handle *h)
{
        if (!h)
                return;
        for (size_t i = 0; i < CG_N_FILES; i++)
                file_close(r, &h->files[i]);
        (void)safe_close(h->dir_fd);
        r->dir_fds--;
        free(h->path);
        free(h);
}

uint64_t cg_handle_id(const struct cg_handle *h)
{
        return h->id;
}

/* The directory is gone when even its core files cannot be found any more. */
static bool handle_vanished(const struct cg_handle *h)
{
        return faccessat(h->dir_fd, "cgroup.procs", F_OK, 0) < 0 &&
               (errno == ENOENT || errno == ENODEV);
}

static int pread_all(struct cg_reader *r, int fd, size_t *ret_len)
{
        size_t len = 0;

        for (;;) {
                ssize_t n;

                if (len == r->buf_size) {
                        char *bigger;

                        if (r->buf_size >= BUF_LIMIT)
                                return -EFBIG;
                        bigger = realloc(r->buf, r->buf_size * 2);
                        if (!bigger)
                                return -ENOMEM;
                        r->buf = bigger;
                        r->buf_size *= 2;
                }
                n = pread(fd, r->buf + len, r->buf_size - len, (off_t)len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                len += (size_t)n;
                /*
                 * A short read is the end: cgroup files are seq_files, which fill the buffer
                 * until the end of the file. This saves a second read per file.
                 */
                if (n == 0 || len < r->buf_size)
                        break;
        }
        *ret_len = len;
        return 0;
}

/*
 * Reads file i into r->buf. Returns 0 with the length, -ENOENT/-EOPNOTSUPP (or another error)
 * when the file is absent or unreadable, -ENODEV when the whole cgroup is gone.
 */
static int read_file(struct cg_reader *r, struct cg_handle *h, size_t i, size_t *ret_len)
{
        struct cg_file_state *f = &h->files[i];
        _cleanup_close_ int once_fd = -1;
        int fd = f->fd, q;

        if (fd < 0) {
                if (f->absent_for > 0) {
                        f->absent_for--;
                        return -ENOENT;
                }
                fd = openat(h->dir_fd, cg_files[i].name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0) {
                        q = negative_errno();
                        if ((q == -ENOENT || q == -ENODEV) && handle_vanished(h))
                                return -ENODEV;
                        /* Out of fds is not the file being absent: try again next time. */
                        if (q == -EMFILE || q == -ENFILE)
                                return log_debug_errno(q, "cannot open '%s' of '%s': %m",
                                                       cg_files[i].name, h->path);
                        f->absent_for = ABSENT_RETRY_READS;
                        return log_debug_errno(
                                q, "cannot open '%s' of '%s': %m, treating it as absent",
                                cg_files[i].name, h->path);
                }
                if (r->fds_kept + r->dir_fds < r->fd_budget) {
                        f->fd = fd;
                        r->fds_kept++;
                } else {
                        once_fd = fd;
                }
        }

        q = pread_all(r, fd, ret_len);
        if (q == -ENODEV || (q == -ENOENT && handle_vanished(h))) {
                file_close(r, f);
                return -ENODEV;
        }
        if (q < 0) {
                /* EOPNOTSUPP: PSI disabled at boot; files exist but cannot be read. */
                file_close(r, f);
                f->absent_for = ABSENT_RETRY_READS;
                return log_debug_errno(q, "cannot read '%s' of '%s': %m, treating it as absent",
                                       cg_files[i].name, h->path);
        }
        return 0;
}

static struct cg_kv_set *kv_target(struct cg_sample *s, int target, bool **ret_has)
{
        switch (target) {
        case KV_CPU_STAT:
                *ret_has = &s->has_cpu_stat;
                return &s->cpu_stat;
        case KV_MEMORY_STAT:
                *ret_has = &s->has_memory_stat;
                return &s->memory_stat;
        case KV_MEMORY_EVENTS:
                *ret_has = &s->has_memory_events;
                return &s->memory_events;
        case KV_PIDS_EVENTS:
                *ret_has = &s->has_pids_events;
                return &s->pids_events;
        default:
                *ret_has = &s->has_cgroup_events;
                return &s->cgroup_events;
        }
}

static int parse_into(struct cg_sample *s, const struct cg_file_def *def, const char *buf,
                      size_t len)
{
        struct cg_value *val;
        struct cg_kv_set *set;
        bool *has;
        int q;

        switch (def->kind) {
        case KIND_VALUE:
                val = &s->values[def->target];
                q = cg_parse_u64(buf, len, &val->v.value);
                val->present = q >= 0;
                return q;
        case KIND_LIMIT:
                val = &s->values[def->target];
                q = cg_parse_limit(buf, len, &val->v);
                val->present = q >= 0;
                return q;
        case KIND_CPU_MAX:
                q = cg_parse_cpu_max(buf, len, &s->cpu_max);
                s->has_cpu_max = q >= 0;
                return q;
        case KIND_FLAT:
                set = kv_target(s, def->target, &has);
                q = cg_parse_flat_keyed(buf, len, set);
                /* An empty keyed file carries nothing: absent, unlike an empty io.stat. */
                *has = q > 0;
                return q < 0 ? q : (q == 0 ? -ENODATA : 0);
        case KIND_IO:
                q = cg_parse_io_stat(buf, len, &s->io);
                s->has_io = q >= 0;
                return q;
        case KIND_PSI:
                q = cg_parse_psi(buf, len, &s->psi[def->target]);
                s->has_psi[def->target] = q >= 0;
                return q;
        }
        return -EINVAL;
}

static void sample_reset(struct cg_reader *r)
{
        struct cg_sample *s = &r->sample;
        struct cg_kv_set *sets[_KV_MAX];
        bool *has;

        *s = (struct cg_sample){};
        for (int k = 0; k < _KV_MAX; k++) {
                sets[k] = kv_target(s, k, &has);
                *sets[k] = (struct cg_kv_set){.cap = KV_SCRATCH, .items = r->kv_storage[k]};
        }
        s->io = (struct cg_io_set){.cap = IO_SCRATCH, .devs = r->io_storage};
}

int cg_handle_read(struct cg_reader *r, struct cg_handle *h, const struct cg_sample **ret)
{
        struct timespec ts;

        sample_reset(r);
        for (size_t i = 0; i < CG_N_FILES; i++) {
                size_t len = 0;
                int q;

                q = read_file(r, h, i, &len);
                if (q == -ENODEV)
                        return log_debug_errno(
                                q, "cgroup '%s' vanished while being read, dropping it", h->path);
                if (q < 0)
                        continue;
                q = parse_into(&r->sample, &cg_files[i], r->buf, len);
                if (q < 0 && q != -ENODATA)
                        (void)log_debug_errno(
                                q, "cannot parse '%s' of '%s': %m, treating it as absent",
                                cg_files[i].name, h->path);
        }

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        r->sample.cgroup_id = h->id;
        r->sample.time_usec = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
        *ret = &r->sample;
        return 0;
}
