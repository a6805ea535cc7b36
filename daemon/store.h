/* SPDX-License-Identifier: MIT */
/*
 * Where the current snapshot lives. The collection thread publishes a new one by pointer
 * swap; any thread takes a reference to the current one. The lock is held only for the swap
 * or the reference count bump, never while rendering or serving.
 */
#pragma once

#include <pthread.h>

#include "snapshot.h"

struct uw_store {
        pthread_mutex_t lock;
        struct uw_snapshot *current;
};

void uw_store_init(struct uw_store *st);
void uw_store_release(struct uw_store *st);

/* Takes over the caller's reference to s. */
void uw_store_publish(struct uw_store *st, struct uw_snapshot *s);

/* A new reference to the current snapshot, or NULL before the first one. */
struct uw_snapshot *uw_store_get(struct uw_store *st);
