/* SPDX-License-Identifier: MIT */
/*
 * The drift store: what the hardening drift detector remembers across restarts. Per unit, a
 * baseline (the accepted exposure and each check's value and state); and an append-only
 * journal of drift events (a check, or the exposure alone, changed for better or worse).
 *
 * Files, in the state directory (created with mode 0750 if missing; its parent must exist):
 *   baselines.json  {"schema": 1, "baselines": {"<unit>": {"exposure": 42, "time": 1.7e9,
 *                   "checks": [{"json_field": ..., "value": ..., "state": "pass"}, ...]}}}
 *                   rewritten atomically (temp file, fsync, rename, fsync dir) on every set.
 *   drift.jsonl     a header line {"schema": 1, "dropped": N, "dropped_by_unit": {...}}, then
 *                   one event object per line, appended with write + fdatasync. Once it holds
 *                   1.25 x max_events events it is rewritten atomically with the newest
 *                   max_events (compaction), the header carrying the count of those shed.
 * A kill -9 loses at most the event being appended: on open, an incomplete last line is
 * dropped (and cut off the file) with a warning. Anything else wrong with a file (invalid
 * JSON before the last line, another schema version, unreadable) moves it aside to
 * "<name>.corrupt-<unix time>" with a warning saying why, and the store starts empty.
 *
 * When the directory cannot be created or written at open (or a corrupt file cannot be moved
 * aside), the store works in memory only, says so once in the log and drift_store_persistent()
 * returns false for its lifetime. A write that fails later (disk full) keeps the change in
 * memory, is counted (drift_store_write_failures()) and logged once per errno until a write
 * succeeds again; the next successful rewrite (set or compaction) puts it on disk.
 *
 * Strings are stored as JSON strings, so they must be valid UTF-8 (any code point but NUL);
 * a unit name is non-empty and has no '/'. Anything else is -EINVAL and changes nothing.
 *
 * Bounds: at most max_events events are kept; appending beyond drops the oldest, counted in
 * drift_store_dropped() and, per unit, still in drift_store_count() (a counter that never
 * goes down, also across restarts). Baselines are not bounded (one per unit ever set).
 *
 * Ownership: the store copies everything it is given; what it hands out (a baseline, a JSON
 * array, a unit list) belongs to the caller.
 * Thread-safety: every function may be called from any thread; one mutex inside serialises
 * them, held across the disk writes (an append costs an fdatasync, a set rewrites the file).
 */
#pragma once

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "score.h"

#define DRIFT_STORE_DIR_DEFAULT        "/var/lib/unitwatch"
#define DRIFT_STORE_MAX_EVENTS_DEFAULT 10000
#define DRIFT_STORE_SCHEMA             1
/* The check of an event for a change of the overall exposure alone. */
#define DRIFT_CHECK_EXPOSURE "exposure"

enum drift_kind {
        DRIFT_REGRESSION,
        DRIFT_IMPROVEMENT,
        _DRIFT_KIND_MAX,
        _DRIFT_KIND_INVALID = -EINVAL,
};

/* "regression", "improvement"; NULL for anything else. */
const char *drift_kind_to_string(enum drift_kind k);
/* The reverse; _DRIFT_KIND_INVALID for NULL or an unknown name. */
enum drift_kind drift_kind_from_string(const char *s);

struct drift_baseline_check {
        char *json_field;       /* "ProtectSystem" */
        char *value;            /* "ProtectSystem=full" */
        enum score_state state; /* stored as "pass", "fail", "n/a" */
};

/* A unit's accepted state. Filled by drift_store_get_baseline(); when passed in, only read. */
struct drift_baseline {
        char *unit;
        unsigned exposure; /* tenths, 0..100 */
        double time;       /* when it was taken, seconds since the epoch */
        size_t n_checks;
        struct drift_baseline_check *checks;
};

/* Frees what drift_store_get_baseline() put in *b and zeroes it. NULL and zeroed are fine. */
void drift_baseline_release(struct drift_baseline *b);

/* One drift event; all pointers borrowed for the call. Its JSON has exactly these keys:
 * time, unit, check, old, new, exposure_old, exposure_new, kind, fragment_path,
 * drop_in_paths, invocation_id. */
struct drift_event {
        double time; /* seconds since the epoch, finite */
        const char *unit;
        const char *check;                   /* a json_field, or DRIFT_CHECK_EXPOSURE */
        const char *old_value, *new_value;   /* "old", "new": the setting; NULL = JSON null */
        unsigned exposure_old, exposure_new; /* tenths, 0..100 */
        enum drift_kind kind;
        const char *fragment_path; /* NULL = null */
        const char *const *drop_in_paths;
        size_t n_drop_in_paths;
        const char *invocation_id; /* 32 hex digits, or NULL = null */
};

struct drift_store;

/*
 * Opens (creating as needed) the store in dir, keeping at most max_events events (0 = the
 * default). Never fails for the directory's or the files' sake (see above: memory only, or
 * files moved aside); returns 0, -EINVAL (no dir), -ERANGE (max_events above 10,000,000) or
 * -ENOMEM.
 */
int drift_store_open(const char *dir, size_t max_events, struct drift_store **ret);
void drift_store_free(struct drift_store *s);

/* False when the store lives in memory only (decided at open; never changes after). */
bool drift_store_persistent(const struct drift_store *s);

/* A copy of the unit's baseline; -ENOENT when it has none. Release with
 * drift_baseline_release(). */
int drift_store_get_baseline(struct drift_store *s, const char *unit, struct drift_baseline *ret);

/*
 * Sets (replaces) the baselines of n units, b[i].unit naming each, with one file write.
 * Returns 1 when written to disk, 0 when kept in memory only (memory-only store, or the
 * write failed: logged and counted), -EINVAL for an invalid baseline (nothing changed).
 */
int drift_store_set_baselines(struct drift_store *s, const struct drift_baseline *b, size_t n);
int drift_store_set_baseline(struct drift_store *s, const struct drift_baseline *b);

/* The names of the units with a baseline, sorted, NULL-terminated; free with
 * drift_unit_list_free(). */
int drift_store_baseline_units(struct drift_store *s, char ***ret);
void drift_unit_list_free(char **l);

/*
 * Appends one event. Returns 1 when it is on disk (fdatasync'ed), 0 when it is kept in
 * memory only (as for set), -EINVAL for an invalid event, -ENOMEM; on < 0 nothing changed.
 */
int drift_store_append(struct drift_store *s, const struct drift_event *e);

/*
 * The newest events first, as a new JSON array of event objects: only those of unit (exact
 * match) and of kind ("regression", "improvement") when non-NULL, at most limit of them
 * (0 = all kept). -EINVAL for an unknown kind.
 */
int drift_store_events_json(struct drift_store *s, const char *unit, const char *kind, size_t limit,
                            json_t **ret);

/* Events of kind ever appended for unit (NULL = all units), dropped ones included. */
int drift_store_count(struct drift_store *s, const char *unit, enum drift_kind kind, uint64_t *ret);

/* Events shed to stay within max_events, since the store's files were created. */
uint64_t drift_store_dropped(struct drift_store *s);

/* Failed disk writes since open. */
uint64_t drift_store_write_failures(struct drift_store *s);

/* Whole files written and renamed into place since the store was opened. Thread-safe. */
uint64_t drift_store_file_writes(struct drift_store *s);
