/* SPDX-License-Identifier: MIT */
#include "escape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
        uint32_t cp;
        size_t n;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                n = 2, cp = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                n = 3, cp = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                n = 4, cp = s[0] & 0x07;
        else
                return 0;
        if (avail < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

bool utf8_is_valid(const char *s, size_t len)
{
        const unsigned char *p = (const unsigned char *)s;

        for (size_t i = 0; i < len;) {
                size_t n = utf8_seq_len(p + i, len - i);

                if (n == 0)
                        return false;
                i += n;
        }
        return true;
}

char *utf8_escape_invalid(const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t len = strlen(s), o = 0;
        char *out = malloc(len * 4 + 1);

        if (!out)
                return NULL;
        for (size_t i = 0; i < len;) {
                size_t n = utf8_seq_len(p + i, len - i);

                if (n == 0) {
                        static const char hex[] = "0123456789abcdef";

                        out[o++] = '\\';
                        out[o++] = 'x';
                        out[o++] = hex[p[i] >> 4];
                        out[o++] = hex[p[i] & 0xf];
                        i++;
                        continue;
                }
                memcpy(out + o, p + i, n);
                o += n;
                i += n;
        }
        out[o] = '\0';
        return out;
}

void prom_write_label_value(FILE *f, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t len = strlen(s);

        for (size_t i = 0; i < len;) {
                size_t n = utf8_seq_len(p + i, len - i);

                if (n == 0) {
                        (void)fprintf(f, "\\\\x%02x", p[i]);
                        i++;
                        continue;
                }
                if (p[i] == '\\')
                        (void)fputs("\\\\", f);
                else if (p[i] == '"')
                        (void)fputs("\\\"", f);
                else if (p[i] == '\n')
                        (void)fputs("\\n", f);
                else
                        (void)fwrite(p + i, 1, n, f);
                i += n;
        }
}
