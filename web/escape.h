/* SPDX-License-Identifier: MIT */
/*
 * Making unit names safe for text outputs without rewriting them. A cgroup directory name
 * can hold any byte but '/' and NUL, while JSON and the Prometheus text format need UTF-8:
 * each byte that is not part of valid UTF-8 becomes the four characters "\xNN" (the form
 * systemd itself uses), everything else is kept. Pure functions, safe from any thread.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

bool utf8_is_valid(const char *s, size_t len);

/* Returns a newly allocated UTF-8 copy of s with invalid bytes written as "\xNN". */
char *utf8_escape_invalid(const char *s);

/*
 * Writes s as a Prometheus label value (without the quotes): '\' as "\\", '"' as "\"",
 * newline as "\n", invalid UTF-8 as above.
 */
void prom_write_label_value(FILE *f, const char *s);
