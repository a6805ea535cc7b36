/* SPDX-License-Identifier: MIT */
#include "bus_json.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

static json_t *json_from_u64(uint64_t v)
{
        char buf[32];

        if (v <= INT64_MAX)
                return json_integer((json_int_t)v);
        (void)snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
        return json_string(buf);
}

static int read_basic(sd_bus_message *m, char type, json_t **ret)
{
        union {
                uint8_t y;
                int b;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
                double d;
                const char *s;
        } v;
        json_t *j;
        int r;

        r = sd_bus_message_read_basic(m, type, &v);
        if (r < 0)
                return r;
        switch (type) {
        case 'y':
                j = json_integer(v.y);
                break;
        case 'b':
                j = json_boolean(v.b);
                break;
        case 'n':
                j = json_integer(v.n);
                break;
        case 'q':
                j = json_integer(v.q);
                break;
        case 'i':
        case 'h':
                j = json_integer(v.i);
                break;
        case 'u':
                j = json_integer(v.u);
                break;
        case 'x':
                j = json_integer(v.x);
                break;
        case 't':
                j = json_from_u64(v.t);
                break;
        case 'd':
                j = json_real(v.d);
                break;
        case 's':
        case 'o':
        case 'g':
                /* Property strings are UTF-8 by D-Bus rules; anything else is refused. */
                j = json_string(v.s);
                break;
        default:
                return -EOPNOTSUPP;
        }
        if (!j)
                return -ENOMEM;
        *ret = j;
        return 0;
}

int bus_read_json(sd_bus_message *m, json_t **ret)
{
        const char *contents;
        json_t *a;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (r == 0)
                return -ENXIO;
        if (type != SD_BUS_TYPE_ARRAY && type != SD_BUS_TYPE_STRUCT &&
            type != SD_BUS_TYPE_VARIANT && type != SD_BUS_TYPE_DICT_ENTRY)
                return read_basic(m, type, ret);

        r = sd_bus_message_enter_container(m, type, contents);
        if (r < 0)
                return r;
        if (type == SD_BUS_TYPE_VARIANT) {
                r = bus_read_json(m, ret);
                if (r < 0)
                        return r;
                return sd_bus_message_exit_container(m);
        }
        a = json_array();
        if (!a)
                return -ENOMEM;
        for (;;) {
                json_t *e;

                r = sd_bus_message_at_end(m, false);
                if (r < 0 || r > 0)
                        break;
                r = bus_read_json(m, &e);
                if (r < 0)
                        break;
                if (json_array_append_new(a, e) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r < 0) {
                json_decref(a);
                return r;
        }
        *ret = a;
        return 0;
}
