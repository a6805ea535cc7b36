/* SPDX-License-Identifier: MIT */
/*
 * `unitwatchd top`: a live terminal view in the spirit of systemd-cgtop, one line per service
 * (CPU, memory against its limit, IO, tasks, exposure, firing alerts), sorted by a key. Reads
 * the running daemon's API (GET /api/v1/units and /api/v1/alerts); without a daemon it reads
 * the host itself (bus and cgroup tree, like --once --rates). On a terminal it redraws every
 * interval and takes keys; piped, it prints one snapshot without escape codes.
 */
#pragma once

/* argv[0] is "top". Returns the process exit status. */
int top_command(int argc, char **argv);
