/* SPDX-License-Identifier: MIT */
#include "config_msg.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../daemon/util.h"
#include "unit_file.h"

static const char *const kind_names[_FINDING_KIND_MAX] = {
        [FINDING_UNKNOWN_KEY] = "unknown-key",
        [FINDING_WRONG_SECTION] = "wrong-section",
        [FINDING_UNKNOWN_SECTION] = "unknown-section",
        [FINDING_INVALID_VALUE] = "invalid-value",
        [FINDING_DEPRECATED] = "deprecated",
        [FINDING_SYNTAX] = "syntax",
        [FINDING_INEFFECTIVE] = "ineffective",
        [FINDING_MISMATCH] = "mismatch",
        [FINDING_OTHER] = "other",
};

const char *finding_kind_to_string(enum finding_kind k)
{
        return k >= 0 && k < _FINDING_KIND_MAX ? kind_names[k] : NULL;
}

enum finding_kind finding_kind_from_string(const char *s)
{
        for (int i = 0; s && i < _FINDING_KIND_MAX; i++)
                if (streq(s, kind_names[i]))
                        return (enum finding_kind)i;
        return _FINDING_KIND_INVALID;
}

/* Copies the text between the quotes that follow marker ("key name '") into dst. */
static bool quoted_after(const char *msg, const char *marker, char *dst, size_t size)
{
        const char *p = strstr(msg, marker), *end;

        if (!p)
                return false;
        p += strlen(marker);
        end = strchr(p, '\'');
        if (!end)
                return false;
        (void)snprintf(dst, size, "%.*s", (int)(end - p), p);
        return true;
}

/* The section name after "in section [" (systemd 252) or "in section '" (other versions). */
static void section_after(const char *msg, char *dst, size_t size)
{
        const char *p = strstr(msg, "in section ");
        const char *end;
        char close;

        if (!p)
                return;
        p += strlen("in section ");
        if (*p != '[' && *p != '\'')
                return;
        close = *p == '[' ? ']' : '\'';
        end = strchr(++p, close);
        if (end)
                (void)snprintf(dst, size, "%.*s", (int)(end - p), p);
}

/* "FILE:LINE: " in front of the message: skip it. A path never holds ": " followed by text. */
static const char *skip_location(const char *msg)
{
        const char *p = msg;

        if (msg[0] != '/')
                return msg;
        while ((p = strchr(p, ':'))) {
                const char *q = p + 1;

                if (isdigit((unsigned char)*q)) {
                        while (isdigit((unsigned char)*q))
                                q++;
                        if (q[0] == ':' && q[1] == ' ')
                                return q + 2;
                }
                p++;
        }
        return msg;
}

void config_msg_parse(const char *message, struct config_msg *ret)
{
        const char *m = skip_location(message), *colon;

        *ret = (struct config_msg){.kind = FINDING_OTHER, .reason = m};

        if (quoted_after(m, "Unknown key name '", ret->key, sizeof(ret->key)) ||
            quoted_after(m, "Unknown key '", ret->key, sizeof(ret->key))) {
                const char *home = unit_key_section(ret->key);

                section_after(m, ret->section, sizeof(ret->section));
                ret->kind = home && ret->section[0] && !streq(home, ret->section)
                                    ? FINDING_WRONG_SECTION
                                    : FINDING_UNKNOWN_KEY;
                return;
        }
        if (quoted_after(m, "Unknown section '", ret->section, sizeof(ret->section))) {
                ret->kind = FINDING_UNKNOWN_SECTION;
                return;
        }
        if (strstr(m, "Missing '='") || strstr(m, "Assignment outside of section")) {
                ret->kind = FINDING_SYNTAX;
                return;
        }
        if (strcasestr(m, "deprecated") || strcasestr(m, "obsolete")) {
                ret->kind = FINDING_DEPRECATED;
                return;
        }
        /* "Failed to parse ..., ignoring: VALUE", "Invalid ..., ignoring: VALUE" */
        if (strstr(m, "ignoring") || strstr(m, "Failed to parse") || strstr(m, "Invalid")) {
                const char *v = strstr(m, "ignoring: ");

                ret->kind = FINDING_INVALID_VALUE;
                if (v)
                        (void)snprintf(ret->value, sizeof(ret->value), "%s", v + 10);
                else if ((colon = strrchr(m, ':')) && colon[1] == ' ')
                        (void)snprintf(ret->value, sizeof(ret->value), "%s", colon + 2);
                /* A trailing full stop is systemd's, not the value's. */
                {
                        size_t n = strlen(ret->value);

                        if (n > 0 && ret->value[n - 1] == '.' && !v)
                                ret->value[n - 1] = '\0';
                }
        }
}
