/* SPDX-License-Identifier: MIT */
#include "drift_store.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../daemon/log.h"
#include "../daemon/util.h"

#define BASELINES_FILE    "baselines.json"
#define EVENTS_FILE       "drift.jsonl"
#define MAX_EVENTS_LIMIT  10000000
#define LOGGED_ERRORS_MAX 8
#define WHY_MAX           256

/* One kept event: its canonical JSON line (with the '\n') and what the filters need. */
struct event_rec {
        char *line;
        size_t len;
        char *unit;
        enum drift_kind kind;
};

/* Per unit: events ever appended (kept or dropped) and how many of them were dropped. */
struct unit_count {
        char *unit;
        uint64_t total[_DRIFT_KIND_MAX], dropped[_DRIFT_KIND_MAX];
};

struct drift_store {
        pthread_mutex_t lock;
        char *dir;
        int dir_fd;      /* -1 when the directory could not be opened */
        int events_fd;   /* drift.jsonl, O_APPEND; -1 in memory only */
        bool persistent; /* set at open, never changed after */
        size_t max_events;

        struct event_rec *ring; /* max_events slots; oldest at first */
        size_t first, n_events;
        uint64_t dropped;
        struct unit_count *units; /* sorted by name */
        size_t n_units, units_allocated;

        size_t file_events; /* event lines in drift.jsonl */
        off_t file_size;    /* its size up to the last complete line */
        bool tail_dirty;    /* a failed write may have left bytes past file_size */
        size_t compact_at;  /* rewrite drift.jsonl when it holds this many events */

        json_t *baselines; /* unit -> the object stored in baselines.json */

        uint64_t write_failures;
        uint64_t commits;                     /* files written and renamed into place */
        int logged_errors[LOGGED_ERRORS_MAX]; /* errnos logged since the last good write */
        size_t n_logged_errors;
};

static const char *const kind_names[_DRIFT_KIND_MAX] = {
        [DRIFT_REGRESSION] = "regression",
        [DRIFT_IMPROVEMENT] = "improvement",
};

const char *drift_kind_to_string(enum drift_kind k)
{
        if (k < 0 || k >= _DRIFT_KIND_MAX)
                return NULL;
        return kind_names[k];
}

enum drift_kind drift_kind_from_string(const char *s)
{
        if (!s)
                return _DRIFT_KIND_INVALID;
        for (int k = 0; k < _DRIFT_KIND_MAX; k++)
                if (streq(s, kind_names[k]))
                        return (enum drift_kind)k;
        return _DRIFT_KIND_INVALID;
}

static int score_state_from_string(const char *s)
{
        for (int i = 0; s && i < _SCORE_STATE_MAX; i++)
                if (streq(s, score_state_to_string((enum score_state)i)))
                        return i;
        return -EINVAL;
}

/* JSON carries UTF-8 only; jansson has no public check but refuses anything else. */
static bool utf8_valid(const char *s)
{
        json_t *j = json_string(s);

        json_decref(j);
        return j != NULL;
}

static bool unit_name_valid(const char *u)
{
        return u && *u && !strchr(u, '/') && utf8_valid(u);
}

static bool invocation_id_valid(const char *id)
{
        size_t i;

        for (i = 0; id[i]; i++)
                if (!strchr("0123456789abcdefABCDEF", id[i]))
                        return false;
        return i == 32;
}

static const char *errno_text(int r, char *buf, size_t size)
{
        return strerror_r(r < 0 ? -r : r, buf, size);
}

void drift_baseline_release(struct drift_baseline *b)
{
        if (!b)
                return;
        for (size_t i = 0; i < b->n_checks; i++) {
                free(b->checks[i].json_field);
                free(b->checks[i].value);
        }
        free(b->checks);
        free(b->unit);
        *b = (struct drift_baseline){0};
}

/* ---- Conversions between the C structs and their JSON ---- */

static int baseline_to_json(const struct drift_baseline *b, json_t **ret)
{
        json_auto_t *checks = json_array();

        if (!checks)
                return -ENOMEM;
        if (!unit_name_valid(b->unit) || b->exposure > 100 || !isfinite(b->time) ||
            (b->n_checks && !b->checks))
                return -EINVAL;
        for (size_t i = 0; i < b->n_checks; i++) {
                const struct drift_baseline_check *c = &b->checks[i];
                const char *state = score_state_to_string(c->state);

                if (!c->json_field || !*c->json_field || !c->value || !state)
                        return -EINVAL;
                if (json_array_append_new(checks,
                                          json_pack("{s:s, s:s, s:s}", "json_field", c->json_field,
                                                    "value", c->value, "state", state)) < 0)
                        return -EINVAL; /* invalid UTF-8 (or out of memory) */
        }
        *ret = json_pack("{s:I, s:f, s:O}", "exposure", (json_int_t)b->exposure, "time", b->time,
                         "checks", checks);
        return *ret ? 0 : -ENOMEM;
}

