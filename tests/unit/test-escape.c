/* SPDX-License-Identifier: MIT */
/* Unit names in outputs: kept whole, escaped for the format, never rewritten. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/escape.h"

static char *label(const char *s)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        cr_assert_not_null(f);
        prom_write_label_value(f, s);
        cr_assert_eq(fclose(f), 0);
        return buf;
}

Test(escape, utf8_validity)
{
        cr_assert(utf8_is_valid("foo\\x2dbar.service", 18));
        cr_assert(utf8_is_valid("caf\xc3\xa9.service", 14));
        cr_assert(utf8_is_valid("\xf0\x9f\x90\xb1", 4));
        cr_assert_not(utf8_is_valid("\xff", 1));
        cr_assert_not(utf8_is_valid("\xc3", 1));             /* truncated */
        cr_assert_not(utf8_is_valid("\xc0\xaf", 2));         /* overlong '/' */
        cr_assert_not(utf8_is_valid("\xed\xa0\x80", 3));     /* surrogate */
        cr_assert_not(utf8_is_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
}

Test(escape, invalid_bytes_become_hex_text)
{
        char *s = utf8_escape_invalid("a\xffz\xc3\xa9");

        cr_assert_str_eq(s, "a\\xffz\xc3\xa9");
        free(s);
}

Test(escape, prometheus_label_values)
{
        char *s;

        s = label("foo\\x2dbar.service");
        cr_assert_str_eq(s, "foo\\\\x2dbar.service");
        free(s);
        s = label("a\"b\nc<d>.service");
        cr_assert_str_eq(s, "a\\\"b\\nc<d>.service");
        free(s);
        s = label("bad\xff.service");
        cr_assert_str_eq(s, "bad\\\\xff.service");
        free(s);
}
