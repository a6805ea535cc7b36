/* SPDX-License-Identifier: MIT */
/*
 * Parsers for cgroup v2 interface files. Every function is pure: it reads a byte buffer (not
 * NUL-terminated, any length) and fills a caller-owned result; nothing is allocated, nothing
 * is logged, and a result is written only when the function returns >= 0. Safe from any
 * thread. The formats are described in the kernel's cgroup-v2 documentation.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A single-value file that may hold the literal "max" (memory.max, pids.max, ...). */
struct cg_limit {
        bool unlimited; /* the kernel printed "max" */
        uint64_t value; /* meaningful only when !unlimited */
};

/*
 * One decimal u64 followed by optional whitespace. -ENODATA for an empty (or blank) buffer,
 * -EINVAL for anything else that is not a number, -ERANGE above UINT64_MAX.
 */
int cg_parse_u64(const char *buf, size_t len, uint64_t *ret);

/* Like cg_parse_u64() but also accepts "max". */
int cg_parse_limit(const char *buf, size_t len, struct cg_limit *ret);

/* cpu.max: "$MAX $PERIOD" where $MAX may be "max"; extra trailing fields are ignored. */
struct cg_cpu_max {
        struct cg_limit quota_usec;
        uint64_t period_usec;
};
int cg_parse_cpu_max(const char *buf, size_t len, struct cg_cpu_max *ret);

/*
 * Flat-keyed files (cpu.stat, memory.stat, memory.events, pids.events, cgroup.events):
 * "KEY VALUE" lines in any order, keys never seen before included. Keys longer than
 * CG_KEY_MAX-1 bytes and lines whose value is not a u64 are skipped and counted in
 * n_skipped. A key seen twice keeps its last value. The caller provides the storage: at most
 * cap items are kept, keys beyond that are counted in n_skipped too.
 */
#define CG_KEY_MAX 40

struct cg_kv {
        char key[CG_KEY_MAX];
        uint64_t value;
};

struct cg_kv_set {
        size_t n;
        size_t cap;
        size_t n_skipped;
        struct cg_kv *items; /* cap entries, owned by the caller */
};

/* Returns the number of keys parsed (0 for an empty file). */
int cg_parse_flat_keyed(const char *buf, size_t len, struct cg_kv_set *ret);

/* Looks a key up; returns true and sets *ret when present. */
bool cg_kv_get(const struct cg_kv_set *set, const char *key, uint64_t *ret);

/*
 * io.stat: records start at a "MAJ:MIN" token; "key=value" tokens attach to the current
 * record. The six base counters are kept with a presence bit each (kernels before 4.19 print
 * no dbytes/dios; current ones print a bare "MAJ:MIN" for a device without reads or writes).
 * Records named "(unknown)" or otherwise not "MAJ:MIN" are skipped with everything attached
 * to them, and counted in n_skipped. Policy keys (cost.usage, depth, ...) are ignored. A
 * device listed twice keeps one record. An empty buffer is a valid file with no devices.
 */
enum cg_io_key {
        CG_IO_RBYTES,
        CG_IO_WBYTES,
        CG_IO_RIOS,
        CG_IO_WIOS,
        CG_IO_DBYTES,
        CG_IO_DIOS,
        _CG_IO_KEY_MAX,
};

struct cg_io_dev {
        unsigned major, minor;
        unsigned present; /* bit (1 << enum cg_io_key) set when the key was printed */
        uint64_t v[_CG_IO_KEY_MAX];
};

/* Caller-provided storage as for cg_kv_set: devices beyond cap are counted in n_skipped. */
struct cg_io_set {
        size_t n;
        size_t cap;
        size_t n_skipped;
        struct cg_io_dev *devs;
};

const char *cg_io_key_to_string(enum cg_io_key k);
int cg_parse_io_stat(const char *buf, size_t len, struct cg_io_set *ret);

/*
 * Pressure files (cpu/memory/io.pressure): up to two lines, "some" and "full", each with
 * avg10/avg60/avg300 (percent) and total (microseconds). A line that is absent (old kernels
 * print no "full" for cpu) is marked so. -ENODATA for an empty buffer, -EINVAL when no line
 * could be parsed.
 */
struct cg_psi_line {
        bool present;
        double avg10, avg60, avg300;
        uint64_t total_usec;
};

struct cg_psi {
        struct cg_psi_line some, full;
};

int cg_parse_psi(const char *buf, size_t len, struct cg_psi *ret);
