/* SPDX-License-Identifier: MIT */
#include "url.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int url_decode(const char *in, size_t len, char **ret)
{
        char *out = malloc(len + 1);
        size_t o = 0;

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++) {
                int hi, lo;

                if (in[i] != '%') {
                        out[o++] = in[i];
                        continue;
                }
                if (i + 2 >= len) {
                        free(out);
                        return -EINVAL;
                }
                hi = hex_value(in[i + 1]);
                /* "%00" would cut the name short: a request carrying it is malformed. */
                lo = hex_value(in[i + 2]);
                if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                        free(out);
                        return -EINVAL;
                }
                out[o++] = (char)(hi << 4 | lo);
                i += 2;
        }
        out[o] = '\0';
        *ret = out;
        return 0;
}

int url_query_get(const char *query, const char *key, char **ret)
{
        size_t klen = strlen(key);

        for (const char *p = query; p && *p;) {
                const char *end = strchr(p, '&');
                size_t plen = end ? (size_t)(end - p) : strlen(p);

                if (plen > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
                        int r = url_decode(p + klen + 1, plen - klen - 1, ret);

                        return r < 0 ? r : 1;
                }
                if (plen == klen && strncmp(p, key, klen) == 0)
                        return url_decode("", 0, ret) < 0 ? -ENOMEM : 1;
                p = end ? end + 1 : NULL;
        }
        return 0;
}
