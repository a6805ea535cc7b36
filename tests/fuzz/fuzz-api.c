/* SPDX-License-Identifier: MIT */
/*
 * The JSON API's request handling (web/api.h) with arbitrary paths and queries, against a
 * snapshot of the host-a fixture and a history holding two samples of it. The input is
 * "PATH?QUERY"; a path is prefixed with /api/v1/ unless it starts with '/' (the HTTP layer
 * only hands over /api/v1/ paths, but the handler must not trust that). Every answer is a
 * status libmicrohttpd can send and a JSON body.
 */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/cg_discover.h"
#include "daemon/collector.h"
#include "daemon/history.h"
#include "web/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct uw_snapshot *snap;
static struct uw_history *hist;

static void setup(void)
{
        struct uw_collector_config cc = {.cgroup_root = "tests/fixtures/host-a",
                                         .sysfs_root = "tests/fixtures/host-a-sysfs",
                                         .types = UNIT_SERVICE | UNIT_SCOPE | UNIT_SLICE};
        struct uw_collector *c;
        struct uw_snapshot *first;

        if (uw_collector_new(&cc, &c) < 0 || uw_collector_collect(c, NULL, &first) < 0 ||
            uw_collector_collect(c, first, &snap) < 0 || uw_history_new(&hist) < 0 ||
            uw_history_record(hist, first) < 0 || uw_history_record(hist, snap) < 0)
                abort(); /* run from the top of the tree */
        uw_snapshot_unref(first);
        uw_collector_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct api_response resp;
        char *in, *query, *path;
        json_t *j;

        if (!snap)
                setup();
        in = malloc(size + 1);
        if (!in)
                return 0;
        memcpy(in, data, size);
        in[size] = '\0';
        query = strchr(in, '?');
        if (query)
                *query++ = '\0';
        if (in[0] == '/')
                path = strdup(in);
        else if (asprintf(&path, "/api/v1/%s", in) < 0)
                path = NULL;
        if (path && api_handle(snap, hist, NULL, path, query ? query : "", &resp) >= 0) {
                assert(resp.status >= 200 && resp.status < 600);
                j = json_loads(resp.body, 0, NULL);
                assert(j);
                json_decref(j);
                free(resp.body);
        }
        free(path);
        free(in);
        return 0;
}
