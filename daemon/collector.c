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
#include "../collectors/unit_watch.h"
#include "log.h"
#include "util.h"

struct followed {
        char *path;
        struct cg_handle *h;
        size_t target; /* index into this cycle's targets */
};

/* A unit to read this cycle: from the cgroup tree, or from the bus (with props). */
struct target {
        const char *unit;
        const char *path; /* NULL: no cgroup now */
        uint64_t id;      /* directory inode from readdir; 0 when not known (bus) */
        const struct unit_props *props;
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
                in = fnmatch(include[i], name, FNM_NOESCAPE) == 0;
        for (size_t i = 0; exclude && exclude[i] && in; i++)
                in = fnmatch(exclude[i], name, FNM_NOESCAPE) != 0;
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

void uw_collector_set_selection(struct uw_collector *c, unsigned types, char **include,
                                char **exclude)
{
        c->cfg.types = types;
        c->cfg.include = include;
        c->cfg.exclude = exclude;
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

static int target_path_cmp(const void *a, const void *b)
{
        return strcmp(((const struct target *)a)->path, ((const struct target *)b)->path);
}

/*
 * Brings the followed set in line with the targets that have a cgroup: a merge of two lists
 * sorted by path. A handle is reused while the directory is the same one (same inode when
 * known), reopened otherwise. Targets are sorted by path here, the cgroup-less ones last.
 */
static int sync_units(struct uw_collector *c, struct target *t, size_t n)
{
        struct followed *next;
        size_t j = 0, m = 0, with_path = 0;

        for (size_t i = 0; i < n; i++)
                if (t[i].path) {
                        struct target tmp = t[with_path];

                        t[with_path++] = t[i];
                        t[i] = tmp;
                }
        qsort(t, with_path, sizeof(*t), target_path_cmp);

        next = calloc(with_path ? with_path : 1, sizeof(*next));
        if (!next)
                return -ENOMEM;
        for (size_t i = 0; i < with_path; i++) {
                struct followed f = {};

                while (j < c->n_units && strcmp(c->units[j].path, t[i].path) < 0)
                        followed_release(c, &c->units[j++]);
                if (j < c->n_units && streq(c->units[j].path, t[i].path)) {
                        f = c->units[j];
                        c->units[j++] = (struct followed){};
                        /* No handle: the last reopen after a vanished cgroup failed. */
                        if (f.h && t[i].id && cg_handle_id(f.h) != t[i].id) {
                                log_debug("cgroup '%s' was recreated, reopening it", f.path);
                                followed_release(c, &f);
                        }
                }
                if (!f.h) {
                        int r = cg_handle_open(c->reader, c->root_fd, t[i].path, &f.h);

                        if (r < 0) {
                                log_debug_errno(r, "cannot open cgroup '%s': %m, skipping it",
                                                t[i].path);
                                free(f.path);
                                continue;
                        }
                }
                if (!f.path) {
                        f.path = strdup(t[i].path);
                        if (!f.path) {
                                cg_handle_free(c->reader, f.h);
                                continue;
                        }
                }
                f.target = i;
                next[m++] = f;
        }
        while (j < c->n_units)
                followed_release(c, &c->units[j++]);
        free(c->units);
        c->units = next;
        c->n_units = m;
        return 0;
}

/*
 * Reads a followed cgroup. A kept handle whose directory was removed (a restart recreates
 * it under the same path) reads as -ENODEV: reopen by path once and read the new one.
 */
static int read_followed(struct uw_collector *c, struct followed *f, const struct cg_sample **ret)
{
        int r = cg_handle_read(c->reader, f->h, ret);

        if (r != -ENODEV)
                return r;
        cg_handle_free(c->reader, f->h);
        f->h = NULL;
        r = cg_handle_open(c->reader, c->root_fd, f->path, &f->h);
        if (r < 0)
                return -ENODEV;
        return cg_handle_read(c->reader, f->h, ret);
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

static int collect_targets(struct uw_collector *c, struct target *t, size_t n,
                           const struct uw_snapshot *prev, struct uw_snapshot **ret)
{
        _cleanup_free_ bool *added = NULL;
        struct uw_snapshot *s;
        double started = realtime_now();
        uint64_t mono = monotonic_usec();
        int r;

        r = sync_units(c, t, n);
        if (r < 0)
                return r;
        added = calloc(n ? n : 1, sizeof(*added));
        s = uw_snapshot_new(c->cgroup_root, n);
        if (!added || !s) {
                uw_snapshot_unref(s);
                return -ENOMEM;
        }
        s->realtime = started;
        s->mono_usec = mono;
        for (size_t i = 0; i < c->n_units; i++) {
                const struct target *tg = &t[c->units[i].target];
                const struct cg_sample *sample;

                r = read_followed(c, &c->units[i], &sample);
                /*
                 * Vanished while read: a unit from the bus stays, without cgroup values; one
                 * found in the tree is simply gone. Never a half-read sample.
                 */
                if (r < 0 && !tg->props)
                        continue;
                r = uw_snapshot_add(s, tg->unit, r < 0 ? NULL : tg->path, r < 0 ? NULL : sample,
                                    tg->props, c->bd);
                if (r < 0) {
                        uw_snapshot_unref(s);
                        return r;
                }
                added[c->units[i].target] = true;
        }
        for (size_t i = 0; i < n; i++) {
                if (added[i] || !t[i].props)
                        continue;
                r = uw_snapshot_add(s, t[i].unit, NULL, NULL, t[i].props, c->bd);
                if (r < 0) {
                        uw_snapshot_unref(s);
                        return r;
                }
        }
        uw_snapshot_sort(s);
        (void)uw_snapshot_compute_rates(s, prev);
        s->collect_usec = monotonic_usec() - mono;
        *ret = s;
        return 0;
}

int uw_collector_collect(struct uw_collector *c, const struct uw_snapshot *prev,
                         struct uw_snapshot **ret)
{
        struct cg_found *found = NULL;
        _cleanup_free_ struct target *t = NULL;
        size_t n_found = 0, n = 0;
        int r;

        r = cg_discover(c->root_fd, c->cfg.types, &found, &n_found);
        if (r < 0)
                return log_error_errno(r, "cannot list units below '%s': %m", c->cgroup_root);
        r = filter_found(c, found, n_found);
        t = calloc(n_found ? n_found : 1, sizeof(*t));
        if (r >= 0 && !t)
                r = -ENOMEM;
        if (r >= 0) {
                for (size_t i = 0; i < n_found; i++)
                        if (found[i].unit)
                                t[n++] = (struct target){.unit = found[i].unit,
                                                         .path = found[i].path,
                                                         .id = found[i].id};
                r = collect_targets(c, t, n, prev, ret);
        }
        cg_found_free(found, n_found);
        return r;
}

/*
 * The cgroup to read for a unit from the bus. ControlGroup has no change signal, so after a
 * stop it still names the removed cgroup: an inactive or failed unit has none to read.
 */
static const char *unit_cgroup(const struct unit_props *p)
{
        if (!p->control_group || !p->control_group[0])
                return NULL;
        if (p->active_state &&
            (streq(p->active_state, "inactive") || streq(p->active_state, "failed")))
                return NULL;
        return p->control_group;
}

int uw_collector_collect_bus(struct uw_collector *c, const struct unit_watch *w,
                             const struct uw_snapshot *prev, struct uw_snapshot **ret)
{
        size_t n_units = unit_watch_n_units(w), n = 0;
        _cleanup_free_ struct target *t = calloc(n_units ? n_units : 1, sizeof(*t));
        int r;

        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < n_units; i++) {
                const struct unit_props *p = unit_watch_unit(w, i);

                if (!p || !p->id || !uw_unit_selected(c->cfg.include, c->cfg.exclude, p->id))
                        continue;
                t[n++] = (struct target){
                        .unit = p->id,
                        .path = unit_cgroup(p),
                        .props = p,
                };
        }
        r = collect_targets(c, t, n, prev, ret);
        if (r >= 0) {
                (*ret)->bus_used = true;
                (*ret)->bus_connected = unit_watch_connected(w);
        }
        return r;
}
