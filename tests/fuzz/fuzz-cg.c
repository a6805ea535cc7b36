/* SPDX-License-Identifier: MIT */
/*
 * The cgroup file parsers (collectors/cg_parse.h) on arbitrary bytes; one binary per format,
 * FUZZ_FORMAT picking which (the Makefile builds fuzz-cg-u64, fuzz-cg-cpu-max,
 * fuzz-cg-flat-keyed, fuzz-cg-io-stat and fuzz-cg-psi from this file). The input is copied
 * into a buffer of exactly its size, so a read past the end is an ASan report.
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/cg_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FORMAT_U64        1
#define FORMAT_CPU_MAX    2
#define FORMAT_FLAT_KEYED 3
#define FORMAT_IO_STAT    4
#define FORMAT_PSI        5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size ? size : 1);

        if (!buf)
                return 0;
        memcpy(buf, data, size);
#if FUZZ_FORMAT == FORMAT_U64
        {
                uint64_t v;
                struct cg_limit l;

                if (cg_parse_u64(buf, size, &v) >= 0) {
                        /* A number is a limit too, and the same one. */
                        assert(cg_parse_limit(buf, size, &l) >= 0);
                        assert(!l.unlimited && l.value == v);
                }
                (void)cg_parse_limit(buf, size, &l);
        }
#elif FUZZ_FORMAT == FORMAT_CPU_MAX
        {
                struct cg_cpu_max m;

                (void)cg_parse_cpu_max(buf, size, &m);
        }
#elif FUZZ_FORMAT == FORMAT_FLAT_KEYED
        {
                struct cg_kv items[8];
                struct cg_kv_set set = {.cap = 8, .items = items};
                int r = cg_parse_flat_keyed(buf, size, &set);

                if (r >= 0) {
                        assert(set.n <= set.cap && (size_t)r == set.n);
                        for (size_t i = 0; i < set.n; i++) {
                                uint64_t v;

                                assert(memchr(items[i].key, '\0', CG_KEY_MAX));
                                assert(cg_kv_get(&set, items[i].key, &v));
                        }
                }
        }
#elif FUZZ_FORMAT == FORMAT_IO_STAT
        {
                struct cg_io_dev devs[4];
                struct cg_io_set set = {.cap = 4, .devs = devs};

                if (cg_parse_io_stat(buf, size, &set) >= 0) {
                        assert(set.n <= set.cap);
                        for (size_t i = 0; i < set.n; i++)
                                assert(devs[i].present < (1u << _CG_IO_KEY_MAX));
                }
        }
#elif FUZZ_FORMAT == FORMAT_PSI
        {
                struct cg_psi p;

                if (cg_parse_psi(buf, size, &p) >= 0) {
                        assert(p.some.present || p.full.present);
                        assert(!p.some.present ||
                               (isfinite(p.some.avg10) && isfinite(p.some.avg60) &&
                                isfinite(p.some.avg300)));
                }
        }
#else
#error "FUZZ_FORMAT must name a cgroup file format"
#endif
        free(buf);
        return 0;
}