static int baseline_from_json(const char *unit, const json_t *o, struct drift_baseline *ret)
{
        _cleanup_(drift_baseline_release) struct drift_baseline b = {0};
        json_t *exposure = json_object_get(o, "exposure"), *t = json_object_get(o, "time"),
               *checks = json_object_get(o, "checks"), *c;
        size_t i;

        if (!unit_name_valid(unit) || !json_is_integer(exposure) ||
            json_integer_value(exposure) < 0 || json_integer_value(exposure) > 100 ||
            !json_is_number(t) || !isfinite(json_number_value(t)) || !json_is_array(checks))
                return -EBADMSG;

        b.unit = strdup(unit);
        b.checks = calloc(json_array_size(checks) ?: 1, sizeof(*b.checks));
        if (!b.unit || !b.checks)
                return -ENOMEM;
        b.exposure = (unsigned)json_integer_value(exposure);
        b.time = json_number_value(t);
        json_array_foreach(checks, i, c)
        {
                const char *f = json_string_value(json_object_get(c, "json_field"));
                const char *v = json_string_value(json_object_get(c, "value"));
                int state = score_state_from_string(json_string_value(json_object_get(c, "state")));

                if (!f || !*f || !v || state < 0)
                        return -EBADMSG;
                b.checks[i].json_field = strdup(f);
                b.checks[i].value = strdup(v);
                b.checks[i].state = (enum score_state)state;
                b.n_checks++;
                if (!b.checks[i].json_field || !b.checks[i].value)
                        return -ENOMEM;
        }
        *ret = b;
        b = (struct drift_baseline){0};
        return 0;
}

static int event_validate(const struct drift_event *e)
{
        if (!isfinite(e->time) || !unit_name_valid(e->unit) || !e->check || !*e->check ||
            e->exposure_old > 100 || e->exposure_new > 100 || !drift_kind_to_string(e->kind) ||
            (e->invocation_id && !invocation_id_valid(e->invocation_id)) ||
            (e->n_drop_in_paths && !e->drop_in_paths))
                return -EINVAL;
        for (size_t i = 0; i < e->n_drop_in_paths; i++)
                if (!e->drop_in_paths[i])
                        return -EINVAL;
        return 0;
}

static int event_to_json(const struct drift_event *e, json_t **ret)
{
        json_auto_t *drop_ins = json_array();
        int r;

        r = event_validate(e);
        if (r < 0)
                return r;
        if (!drop_ins)
                return -ENOMEM;
        for (size_t i = 0; i < e->n_drop_in_paths; i++)
                if (json_array_append_new(drop_ins, json_string(e->drop_in_paths[i])) < 0)
                        return -EINVAL;

        /* json_pack fails on invalid UTF-8 too; ENOMEM is the rarer cause, so: EINVAL. */
        *ret = json_pack("{s:f, s:s, s:s, s:s?, s:s?, s:I, s:I, s:s, s:s?, s:O, s:s?}", "time",
                         e->time, "unit", e->unit, "check", e->check, "old", e->old_value, "new",
                         e->new_value, "exposure_old", (json_int_t)e->exposure_old, "exposure_new",
                         (json_int_t)e->exposure_new, "kind", drift_kind_to_string(e->kind),
                         "fragment_path", e->fragment_path, "drop_in_paths", drop_ins,
                         "invocation_id", e->invocation_id);
        return *ret ? 0 : -EINVAL;
}

static bool string_or_null(const json_t *v)
{
        return json_is_string(v) || json_is_null(v);
}

/* Fills e with pointers into o; *ret_drop_ins (to free) holds the drop-in array. */
static int event_from_json(const json_t *o, struct drift_event *e, const char ***ret_drop_ins)
{
        json_t *t = json_object_get(o, "time"), *old = json_object_get(o, "old"),
               *new = json_object_get(o, "new"), *eo = json_object_get(o, "exposure_old"),
               *en = json_object_get(o, "exposure_new"),
               *fragment = json_object_get(o, "fragment_path"),
               *drop_ins = json_object_get(o, "drop_in_paths"),
               *invocation = json_object_get(o, "invocation_id"), *p;
        const char **paths;
        size_t i;

        *ret_drop_ins = NULL;
        if (!json_is_number(t) || !string_or_null(old) || !string_or_null(new) ||
            !json_is_integer(eo) || json_integer_value(eo) < 0 || json_integer_value(eo) > 100 ||
            !json_is_integer(en) || json_integer_value(en) < 0 || json_integer_value(en) > 100 ||
            !string_or_null(fragment) || !json_is_array(drop_ins) || !string_or_null(invocation))
                return -EBADMSG;
        paths = calloc(json_array_size(drop_ins) ?: 1, sizeof(*paths));
        if (!paths)
                return -ENOMEM;
        *ret_drop_ins = paths;
        json_array_foreach(drop_ins, i, p)
        {
                paths[i] = json_string_value(p);
                if (!paths[i])
                        return -EBADMSG;
        }
        *e = (struct drift_event){
                .time = json_number_value(t),
                .unit = json_string_value(json_object_get(o, "unit")),
                .check = json_string_value(json_object_get(o, "check")),
                .old_value = json_string_value(old),
                .new_value = json_string_value(new),
                .exposure_old = (unsigned)json_integer_value(eo),
                .exposure_new = (unsigned)json_integer_value(en),
                .kind = drift_kind_from_string(json_string_value(json_object_get(o, "kind"))),
                .fragment_path = json_string_value(fragment),
                .drop_in_paths = paths,
                .n_drop_in_paths = json_array_size(drop_ins),
                .invocation_id = json_string_value(invocation),
        };
        return event_validate(e) < 0 ? -EBADMSG : 0;
}

