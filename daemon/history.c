/* SPDX-License-Identifier: MIT */
#include "history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct ring {
        char *name;
        size_t head, count; /* next slot to write, points held */
        struct uw_point points[UW_HISTORY_POINTS];
};

struct uw_history {
        pthread_mutex_t lock;
        struct ring **rings; /* sorted by name, like snapshots */
        size_t n;
};

int uw_history_new(struct uw_history **ret)
{
        struct uw_history *h = calloc(1, sizeof(*h));

        if (!h)
                return -ENOMEM;
        (void)pthread_mutex_init(&h->lock, NULL);
        *ret = h;
        return 0;
}

static void ring_free(struct ring *r)
{
        if (!r)
                return;
        free(r->name);
        free(r);
}

void uw_history_free(struct uw_history *h)
{
        if (!h)
                return;
        for (size_t i = 0; i < h->n; i++)
                ring_free(h->rings[i]);
        free(h->rings);
        (void)pthread_mutex_destroy(&h->lock);
        free(h);
}

static float psi_avg10(const struct uw_unit *u, enum cg_psi_resource r)
{
        if (!u->has_sample || !u->sample.has_psi[r] || !u->sample.psi[r].some.present)
                return NAN;
        return (float)u->sample.psi[r].some.avg10;
}

static struct uw_point point_of(const struct uw_unit *u, double time)
{
        const struct cg_sample *s = &u->sample;
        struct uw_point p = {
                .time = time,
                .cpu_cores = NAN,
                .io_read_bytes_per_second = NAN,
                .io_write_bytes_per_second = NAN,
                .psi_cpu_some_avg10 = psi_avg10(u, CG_PSI_CPU),
                .psi_memory_some_avg10 = psi_avg10(u, CG_PSI_MEMORY),
                .psi_io_some_avg10 = psi_avg10(u, CG_PSI_IO),
                .memory_current = UINT64_MAX,
                .memory_working_set = UINT64_MAX,
                .pids_current = UINT32_MAX,
        };
        uint64_t v;

        if (!u->has_sample)
                return p;
        if (u->has_rates && u->rates.has_cpu)
                p.cpu_cores = (float)u->rates.cpu_usage_cores;
        if (u->has_rates && u->rates.io) {
                double rd = 0, wr = 0;
                bool any_rd = false, any_wr = false;

                for (size_t d = 0; d < s->io.n; d++) {
                        if (u->rates.io[d].present & (1u << UW_IO_READ_BYTES)) {
                                rd += u->rates.io[d].v[UW_IO_READ_BYTES];
                                any_rd = true;
                        }
                        if (u->rates.io[d].present & (1u << UW_IO_WRITE_BYTES)) {
                                wr += u->rates.io[d].v[UW_IO_WRITE_BYTES];
                                any_wr = true;
                        }
                }
                if (any_rd)
                        p.io_read_bytes_per_second = (float)rd;
                if (any_wr)
                        p.io_write_bytes_per_second = (float)wr;
        } else if (u->has_rates && s->has_io && s->io.n == 0) {
                p.io_read_bytes_per_second = p.io_write_bytes_per_second = 0;
        }
        if (s->values[CG_V_MEMORY_CURRENT].present)
                p.memory_current = s->values[CG_V_MEMORY_CURRENT].v.value;
        if (cg_sample_working_set(s, &v))
                p.memory_working_set = v;
        if (s->values[CG_V_PIDS_CURRENT].present &&
            s->values[CG_V_PIDS_CURRENT].v.value < UINT32_MAX)
                p.pids_current = (uint32_t)s->values[CG_V_PIDS_CURRENT].v.value;
        return p;
}

static void ring_push(struct ring *r, const struct uw_point *p)
{
        r->points[r->head] = *p;
        r->head = (r->head + 1) % UW_HISTORY_POINTS;
        if (r->count < UW_HISTORY_POINTS)
                r->count++;
}

int uw_history_record(struct uw_history *h, const struct uw_snapshot *s)
{
        struct ring **next;
        size_t j = 0, m = 0;
        int r = 0;

        next = calloc(s->n_units ? s->n_units : 1, sizeof(*next));
        if (!next)
                return -ENOMEM;

        (void)pthread_mutex_lock(&h->lock);
        /* Both sorted by name: keep the rings of units still there, start new ones. */
        for (size_t i = 0; i < s->n_units; i++) {
                const struct uw_unit *u = &s->units[i];
                struct uw_point p = point_of(u, s->realtime);
                struct ring *ring = NULL;

                while (j < h->n && strcmp(h->rings[j]->name, u->name) < 0)
                        ring_free(h->rings[j++]);
                if (j < h->n && streq(h->rings[j]->name, u->name)) {
                        ring = h->rings[j++];
                } else {
                        ring = calloc(1, sizeof(*ring));
                        if (ring)
                                ring->name = strdup(u->name);
                        if (!ring || !ring->name) {
                                ring_free(ring);
                                r = -ENOMEM;
                                continue;
                        }
                }
                ring_push(ring, &p);
                next[m++] = ring;
        }
        while (j < h->n)
                ring_free(h->rings[j++]);
        free(h->rings);
        h->rings = next;
        h->n = m;
        (void)pthread_mutex_unlock(&h->lock);
        return r;
}

static int ring_cmp(const void *key, const void *elem)
{
        return strcmp(key, (*(struct ring *const *)elem)->name);
}

int uw_history_get(struct uw_history *h, const char *unit, struct uw_point **ret)
{
        struct ring **found;
        struct uw_point *out;
        size_t n;

        *ret = NULL;
        (void)pthread_mutex_lock(&h->lock);
        found = h->n ? bsearch(unit, h->rings, h->n, sizeof(*h->rings), ring_cmp) : NULL;
        if (!found) {
                (void)pthread_mutex_unlock(&h->lock);
                return 0;
        }
        n = (*found)->count;
        out = malloc((n ? n : 1) * sizeof(*out));
        if (!out) {
                (void)pthread_mutex_unlock(&h->lock);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                size_t slot = ((*found)->head + UW_HISTORY_POINTS - n + i) % UW_HISTORY_POINTS;

                out[i] = (*found)->points[slot];
        }
        (void)pthread_mutex_unlock(&h->lock);
        *ret = out;
        return (int)n;
}
