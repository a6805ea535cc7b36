/* SPDX-License-Identifier: MIT */
/*
 * A D-Bus value as JSON, for properties kept as they are rather than in typed fields:
 * booleans, numbers and strings as such, arrays and structs as arrays. Unsigned 64-bit
 * values above INT64_MAX become decimal strings, so bit masks stay exact.
 */
#pragma once

#include <jansson.h>
#include <systemd/sd-bus.h>

/* Reads the next complete value of m (a variant included) into *ret. -errno on failure. */
int bus_read_json(sd_bus_message *m, json_t **ret);
