/* SPDX-License-Identifier: MIT */
/*
 * `unitwatchd security [UNIT...]`: the hardening table of systemd-analyze security, from the
 * bus, for people (a table) and for scripts (--format json, --threshold N for CI gates).
 */
#pragma once

/* argv[0] is "security". Returns the process exit status. */
int security_command(int argc, char **argv);
