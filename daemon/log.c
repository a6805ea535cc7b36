/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <errno.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "util.h"

int log_max_level = LOG_LEVEL_INFO;
static bool log_to_journal;

int log_level_from_string(const char *s)
{
        static const struct {
                const char *name;
                int level;
        } table[] = {
                {"error", LOG_LEVEL_ERROR},   {"warning", LOG_LEVEL_WARNING},
                {"notice", LOG_LEVEL_NOTICE}, {"info", LOG_LEVEL_INFO},
                {"debug", LOG_LEVEL_DEBUG},
        };

        for (size_t i = 0; i < ARRAY_SIZE(table); i++)
                if (streq(s, table[i].name))
                        return table[i].level;
        return -EINVAL;
}

/* systemd sets JOURNAL_STREAM to "dev:inode" of the stream it connected to stderr. */
void log_open(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        log_to_journal = false;
        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return;
        if (fstat(STDERR_FILENO, &st) < 0)
                return;
        log_to_journal = st.st_dev == dev && st.st_ino == ino;
}

int log_internal(int level, int error, const char *unit, const char *fmt, ...)
{
        char msg[2048];
        va_list ap;
        int e = error < 0 ? -error : error;

        /* %m in fmt names the error passed, not whatever errno holds by now. */
        if (e)
                errno = e;
        va_start(ap, fmt);
        (void)vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        if (log_to_journal) {
                if (unit)
                        (void)sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", level, "UNIT=%s",
                                              unit, "ERRNO=%d", e, NULL);
                else
                        (void)sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", level, "ERRNO=%d",
                                              e, NULL);
        } else {
                (void)fprintf(stderr, "<%d>%s\n", level, msg);
        }
        return -e;
}

/* Up to this many extra fields; more are dropped. */
#define LOG_FIELDS_MAX 8

int log_internal_fields(int level, const char *unit, const char *const *fields, const char *fmt,
                        ...)
{
        char msg[2048], message[2060], prio[16], bufs[LOG_FIELDS_MAX + 2][512];
        struct iovec iov[LOG_FIELDS_MAX + 3];
        size_t n = 0;
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        if (!log_to_journal) {
                (void)fprintf(stderr, "<%d>%s\n", level, msg);
                return 0;
        }
        (void)snprintf(message, sizeof(message), "MESSAGE=%s", msg);
        iov[n++] = (struct iovec){message, strlen(message)};
        (void)snprintf(prio, sizeof(prio), "PRIORITY=%d", level);
        iov[n++] = (struct iovec){prio, strlen(prio)};
        if (unit) {
                (void)snprintf(bufs[1], sizeof(bufs[1]), "UNIT=%s", unit);
                iov[n++] = (struct iovec){bufs[1], strlen(bufs[1])};
        }
        for (size_t i = 0; fields && fields[i] && fields[i + 1] && i / 2 < LOG_FIELDS_MAX; i += 2) {
                char *b = bufs[2 + i / 2];

                (void)snprintf(b, sizeof(bufs[0]), "%s=%s", fields[i], fields[i + 1]);
                iov[n++] = (struct iovec){b, strlen(b)};
        }
        (void)sd_journal_sendv(iov, (int)n);
        return 0;
}
