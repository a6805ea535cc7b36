/* SPDX-License-Identifier: MIT */
/*
 * The config loader (daemon/config.h) on arbitrary file contents: it accepts or says why
 * not, and a loaded config passes its own cross-key checks without crashing. The file is a
 * memfd named through /proc/self/fd.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static int fd = -1;
        static char path[64];
        struct uw_config c;
        char err[1024] = "";
        int r;

        if (fd < 0) {
                fd = memfd_create("fuzz-config", MFD_CLOEXEC);
                assert(fd >= 0);
                (void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        }
        if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
                return 0;
        if (cfg_init(&c) < 0)
                return 0;
        r = cfg_load_file(&c, path, err, sizeof(err));
        if (r < 0)
                assert(err[0]); /* every refusal says why */
        else
                (void)cfg_check_http(&c, err, sizeof(err));
        cfg_release(&c);
        return 0;
}
