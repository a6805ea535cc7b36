/* SPDX-License-Identifier: MIT */
/*
 * Reading a GetAll-shaped a{sv} into unit_props: kept properties typed, sandbox properties as
 * JSON (bit masks exact), everything else skipped and never stored. Messages are built with
 * sd-bus itself on a bus object that is never connected.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "collectors/unit_props.h"

static sd_bus *bus;
static int pair[2];

/* sd-bus builds messages only on an open bus: a server end of a socketpair, never used. */
static void setup(void)
{
        sd_id128_t id;

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
        cr_assert_geq(sd_id128_randomize(&id), 0);
        cr_assert_geq(sd_bus_new(&bus), 0);
        cr_assert_geq(sd_bus_set_fd(bus, pair[0], pair[0]), 0);
        cr_assert_geq(sd_bus_set_server(bus, 1, id), 0);
        cr_assert_geq(sd_bus_set_anonymous(bus, 1), 0);
        cr_assert_geq(sd_bus_start(bus), 0);
}

static void teardown(void)
{
        /* The peer never authenticates: flushing would wait for it forever. */
        (void)close(pair[1]);
        bus = sd_bus_close_unref(bus);
}

TestSuite(unit_props, .init = setup, .fini = teardown);

/* A method return cannot be built without a call: a signal carries the same body. */
static sd_bus_message *props_message(void)
{
        sd_bus_message *m = NULL;
        static const char *const env[] = {"TOKEN=s3cr3t", NULL};
        static const uint8_t id[16] = {0x3f, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};

        cr_assert_geq(sd_bus_message_new_signal(bus, &m, "/x", "x.y", "Z"), 0);
        cr_assert_geq(sd_bus_message_open_container(m, 'a', "{sv}"), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "Id", "s", "foo.service"), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "ActiveState", "s", "active"), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "Description", "s",
                                            "Foo <b>\"daemon\"</b> C:\\x2d"),
                      0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "NRestarts", "u", 3), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "Transient", "b", 1), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "MemoryMax", "t", UINT64_MAX), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "TasksMax", "t", (uint64_t)77), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "CapabilityBoundingSet", "t", UINT64_MAX),
                      0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "ProtectSystem", "s", "strict"), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "NoNewPrivileges", "b", 1), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "SystemCallFilter", "(bas)", 1, 2, "read",
                                            "write"),
                      0);
        cr_assert_geq(
                sd_bus_message_append(m, "{sv}", "DeviceAllow", "a(ss)", 1, "/dev/null", "rw"), 0);
        /* Never kept: environment and command lines. */
        cr_assert_geq(sd_bus_message_open_container(m, 'e', "sv"), 0);
        cr_assert_geq(sd_bus_message_append(m, "s", "Environment"), 0);
        cr_assert_geq(sd_bus_message_open_container(m, 'v', "as"), 0);
        cr_assert_geq(sd_bus_message_append_strv(m, (char **)env), 0);
        cr_assert_geq(sd_bus_message_close_container(m), 0);
        cr_assert_geq(sd_bus_message_close_container(m), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "ExecStart", "a(sasbttttuii)", 1,
                                            "/bin/sleep", 2, "sleep", "s3cr3t", 0, 0, 0, 0, 0, 0, 0,
                                            0),
                      0);
        cr_assert_geq(sd_bus_message_open_container(m, 'e', "sv"), 0);
        cr_assert_geq(sd_bus_message_append(m, "s", "InvocationID"), 0);
        cr_assert_geq(sd_bus_message_open_container(m, 'v', "ay"), 0);
        cr_assert_geq(sd_bus_message_append_array(m, 'y', id, sizeof(id)), 0);
        cr_assert_geq(sd_bus_message_close_container(m), 0);
        cr_assert_geq(sd_bus_message_close_container(m), 0);
        cr_assert_geq(sd_bus_message_close_container(m), 0);
        cr_assert_geq(sd_bus_message_seal(m, 1, 0), 0);
        cr_assert_geq(sd_bus_message_rewind(m, true), 0);
        return m;
}

