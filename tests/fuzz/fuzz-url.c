/* SPDX-License-Identifier: MIT */
/*
 * Percent-decoding of paths and query values (web/url.h). The input is a query string; its
 * first byte (mod 4) picks the key looked up. A decoded value never holds a NUL and is never
 * longer than what it came from.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const keys[] = {"state", "name", "unit", "limit"};
        char *in, *out = NULL;

        if (size == 0)
                return 0;
        in = malloc(size);
        if (!in)
                return 0;
        memcpy(in, data + 1, size - 1);
        in[size - 1] = '\0';

        if (url_decode(in, size - 1, &out) >= 0) {
                assert(strlen(out) <= size - 1);
                free(out);
                out = NULL;
        }
        /* As a query: only up to the first NUL, as libmicrohttpd would pass it. */
        if (url_query_get(in, keys[data[0] % 4], &out) > 0) {
                assert(strlen(out) <= strlen(in));
                free(out);
        }
        free(in);
        return 0;
}
