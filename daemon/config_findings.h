/* SPDX-License-Identifier: MIT */
/*
 * Config findings: per unit, the settings of its unit files that are not in effect. Two
 * sources, joined per file and line:
 *   - the journal: what PID 1 logged against the unit's files when it loaded them (entries
 *     with CONFIG_FILE= and CONFIG_LINE=, this boot, since the last daemon-reload seen), in
 *     systemd's own words; kept only while the file still holds that line (a fixed file
 *     clears it at once);
 *   - the files themselves (fragment, then drop-ins, as the bus lists them), read the way
 *     systemd reads them: near-miss keys (`CpuQuota`), keys in the wrong section, stray `~`
 *     in SystemCallFilter= lines, and the effective value of the resource and sandbox
 *     settings compared with the property on the bus (mismatch).
 * The journal needs read access (group systemd-journal); without it the files alone are used.
 *
 * A thread of its own does the work, never the collection or an HTTP thread: it checks a unit
 * when it first appears, when its files change (FragmentPath, DropInPaths) and after every
 * daemon-reload. Results are immutable JSON arrays shared by reference with the snapshots.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../collectors/config_msg.h"
#include "../collectors/unit_props.h"

struct uw_snapshot;

/* One journal entry of PID 1 about a unit file line. */
struct findings_journal_line {
        char *file;
        unsigned line;
        char *message;
};

void findings_journal_lines_free(struct findings_journal_line *l, size_t n);

/*
 * The findings of one unit as a JSON array of {"file", "line", "section", "key", "value",
 * "kind", "reason", "source"} (source "journal", "unit-file" or "bus"), in file order. Reads
 * the unit's files; journal lines may be NULL. Pure otherwise: for tests.
 */
int findings_check_unit(const struct unit_props *p, const struct findings_journal_line *jl,
                        size_t n_jl, json_t **ret);

struct findings_checker;

/* Starts the thread; with use_journal false only the files are read (tests, --no-journal). */
int findings_checker_new(bool use_journal, struct findings_checker **ret);
void findings_checker_free(struct findings_checker *fc);

/*
 * Hands over a published snapshot (takes a reference) with the bus's reload count and the
 * CLOCK_REALTIME start of the last reload (0: none seen). Cheap; never waits for a check.
 */
void findings_checker_submit(struct findings_checker *fc, struct uw_snapshot *s,
                             unsigned long reloads, uint64_t reload_started_usec);

/* Attaches each unit's latest findings to s (uw_unit.config_findings), before publishing. */
void findings_checker_annotate(struct findings_checker *fc, struct uw_snapshot *s);

/* Whether the journal could be read at the last check. */
bool findings_checker_journal_ok(struct findings_checker *fc);
