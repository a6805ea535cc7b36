/* SPDX-License-Identifier: MIT */
#include "cg_sample.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *cg_psi_resource_to_string(enum cg_psi_resource r)
{
        static const char *const names[_CG_PSI_MAX] = {
                [CG_PSI_CPU] = "cpu", [CG_PSI_MEMORY] = "memory", [CG_PSI_IO] = "io"};

        if ((unsigned)r >= _CG_PSI_MAX)
                return NULL;
        return names[r];
}

static void kv_carve(struct cg_kv_set *dst, const struct cg_kv_set *src, char **cursor)
{
        *dst = *src;
        dst->cap = src->n;
        dst->items = (struct cg_kv *)*cursor;
        if (src->n)
                memcpy(dst->items, src->items, src->n * sizeof(struct cg_kv));
        *cursor += src->n * sizeof(struct cg_kv);
}

int cg_sample_copy(struct cg_sample *dst, const struct cg_sample *src)
{
        const struct cg_kv_set *sets[] = {&src->cpu_stat, &src->memory_stat, &src->memory_events,
                                          &src->pids_events, &src->cgroup_events};
        size_t size = src->io.n * sizeof(struct cg_io_dev);
        char *block, *cursor;

        for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
                size += sets[i]->n * sizeof(struct cg_kv);

        /* io devices first: their alignment (8) is the strictest of the two arrays. */
        block = malloc(size ? size : 1);
        if (!block)
                return -ENOMEM;

        *dst = *src;
        dst->storage = block;
        cursor = block;
        dst->io.cap = src->io.n;
        dst->io.devs = (struct cg_io_dev *)cursor;
        if (src->io.n)
                memcpy(dst->io.devs, src->io.devs, src->io.n * sizeof(struct cg_io_dev));
        cursor += src->io.n * sizeof(struct cg_io_dev);

        kv_carve(&dst->cpu_stat, &src->cpu_stat, &cursor);
        kv_carve(&dst->memory_stat, &src->memory_stat, &cursor);
        kv_carve(&dst->memory_events, &src->memory_events, &cursor);
        kv_carve(&dst->pids_events, &src->pids_events, &cursor);
        kv_carve(&dst->cgroup_events, &src->cgroup_events, &cursor);
        return 0;
}

void cg_sample_release(struct cg_sample *s)
{
        free(s->storage);
        *s = (struct cg_sample){};
}

bool cg_sample_working_set(const struct cg_sample *s, uint64_t *ret)
{
        uint64_t inactive;

        if (!s->values[CG_V_MEMORY_CURRENT].present || !s->has_memory_stat ||
            !cg_kv_get(&s->memory_stat, "inactive_file", &inactive))
                return false;
        *ret = s->values[CG_V_MEMORY_CURRENT].v.value > inactive
                       ? s->values[CG_V_MEMORY_CURRENT].v.value - inactive
                       : 0;
        return true;
}
