/* SPDX-License-Identifier: MIT */
/*
 * The scoring thread. After each published snapshot the collection thread hands it over
 * (scorer_submit()); the thread scores every loaded service whose sandboxing properties
 * changed since it last scored it (the properties are an immutable object replaced on
 * change, so a pointer comparison finds them) and keeps a compact result per unit: the
 * exposure, the label and each check's badness. Readers copy results out under a mutex;
 * nothing waits for a scoring pass.
 *
 * What it scores against comes from the running systemd once at start (scorer_probe()):
 * the syscall groups of `systemd-analyze syscall-filter` and the row set of
 * `systemd-analyze security --json=short`.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../daemon/snapshot.h"
#include "drift_store.h"
#include "score.h"
#include "syscall_groups.h"

struct scorer;

/*
 * Asks the running systemd for its syscall groups and its row set (by scoring
 * probe_unit with systemd-analyze). *ret_groups is NULL when systemd-analyze is missing;
 * *ret_fields NULL when the row set could not be read (then every row of ours is used).
 * Logs what it found. Never fails the daemon.
 */
void scorer_probe(const char *probe_unit, struct syscall_groups **ret_groups, char ***ret_fields);

/*
 * Takes over groups and fields (either may be NULL) and starts the thread. With state_dir,
 * baselines and drift events persist there (see drift_store.h); the last scored state of
 * each unit goes to state_dir/last-scored, so changes made while the daemon was down are
 * noticed at the next start.
 */
int scorer_new(struct syscall_groups *groups, char **fields, const char *state_dir,
               struct scorer **ret);

/*
 * Accepts the unit's current (last scored) state as its baseline, persisted. -ENOENT for a
 * unit never scored, -ENODATA without scores. Thread-safe.
 */
int scorer_accept_baseline(struct scorer *s, const char *unit, unsigned *ret_exposure);

/*
 * Accepted exceptions: changes of check checks[i] on units matching the glob units[i] are no
 * drift (no event, no regression). Copies the NULL-terminated lists. Thread-safe.
 */
int scorer_set_accepted(struct scorer *s, char *const *units, char *const *checks);

/* A score as a baseline record: exposure and each check's setting and state. */
int scorer_baseline_of(const char *unit, const struct score_result *res, double now,
                       struct drift_baseline *ret);

/* The drift journal (NULL without scores); thread-safe on its own. */
struct drift_store *scorer_drift(struct scorer *s);

/* Stops the thread and frees everything. */
void scorer_free(struct scorer *s);

/* Hands over a new snapshot (takes a reference); the thread scores it soon. */
void scorer_submit(struct scorer *s, struct uw_snapshot *snap);

/* True once a whole snapshot has been scored (or scoring is impossible: no groups). */
bool scorer_ready(struct scorer *s);

/* Whether scores exist at all (systemd-analyze was found). */
bool scorer_enabled(const struct scorer *s);

struct unit_exposure {
        char name[256];
        unsigned exposure; /* tenths */
        unsigned n_failed;
        bool listed; /* systemd-analyze security would list it (not oneshot) */
        bool has_baseline;
        unsigned baseline_exposure; /* tenths */
        unsigned regressions;       /* drift events of kind regression, ever */
        /*
         * Against the baseline, leaving accepted exceptions aside: checks failing now that did
         * not fail then, and whether the unit is less hardened at all (such a check, or a
         * higher exposure from a changed setting).
         */
        unsigned regressed_checks;
        bool regressed;
};

/* A copy of every unit's exposure, sorted by name; caller frees *ret. */
int scorer_exposures(struct scorer *s, struct unit_exposure **ret, size_t *ret_n);

/*
 * Scores one unit of a snapshot now, for the detail view (the same pure function the thread
 * uses; microseconds). -ENOENT when the unit has no properties or is not loaded, -ENODATA
 * when scoring is disabled.
 */
int scorer_score_unit(const struct scorer *s, const struct uw_unit *u, struct score_result *ret);
