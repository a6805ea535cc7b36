/* SPDX-License-Identifier: MIT */
/*
 * The JSON API's request handling, independent of the HTTP library so it can be tested on
 * its own: a path and a raw (undecoded) query in, a status and a JSON body out.
 */
#pragma once

#include "../daemon/history.h"
#include "../daemon/snapshot.h"
#include "../hardening/scorer.h"

struct api_response {
        unsigned status;
        char *body; /* JSON, allocated */
};

/*
 * Handles GET of path ("/api/v1/units", "/api/v1/units/{unit}", "/api/v1/units/{unit}/series",
 * "/api/v1/units/{unit}/hardening") against s, the history h and the scorer sc (either may be
 * NULL: no series, no scores). Unit names and
 * query values are percent-decoded strictly; a bad escape or a NUL is a 400. Query
 * parameters of the list: state (an ActiveState, or "running" for populated cgroups) and
 * name (a glob). Returns -ENOMEM only; every request error is a response.
 */
int api_handle(const struct uw_snapshot *s, struct uw_history *h, struct scorer *sc,
               const char *path, const char *query, struct api_response *ret);
