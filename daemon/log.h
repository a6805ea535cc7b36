/* SPDX-License-Identifier: MIT */
/*
 * Logging: levels checked before any formatting; journal fields (PRIORITY, UNIT, CGROUP, ...)
 * when stderr is connected to the journal, "<N>"-prefixed lines on stderr otherwise.
 * Thread-safe: each message is written with one call.
 */
#pragma once

#include <stdarg.h>

enum log_level {
        LOG_LEVEL_ERROR = 3,
        LOG_LEVEL_WARNING = 4,
        LOG_LEVEL_NOTICE = 5,
        LOG_LEVEL_INFO = 6,
        LOG_LEVEL_DEBUG = 7,
};

extern int log_max_level;

/* Parses "debug", "info", "notice", "warning" or "error"; returns the level or -EINVAL. */
int log_level_from_string(const char *s);

/* Decides between the journal and plain stderr; call once at start. */
void log_open(void);

/*
 * Writes one message. unit may be NULL; when set it becomes the UNIT= journal field and is
 * not repeated by callers. Returns -abs(error) when error is non-zero, else 0, so callers can
 * "return log_...(r, ...)".
 */
int log_internal(int level, int error, const char *unit, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * Like log_internal() with extra journal fields: fields is a NULL-terminated list of name,
 * value pairs ("ALERTNAME", "OOMKilled", ...). On a terminal only the message is written.
 */
int log_internal_fields(int level, const char *unit, const char *const *fields, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));

#define log_full_errno(level, error, unit, ...)                                                    \
        ({                                                                                         \
                int _l = (level), _e = (error);                                                    \
                (_l <= log_max_level) ? log_internal(_l, _e, (unit), __VA_ARGS__)                  \
                                      : (_e < 0 ? _e : -_e);                                       \
        })

#define log_debug(...)   log_full_errno(LOG_LEVEL_DEBUG, 0, NULL, __VA_ARGS__)
#define log_info(...)    log_full_errno(LOG_LEVEL_INFO, 0, NULL, __VA_ARGS__)
#define log_notice(...)  log_full_errno(LOG_LEVEL_NOTICE, 0, NULL, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_LEVEL_WARNING, 0, NULL, __VA_ARGS__)
#define log_error(...)   log_full_errno(LOG_LEVEL_ERROR, 0, NULL, __VA_ARGS__)

#define log_debug_errno(e, ...)   log_full_errno(LOG_LEVEL_DEBUG, e, NULL, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_LEVEL_WARNING, e, NULL, __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_LEVEL_ERROR, e, NULL, __VA_ARGS__)

#define log_unit_debug_errno(u, e, ...) log_full_errno(LOG_LEVEL_DEBUG, e, u, __VA_ARGS__)
#define log_unit_info(u, ...)           log_full_errno(LOG_LEVEL_INFO, 0, u, __VA_ARGS__)
