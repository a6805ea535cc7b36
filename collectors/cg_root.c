/* SPDX-License-Identifier: MIT */
#include "cg_root.h"

#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

#include "../daemon/util.h"

const char *cg_layout_to_string(enum cg_layout l)
{
        switch (l) {
        case CG_LAYOUT_UNIFIED:
                return "unified";
        case CG_LAYOUT_HYBRID:
                return "hybrid";
        default:
                return "not a cgroup file system";
        }
}

int cg_root_resolve(const char *dir, char **ret_path, enum cg_layout *ret_layout)
{
        _cleanup_free_ char *unified = NULL;
        struct statfs fs;

        if (statfs(dir, &fs) < 0)
                return negative_errno();
        if (fs.f_type == CGROUP2_SUPER_MAGIC) {
                *ret_path = strdup(dir);
                *ret_layout = CG_LAYOUT_UNIFIED;
                return *ret_path ? 0 : -ENOMEM;
        }
        if (asprintf(&unified, "%s/unified", dir) < 0)
                return -ENOMEM;
        if (statfs(unified, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
                *ret_path = TAKE_PTR(unified);
                *ret_layout = CG_LAYOUT_HYBRID;
                return 0;
        }
        *ret_path = strdup(dir);
        *ret_layout = CG_LAYOUT_OTHER;
        return *ret_path ? 0 : -ENOMEM;
}
