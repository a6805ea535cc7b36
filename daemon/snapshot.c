/* SPDX-License-Identifier: MIT */
#include "snapshot.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#include <zlib.h>

struct uw_snapshot *uw_snapshot_new(const char *cgroup_root, size_t n_units_max)
{
        struct uw_snapshot *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        atomic_init(&s->refcount, 1);
        (void)pthread_mutex_init(&s->gzip_lock, NULL);
        s->cgroup_root = strdup(cgroup_root);
        s->units = calloc(n_units_max ? n_units_max : 1, sizeof(struct uw_unit));
        if (!s->cgroup_root || !s->units) {
                free(s->cgroup_root);
                free(s->units);
                free(s);
                return NULL;
        }
        return s;
}

struct uw_snapshot *uw_snapshot_ref(struct uw_snapshot *s)
{
        if (s)
                atomic_fetch_add(&s->refcount, 1);
        return s;
}

static void unit_release(struct uw_unit *u)
{
        free(u->name);
        free(u->cgroup);
        free(u->io_names);
        free(u->rates.io);
        cg_sample_release(&u->sample);
        unit_props_release(&u->props);
        json_decref(u->config_findings);
}

void uw_snapshot_unref(struct uw_snapshot *s)
{
        if (!s || atomic_fetch_sub(&s->refcount, 1) != 1)
                return;
        for (size_t i = 0; i < s->n_units; i++)
                unit_release(&s->units[i]);
        free(s->units);
        free(s->cgroup_root);
        free(s->metrics);
        free(s->json);
        free(s->metrics_gzip);
        free(s->alerts);
        (void)pthread_mutex_destroy(&s->gzip_lock);
        free(s);
}

static int unit_fill(struct uw_unit *u, const char *name, const char *cgroup,
                     const struct cg_sample *sample, const struct unit_props *props,
                     struct blockdev_cache *bd)
{
        int r;

        u->name = strdup(name);
        u->cgroup = cgroup ? strdup(cgroup) : NULL;
        if (!u->name || (cgroup && !u->cgroup))
                return -ENOMEM;
        if (props) {
                r = unit_props_copy(&u->props, props);
                if (r < 0)
                        return r;
                u->has_props = true;
        }
        if (!sample)
                return 0;
        u->has_sample = true;
        if (sample->io.n) {
                u->io_names = calloc(sample->io.n, sizeof(*u->io_names));
                if (!u->io_names)
                        return -ENOMEM;
                for (size_t i = 0; i < sample->io.n; i++) {
                        const struct cg_io_dev *d = &sample->io.devs[i];

                        (void)snprintf(u->io_names[i], sizeof(u->io_names[i]), "%s",
                                       blockdev_name(bd, d->major, d->minor, sample->time_usec));
                }
        }
        return cg_sample_copy(&u->sample, sample);
}

int uw_snapshot_add(struct uw_snapshot *s, const char *name, const char *cgroup,
                    const struct cg_sample *sample, const struct unit_props *props,
                    struct blockdev_cache *bd)
{
        struct uw_unit *u = &s->units[s->n_units];
        int r;

        *u = (struct uw_unit){.exposure = -1};
        r = unit_fill(u, name, cgroup, sample, props, bd);
        if (r < 0) {
                unit_release(u);
                return r;
        }
        s->n_units++;
        return 0;
}

static int unit_cmp(const void *a, const void *b)
{
        return strcmp(((const struct uw_unit *)a)->name, ((const struct uw_unit *)b)->name);
}

void uw_snapshot_sort(struct uw_snapshot *s)
{
        if (s->n_units > 1)
                qsort(s->units, s->n_units, sizeof(*s->units), unit_cmp);
}

const struct uw_unit *uw_snapshot_find(const struct uw_snapshot *s, const char *name)
{
        struct uw_unit key = {.name = (char *)name};

        return bsearch(&key, s->units, s->n_units, sizeof(*s->units), unit_cmp);
}

/* Rate of a monotonic counter; false when it went down (a reset) or time did not advance. */
static bool counter_rate(uint64_t old, uint64_t new, double seconds, double scale, double *ret)
{
        if (new < old || seconds <= 0)
                return false;
        *ret = (double)(new - old) / seconds / scale;
        return true;
}