static void event_rec_done(struct event_rec *rec)
{
        free(rec->line);
        free(rec->unit);
        *rec = (struct event_rec){0};
}

static int event_rec_make(const struct drift_event *e, struct event_rec *ret)
{
        json_auto_t *o = NULL;
        _cleanup_free_ char *text = NULL, *unit = NULL;
        char *line;
        size_t len;
        int r;

        r = event_to_json(e, &o);
        if (r < 0)
                return r;
        text = json_dumps(o, JSON_COMPACT);
        unit = strdup(e->unit);
        if (!text || !unit)
                return -ENOMEM;
        len = strlen(text);
        line = realloc(text, len + 2);
        if (!line)
                return -ENOMEM;
        text = NULL;
        line[len] = '\n';
        line[len + 1] = '\0';
        *ret = (struct event_rec){
                .line = line, .len = len + 1, .unit = TAKE_PTR(unit), .kind = e->kind};
        return 0;
}

/* Parses one line of drift.jsonl (without its '\n') into a canonical record. */
static int event_rec_parse(const char *line, size_t len, struct event_rec *ret, char *why,
                           size_t why_size)
{
        _cleanup_free_ const char **drop_ins = NULL;
        json_auto_t *o = NULL;
        struct drift_event e;
        json_error_t err;
        int r;

        o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
        if (!o) {
                (void)snprintf(why, why_size, "invalid JSON at column %d: %s", err.column,
                               err.text);
                return -EBADMSG;
        }
        r = event_from_json(o, &e, &drop_ins);
        if (r == -EBADMSG)
                (void)snprintf(why, why_size, "not a drift event (a field is missing or wrong)");
        if (r < 0)
                return r;
        return event_rec_make(&e, ret);
}

/* ---- Kept events and per-unit counts ---- */

static int unit_count_cmp(const void *key, const void *elem)
{
        return strcmp(key, ((const struct unit_count *)elem)->unit);
}

static struct unit_count *unit_count_find(struct drift_store *s, const char *unit)
{
        if (s->n_units == 0) /* bsearch() wants a real array even when it is empty */
                return NULL;
        return bsearch(unit, s->units, s->n_units, sizeof(*s->units), unit_count_cmp);
}

/* Finds or adds the unit's counts. The pointer is good until the next call that adds one. */
static int unit_count_get(struct drift_store *s, const char *unit, struct unit_count **ret)
{
        size_t lo = 0, hi = s->n_units;
        char *name;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(unit, s->units[mid].unit);

                if (c == 0) {
                        *ret = &s->units[mid];
                        return 0;
                }
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        if (s->n_units == s->units_allocated) {
                size_t n = s->units_allocated ? s->units_allocated * 2 : 16;
                struct unit_count *u = reallocarray(s->units, n, sizeof(*u));

                if (!u)
                        return -ENOMEM;
                s->units = u;
                s->units_allocated = n;
        }
        name = strdup(unit);
        if (!name)
                return -ENOMEM;
        memmove(&s->units[lo + 1], &s->units[lo], (s->n_units - lo) * sizeof(*s->units));
        s->units[lo] = (struct unit_count){.unit = name};
        s->n_units++;
        *ret = &s->units[lo];
        return 0;
}

static struct event_rec *event_at(struct drift_store *s, size_t i)
{
        return &s->ring[(s->first + i) % s->max_events];
}

/* Keeps rec (taking it over), shedding the oldest event when full. uc is rec's unit. */
static void events_push(struct drift_store *s, struct event_rec *rec, struct unit_count *uc)
{
        uc->total[rec->kind]++;
        if (s->n_events == s->max_events) {
                struct event_rec *oldest = &s->ring[s->first];
                struct unit_count *ouc = unit_count_find(s, oldest->unit);

                if (ouc)
                        ouc->dropped[oldest->kind]++;
                s->dropped++;
                event_rec_done(oldest);
                *oldest = *rec;
                s->first = (s->first + 1) % s->max_events;
        } else {
                *event_at(s, s->n_events) = *rec;
                s->n_events++;
        }
        *rec = (struct event_rec){0};
}

static void events_reset(struct drift_store *s)
{
        for (size_t i = 0; i < s->n_events; i++)
                event_rec_done(event_at(s, i));
        for (size_t i = 0; i < s->n_units; i++)
                free(s->units[i].unit);
        s->first = s->n_events = s->n_units = 0;
        s->dropped = 0;
        s->file_events = 0;
        s->file_size = 0;
}

