/* SPDX-License-Identifier: MIT */
#include "collector.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../collectors/cg_discover.h"
#include "../collectors/cg_reader.h"
#include "log.h"
#include "util.h"

struct followed {
        char *path;
        struct cg_handle *h;
};

struct uw_collector {
        struct uw_collector_config cfg;
        char *cgroup_root;
        int root_fd;
        struct cg_reader *reader;
        struct blockdev_cache *bd;
        struct followed *units; /* sorted by path */
        size_t n_units;
};

bool uw_unit_selected(char *const *include, char *const *exclude, const char *name)
{
        bool in = !include || !include[0];

        for (size_t i = 0; include && include[i] && !in; i++)
                in = fnmatch(include[i], name, 0) == 0;
        for (size_t i = 0; exclude && exclude[i] && in; i++)
                in = fnmatch(exclude[i], name, 0) != 0;
        return in;
}

int uw_collector_new(const struct uw_collector_config *cfg, struct uw_collector **ret)
{
        struct uw_collector *c;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->cfg = *cfg;
        c->root_fd = -1;
        c->cgroup_root = strdup(cfg->cgroup_root);
        if (!c->cgroup_root) {
                uw_collector_free(c);
                return -ENOMEM;
        }
        c->root_fd = open(cfg->cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c->root_fd < 0) {
                r = negative_errno();
                uw_collector_free(c);
                return r;
        }
        r = cg_reader_new(cfg->fd_budget, &c->reader);
        if (r >= 0)
                r = blockdev_cache_new(cfg->sysfs_root, &c->bd);
        if (r < 0) {
                uw_collector_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

static void followed_release(struct uw_collector *c, struct followed *f)
{
        cg_handle_free(c->reader, f->h);
        free(f->path);
        *f = (struct followed){};
}

void uw_collector_free(struct uw_collector *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < c->n_units; i++)
                followed_release(c, &c->units[i]);
        free(c->units);
        cg_reader_free(c->reader);
        blockdev_cache_free(c->bd);
        (void)safe_close(c->root_fd);
        free(c->cgroup_root);
        free(c);
}

size_t uw_collector_n_units(const struct uw_collector *c)
{
        return c->n_units;
}

unsigned uw_collector_fds_kept(const struct uw_collector *c)
{
        return cg_reader_fds_kept(c->reader);
}

static int name_cmp(const void *a, const void *b)
{
        const struct cg_found *x = *(struct cg_found *const *)a, *y = *(struct cg_found *const *)b;
        int r = strcmp(x->unit, y->unit);

        return r ? r : strcmp(x->path, y->path);
}

/*
 * Drops what the globs do not select, and every second directory carrying a unit name seen
 * already (only a hand-made tree can hold one): two series with one label set would make
 * Prometheus reject the whole scrape. Marks dropped entries by freeing their unit name.
 */
static int filter_found(const struct uw_collector *c, struct cg_found *found, size_t n)
{
        _cleanup_free_ struct cg_found **by_name = NULL;
        size_t m = 0;

        by_name = malloc((n ? n : 1) * sizeof(*by_name));
        if (!by_name)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (uw_unit_selected(c->cfg.include, c->cfg.exclude, found[i].unit))
                        by_name[m++] = &found[i];
                else
                        found[i].unit = (free(found[i].unit), NULL);
        }

        qsort(by_name, m, sizeof(*by_name), name_cmp);
        for (size_t i = 1; i < m; i++) {
                if (!streq(by_name[i]->unit, by_name[i - 1]->unit))
                        continue;
                log_debug("'%s' is listed at '%s' too, keeping only '%s'", by_name[i]->unit,
                          by_name[i]->path, by_name[i - 1]->path);
                found[by_name[i] - found].unit = (free(by_name[i]->unit), NULL);
                by_name[i] = by_name[i - 1]; /* a third copy compares against the kept one */
        }
        return 0;
}

/*
 * Brings the followed set in line with what was found: a merge of two lists sorted by path.
 * A handle is reused when the directory is the same one (same inode), reopened otherwise.
 */
static int sync_units(struct uw_collector *c, struct cg_found *found, size_t n)
{
        struct followed *next;
        size_t j = 0, m = 0;

        next = calloc(n ? n : 1, sizeof(*next));
        if (!next)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct followed f = {};

                if (!found[i].unit)
                        continue;
                while (j < c->n_units && strcmp(c->units[j].path, found[i].path) < 0)
                        followed_release(c, &c->units[j++]);
                if (j < c->n_units && streq(c->units[j].path, found[i].path)) {
                        f = c->units[j];
                        c->units[j++] = (struct followed){};
                        if (cg_handle_id(f.h) != found[i].id) {
                                log_debug("cgroup '%s' was recreated, reopening it", f.path);
                                followed_release(c, &f);
                        }
                }
                if (!f.h) {
                        int r = cg_handle_open(c->reader, c->root_fd, found[i].path, &f.h);

                        if (r < 0) {
                                log_debug_errno(r, "cannot open cgroup '%s': %m, skipping it",
                                                found[i].path);
                                free(f.path);
                                continue;
                        }
                }
                if (!f.path) {
                        f.path = strdup(found[i].path);
                        if (!f.path) {
                                cg_handle_free(c->reader, f.h);
                                continue;
                        }
                }
                next[m++] = f;
        }
        while (j < c->n_units)
                followed_release(c, &c->units[j++]);
        free(c->units);
        c->units = next;
        c->n_units = m;
        return 0;
}

static double realtime_now(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_REALTIME, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t monotonic_usec(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const char *unit_name_of(const char *path)
{
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

int uw_collector_collect(struct uw_collector *c, const struct uw_snapshot *prev,
                         struct uw_snapshot **ret)
{
        struct cg_found *found = NULL;
        struct uw_snapshot *s;
        size_t n_found = 0;
        double started = realtime_now();
        uint64_t mono = monotonic_usec();
        int r;

        r = cg_discover(c->root_fd, c->cfg.types, &found, &n_found);
        if (r < 0)
                return log_error_errno(r, "cannot list units below '%s': %m", c->cgroup_root);
        r = filter_found(c, found, n_found);
        if (r >= 0)
                r = sync_units(c, found, n_found);
        cg_found_free(found, n_found);
        if (r < 0)
                return r;

        s = uw_snapshot_new(c->cgroup_root, c->n_units);
        if (!s)
                return -ENOMEM;
        s->realtime = started;
        s->mono_usec = mono;
        for (size_t i = 0; i < c->n_units; i++) {
                const struct cg_sample *sample;

                r = cg_handle_read(c->reader, c->units[i].h, &sample);
                if (r < 0)
                        continue; /* vanished: left out of this snapshot, logged at debug */
                r = uw_snapshot_add(s, unit_name_of(c->units[i].path), c->units[i].path, sample,
                                    c->bd);
                if (r < 0) {
                        uw_snapshot_unref(s);
                        return r;
                }
        }
        (void)uw_snapshot_compute_rates(s, prev);
        s->collect_usec = monotonic_usec() - mono;
        *ret = s;
        return 0;
}
