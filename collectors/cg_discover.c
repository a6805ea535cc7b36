/* SPDX-License-Identifier: MIT */
#include "cg_discover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/log.h"
#include "../daemon/util.h"

/* systemd nests slices by name ("a-b-c.slice"); nothing real goes deeper than this. */
#define MAX_DEPTH 32

unsigned unit_type_from_name(const char *name)
{
        if (endswith(name, ".service") && strlen(name) > strlen(".service"))
                return UNIT_SERVICE;
        if (endswith(name, ".scope") && strlen(name) > strlen(".scope"))
                return UNIT_SCOPE;
        if (endswith(name, ".slice") && strlen(name) > strlen(".slice"))
                return UNIT_SLICE;
        return 0;
}

struct found_list {
        struct cg_found *items;
        size_t n, cap;
};

static int found_add(struct found_list *l, const char *unit, const char *path, uint64_t id)
{
        struct cg_found *f;

        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 64;
                struct cg_found *bigger = realloc(l->items, cap * sizeof(*bigger));

                if (!bigger)
                        return -ENOMEM;
                l->items = bigger;
                l->cap = cap;
        }
        f = &l->items[l->n];
        f->unit = strdup(unit);
        f->path = strdup(path);
        if (!f->unit || !f->path) {
                free(f->unit);
                free(f->path);
                return -ENOMEM;
        }
        f->id = id;
        l->n++;
        return 0;
}

static int walk(int dir_fd, const char *path, unsigned types, unsigned depth, struct found_list *l)
{
        DIR *d;
        struct dirent *de;
        int r = 0;

        d = fdopendir(dir_fd);
        if (!d) {
                int q = negative_errno();
                (void)close(dir_fd);
                return q;
        }

        while ((de = readdir(d))) {
                _cleanup_free_ char *child = NULL;
                unsigned type;
                int fd;

                if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
                        continue;
                type = unit_type_from_name(de->d_name);
                if (!type)
                        continue;
                if (asprintf(&child, "%s/%s", path, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (de->d_type == DT_UNKNOWN) {
                        /* Some file systems do not fill d_type: ask, and skip what vanished. */
                        fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (fd < 0)
                                continue;
                        if (type != UNIT_SLICE)
                                (void)close(fd);
                } else {
                        fd = -1;
                }
                if (types & type) {
                        r = found_add(l, de->d_name, child, (uint64_t)de->d_ino);
                        if (r < 0) {
                                (void)safe_close(fd);
                                break;
                        }
                }
                if (type != UNIT_SLICE)
                        continue;
                if (depth + 1 >= MAX_DEPTH) {
                        (void)safe_close(fd);
                        log_debug("not descending into '%s': more than %d slices deep", child,
                                  MAX_DEPTH);
                        continue;
                }
                if (fd < 0)
                        fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        continue; /* removed since readdir: not an error */
                r = walk(fd, child, types, depth + 1, l);
                if (r == -ENOMEM)
                        break;
                r = 0;
        }
        (void)closedir(d);
        return r;
}

static int found_cmp(const void *a, const void *b)
{
        return strcmp(((const struct cg_found *)a)->path, ((const struct cg_found *)b)->path);
}

int cg_discover(int root_fd, unsigned types, struct cg_found **ret, size_t *ret_n)
{
        struct found_list l = {};
        int fd, r;

        fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        r = walk(fd, "", types, 0, &l);
        if (r < 0) {
                cg_found_free(l.items, l.n);
                return r;
        }
        if (l.n > 1)
                qsort(l.items, l.n, sizeof(l.items[0]), found_cmp);
        *ret = l.items;
        *ret_n = l.n;
        return 0;
}

void cg_found_free(struct cg_found *f, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(f[i].unit);
                free(f[i].path);
        }
        free(f);
}