static size_t compact_slack(const struct drift_store *s)
{
        return s->max_events / 4 ?: 1;
}

/* ---- Files ---- */

static int read_all(int dir_fd, const char *name, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated;
        struct stat st;

        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        allocated = (size_t)st.st_size + 1;
        buf = malloc(allocated);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n;

                if (size + 1 >= allocated) {
                        char *b = realloc(buf, allocated * 2);

                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        allocated *= 2;
                }
                n = read(fd, buf + size, allocated - size - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                size += (size_t)n;
        }
        buf[size] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = size;
        return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return -EIO;
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

static void tmp_name(const char *name, char *buf, size_t size)
{
        (void)snprintf(buf, size, "%s.tmp", name);
}

/* Opens name's temp file, empty, for an atomic replacement. */
static int atomic_begin(struct drift_store *s, const char *name)
{
        char tmp[NAME_MAX + 1];
        int fd;

        tmp_name(name, tmp, sizeof(tmp));
        fd = openat(s->dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
        return fd < 0 ? negative_errno() : fd;
}

static void atomic_abort(struct drift_store *s, const char *name)
{
        char tmp[NAME_MAX + 1];

        tmp_name(name, tmp, sizeof(tmp));
        (void)unlinkat(s->dir_fd, tmp, 0);
}

static void note_write_failure(struct drift_store *s, int r, const char *what);

/* Makes fd's data durable and puts it in name's place. 0 once renamed (even should the
 * directory's fsync fail: then the failure is noted, the new file is in place). */
static int atomic_commit(struct drift_store *s, const char *name, int fd)
{
        char tmp[NAME_MAX + 1];

        tmp_name(name, tmp, sizeof(tmp));
        if (fdatasync(fd) < 0 || renameat(s->dir_fd, tmp, s->dir_fd, name) < 0) {
                int r = negative_errno();

                atomic_abort(s, name);
                return r;
        }
        s->commits++;
        if (fsync(s->dir_fd) < 0)
                note_write_failure(s, negative_errno(), "the state directory (fsync)");
        return 0;
}

/* Once per errno until a write succeeds again: a full disk must not flood the journal. */
static void note_write_failure(struct drift_store *s, int r, const char *what)
{
        s->write_failures++;
        for (size_t i = 0; i < s->n_logged_errors; i++)
                if (s->logged_errors[i] == r)
                        return;
        if (s->n_logged_errors < LOGGED_ERRORS_MAX)
                s->logged_errors[s->n_logged_errors++] = r;
        errno = -r;
        (void)log_warning_errno(r,
                                "cannot write %s in '%s': %m; keeping it in memory, writing "
                                "again with the next change (further such errors not logged)",
                                what, s->dir);
}

static void note_write_success(struct drift_store *s)
{
        if (s->n_logged_errors == 0)
                return;
        s->n_logged_errors = 0;
        log_notice("writing drift state in '%s' works again", s->dir);
}

/* Only while opening: from here on, the store never touches the disk again. */
static void go_memory_only(struct drift_store *s, int r, const char *what)
{
        if (!s->persistent)
                return;
        s->persistent = false;
        s->events_fd = safe_close(s->events_fd);
        errno = -r;
        (void)log_warning_errno(r,
                                "cannot use state directory '%s' (%s: %m): drift baselines and "
                                "events are kept in memory only and lost at exit",
                                s->dir, what);
}

/* Moves an unusable file out of the way, never over an earlier one. */
static int move_aside(struct drift_store *s, const char *name, const char *why)
{
        char aside[NAME_MAX + 1];
        long long now = (long long)time(NULL);
        int r = -EEXIST;

        for (unsigned k = 0; k < 100 && r == -EEXIST; k++) {
                if (k == 0)
                        (void)snprintf(aside, sizeof(aside), "%s.corrupt-%lld", name, now);
                else
                        (void)snprintf(aside, sizeof(aside), "%s.corrupt-%lld.%u", name, now, k);
                r = renameat2(s->dir_fd, name, s->dir_fd, aside, RENAME_NOREPLACE) < 0
                            ? negative_errno()
                            : 0;
                if (r == -EINVAL) {
                        /* No RENAME_NOREPLACE on this file system: check, then rename. */
                        if (faccessat(s->dir_fd, aside, F_OK, AT_SYMLINK_NOFOLLOW) >= 0)
                                r = -EEXIST;
                        else
                                r = renameat(s->dir_fd, name, s->dir_fd, aside) < 0
                                            ? negative_errno()
                                            : 0;
                }
        }
        if (r < 0) {
                errno = -r;
                return log_error_errno(r, "'%s/%s' is unusable (%s) and cannot be moved aside: %m",
                                       s->dir, name, why);
        }
        (void)fsync(s->dir_fd);
        log_warning("'%s/%s' is unusable (%s): moved it aside to '%s/%s', starting afresh", s->dir,
                    name, why, s->dir, aside);
        return 0;
}

static int baselines_write(struct drift_store *s)
{
        json_auto_t *root =
                json_pack("{s:i, s:O}", "schema", DRIFT_STORE_SCHEMA, "baselines", s->baselines);
        _cleanup_free_ char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
        _cleanup_close_ int fd = -1;
        int r;

        if (!text)
                return -ENOMEM;
        fd = atomic_begin(s, BASELINES_FILE);
        if (fd < 0)
                return fd;
        r = write_all(fd, text, strlen(text));
        if (r >= 0)
                r = write_all(fd, "\n", 1);
        if (r < 0) {
                atomic_abort(s, BASELINES_FILE);
                return r;
        }
        return atomic_commit(s, BASELINES_FILE, fd);
}

static int baselines_load(struct drift_store *s)
{
        _cleanup_free_ char *text = NULL;
        json_auto_t *root = NULL;
        json_t *schema, *all, *o;
        char why[WHY_MAX], buf[64];
        json_error_t err;
        const char *unit;
        size_t len;
        int r;

        r = read_all(s->dir_fd, BASELINES_FILE, &text, &len);
        if (r == -ENOENT)
                return 0;
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                (void)snprintf(why, sizeof(why), "cannot read it: %s", errno_text(r, buf, 64));
                goto unusable;
        }
        root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
        if (!root) {
                (void)snprintf(why, sizeof(why), "invalid JSON at line %d, column %d: %s", err.line,
                               err.column, err.text);
                goto unusable;
        }
        schema = json_object_get(root, "schema");
        if (!json_is_integer(schema) || json_integer_value(schema) != DRIFT_STORE_SCHEMA) {
                (void)snprintf(why, sizeof(why), "schema version is not %d", DRIFT_STORE_SCHEMA);
                goto unusable;
        }
        all = json_object_get(root, "baselines");
        if (!json_is_object(all)) {
                (void)snprintf(why, sizeof(why), "no \"baselines\" object");
                goto unusable;
        }
        json_object_foreach(all, unit, o)
        {
                struct drift_baseline b;

                r = baseline_from_json(unit, o, &b);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        (void)snprintf(why, sizeof(why), "the baseline of '%s' is invalid", unit);
                        goto unusable;
                }
                drift_baseline_release(&b);
        }
        json_decref(s->baselines);
        s->baselines = json_incref(all);
        return 0;

unusable:
        if (!s->persistent) {
                log_warning("'%s/%s' is unusable (%s); starting without baselines, file left "
                            "as it is",
                            s->dir, BASELINES_FILE, why);
                return 0;
        }
        r = move_aside(s, BASELINES_FILE, why);
        if (r < 0)
                go_memory_only(s, r, "move aside a corrupt file");
        return 0;
}

