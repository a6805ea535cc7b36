/* SPDX-License-Identifier: MIT */
/*
 * Strict percent-decoding for request paths and query values: "%XY" with two hex digits,
 * nothing that decodes to NUL. Anything else is a malformed request (400), never guessed
 * at. Pure functions, safe from any thread.
 */
#pragma once

#include <stddef.h>

/* Decodes in (len bytes) into a new string. -EINVAL when malformed, -ENOMEM. */
int url_decode(const char *in, size_t len, char **ret);

/*
 * Finds key in a raw query string ("a=1&b=2") and decodes its value. Returns 1 and sets *ret
 * when found, 0 when absent, -EINVAL when the query or the value is malformed.
 */
int url_query_get(const char *query, const char *key, char **ret);
