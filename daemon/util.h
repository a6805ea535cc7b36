/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by every module: scope-bound cleanup, ownership transfer and a few
 * string predicates. Header-only; no state, safe from any thread.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
        free(*(void **)p);
}

static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                (void)close(*fd);
                errno = saved;
        }
}

static inline void fclosep(FILE **f)
{
        if (*f)
                (void)fclose(*f);
}

#define _cleanup_(f)     __attribute__((cleanup(f)))
#define _cleanup_free_   _cleanup_(freep)
#define _cleanup_close_  _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand a pointer (or fd) out of a cleanup scope: returns the value, leaves NULL (-1) behind. */
#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _tp = (p);                                                           \
                (p) = NULL;                                                                        \
                _tp;                                                                               \
        })
#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _tf = (fd);                                                                    \
                (fd) = -1;                                                                         \
                _tf;                                                                               \
        })

static inline int safe_close(int fd)
{
        if (fd >= 0)
                (void)close(fd);
        return -1;
}

static inline bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

/* For log messages: "n/a" instead of NULL. */
static inline const char *strna(const char *s)
{
        return s ? s : "n/a";
}

static inline bool endswith(const char *s, const char *suffix)
{
        size_t ls = strlen(s), lx = strlen(suffix);
        return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

/* Negative errno of the last libc failure, never 0 even if errno was left unset. */
static inline int negative_errno(void)
{
        return errno > 0 ? -errno : -EIO;
}
