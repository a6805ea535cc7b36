/* SPDX-License-Identifier: MIT */
#include "cg_parse.h"

#include <errno.h>
#include <string.h>

/*
 * A cursor over a byte buffer. Tokens are runs of non-whitespace; lines end at '\n'. Nothing
 * here relies on a terminating NUL, a trailing newline or single spaces.
 */
struct cursor {
        const char *p, *end;
};

struct token {
        const char *s;
        size_t len;
};

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Next token on the current line; false at the end of the line (which is not consumed). */
static bool next_token_in_line(struct cursor *c, struct token *t)
{
        while (c->p < c->end && is_blank(*c->p))
                c->p++;
        if (c->p >= c->end || *c->p == '\n')
                return false;
        t->s = c->p;
        while (c->p < c->end && !is_space(*c->p))
                c->p++;
        t->len = (size_t)(c->p - t->s);
        return true;
}

/* Next token anywhere, crossing lines. */
static bool next_token(struct cursor *c, struct token *t)
{
        while (c->p < c->end && is_space(*c->p))
                c->p++;
        return next_token_in_line(c, t);
}

static void skip_line(struct cursor *c)
{
        while (c->p < c->end && *c->p != '\n')
                c->p++;
        if (c->p < c->end)
                c->p++;
}

static bool token_eq(const struct token *t, const char *s)
{
        size_t n = strlen(s);
        return t->len == n && memcmp(t->s, s, n) == 0;
}

