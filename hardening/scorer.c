/* SPDX-License-Identifier: MIT */
#include "scorer.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "../daemon/log.h"
#include "../daemon/util.h"

extern char **environ;

#define PROBE_OUTPUT_MAX (4u << 20)

struct entry {
        char *name;
        json_t *sandbox; /* a reference: what was scored */
        char *load_state;
        struct unit_exposure e;
        struct drift_baseline last; /* the checks as last scored, to tell what changed */
};

struct scorer {
        struct syscall_groups *groups;
        char **fields;

        pthread_t thread;
        bool thread_started;
        pthread_mutex_t lock;
        pthread_cond_t wake;
        bool stop;
        bool ready;
        struct uw_snapshot *pending;

        struct entry *entries; /* sorted by name; guarded by lock */
        size_t n_entries;

        char **accept_units, **accept_checks; /* guarded by lock */
        struct drift_store *drift; /* accepted baselines and the event journal; may be NULL */
        struct drift_store *seen;  /* the last scored state per unit, across restarts */
};

/* Runs argv, returns its stdout (NUL-terminated) when it exits 0. */
static int run_capture(char *const argv[], char **ret, size_t *ret_len)
{
        posix_spawn_file_actions_t fa;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;
        int pipefd[2], status, r;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();
        (void)posix_spawn_file_actions_init(&fa);
        (void)posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        (void)posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
        (void)posix_spawn_file_actions_destroy(&fa);
        (void)close(pipefd[1]);
        if (r != 0) {
                (void)close(pipefd[0]);
                return -r;
        }
        for (;;) {
                ssize_t n;

                if (len + 4096 > cap) {
                        char *bigger;

                        if (cap >= PROBE_OUTPUT_MAX)
                                break;
                        cap = cap ? cap * 2 : 65536;
                        bigger = realloc(buf, cap);
                        if (!bigger)
                                break;
                        buf = bigger;
                }
                n = read(pipefd[0], buf + len, cap - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        (void)close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!buf || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -EIO;
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

void scorer_probe(const char *probe_unit, struct syscall_groups **ret_groups, char ***ret_fields)
{
        char *filter_argv[] = {(char *)"systemd-analyze", (char *)"syscall-filter",
                               (char *)"--no-pager", NULL};
        char *security_argv[] = {(char *)"systemd-analyze", (char *)"security",
                                 (char *)"--json=short",    (char *)"--no-pager",
                                 (char *)probe_unit,        NULL};
        _cleanup_free_ char *text = NULL;
        json_auto_t *rows = NULL;
        char **fields = NULL;
        size_t len, i;
        json_t *row;
        int r;

        *ret_groups = NULL;
        *ret_fields = NULL;
        r = run_capture(filter_argv, &text, &len);
        if (r >= 0)
                r = syscall_groups_parse(text, len, ret_groups);
        if (r < 0) {
                (void)log_warning_errno(r, "cannot read the syscall groups of this systemd "
                                           "(systemd-analyze syscall-filter: %m): hardening "
                                           "scores are disabled");
                return;
        }
        text = (free(text), NULL);

        r = run_capture(security_argv, &text, &len);
        rows = r >= 0 ? json_loadb(text, len, 0, NULL) : NULL;
        if (!json_is_array(rows)) {
                log_notice("cannot read the check rows of this systemd (systemd-analyze "
                           "security --json=short %s): scoring with every row we know",
                           probe_unit);
                return;
        }
        fields = calloc(json_array_size(rows) + 1, sizeof(char *));
        if (!fields)
                return;
        json_array_foreach(rows, i, row)
        {
                const char *f = json_string_value(json_object_get(row, "json_field"));

                if (f)
                        fields[i] = strdup(f);
        }
        log_info("scoring with this systemd's %zu checks and its syscall groups",
                 json_array_size(rows));
        *ret_fields = fields;
}

static void entry_release(struct entry *e)
{
        free(e->name);
        free(e->load_state);
        json_decref(e->sandbox);
        drift_baseline_release(&e->last);
}

int scorer_baseline_of(const char *unit, const struct score_result *res, double now,
                       struct drift_baseline *ret)
{
        struct drift_baseline b = {.exposure = res->exposure, .time = now};

        b.unit = strdup(unit);
        b.checks = calloc(res->n_checks ? res->n_checks : 1, sizeof(*b.checks));
        if (!b.unit || !b.checks) {
                drift_baseline_release(&b);
                return -ENOMEM;
        }
        for (size_t i = 0; i < res->n_checks; i++) {
                b.checks[i].json_field = strdup(res->checks[i].json_field);
                b.checks[i].value = strdup(res->checks[i].value);
                b.checks[i].state = res->checks[i].state;
                b.n_checks++;
                if (!b.checks[i].json_field || !b.checks[i].value) {
                        drift_baseline_release(&b);
                        return -ENOMEM;
                }
        }
        *ret = b;
        return 0;
}

static const struct drift_baseline_check *find_check(const struct drift_baseline *b,
                                                     const char *json_field)
{
        for (size_t i = 0; i < b->n_checks; i++)
                if (streq(b->checks[i].json_field, json_field))
                        return &b->checks[i];
        return NULL;
}

static int copy_baseline(const struct drift_baseline *src, struct drift_baseline *ret)
{
        *ret = (struct drift_baseline){.exposure = src->exposure, .time = src->time};
        ret->unit = strdup(src->unit);
        ret->checks = calloc(src->n_checks ? src->n_checks : 1, sizeof(*ret->checks));
        if (!ret->unit || !ret->checks) {
                drift_baseline_release(ret);
                return -ENOMEM;
        }
        for (size_t i = 0; i < src->n_checks; i++) {
                ret->checks[i].json_field = strdup(src->checks[i].json_field);
                ret->checks[i].value = strdup(src->checks[i].value);
                ret->checks[i].state = src->checks[i].state;
                ret->n_checks++;
                if (!ret->checks[i].json_field || !ret->checks[i].value) {
                        drift_baseline_release(ret);
                        return -ENOMEM;
                }
        }
        return 0;
}

static void strv_free(char **l)
{
        for (size_t i = 0; l && l[i]; i++)
                free(l[i]);
        free(l);
}

static char **strv_copy(char *const *l)
{
        size_t n = 0;
        char **c;

        while (l && l[n])
                n++;
        c = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; c && i < n; i++)
                if (!(c[i] = strdup(l[i]))) {
                        strv_free(c);
                        return NULL;
                }
        return c;
}

int scorer_set_accepted(struct scorer *s, char *const *units, char *const *checks)
{
        char **u = strv_copy(units), **c = strv_copy(checks);

        if (!u || !c) {
                strv_free(u);
                strv_free(c);
                return -ENOMEM;
        }
        (void)pthread_mutex_lock(&s->lock);
        strv_free(s->accept_units);
        strv_free(s->accept_checks);
        s->accept_units = u;
        s->accept_checks = c;
        (void)pthread_mutex_unlock(&s->lock);
        return 0;
}

static bool accepted(struct scorer *s, const char *unit, const char *json_field)
{
        bool r = false;

        (void)pthread_mutex_lock(&s->lock);
        for (size_t i = 0; !r && s->accept_units && s->accept_units[i]; i++)
                r = streq(s->accept_checks[i], json_field) &&
                    fnmatch(s->accept_units[i], unit, FNM_NOESCAPE) == 0;
        (void)pthread_mutex_unlock(&s->lock);
        return r;
}

/*
 * Compares what a unit's checks were with what they are and records a drift event per
 * changed check. A check that got worse (a pass or n/a turned fail), or a change that leaves
 * the exposure above the accepted baseline, is a regression; anything else an improvement.
 */
static void record_drift(struct scorer *s, const struct uw_unit *u,
                         const struct drift_baseline *prev, const struct drift_baseline *cur,
                         unsigned baseline_exposure, struct entry *e, double now)
{
        char invocation[33] = "";

        if (u->props.has_invocation_id)
                for (size_t i = 0; i < sizeof(u->props.invocation_id); i++)
                        (void)snprintf(invocation + 2 * i, 3, "%02x", u->props.invocation_id[i]);

        for (size_t i = 0; i < cur->n_checks; i++) {
                const struct drift_baseline_check *c = &cur->checks[i];
                const struct drift_baseline_check *o = find_check(prev, c->json_field);
                size_t n_dropins = 0;
                struct drift_event ev;
                bool worse;

                if (!o || (o->state == c->state && streq(o->value, c->value)))
                        continue;
                if (accepted(s, u->name, c->json_field)) {
                        log_debug("'%s': %s changed, an accepted exception", u->name,
                                  c->json_field);
                        continue;
                }
                worse = c->state == SCORE_FAIL && o->state != SCORE_FAIL;
                while (u->props.drop_in_paths && u->props.drop_in_paths[n_dropins])
                        n_dropins++;
                ev = (struct drift_event){
                        .time = now,
                        .unit = u->name,
                        .check = c->json_field,
                        .old_value = o->value,
                        .new_value = c->value,
                        .exposure_old = prev->exposure,
                        .exposure_new = cur->exposure,
                        .kind = worse || (cur->exposure > prev->exposure &&
                                          cur->exposure > baseline_exposure)
                                        ? DRIFT_REGRESSION
                                        : DRIFT_IMPROVEMENT,
                        .fragment_path = u->props.fragment_path,
                        .drop_in_paths = (const char *const *)u->props.drop_in_paths,
                        .n_drop_in_paths = n_dropins,
                        .invocation_id = invocation[0] ? invocation : NULL,
                };
                log_full_errno(
                        ev.kind == DRIFT_REGRESSION ? LOG_LEVEL_WARNING : LOG_LEVEL_NOTICE, 0,
                        u->name,
                        "hardening %s of '%s': %s was '%s', is '%s' (exposure %u.%u -> %u.%u)",
                        drift_kind_to_string(ev.kind), u->name, c->json_field, o->value, c->value,
                        prev->exposure / 10, prev->exposure % 10, cur->exposure / 10,
                        cur->exposure % 10);
                if (s->drift)
                        (void)drift_store_append(s->drift, &ev);
                if (ev.kind == DRIFT_REGRESSION)
                        e->e.regressions++;
        }
}

static int score_input_of(const struct uw_unit *u, struct score_input *ret)
{
        if (!u->has_props || !u->props.id || !endswith(u->props.id, ".service") ||
            !u->props.load_state || !streq(u->props.load_state, "loaded"))
                return -ENOENT;
        *ret = (struct score_input){
                .id = u->props.id,
                .load_state = u->props.load_state,
                .fragment_path = u->props.fragment_path,
                .sandbox = u->props.sandbox,
        };
        return 0;
}

int scorer_score_unit(const struct scorer *s, const struct uw_unit *u, struct score_result *ret)
{
        struct score_input in;
        int r;

        if (!s->groups)
                return -ENODATA;
        r = score_input_of(u, &in);
        if (r < 0)
                return r;
        return score_unit(&in, s->groups, (const char *const *)s->fields, ret);
}

struct baseline_list {
        struct drift_baseline *items;
        size_t n, cap;
};

static double realtime_now(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_REALTIME, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Compares a unit's current checks with its baseline; fills regressed_checks and regressed. */
static void compare_with_baseline(struct scorer *s, const char *unit,
                                  const struct drift_baseline *cur, struct unit_exposure *x)
{
        struct drift_baseline b = {};
        bool changed = false;

        x->regressed_checks = 0;
        x->regressed = false;
        if (!s->drift || drift_store_get_baseline(s->drift, unit, &b) < 0)
                return;
        for (size_t i = 0; i < cur->n_checks; i++) {
                const struct drift_baseline_check *c = &cur->checks[i];
                const struct drift_baseline_check *o = find_check(&b, c->json_field);

                if (!o || (o->state == c->state && streq(o->value, c->value)) ||
                    accepted(s, unit, c->json_field))
                        continue;
                changed = true;
                if (c->state == SCORE_FAIL && o->state != SCORE_FAIL)
                        x->regressed_checks++;
        }
        x->regressed = x->regressed_checks > 0 || (changed && cur->exposure > b.exposure);
        drift_baseline_release(&b);
}

/*
 * After a unit was scored: compare with its last scored state (in memory, or from the state
 * directory after a restart) and record what changed; the first score ever seen becomes
 * the unit's baseline. The new state goes to `changed` for one write at the end of the pass.
 */
/* Appends a copy of b; on allocation failure the list stays as it was. */
static int baseline_list_add(struct baseline_list *l, const struct drift_baseline *b)
{
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                struct drift_baseline *bigger = realloc(l->items, cap * sizeof(*bigger));

                if (!bigger)
                        return -ENOMEM;
                l->items = bigger;
                l->cap = cap;
        }
        if (copy_baseline(b, &l->items[l->n]) < 0)
                return -ENOMEM;
        l->n++;
        return 0;
}

static void baseline_list_release(struct baseline_list *l)
{
        for (size_t i = 0; i < l->n; i++)
                drift_baseline_release(&l->items[i]);
        free(l->items);
        *l = (struct baseline_list){};
}

/*
 * changed collects every scored unit's new state, first_seen the baselines of units seen for
 * the first time: each list is written with one file write at the end of the pass (a write
 * per unit rewrote the whole file each time: quadratic in the number of units).
 */
static void track_drift(struct scorer *s, const struct uw_unit *u, const struct entry *prev_entry,
                        const struct score_result *res, struct entry *e, double now,
                        struct baseline_list *changed, struct baseline_list *first_seen)
{
        struct drift_baseline cur, stored = {}, accepted = {};
        const struct drift_baseline *prev = NULL;
        bool have_stored = false;

        if (scorer_baseline_of(u->name, res, now, &cur) < 0)
                return;
        if (prev_entry && prev_entry->last.unit)
                prev = &prev_entry->last;
        else if (s->seen && drift_store_get_baseline(s->seen, u->name, &stored) >= 0) {
                prev = &stored;
                have_stored = true;
        }

        if (s->drift && !e->e.has_baseline) {
                uint64_t n = 0;

                if (drift_store_get_baseline(s->drift, u->name, &accepted) >= 0) {
                        e->e.has_baseline = true;
                        e->e.baseline_exposure = accepted.exposure;
                        drift_baseline_release(&accepted);
                } else if (baseline_list_add(first_seen, &cur) >= 0) {
                        /* The first score seen is the baseline until one is accepted. */
                        e->e.has_baseline = true;
                        e->e.baseline_exposure = cur.exposure;
                }
                if (drift_store_count(s->drift, u->name, DRIFT_REGRESSION, &n) >= 0)
                        e->e.regressions = (unsigned)n;
        }

        if (prev)
                record_drift(s, u, prev, &cur, e->e.has_baseline ? e->e.baseline_exposure : 0, e,
                             now);
        compare_with_baseline(s, u->name, &cur, &e->e);
        if (have_stored)
                drift_baseline_release(&stored);

        (void)baseline_list_add(changed, &cur);
        e->last = cur;
}

static bool stop_requested(struct scorer *s)
{
        bool stop;

        (void)pthread_mutex_lock(&s->lock);
        stop = s->stop;
        (void)pthread_mutex_unlock(&s->lock);
        return stop;
}

/* Scores what changed in snap; builds the next entry table outside the lock. */
static void score_snapshot(struct scorer *s, const struct uw_snapshot *snap,
                           struct score_result *scratch)
{
        struct entry *next, *old;
        size_t m = 0, j = 0, n_old;
        struct baseline_list changed = {}, first_seen = {};
        double now = realtime_now();
        bool first;

        /* The thread is the only writer: reading the table without the lock is safe. */
        old = s->entries;
        n_old = s->n_entries;
        next = calloc(snap->n_units ? snap->n_units : 1, sizeof(*next));
        if (!next)
                return;
        for (size_t i = 0; i < snap->n_units; i++) {
                const struct uw_unit *u = &snap->units[i];
                struct score_input in;
                struct entry e = {};

                /* A first pass over a big host takes a while: stopping must not wait for it. */
                if (i % 64 == 63 && stop_requested(s))
                        break;

                if (score_input_of(u, &in) < 0)
                        continue;
                while (j < n_old && strcmp(old[j].name, u->name) < 0)
                        j++;
                if (j < n_old && streq(old[j].name, u->name) &&
                    old[j].sandbox == u->props.sandbox) {
                        /* Unchanged: keep the result (the old table still owns it). */
                        e = old[j];
                        e.name = strdup(old[j].name);
                        e.load_state = old[j].load_state ? strdup(old[j].load_state) : NULL;
                        e.sandbox = json_incref(old[j].sandbox);
                        /* Moved under the lock: scorer_accept_baseline() reads .last. */
                        (void)pthread_mutex_lock(&s->lock);
                        e.last = old[j].last;
                        old[j].last = (struct drift_baseline){};
                        (void)pthread_mutex_unlock(&s->lock);
                } else {
                        const struct entry *prev_entry =
                                j < n_old && streq(old[j].name, u->name) ? &old[j] : NULL;

                        if (score_unit(&in, s->groups, (const char *const *)s->fields, scratch) < 0)
                                continue;
                        e.name = strdup(u->name);
                        e.sandbox = json_incref(u->props.sandbox);
                        e.e.exposure = scratch->exposure;
                        e.e.listed = score_unit_listed(&in);
                        for (size_t k = 0; k < scratch->n_checks; k++)
                                e.e.n_failed += scratch->checks[k].state == SCORE_FAIL;
                        if (prev_entry) {
                                e.e.regressions = prev_entry->e.regressions;
                                e.e.has_baseline = prev_entry->e.has_baseline;
                                e.e.baseline_exposure = prev_entry->e.baseline_exposure;
                        }
                        track_drift(s, u, prev_entry, scratch, &e, now, &changed, &first_seen);
                }
                if (!e.name) {
                        entry_release(&e);
                        continue;
                }
                (void)snprintf(e.e.name, sizeof(e.e.name), "%s", e.name);
                next[m++] = e;
        }

        /* New baselines and the last scored state of every unit that changed: a write each. */
        if (s->drift && first_seen.n > 0)
                (void)drift_store_set_baselines(s->drift, first_seen.items, first_seen.n);
        if (s->seen && changed.n > 0)
                (void)drift_store_set_baselines(s->seen, changed.items, changed.n);
        baseline_list_release(&first_seen);
        baseline_list_release(&changed);

        (void)pthread_mutex_lock(&s->lock);
        s->entries = next;
        s->n_entries = m;
        first = !s->ready;
        s->ready = true;
        (void)pthread_mutex_unlock(&s->lock);
        /* systemd hears READY=1 when /readyz would say ready: snapshot and scores. */
        if (first)
                (void)sd_notify(0, "READY=1");

        for (size_t i = 0; i < n_old; i++)
                entry_release(&old[i]);
        free(old);
}

static void *scorer_main(void *userdata)
{
        struct scorer *s = userdata;
        struct score_result *scratch = malloc(sizeof(*scratch));
        unsigned passes = 0;

        if (!scratch)
                return NULL;
        (void)pthread_mutex_lock(&s->lock);
        while (!s->stop) {
                struct uw_snapshot *snap = s->pending;

                if (!snap) {
                        (void)pthread_cond_wait(&s->wake, &s->lock);
                        continue;
                }
                s->pending = NULL;
                (void)pthread_mutex_unlock(&s->lock);

                struct timespec t0, t1;

                (void)clock_gettime(CLOCK_MONOTONIC, &t0);
                score_snapshot(s, snap, scratch);
                (void)clock_gettime(CLOCK_MONOTONIC, &t1);
                /* The first pass scores every service: worth saying how long it took. */
                log_full_errno(passes++ == 0 ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG, 0, NULL,
                               "scored %zu services in %.3f ms", s->n_entries,
                               (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                                       (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
                uw_snapshot_unref(snap);
                (void)pthread_mutex_lock(&s->lock);
        }
        (void)pthread_mutex_unlock(&s->lock);
        free(scratch);
        return NULL;
}

int scorer_new(struct syscall_groups *groups, char **fields, const char *state_dir,
               struct scorer **ret)
{
        struct scorer *s = calloc(1, sizeof(*s));

        if (!s)
                return -ENOMEM;
        s->groups = groups;
        s->fields = fields;
        if (groups && state_dir) {
                _cleanup_free_ char *seen_dir = NULL;

                /* Both stores fall back to memory by themselves when the directory fails. */
                (void)drift_store_open(state_dir, 0, &s->drift);
                if (asprintf(&seen_dir, "%s/last-scored", state_dir) >= 0)
                        (void)drift_store_open(seen_dir, 1, &s->seen);
        }
        (void)pthread_mutex_init(&s->lock, NULL);
        (void)pthread_cond_init(&s->wake, NULL);
        if (groups) {
                int r = pthread_create(&s->thread, NULL, scorer_main, s);

                if (r != 0) {
                        scorer_free(s);
                        return -r;
                }
                s->thread_started = true;
        }
        *ret = s;
        return 0;
}

void scorer_free(struct scorer *s)
{
        if (!s)
                return;
        if (s->thread_started) {
                (void)pthread_mutex_lock(&s->lock);
                s->stop = true;
                (void)pthread_cond_signal(&s->wake);
                (void)pthread_mutex_unlock(&s->lock);
                (void)pthread_join(s->thread, NULL);
        }
        uw_snapshot_unref(s->pending);
        for (size_t i = 0; i < s->n_entries; i++)
                entry_release(&s->entries[i]);
        free(s->entries);
        for (size_t i = 0; s->fields && s->fields[i]; i++)
                free(s->fields[i]);
        free(s->fields);
        syscall_groups_free(s->groups);
        drift_store_free(s->drift);
        drift_store_free(s->seen);
        strv_free(s->accept_units);
        strv_free(s->accept_checks);
        (void)pthread_cond_destroy(&s->wake);
        (void)pthread_mutex_destroy(&s->lock);
        free(s);
}

void scorer_submit(struct scorer *s, struct uw_snapshot *snap)
{
        struct uw_snapshot *old;

        if (!s->thread_started)
                return;
        (void)pthread_mutex_lock(&s->lock);
        old = s->pending;
        s->pending = uw_snapshot_ref(snap);
        (void)pthread_cond_signal(&s->wake);
        (void)pthread_mutex_unlock(&s->lock);
        uw_snapshot_unref(old); /* only the newest matters */
}

bool scorer_ready(struct scorer *s)
{
        bool r;

        if (!s->thread_started)
                return true;
        (void)pthread_mutex_lock(&s->lock);
        r = s->ready;
        (void)pthread_mutex_unlock(&s->lock);
        return r;
}

bool scorer_enabled(const struct scorer *s)
{
        return s->groups != NULL;
}

int scorer_exposures(struct scorer *s, struct unit_exposure **ret, size_t *ret_n)
{
        struct unit_exposure *out;
        size_t n;

        (void)pthread_mutex_lock(&s->lock);
        n = s->n_entries;
        out = malloc((n ? n : 1) * sizeof(*out));
        for (size_t i = 0; out && i < n; i++)
                out[i] = s->entries[i].e;
        (void)pthread_mutex_unlock(&s->lock);
        if (!out)
                return -ENOMEM;
        *ret = out;
        *ret_n = n;
        return 0;
}

struct drift_store *scorer_drift(struct scorer *s)
{
        return s->drift;
}

static int entry_cmp(const void *key, const void *elem)
{
        return strcmp(key, ((const struct entry *)elem)->name);
}

int scorer_accept_baseline(struct scorer *s, const char *unit, unsigned *ret_exposure)
{
        struct drift_baseline b = {};
        struct entry *e;
        int r;

        if (!s->drift)
                return -ENODATA;
        (void)pthread_mutex_lock(&s->lock);
        e = s->n_entries ? bsearch(unit, s->entries, s->n_entries, sizeof(*s->entries), entry_cmp)
                         : NULL;
        r = e && e->last.unit ? copy_baseline(&e->last, &b) : -ENOENT;
        (void)pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return r;

        b.time = realtime_now();
        r = drift_store_set_baseline(s->drift, &b);
        if (r >= 0) {
                (void)pthread_mutex_lock(&s->lock);
                e = bsearch(unit, s->entries, s->n_entries, sizeof(*s->entries), entry_cmp);
                if (e) {
                        e->e.has_baseline = true;
                        e->e.baseline_exposure = b.exposure;
                        e->e.regressed_checks = 0;
                        e->e.regressed = false;
                }
                (void)pthread_mutex_unlock(&s->lock);
                log_full_errno(LOG_LEVEL_NOTICE, 0, unit,
                               "accepted the current hardening of '%s' as its baseline "
                               "(exposure %u.%u)",
                               unit, b.exposure / 10, b.exposure % 10);
                *ret_exposure = b.exposure;
        }
        drift_baseline_release(&b);
        return r < 0 ? r : 0;
}
