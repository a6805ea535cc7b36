/* SPDX-License-Identifier: MIT */
#include "blockdev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/util.h"

#define CACHE_SLOTS  128
#define CACHE_TTL_US (60u * 1000000u)

struct blockdev_entry {
        unsigned major, minor;
        uint64_t looked_up_usec;
        char name[BLOCKDEV_NAME_MAX];
};

struct blockdev_cache {
        char *sysfs_root;
        size_t n, next_evict;
        struct blockdev_entry e[CACHE_SLOTS];
};

int blockdev_cache_new(const char *sysfs_root, struct blockdev_cache **ret)
{
        struct blockdev_cache *c = calloc(1, sizeof(*c));

        if (!c)
                return -ENOMEM;
        c->sysfs_root = strdup(sysfs_root);
        if (!c->sysfs_root) {
                free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

void blockdev_cache_free(struct blockdev_cache *c)
{
        if (!c)
                return;
        free(c->sysfs_root);
        free(c);
}

/* DEVNAME= line of the uevent file; names may contain '/' ("mapper/x" is not, "cciss!c0d0"). */
static void lookup(const char *sysfs_root, struct blockdev_entry *e)
{
        char path[512], buf[1024];
        _cleanup_close_ int fd = -1;
        ssize_t n;
        const char *p;

        (void)snprintf(e->name, sizeof(e->name), "%u:%u", e->major, e->minor);
        (void)snprintf(path, sizeof(path), "%s/dev/block/%u:%u/uevent", sysfs_root, e->major,
                       e->minor);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return;
        buf[n] = '\0';
        for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                size_t len;

                if (strncmp(p, "DEVNAME=", 8) != 0)
                        continue;
                p += 8;
                len = strcspn(p, "\n");
                if (len == 0 || len >= sizeof(e->name))
                        return;
                memcpy(e->name, p, len);
                e->name[len] = '\0';
                return;
        }
}

const char *blockdev_name(struct blockdev_cache *c, unsigned major, unsigned minor,
                          uint64_t now_usec)
{
        struct blockdev_entry *e = NULL;

        for (size_t i = 0; i < c->n; i++)
                if (c->e[i].major == major && c->e[i].minor == minor) {
                        e = &c->e[i];
                        break;
                }
        if (e && now_usec - e->looked_up_usec < CACHE_TTL_US)
                return e->name;
        if (!e) {
                if (c->n < CACHE_SLOTS)
                        e = &c->e[c->n++];
                else
                        e = &c->e[c->next_evict++ % CACHE_SLOTS];
        }
        e->major = major;
        e->minor = minor;
        e->looked_up_usec = now_usec;
        lookup(c->sysfs_root, e);
        return e->name;
}