static int header_dump(struct drift_store *s, char **ret, size_t *ret_len)
{
        json_auto_t *by_unit = json_object(), *h = NULL;
        char *text, *line;
        size_t len;

        if (!by_unit)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_units; i++) {
                const struct unit_count *u = &s->units[i];
                json_t *counts;
                bool any = false;

                for (int k = 0; k < _DRIFT_KIND_MAX; k++)
                        any = any || u->dropped[k] > 0;
                if (!any)
                        continue;
                counts = json_object();
                if (json_object_set_new(by_unit, u->unit, counts) < 0)
                        return -ENOMEM;
                for (int k = 0; k < _DRIFT_KIND_MAX; k++)
                        if (json_object_set_new(counts, kind_names[k],
                                                json_integer((json_int_t)u->dropped[k])) < 0)
                                return -ENOMEM;
        }
        h = json_pack("{s:i, s:I, s:O}", "schema", DRIFT_STORE_SCHEMA, "dropped",
                      (json_int_t)s->dropped, "dropped_by_unit", by_unit);
        text = h ? json_dumps(h, JSON_COMPACT) : NULL;
        if (!text)
                return -ENOMEM;
        len = strlen(text);
        line = realloc(text, len + 2);
        if (!line) {
                free(text);
                return -ENOMEM;
        }
        line[len] = '\n';
        line[len + 1] = '\0';
        *ret = line;
        *ret_len = len + 1;
        return 0;
}

static int header_parse(struct drift_store *s, const char *line, size_t len, char *why,
                        size_t why_size)
{
        json_auto_t *h = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
        json_t *schema = json_object_get(h, "schema"), *dropped = json_object_get(h, "dropped"),
               *by_unit = json_object_get(h, "dropped_by_unit"), *counts;
        const char *unit;
        int r;

        if (!json_is_object(h)) {
                (void)snprintf(why, why_size, "the first line is not a header object");
                return -EBADMSG;
        }
        if (!json_is_integer(schema) || json_integer_value(schema) != DRIFT_STORE_SCHEMA) {
                (void)snprintf(why, why_size, "schema version is not %d", DRIFT_STORE_SCHEMA);
                return -EBADMSG;
        }
        if (!json_is_integer(dropped) || json_integer_value(dropped) < 0 ||
            !json_is_object(by_unit)) {
                (void)snprintf(why, why_size, "invalid header");
                return -EBADMSG;
        }
        s->dropped = (uint64_t)json_integer_value(dropped);
        json_object_foreach(by_unit, unit, counts)
        {
                struct unit_count *uc;

                if (!unit_name_valid(unit) || !json_is_object(counts)) {
                        (void)snprintf(why, why_size, "invalid header");
                        return -EBADMSG;
                }
                r = unit_count_get(s, unit, &uc);
                if (r < 0)
                        return r;
                for (int k = 0; k < _DRIFT_KIND_MAX; k++) {
                        json_t *v = json_object_get(counts, kind_names[k]);

                        if (!json_is_integer(v) || json_integer_value(v) < 0) {
                                (void)snprintf(why, why_size, "invalid header");
                                return -EBADMSG;
                        }
                        uc->dropped[k] = uc->total[k] = (uint64_t)json_integer_value(v);
                }
        }
        return 0;
}

