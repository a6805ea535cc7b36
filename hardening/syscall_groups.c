/* SPDX-License-Identifier: MIT */
#include "syscall_groups.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/util.h"
#include "syscall_native_table.h"

/* Deeper nesting than this can only be a cycle: systemd's deepest is @known > @obsolete. */
#define SYSCALL_GROUPS_MAX_DEPTH 16

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool syscall_native_builtin(const char *name, void *userdata)
{
        (void)userdata;
        return bsearch(&name, syscall_native_names, ARRAY_SIZE(syscall_native_names),
                       sizeof(syscall_native_names[0]), compare_names) != NULL;
}

typedef int (*seccomp_resolve_name_fn)(const char *name);

static bool syscall_native_seccomp(const char *name, void *userdata)
{
        seccomp_resolve_name_fn resolve = (seccomp_resolve_name_fn)userdata;

        /* Negative: a pseudo-number for another architecture's call, or unknown. */
        return resolve(name) >= 0;
}

int syscall_native_libseccomp(syscall_native_fn *ret_fn, void **ret_userdata)
{
        void *lib, *sym;

        lib = dlopen("libseccomp.so.2", RTLD_NOW | RTLD_LOCAL);
        if (!lib)
                return -ENOENT;
        sym = dlsym(lib, "seccomp_syscall_resolve_name");
        if (!sym) {
                (void)dlclose(lib);
                return -ENOENT;
        }
        *ret_fn = syscall_native_seccomp;
        *ret_userdata = sym;
        return 0;
}

static void group_release(struct syscall_group *grp)
{
        free(grp->name);
        free(grp->description);
        for (size_t i = 0; i < grp->n_members; i++)
                free(grp->members[i]);
        free(grp->members);
}

void syscall_groups_free(struct syscall_groups *g)
{
        if (!g)
                return;
        for (size_t i = 0; i < g->n_groups; i++)
                group_release(&g->groups[i]);
        free(g->groups);
        free(g);
}

void syscall_groups_set_native(struct syscall_groups *g, syscall_native_fn fn, void *userdata)
{
        g->native = fn ? fn : syscall_native_builtin;
        g->native_userdata = fn ? userdata : NULL;
}

const struct syscall_group *syscall_groups_find(const struct syscall_groups *g, const char *name)
{
        for (size_t i = 0; i < g->n_groups; i++)
                if (streq(g->groups[i].name, name))
                        return &g->groups[i];
        return NULL;
}

bool syscall_groups_is_native(const struct syscall_groups *g, const char *name)
{
        return g->native(name, g->native_userdata);
}

/* A group name or member: '@' optional, then [a-z0-9_-], at least one. */
static bool valid_name(const char *s, size_t n)
{
        size_t i = s[0] == '@' ? 1 : 0;

        if (n <= i)
                return false;
        for (; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
                      s[i] == '-'))
                        return false;
        return true;
}

static int add_member(struct syscall_group *grp, const char *s, size_t n)
{
        char **m, *dup;

        dup = strndup(s, n);
        if (!dup)
                return -ENOMEM;
        m = reallocarray(grp->members, grp->n_members + 1, sizeof(*m));
        if (!m) {
                free(dup);
                return -ENOMEM;
        }
        m[grp->n_members++] = dup;
        grp->members = m;
        return 0;
}

static int add_group(struct syscall_groups *g, const char *s, size_t n)
{
        struct syscall_group *gs;
        char *dup;

        dup = strndup(s, n);
        if (!dup)
                return -ENOMEM;
        if (syscall_groups_find(g, dup)) {
                free(dup);
                return -EBADMSG;
        }
        gs = reallocarray(g->groups, g->n_groups + 1, sizeof(*gs));
        if (!gs) {
                free(dup);
                return -ENOMEM;
        }
        gs[g->n_groups++] = (struct syscall_group){.name = dup};
        g->groups = gs;
        return 0;
}

static int parse_line(struct syscall_groups *g, struct syscall_group **cur, const char *s, size_t n)
{
        size_t indent = 0;

        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
                n--;
        while (indent < n && (s[indent] == ' ' || s[indent] == '\t'))
                indent++;
        s += indent;
        n -= indent;

        /* Blank lines end a block; unindented comments open the trailing notes. */
        if (n == 0) {
                *cur = NULL;
                return 0;
        }
        if (s[0] == '#') {
                if (indent == 0) {
                        *cur = NULL;
                        return 0;
                }
                if (!*cur)
                        return 0;
                if (!(*cur)->description) {
                        const char *d = s + 1;
                        size_t dn = n - 1;

                        while (dn > 0 && *d == ' ') {
                                d++;
                                dn--;
                        }
                        (*cur)->description = strndup(d, dn);
                        if (!(*cur)->description)
                                return -ENOMEM;
                }
                return 0;
        }

        if (indent == 0) {
                int r;

                if (s[0] != '@' || !valid_name(s, n))
                        return -EBADMSG;
                r = add_group(g, s, n);
                if (r < 0)
                        return r;
                *cur = &g->groups[g->n_groups - 1];
                return 0;
        }

        if (!*cur || !valid_name(s, n))
                return -EBADMSG;
        return add_member(*cur, s, n);
}

/* Every "@x" member must name a group of the table. */
static int check_references(const struct syscall_groups *g)
{
        for (size_t i = 0; i < g->n_groups; i++)
                for (size_t j = 0; j < g->groups[i].n_members; j++) {
                        const char *m = g->groups[i].members[j];

                        if (m[0] == '@' && !syscall_groups_find(g, m))
                                return -EBADMSG;
                }
        return 0;
}

int syscall_groups_parse(const char *text, size_t size, struct syscall_groups **ret)
{
        _cleanup_(syscall_groups_freep) struct syscall_groups *g = NULL;
        struct syscall_group *cur = NULL;
        size_t pos = 0;
        int r;

        g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->native = syscall_native_builtin;

        while (pos < size) {
                const char *line = text + pos, *nl;
                size_t n;

                nl = memchr(line, '\n', size - pos);
                n = nl ? (size_t)(nl - line) : size - pos;
                if (memchr(line, '\0', n))
                        return -EBADMSG;
                r = parse_line(g, &cur, line, n);
                if (r < 0)
                        return r;
                pos += n + 1;
        }

        if (g->n_groups == 0)
                return -EBADMSG;
        r = check_references(g);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(g);
        return 0;
}

static int expand(const struct syscall_groups *g, const struct syscall_group *grp, unsigned depth,
                  bool (*visit)(const char *syscall, void *userdata), void *userdata)
{
        if (depth >= SYSCALL_GROUPS_MAX_DEPTH)
                return -ELOOP;

        for (size_t i = 0; i < grp->n_members; i++) {
                const char *m = grp->members[i];

                if (m[0] == '@') {
                        const struct syscall_group *sub = syscall_groups_find(g, m);
                        int r;

                        if (!sub)
                                return -ENOENT;
                        r = expand(g, sub, depth + 1, visit, userdata);
                        if (r != 0)
                                return r;
                        continue;
                }
                if (visit(m, userdata))
                        return 1;
        }
        return 0;
}

int syscall_groups_expand(const struct syscall_groups *g, const char *name,
                          bool (*visit)(const char *syscall, void *userdata), void *userdata)
{
        const struct syscall_group *grp = syscall_groups_find(g, name);

        if (!grp)
                return -ENOENT;
        return expand(g, grp, 0, visit, userdata);
}