static void unit_rates(struct uw_unit *u, const struct uw_unit *p)
{
        const struct cg_sample *a = &p->sample, *b = &u->sample;
        double dt = (double)(b->time_usec - a->time_usec) / 1e6;
        uint64_t ou, nu, os, ns, ot, nt;
        static const enum cg_io_key keys[_UW_IO_RATE_MAX] = {CG_IO_RBYTES, CG_IO_WBYTES, CG_IO_RIOS,
                                                             CG_IO_WIOS};

        if (!p->has_sample || !u->has_sample || a->cgroup_id != b->cgroup_id ||
            b->time_usec <= a->time_usec)
                return;
        u->has_rates = true;
        u->rates.interval_seconds = dt;

        if (a->has_cpu_stat && b->has_cpu_stat && cg_kv_get(&a->cpu_stat, "usage_usec", &ot) &&
            cg_kv_get(&b->cpu_stat, "usage_usec", &nt) &&
            cg_kv_get(&a->cpu_stat, "user_usec", &ou) &&
            cg_kv_get(&b->cpu_stat, "user_usec", &nu) &&
            cg_kv_get(&a->cpu_stat, "system_usec", &os) &&
            cg_kv_get(&b->cpu_stat, "system_usec", &ns))
                u->rates.has_cpu = counter_rate(ot, nt, dt, 1e6, &u->rates.cpu_usage_cores) &&
                                   counter_rate(ou, nu, dt, 1e6, &u->rates.cpu_user_cores) &&
                                   counter_rate(os, ns, dt, 1e6, &u->rates.cpu_system_cores);

        /* The same run of the unit (a start resets the counters, and the InvocationID). */
        if (u->has_props && p->has_props && u->props.ip_accounting && p->props.ip_accounting &&
            u->props.has_invocation_id && p->props.has_invocation_id &&
            memcmp(u->props.invocation_id, p->props.invocation_id,
                   sizeof(u->props.invocation_id)) == 0)
                for (int k = 0; k < _UNIT_IP_MAX; k++)
                        if ((u->props.ip_present & p->props.ip_present & (1u << k)) &&
                            counter_rate(p->props.ip[k], u->props.ip[k], dt, 1, &u->rates.ip[k]))
                                u->rates.ip_present |= 1u << k;

        if (!b->io.n)
                return;
        u->rates.io = calloc(b->io.n, sizeof(*u->rates.io));
        if (!u->rates.io)
                return;
        for (size_t i = 0; i < b->io.n; i++) {
                const struct cg_io_dev *nd = &b->io.devs[i];

                for (size_t j = 0; j < a->io.n; j++) {
                        const struct cg_io_dev *od = &a->io.devs[j];

                        if (od->major != nd->major || od->minor != nd->minor)
                                continue;
                        for (int k = 0; k < _UW_IO_RATE_MAX; k++) {
                                unsigned bit = 1u << keys[k];

                                if ((od->present & bit) && (nd->present & bit) &&
                                    counter_rate(od->v[keys[k]], nd->v[keys[k]], dt, 1,
                                                 &u->rates.io[i].v[k]))
                                        u->rates.io[i].present |= 1u << k;
                        }
                        break;
                }
        }
}

int uw_snapshot_compute_rates(struct uw_snapshot *s, const struct uw_snapshot *prev)
{
        size_t j = 0;

        /* Both are sorted by name: a merge walk. */
        for (size_t i = 0; i < s->n_units && prev; i++) {
                while (j < prev->n_units && strcmp(prev->units[j].name, s->units[i].name) < 0)
                        j++;
                if (j < prev->n_units && streq(prev->units[j].name, s->units[i].name))
                        unit_rates(&s->units[i], &prev->units[j]);
        }
        return 0;
}

static int gzip_compress(const char *in, size_t len, char **ret, size_t *ret_len)
{
        z_stream z = {};
        size_t cap;
        char *out;
        int zr;

        /* windowBits 15 + 16: a gzip wrapper rather than zlib's. */
        if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
                return -ENOMEM;
        cap = deflateBound(&z, len);
        out = malloc(cap ? cap : 1);
        if (!out) {
                (void)deflateEnd(&z);
                return -ENOMEM;
        }
        z.next_in = (Bytef *)(uintptr_t)in;
        z.avail_in = (uInt)len;
        z.next_out = (Bytef *)out;
        z.avail_out = (uInt)cap;
        zr = deflate(&z, Z_FINISH);
        (void)deflateEnd(&z);
        if (zr != Z_STREAM_END) {
                free(out);
                return -EIO;
        }
        *ret = out;
        *ret_len = z.total_out;
        return 0;
}

int uw_snapshot_metrics_gzip(struct uw_snapshot *s, const char **ret, size_t *ret_len)
{
        int r = 0;

        (void)pthread_mutex_lock(&s->gzip_lock);
        if (!s->metrics_gzip && s->metrics)
                r = gzip_compress(s->metrics, s->metrics_len, &s->metrics_gzip,
                                  &s->metrics_gzip_len);
        (void)pthread_mutex_unlock(&s->gzip_lock);
        if (r < 0)
                return r;
        if (!s->metrics_gzip)
                return -ENODATA;
        *ret = s->metrics_gzip;
        *ret_len = s->metrics_gzip_len;
        return 0;
}