/* Strict decimal u64: digits only, no sign, no leading whitespace, overflow rejected. */
static int parse_u64_token(const char *s, size_t len, uint64_t *ret)
{
        uint64_t v = 0;

        if (len == 0)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                unsigned d;

                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                d = (unsigned)(s[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

/* Non-negative decimal with an optional fraction, as PSI prints its averages ("12.34"). */
static int parse_decimal_token(const char *s, size_t len, double *ret)
{
        double v = 0, scale = 1;
        bool dot = false, digits = false;

        for (size_t i = 0; i < len; i++) {
                if (s[i] == '.' && !dot) {
                        dot = true;
                        continue;
                }
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                digits = true;
                if (dot) {
                        scale /= 10;
                        v += (s[i] - '0') * scale;
                } else {
                        v = v * 10 + (s[i] - '0');
                }
        }
        if (!digits)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* The single token of a one-value file; -ENODATA when blank, -EINVAL when more follows. */
static int single_token(const char *buf, size_t len, struct token *t)
{
        struct cursor c = {buf, buf + len};
        struct token extra;

        if (!next_token(&c, t))
                return -ENODATA;
        if (next_token(&c, &extra))
                return -EINVAL;
        return 0;
}

int cg_parse_u64(const char *buf, size_t len, uint64_t *ret)
{
        struct token t;
        uint64_t v;
        int r;

        r = single_token(buf, len, &t);
        if (r < 0)
                return r;
        r = parse_u64_token(t.s, t.len, &v);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

static int parse_limit_token(const struct token *t, struct cg_limit *ret)
{
        uint64_t v;
        int r;

        if (token_eq(t, "max")) {
                *ret = (struct cg_limit){.unlimited = true};
                return 0;
        }
        r = parse_u64_token(t->s, t->len, &v);
        if (r < 0)
                return r;
        *ret = (struct cg_limit){.value = v};
        return 0;
}

int cg_parse_limit(const char *buf, size_t len, struct cg_limit *ret)
{
        struct token t;
        int r;

        r = single_token(buf, len, &t);
        if (r < 0)
                return r;
        return parse_limit_token(&t, ret);
}

int cg_parse_cpu_max(const char *buf, size_t len, struct cg_cpu_max *ret)
{
        struct cursor c = {buf, buf + len};
        struct token tq, tp;
        struct cg_cpu_max m;
        int r;

        if (!next_token(&c, &tq))
                return -ENODATA;
        if (!next_token_in_line(&c, &tp))
                return -EINVAL;
        r = parse_limit_token(&tq, &m.quota_usec);
        if (r < 0)
                return r;
        r = parse_u64_token(tp.s, tp.len, &m.period_usec);
        if (r < 0)
                return r;
        if (m.period_usec == 0)
                return -EINVAL;
        *ret = m;
        return 0;
}

static struct cg_kv *kv_find(struct cg_kv_set *set, const struct token *key)
{
        for (size_t i = 0; i < set->n; i++)
                if (strncmp(set->items[i].key, key->s, key->len) == 0 &&
                    set->items[i].key[key->len] == '\0')
                        return &set->items[i];
        return NULL;
}

int cg_parse_flat_keyed(const char *buf, size_t len, struct cg_kv_set *ret)
{
        struct cursor c = {buf, buf + len};

        ret->n = 0;
        ret->n_skipped = 0;
        while (c.p < c.end) {
                struct token key, val, extra;
                struct cg_kv *kv;
                uint64_t v;

                if (!next_token_in_line(&c, &key)) {
                        skip_line(&c);
                        continue;
                }
                /* A NUL inside a key would make it compare equal to its prefix. */
                if (!next_token_in_line(&c, &val) || next_token_in_line(&c, &extra) ||
                    key.len >= CG_KEY_MAX || memchr(key.s, '\0', key.len) ||
                    parse_u64_token(val.s, val.len, &v) < 0) {
                        ret->n_skipped++;
                        skip_line(&c);
                        continue;
                }
                skip_line(&c);

                kv = kv_find(ret, &key);
                if (!kv) {
                        if (ret->n >= ret->cap) {
                                ret->n_skipped++;
                                continue;
                        }
                        kv = &ret->items[ret->n++];
                        memcpy(kv->key, key.s, key.len);
                        kv->key[key.len] = '\0';
                }
                kv->value = v;
        }
        return (int)ret->n;
}

bool cg_kv_get(const struct cg_kv_set *set, const char *key, uint64_t *ret)
{
        for (size_t i = 0; i < set->n; i++)
                if (strcmp(set->items[i].key, key) == 0) {
                        *ret = set->items[i].value;
                        return true;
                }
        return false;
}

static const char *const io_key_names[_CG_IO_KEY_MAX] = {
        [CG_IO_RBYTES] = "rbytes", [CG_IO_WBYTES] = "wbytes", [CG_IO_RIOS] = "rios",
        [CG_IO_WIOS] = "wios",     [CG_IO_DBYTES] = "dbytes", [CG_IO_DIOS] = "dios",
};

const char *cg_io_key_to_string(enum cg_io_key k)
{
        if ((unsigned)k >= _CG_IO_KEY_MAX)
                return NULL;
        return io_key_names[k];
}

/* "MAJ:MIN" with both parts decimal and in range; anything else is not a device key. */
static bool parse_devnum(const struct token *t, unsigned *ret_major, unsigned *ret_minor)
{
        const char *colon = memchr(t->s, ':', t->len);
        uint64_t ma, mi;

        if (!colon)
                return false;
        if (parse_u64_token(t->s, (size_t)(colon - t->s), &ma) < 0 ||
            parse_u64_token(colon + 1, t->len - (size_t)(colon - t->s) - 1, &mi) < 0)
                return false;
        if (ma > 0xfff || mi > 0xfffff)
                return false;
        *ret_major = (unsigned)ma;
        *ret_minor = (unsigned)mi;
        return true;
}

static struct cg_io_dev *io_dev_get(struct cg_io_set *set, unsigned major, unsigned minor)
{
        for (size_t i = 0; i < set->n; i++)
                if (set->devs[i].major == major && set->devs[i].minor == minor)
                        return &set->devs[i];
        if (set->n >= set->cap)
                return NULL;
        set->devs[set->n] = (struct cg_io_dev){.major = major, .minor = minor};
        return &set->devs[set->n++];
}

int cg_parse_io_stat(const char *buf, size_t len, struct cg_io_set *ret)
{
        struct cursor c = {buf, buf + len};
        struct cg_io_dev *cur = NULL;
        struct token t;

        ret->n = 0;
        ret->n_skipped = 0;
        while (next_token(&c, &t)) {
                const char *eq = memchr(t.s, '=', t.len);
                unsigned major, minor;

                if (!eq) {
                        /* A bare token starts a record: a device, or one we cannot name. */
                        if (parse_devnum(&t, &major, &minor)) {
                                cur = io_dev_get(ret, major, minor);
                                if (!cur)
                                        ret->n_skipped++;
                        } else {
                                cur = NULL;
                                ret->n_skipped++;
                        }
                        continue;
                }
                if (!cur)
                        continue;
                for (int k = 0; k < _CG_IO_KEY_MAX; k++) {
                        struct token key = {t.s, (size_t)(eq - t.s)};
                        uint64_t v;

                        if (!token_eq(&key, io_key_names[k]))
                                continue;
                        if (parse_u64_token(eq + 1, t.len - key.len - 1, &v) < 0)
                                break;
                        cur->v[k] = v;
                        cur->present |= 1u << k;
                        break;
                }
        }
        return (int)ret->n;
}

static int parse_psi_line(struct cursor *c, struct cg_psi_line *line)
{
        struct cg_psi_line l = {.present = true};
        unsigned seen = 0;
        struct token t;

        while (next_token_in_line(c, &t)) {
                const char *eq = memchr(t.s, '=', t.len);
                struct token key;
                const char *v;
                size_t vlen;
                int r = 0;

                if (!eq)
                        return -EINVAL;
                key = (struct token){t.s, (size_t)(eq - t.s)};
                v = eq + 1;
                vlen = t.len - key.len - 1;
                if (token_eq(&key, "avg10"))
                        r = parse_decimal_token(v, vlen, &l.avg10), seen |= 1;
                else if (token_eq(&key, "avg60"))
                        r = parse_decimal_token(v, vlen, &l.avg60), seen |= 2;
                else if (token_eq(&key, "avg300"))
                        r = parse_decimal_token(v, vlen, &l.avg300), seen |= 4;
                else if (token_eq(&key, "total"))
                        r = parse_u64_token(v, vlen, &l.total_usec), seen |= 8;
                if (r < 0)
                        return r;
        }
        if (seen != 15)
                return -EINVAL;
        *line = l;
        return 0;
}

int cg_parse_psi(const char *buf, size_t len, struct cg_psi *ret)
{
        struct cursor c = {buf, buf + len};
        struct cg_psi psi = {};
        struct token t;
        bool any = false, blank = true;

        while (next_token(&c, &t)) {
                struct cg_psi_line *line = NULL, parsed = {};

                blank = false;
                if (token_eq(&t, "some"))
                        line = &psi.some;
                else if (token_eq(&t, "full"))
                        line = &psi.full;
                /* A broken line leaves what an earlier good one of its kind said. */
                if (!line || parse_psi_line(&c, &parsed) < 0) {
                        skip_line(&c);
                        continue;
                }
                *line = parsed;
                any = true;
        }
        if (!any)
                return blank ? -ENODATA : -EINVAL;
        *ret = psi;
        return 0;
}
