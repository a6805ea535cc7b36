/* SPDX-License-Identifier: MIT */
/*
 * What systemd said about a unit file setting when it loaded it: the MESSAGE of a journal
 * entry that PID 1 logged with CONFIG_FILE= and CONFIG_LINE= (log_syntax()), such as
 * "/etc/systemd/system/a.service:6: Unknown key name 'CpuQuota' in section 'Service',
 * ignoring." classified into a finding kind, with the key, section and value it names.
 * Pure functions, safe from any thread.
 */
#pragma once

#include <stddef.h>

enum finding_kind {
        FINDING_UNKNOWN_KEY,     /* systemd does not know the key (a typo, a wrong case) */
        FINDING_WRONG_SECTION,   /* a known key in a section where it means nothing */
        FINDING_UNKNOWN_SECTION, /* a whole section systemd skipped */
        FINDING_INVALID_VALUE,   /* the key is known, the value was rejected */
        FINDING_DEPRECATED,      /* accepted, but on its way out */
        FINDING_SYNTAX,          /* a line systemd could not split ("Missing '='") */
        FINDING_INEFFECTIVE,     /* accepted, but part of it means nothing (a stray "~") */
        FINDING_MISMATCH,        /* the file says one thing, the bus reports another */
        FINDING_OTHER,           /* any other warning systemd logged against the line */
        _FINDING_KIND_MAX,
        _FINDING_KIND_INVALID = -22,
};

const char *finding_kind_to_string(enum finding_kind k);
enum finding_kind finding_kind_from_string(const char *s);

#define CONFIG_MSG_FIELD_MAX 256

struct config_msg {
        enum finding_kind kind;
        char key[CONFIG_MSG_FIELD_MAX];     /* "" when the message names none */
        char section[CONFIG_MSG_FIELD_MAX]; /* "" when the message names none */
        char value[CONFIG_MSG_FIELD_MAX];   /* "" when the message quotes none */
        const char *reason;                 /* points into the message: after "FILE:LINE: " */
};

/*
 * Classifies message (as logged, with or without its "FILE:LINE: " prefix). Never fails:
 * what it cannot place is FINDING_OTHER with the whole text as the reason.
 */
void config_msg_parse(const char *message, struct config_msg *ret);
