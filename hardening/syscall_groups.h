/* SPDX-License-Identifier: MIT */
/*
 * The running systemd's system call groups (@mount, @privileged, ...), parsed from the text
 * that `systemd-analyze syscall-filter` prints. Membership changes between systemd releases,
 * so the scorer takes it from the systemd it scores against rather than from a table of ours.
 *
 * The text is a sequence of blocks: a line "@name", an indented "# description" line, then
 * indented members, each a system call name or another group "@x" (expanded recursively).
 * Blocks are separated by blank lines. A trailing section of "#"-prefixed lines (system
 * calls in no group, and a note about the kernel's list) carries no group and is skipped.
 *
 * Which names exist on the native architecture is a second question: systemd skips group
 * members its libseccomp cannot resolve (clock_adjtime64 on x86-64, say). By default the
 * answer comes from the kernel headers this file was compiled against (__NR_* macros);
 * syscall_groups_set_native() replaces it, e.g. with syscall_native_libseccomp(), the same
 * resolver systemd uses.
 *
 * Ownership: a struct syscall_groups owns every string in it; syscall_groups_free() releases
 * all. Thread-safety: building and syscall_groups_set_native() need exclusive access; once
 * built, every const function may be called from any number of threads at once.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* One group as printed: name with its '@', members in printed order. */
struct syscall_group {
        char *name;
        char *description; /* NULL when none was printed */
        char **members;    /* syscall names and "@group" references */
        size_t n_members;
};

/* Whether a system call name exists on the native architecture. */
typedef bool (*syscall_native_fn)(const char *name, void *userdata);

struct syscall_groups {
        struct syscall_group *groups;
        size_t n_groups;
        syscall_native_fn native; /* never NULL once parsed */
        void *native_userdata;
};

/*
 * Parses size bytes of `systemd-analyze syscall-filter` output (need not be NUL-terminated).
 * Returns 0 and a new table in *ret, -EBADMSG for text of another shape (a member before any
 * group, a duplicate group, a reference to a group that is not defined, no group at all),
 * -ENOMEM. *ret is written only on success.
 */
int syscall_groups_parse(const char *text, size_t size, struct syscall_groups **ret);

/* Accepts NULL. */
void syscall_groups_free(struct syscall_groups *g);

static inline void syscall_groups_freep(struct syscall_groups **g)
{
        syscall_groups_free(*g);
}

/* Replaces the native-architecture predicate; NULL restores the built-in one. */
void syscall_groups_set_native(struct syscall_groups *g, syscall_native_fn fn, void *userdata);

/* The built-in predicate: the name has a __NR_ macro in the kernel headers we were built with. */
bool syscall_native_builtin(const char *name, void *userdata);

/*
 * libseccomp's own answer, loaded with dlopen("libseccomp.so.2") so that unitwatch does not
 * link it: returns 0 and the predicate and its userdata (pass both to
 * syscall_groups_set_native()), or -ENOENT when the library or its symbol is missing. The
 * library stays loaded for the life of the process. Thread-safe.
 */
int syscall_native_libseccomp(syscall_native_fn *ret_fn, void **ret_userdata);

/* The group called name ("@mount"), or NULL. */
const struct syscall_group *syscall_groups_find(const struct syscall_groups *g, const char *name);

/* Whether name exists on the native architecture, by the table's predicate. */
bool syscall_groups_is_native(const struct syscall_groups *g, const char *name);

/*
 * Calls visit for every system call of the group called name, sub-groups expanded
 * recursively, in printed order; a name reached twice is visited twice. Non-native names are
 * visited too (filter with syscall_groups_is_native()). When visit returns true the walk
 * stops and 1 is returned; 0 after a complete walk; -ENOENT when name or a group it refers
 * to is unknown; -ELOOP when groups nest deeper than 16 (a cycle).
 */
int syscall_groups_expand(const struct syscall_groups *g, const char *name,
                          bool (*visit)(const char *syscall, void *userdata), void *userdata);