/* Writes drift.jsonl afresh: the header and the kept events; appends go to the new file. */
static int events_rewrite(struct drift_store *s)
{
        _cleanup_free_ char *header = NULL;
        _cleanup_close_ int fd = -1;
        size_t header_len;
        off_t size;
        int r;

        r = header_dump(s, &header, &header_len);
        if (r < 0)
                return r;
        fd = atomic_begin(s, EVENTS_FILE);
        if (fd < 0)
                return fd;
        r = write_all(fd, header, header_len);
        size = (off_t)header_len;
        for (size_t i = 0; i < s->n_events && r >= 0; i++) {
                const struct event_rec *rec = event_at(s, i);

                r = write_all(fd, rec->line, rec->len);
                size += (off_t)rec->len;
        }
        if (r < 0) {
                atomic_abort(s, EVENTS_FILE);
                return r;
        }
        r = atomic_commit(s, EVENTS_FILE, fd);
        if (r < 0)
                return r;

        (void)safe_close(s->events_fd);
        s->events_fd = TAKE_FD(fd);
        s->file_events = s->n_events;
        s->file_size = size;
        s->tail_dirty = false;
        s->compact_at = s->max_events + compact_slack(s);
        return 0;
}

static int events_unusable(struct drift_store *s, const char *why)
{
        int r;

        events_reset(s);
        if (!s->persistent) {
                log_warning("'%s/%s' is unusable (%s); starting without events, file left as "
                            "it is",
                            s->dir, EVENTS_FILE, why);
                return 0;
        }
        r = move_aside(s, EVENTS_FILE, why);
        if (r < 0) {
                go_memory_only(s, r, "move aside a corrupt file");
                return 0;
        }
        r = events_rewrite(s);
        if (r < 0)
                go_memory_only(s, r, "create " EVENTS_FILE);
        return 0;
}

static int events_load(struct drift_store *s)
{
        _cleanup_free_ char *text = NULL;
        const char *p, *end, *nl, *torn = NULL;
        size_t len, line_no = 1, torn_line = 0;
        char why[WHY_MAX], buf[64];
        int r;

        r = read_all(s->dir_fd, EVENTS_FILE, &text, &len);
        if (r == -ENOENT) {
                if (!s->persistent)
                        return 0;
                r = events_rewrite(s);
                if (r < 0)
                        go_memory_only(s, r, "create " EVENTS_FILE);
                return 0;
        }
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                (void)snprintf(why, sizeof(why), "cannot read it: %s", errno_text(r, buf, 64));
                return events_unusable(s, why);
        }

        end = text + len;
        nl = memchr(text, '\n', len);
        if (!nl)
                return events_unusable(s, "no complete header line");
        r = header_parse(s, text, (size_t)(nl - text), why, sizeof(why));
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return events_unusable(s, why);

        for (p = nl + 1; p < end; p = nl + 1) {
                struct event_rec rec = {0};
                struct unit_count *uc;
                char line_why[WHY_MAX] = "";

                line_no++;
                nl = memchr(p, '\n', (size_t)(end - p));
                r = event_rec_parse(p, (size_t)((nl ?: end) - p), &rec, line_why, sizeof(line_why));
                if (r == -ENOMEM)
                        return r;
                /* Appends write whole lines: only the last can be torn by a crash. A
                 * complete event without its '\n' was not yet acknowledged: drop it too. */
                if (!nl || (r < 0 && nl + 1 == end)) {
                        event_rec_done(&rec);
                        torn = p;
                        torn_line = line_no;
                        break;
                }
                if (r < 0) {
                        (void)snprintf(why, sizeof(why), "line %zu: %s", line_no, line_why);
                        return events_unusable(s, why);
                }
                r = unit_count_get(s, rec.unit, &uc);
                if (r < 0) {
                        event_rec_done(&rec);
                        return r;
                }
                events_push(s, &rec, uc);
                s->file_events++;
        }
        s->file_size = (off_t)((torn ?: end) - text);

        if (torn)
                log_warning("'%s/%s' ends in an incomplete event (line %zu, %zu bytes, from an "
                            "interrupted write): dropped it%s",
                            s->dir, EVENTS_FILE, torn_line, (size_t)(end - torn),
                            s->persistent ? "" : " (file left as it is)");
        if (!s->persistent)
                return 0;

        s->events_fd = openat(s->dir_fd, EVENTS_FILE, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (s->events_fd < 0) {
                go_memory_only(s, negative_errno(), "open " EVENTS_FILE " for writing");
                return 0;
        }
        if (torn && (ftruncate(s->events_fd, s->file_size) < 0 || fsync(s->events_fd) < 0)) {
                go_memory_only(s, negative_errno(), "cut the incomplete event off");
                return 0;
        }
        s->compact_at = s->max_events + compact_slack(s);
        if (s->file_events >= s->compact_at) {
                r = events_rewrite(s);
                if (r < 0) {
                        note_write_failure(s, r, "the compacted " EVENTS_FILE);
                        s->compact_at = s->file_events + compact_slack(s);
                }
        }
        return 0;
}

