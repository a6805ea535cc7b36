/* SPDX-License-Identifier: MIT */
/*
 * Classifying what PID 1 logs against a unit file line (log_syntax(), MESSAGE_ID
 * c772d24e9a884cbeb9ea12625c306c01). The messages are systemd 252's, as its journal holds them
 * in the VM tier's guest (tests/vm/scenarios/s40_intended.py).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "collectors/config_msg.h"

Test(config_msg, unknown_key_252)
{
        struct config_msg m;

        config_msg_parse("/etc/systemd/system/uw-intended.service:6: Unknown key 'CpuQuota' in "
                         "section [Service], ignoring.",
                         &m);
        cr_assert_eq(m.kind, FINDING_UNKNOWN_KEY);
        cr_assert_str_eq(m.key, "CpuQuota");
        cr_assert_str_eq(m.section, "Service");
        cr_assert_str_eq(m.reason, "Unknown key 'CpuQuota' in section [Service], ignoring.");

        config_msg_parse("/etc/systemd/system/uw-intended.service:7: Unknown key 'MemoryMAX' in "
                         "section [Service], ignoring.",
                         &m);
        cr_assert_eq(m.kind, FINDING_UNKNOWN_KEY);
        cr_assert_str_eq(m.key, "MemoryMAX");
}

Test(config_msg, wrong_section)
{
        struct config_msg m;

        /* A known [Service] key in [Unit]: the same message, a different meaning. */
        config_msg_parse("/etc/systemd/system/a.service:3: Unknown key 'MemoryMax' in section "
                         "[Unit], ignoring.",
                         &m);
        cr_assert_eq(m.kind, FINDING_WRONG_SECTION);
        cr_assert_str_eq(m.key, "MemoryMax");
        cr_assert_str_eq(m.section, "Unit");
}

Test(config_msg, invalid_values_252)
{
        struct config_msg m;

        config_msg_parse("/etc/systemd/system/uw-intended.service:8: Failed to parse protect "
                         "system value, ignoring: strct",
                         &m);
        cr_assert_eq(m.kind, FINDING_INVALID_VALUE);
        cr_assert_str_eq(m.value, "strct");
        cr_assert_str_eq(m.key, "");
        cr_assert_str_eq(m.reason, "Failed to parse protect system value, ignoring: strct");

        config_msg_parse("/etc/systemd/system/uw-intended.service:9: Failed to parse system call, "
                         "ignoring: ~@debug",
                         &m);
        cr_assert_eq(m.kind, FINDING_INVALID_VALUE);
        cr_assert_str_eq(m.value, "~@debug");
}

Test(config_msg, other_kinds)
{
        struct config_msg m;

        config_msg_parse("/etc/systemd/system/a.service:12: Unknown section 'Sevrice'. Ignoring.",
                         &m);
        cr_assert_eq(m.kind, FINDING_UNKNOWN_SECTION);
        cr_assert_str_eq(m.section, "Sevrice");

        config_msg_parse("/etc/systemd/system/a.service:4: Missing '=', ignoring line.", &m);
        cr_assert_eq(m.kind, FINDING_SYNTAX);

        config_msg_parse("/etc/systemd/system/a.service:5: Unit uses MemoryLimit=; please use "
                         "MemoryMax= instead. Support for MemoryLimit= will be removed soon.",
                         &m);
        cr_assert_eq(m.kind, FINDING_OTHER);

        config_msg_parse(
                "/lib/systemd/system/b.service:7: PIDFile= references a path below "
                "legacy directory /var/run/, updating /var/run/b.pid -> /run/b.pid; please "
                "update the unit file accordingly.",
                &m);
        cr_assert_eq(m.kind, FINDING_OTHER);
        cr_assert(strncmp(m.reason, "PIDFile=", 8) == 0);
}

Test(config_msg, no_location_prefix)
{
        struct config_msg m;

        config_msg_parse("Failed to parse protect system value, ignoring: strct", &m);
        cr_assert_eq(m.kind, FINDING_INVALID_VALUE);
        cr_assert_str_eq(m.value, "strct");
}

Test(config_msg, kind_names)
{
        for (int k = 0; k < _FINDING_KIND_MAX; k++)
                cr_assert_eq(finding_kind_from_string(finding_kind_to_string(k)), k);
        cr_assert_eq(finding_kind_from_string("nope"), _FINDING_KIND_INVALID);
}
