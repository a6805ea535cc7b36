/* SPDX-License-Identifier: MIT */
/*
 * Reads systemd unit files (a fragment and its drop-ins) the way systemd's parser splits them:
 * sections, `Key=Value` assignments with whitespace trimmed, `#`/`;` comment lines, and lines
 * ending in a backslash continued on the next (the backslash becomes a space; comment lines
 * inside a continuation are skipped). Each assignment carries the line number systemd reports
 * for it: the last physical line of a continued assignment. Values are not interpreted.
 *
 * Also the settings knowledge the config findings need: which keys exist in which section
 * (for "did you mean" and "wrong section"), and how to read the few values compared against
 * the bus. Pure functions, no state, safe from any thread.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct unit_file_entry {
        char *section; /* "Service"; NULL before the first section header */
        char *key;     /* NULL for a section header line or a line without '=' */
        char *value;   /* NULL for a section header line */
        unsigned line;
        bool header;     /* a "[Section]" line */
        bool missing_eq; /* an assignment line without '=' (systemd ignores it) */
};

struct unit_file {
        char *path;
        struct unit_file_entry *entries; /* in file order */
        size_t n_entries;
};

/* Splits text (NUL-terminated) into entries. -ENOMEM on failure. */
int unit_file_parse_text(const char *path, const char *text, struct unit_file *ret);
/* Reads and parses path (at most 1 MiB, like systemd's own bound on unit files). */
int unit_file_load(const char *path, struct unit_file *ret);
void unit_file_release(struct unit_file *f);

/* The entry at line, or NULL. */
const struct unit_file_entry *unit_file_at_line(const struct unit_file *f, unsigned line);

/*
 * The section a known key belongs in ("Unit", "Service", "Install"), for keys unitwatch knows
 * (the resource and sandbox settings and the common ones); NULL when unknown. Exact match.
 */
const char *unit_key_section(const char *key);
/* A known key that equals key ignoring case (the spelling systemd wanted), or NULL. */
const char *unit_key_near_miss(const char *key);

/* systemd's boolean words: 1 yes y true t on / 0 no n false f off, any case. -EINVAL else. */
int unit_parse_boolean(const char *v);
/*
 * A byte size with systemd's base-1024 suffixes (K, M, G, T, P, E) or "infinity" (UINT64_MAX).
 * -EINVAL for anything else, including percentages (relative to RAM: not compared).
 */
int unit_parse_bytes(const char *v, uint64_t *ret);
/* CPUQuota=: "70%" as CPUQuotaPerSecUSec (700000); "" is unlimited. -EINVAL otherwise. */
int unit_parse_cpu_quota(const char *v, uint64_t *ret);
/* TasksMax=: a number or "infinity"; percentages are -EINVAL (not compared). */
int unit_parse_tasks(const char *v, uint64_t *ret);