/* ---- The API ---- */

void drift_store_free(struct drift_store *s)
{
        if (!s)
                return;
        events_reset(s);
        free(s->units);
        free(s->ring);
        json_decref(s->baselines);
        (void)safe_close(s->events_fd);
        (void)safe_close(s->dir_fd);
        (void)pthread_mutex_destroy(&s->lock);
        free(s->dir);
        free(s);
}

static void drift_store_freep(struct drift_store **s)
{
        drift_store_free(*s);
}

int drift_store_open(const char *dir, size_t max_events, struct drift_store **ret)
{
        _cleanup_(drift_store_freep) struct drift_store *s = NULL;
        int r;

        if (!dir || !*dir)
                return -EINVAL;
        if (max_events == 0)
                max_events = DRIFT_STORE_MAX_EVENTS_DEFAULT;
        if (max_events > MAX_EVENTS_LIMIT)
                return -ERANGE;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->dir_fd = s->events_fd = -1;
        (void)pthread_mutex_init(&s->lock, NULL);
        s->persistent = true;
        s->max_events = max_events;
        s->compact_at = max_events + compact_slack(s);
        s->dir = strdup(dir);
        s->ring = calloc(max_events, sizeof(*s->ring));
        s->baselines = json_object();
        if (!s->dir || !s->ring || !s->baselines)
                return -ENOMEM;

        if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
                go_memory_only(s, negative_errno(), "create it");
        } else {
                s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (s->dir_fd < 0)
                        go_memory_only(s, negative_errno(), "open it");
                else if (faccessat(s->dir_fd, ".", W_OK, AT_EACCESS) < 0)
                        go_memory_only(s, negative_errno(), "write access");
        }

        /* A read-only directory still has state worth reading. */
        if (s->dir_fd >= 0) {
                r = baselines_load(s);
                if (r < 0)
                        return r;
                r = events_load(s);
                if (r < 0)
                        return r;
        }
        log_debug("drift store in '%s': %zu baselines, %zu events, %" PRIu64 " dropped%s", s->dir,
                  json_object_size(s->baselines), s->n_events, s->dropped,
                  s->persistent ? "" : ", in memory only");
        *ret = TAKE_PTR(s);
        return 0;
}

bool drift_store_persistent(const struct drift_store *s)
{
        return s->persistent;
}

int drift_store_get_baseline(struct drift_store *s, const char *unit, struct drift_baseline *ret)
{
        json_t *o;
        int r;

        if (!unit)
                return -EINVAL;
        (void)pthread_mutex_lock(&s->lock);
        o = json_object_get(s->baselines, unit);
        r = o ? baseline_from_json(unit, o, ret) : -ENOENT;
        (void)pthread_mutex_unlock(&s->lock);
        return r;
}

int drift_store_set_baselines(struct drift_store *s, const struct drift_baseline *b, size_t n)
{
        json_auto_t *objects = json_array();
        int r = 0, persisted = 0;

        if (!objects)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_t *o;

                r = baseline_to_json(&b[i], &o);
                if (r < 0)
                        return r;
                if (json_array_append_new(objects, o) < 0)
                        return -ENOMEM;
        }

        (void)pthread_mutex_lock(&s->lock);
        for (size_t i = 0; i < n && r >= 0; i++)
                if (json_object_set(s->baselines, b[i].unit, json_array_get(objects, i)) < 0)
                        r = -ENOMEM;
        if (s->persistent) {
                int w = baselines_write(s);

                if (w < 0) {
                        note_write_failure(s, w, BASELINES_FILE);
                } else {
                        note_write_success(s);
                        persisted = 1;
                }
        }
        (void)pthread_mutex_unlock(&s->lock);
        return r < 0 ? r : persisted;
}

int drift_store_set_baseline(struct drift_store *s, const struct drift_baseline *b)
{
        return drift_store_set_baselines(s, b, 1);
}

