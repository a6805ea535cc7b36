/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
