/* SPDX-License-Identifier: MIT */
#include "store.h"

void uw_store_init(struct uw_store *st)
{
        (void)pthread_mutex_init(&st->lock, NULL);
        st->current = NULL;
}

void uw_store_release(struct uw_store *st)
{
        uw_snapshot_unref(st->current);
        st->current = NULL;
        (void)pthread_mutex_destroy(&st->lock);
}

void uw_store_publish(struct uw_store *st, struct uw_snapshot *s)
{
        struct uw_snapshot *old;

        (void)pthread_mutex_lock(&st->lock);
        old = st->current;
        st->current = s;
        (void)pthread_mutex_unlock(&st->lock);
        uw_snapshot_unref(old);
}

struct uw_snapshot *uw_store_get(struct uw_store *st)
{
        struct uw_snapshot *s;

        (void)pthread_mutex_lock(&st->lock);
        s = uw_snapshot_ref(st->current);
        (void)pthread_mutex_unlock(&st->lock);
        return s;
}