static int strcmp_ptr(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void drift_unit_list_free(char **l)
{
        for (size_t i = 0; l && l[i]; i++)
                free(l[i]);
        free(l);
}

int drift_store_baseline_units(struct drift_store *s, char ***ret)
{
        const char *unit;
        json_t *o;
        char **l;
        size_t n = 0;
        int r = 0;

        (void)pthread_mutex_lock(&s->lock);
        l = calloc(json_object_size(s->baselines) + 1, sizeof(*l));
        if (l)
                json_object_foreach(s->baselines, unit, o)
                {
                        l[n] = strdup(unit);
                        if (!l[n]) {
                                r = -ENOMEM;
                                break;
                        }
                        n++;
                }
        (void)pthread_mutex_unlock(&s->lock);
        if (!l || r < 0) {
                drift_unit_list_free(l);
                return -ENOMEM;
        }
        qsort(l, n, sizeof(*l), strcmp_ptr);
        *ret = l;
        return 0;
}

/* Appends one line to drift.jsonl durably, or leaves the file as it was. */
static int events_write(struct drift_store *s, const struct event_rec *rec)
{
        int r;

        if (s->tail_dirty) {
                if (ftruncate(s->events_fd, s->file_size) < 0)
                        return negative_errno();
                s->tail_dirty = false;
        }
        r = write_all(s->events_fd, rec->line, rec->len);
        if (r >= 0 && fdatasync(s->events_fd) < 0)
                r = negative_errno();
        if (r < 0) {
                /* A partial line in the middle of the file would make it corrupt. */
                s->tail_dirty = ftruncate(s->events_fd, s->file_size) < 0;
                return r;
        }
        s->file_size += (off_t)rec->len;
        s->file_events++;
        return 0;
}

int drift_store_append(struct drift_store *s, const struct drift_event *e)
{
        struct event_rec rec = {0};
        struct unit_count *uc;
        int r, persisted = 0;

        r = event_rec_make(e, &rec);
        if (r < 0)
                return r;

        (void)pthread_mutex_lock(&s->lock);
        r = unit_count_get(s, rec.unit, &uc);
        if (r < 0) {
                (void)pthread_mutex_unlock(&s->lock);
                event_rec_done(&rec);
                return r;
        }
        if (s->persistent) {
                r = events_write(s, &rec);
                if (r < 0) {
                        note_write_failure(s, r, "a drift event");
                } else {
                        note_write_success(s);
                        persisted = 1;
                }
        }
        events_push(s, &rec, uc);

        /* Shed the dropped events from the file too, now and then rather than per append. */
        if (s->persistent && s->file_events >= s->compact_at) {
                r = events_rewrite(s);
                if (r < 0) {
                        note_write_failure(s, r, "the compacted " EVENTS_FILE);
                        s->compact_at = s->file_events + compact_slack(s);
                }
        }
        (void)pthread_mutex_unlock(&s->lock);
        return persisted;
}

int drift_store_events_json(struct drift_store *s, const char *unit, const char *kind, size_t limit,
                            json_t **ret)
{
        json_auto_t *a = json_array();
        enum drift_kind k = _DRIFT_KIND_INVALID;
        int r = 0;

        if (kind) {
                k = drift_kind_from_string(kind);
                if (k < 0)
                        return -EINVAL;
        }
        if (!a)
                return -ENOMEM;

        (void)pthread_mutex_lock(&s->lock);
        for (size_t i = s->n_events; i > 0 && (limit == 0 || json_array_size(a) < limit); i--) {
                const struct event_rec *rec = event_at(s, i - 1);

                if ((unit && !streq(unit, rec->unit)) || (kind && rec->kind != k))
                        continue;
                /* Our own canonical line: it parses unless memory runs out. */
                if (json_array_append_new(a, json_loadb(rec->line, rec->len - 1, 0, NULL)) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        (void)pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(a);
        return 0;
}

int drift_store_count(struct drift_store *s, const char *unit, enum drift_kind kind, uint64_t *ret)
{
        uint64_t n = 0;

        if (!drift_kind_to_string(kind))
                return -EINVAL;
        (void)pthread_mutex_lock(&s->lock);
        if (unit) {
                const struct unit_count *uc = unit_count_find(s, unit);

                n = uc ? uc->total[kind] : 0;
        } else {
                for (size_t i = 0; i < s->n_units; i++)
                        n += s->units[i].total[kind];
        }
        (void)pthread_mutex_unlock(&s->lock);
        *ret = n;
        return 0;
}

uint64_t drift_store_dropped(struct drift_store *s)
{
        uint64_t n;

        (void)pthread_mutex_lock(&s->lock);
        n = s->dropped;
        (void)pthread_mutex_unlock(&s->lock);
        return n;
}

uint64_t drift_store_write_failures(struct drift_store *s)
{
        uint64_t n;

        (void)pthread_mutex_lock(&s->lock);
        n = s->write_failures;
        (void)pthread_mutex_unlock(&s->lock);
        return n;
}

uint64_t drift_store_file_writes(struct drift_store *s)
{
        uint64_t n;

        (void)pthread_mutex_lock(&s->lock);
        n = s->commits;
        (void)pthread_mutex_unlock(&s->lock);
        return n;
}