Test(unit_props, getall_reply_is_read)
{
        sd_bus_message *m = props_message();
        struct unit_props p = {}, copy;
        json_t *v;
        char *text;

        /*
         * Id, ActiveState, Description, NRestarts, Transient, MemoryMax, TasksMax,
         * InvocationID and 5 sandbox ones.
         */
        cr_assert_eq(unit_props_update(&p, m), 13);
        cr_assert_str_eq(p.id, "foo.service");
        cr_assert_str_eq(p.description, "Foo <b>\"daemon\"</b> C:\\x2d", "kept byte for byte");
        cr_assert(p.transient, "transient: its Description is not to be shown");
        cr_assert_str_eq(p.active_state, "active");
        cr_assert(p.has_n_restarts);
        cr_assert_eq(p.n_restarts, 3);
        cr_assert(p.has_limit[UNIT_MEMORY_MAX]);
        cr_assert_eq(p.limit[UNIT_MEMORY_MAX], UINT64_MAX);
        cr_assert_eq(p.limit[UNIT_TASKS_MAX], 77);
        cr_assert(p.has_invocation_id);
        cr_assert_eq(p.invocation_id[0], 0x3f);

        v = json_object_get(p.sandbox, "CapabilityBoundingSet");
        cr_assert_str_eq(json_string_value(v), "18446744073709551615", "a mask stays exact");
        cr_assert_str_eq(json_string_value(json_object_get(p.sandbox, "ProtectSystem")), "strict");
        cr_assert(json_is_true(json_object_get(p.sandbox, "NoNewPrivileges")));
        v = json_object_get(p.sandbox, "SystemCallFilter");
        cr_assert(json_is_true(json_array_get(v, 0)));
        cr_assert_str_eq(json_string_value(json_array_get(json_array_get(v, 1), 1)), "write");
        cr_assert_eq(json_array_size(json_object_get(p.sandbox, "DeviceAllow")), 1);

        text = json_dumps(p.sandbox, 0);
        cr_assert_null(strstr(text, "s3cr3t"), "a secret was kept: %s", text);
        cr_assert_null(json_object_get(p.sandbox, "Environment"));
        free(text);

        /* A copy shares the immutable sandbox object and owns its strings. */
        cr_assert_eq(unit_props_copy(&copy, &p), 0);
        cr_assert_eq(copy.sandbox, p.sandbox);
        cr_assert_neq(copy.id, p.id);
        cr_assert_str_eq(copy.description, p.description);
        cr_assert_neq(copy.description, p.description);
        unit_props_release(&p);
        cr_assert_str_eq(json_string_value(json_object_get(copy.sandbox, "ProtectSystem")),
                         "strict");
        unit_props_release(&copy);
        sd_bus_message_unref(m);
}

/* IPAccounting and its counters: UINT64_MAX (systemd's "no data") is absent, not a value. */
Test(unit_props, ip_accounting)
{
        sd_bus_message *m = NULL;
        struct unit_props p = {}, copy;

        cr_assert_geq(sd_bus_message_new_signal(bus, &m, "/x", "x.y", "Z"), 0);
        cr_assert_geq(sd_bus_message_open_container(m, 'a', "{sv}"), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "IPAccounting", "b", 1), 0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "IPIngressBytes", "t", (uint64_t)8392140),
                      0);
        cr_assert_geq(sd_bus_message_append(m, "{sv}", "IPEgressBytes", "t", UINT64_MAX), 0);
        cr_assert_geq(sd_bus_message_close_container(m), 0);
        cr_assert_geq(sd_bus_message_seal(m, 1, 0), 0);
        cr_assert_geq(sd_bus_message_rewind(m, true), 0);

        cr_assert_eq(unit_props_update(&p, m), 3);
        cr_assert(p.ip_accounting);
        cr_assert(p.ip_present & (1u << UNIT_IP_INGRESS_BYTES));
        cr_assert_eq(p.ip[UNIT_IP_INGRESS_BYTES], 8392140);
        cr_assert_not(p.ip_present & (1u << UNIT_IP_EGRESS_BYTES));
        cr_assert_not(p.ip_present & (1u << UNIT_IP_INGRESS_PACKETS));

        /* A later Get (unit_watch_refresh_ip()) answering "no data" takes the value away. */
        unit_props_set_ip(&p, UNIT_IP_INGRESS_BYTES, UINT64_MAX);
        cr_assert_not(p.ip_present & (1u << UNIT_IP_INGRESS_BYTES));
        unit_props_set_ip(&p, UNIT_IP_EGRESS_PACKETS, 12);
        cr_assert_eq(unit_props_copy(&copy, &p), 0);
        cr_assert(copy.ip_present & (1u << UNIT_IP_EGRESS_PACKETS));
        cr_assert_eq(copy.ip[UNIT_IP_EGRESS_PACKETS], 12);
        unit_props_release(&copy);
        unit_props_release(&p);
        sd_bus_message_unref(m);
}

Test(unit_props, wanted_names)
{
        cr_assert(unit_props_wants("ActiveState"));
        cr_assert(unit_props_wants("MemoryMax"));
        cr_assert(unit_props_wants("Description"));
        cr_assert(unit_props_wants("Transient"));
        cr_assert(unit_props_wants("SystemCallFilter"));
        cr_assert_not(unit_props_wants("Environment"));
        cr_assert_not(unit_props_wants("ExecStart"));
}
