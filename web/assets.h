/* SPDX-License-Identifier: MIT */
/*
 * The dashboard's files (web/assets/), compiled into the binary by web/embed-assets.sh.
 * Static, read-only data: safe from any thread.
 */
#pragma once

#include <stddef.h>

struct web_asset {
        const char *path;         /* "/app.js" */
        const char *content_type; /* "text/javascript; charset=utf-8" */
        const unsigned char *data;
        size_t len;
};

/* Generated; ends with an entry whose path is NULL. */
extern const struct web_asset web_assets[];

/* The asset served at path ("/" is /index.html), or NULL. */
const struct web_asset *web_asset_find(const char *path);
