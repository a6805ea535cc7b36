/* SPDX-License-Identifier: MIT */
/*
 * The hardening scorer against docs/hardening-scoring.md and against what systemd 252's own
 * `systemd-analyze security` printed for real units (tests/fixtures/systemd-252, captured in
 * the test VM: GetAll properties converted to the unit_props.sandbox shape).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardening/score.h"
#include "hardening/syscall_groups.h"

#define FIXTURES "tests/fixtures/systemd-252/"

static struct syscall_groups *groups;

static char *read_all(const char *path, size_t *ret_size)
{
        FILE *f = fopen(path, "re");
        char *buf;
        long n;

        cr_assert_not_null(f, "cannot open %s", path);
        cr_assert_eq(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        cr_assert_geq(n, 0);
        rewind(f);
        buf = malloc((size_t)n + 1);
        cr_assert_not_null(buf);
        cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
        buf[n] = '\0';
        fclose(f);
        *ret_size = (size_t)n;
        return buf;
}

static void load_groups(void)
{
        size_t n;
        char *text = read_all(FIXTURES "syscall-filter.txt", &n);

        cr_assert_eq(syscall_groups_parse(text, n, &groups), 0);
        free(text);
}

static void free_groups(void)
{
        syscall_groups_free(groups);
        groups = NULL;
}

TestSuite(score, .init = load_groups, .fini = free_groups);

/* The D-Bus properties of a root service with no sandboxing, as systemd 252 reports them. */
static json_t *plain_root_service(void)
{
        json_error_t err;
        json_t *j = json_loads(
                "{\"AmbientCapabilities\": 0, \"CapabilityBoundingSet\": 2199023255551,"
                " \"DefaultDependencies\": true, \"Delegate\": false, \"DeviceAllow\": [],"
                " \"DevicePolicy\": \"auto\", \"DynamicUser\": false, \"IPAddressAllow\": [],"
                " \"IPAddressDeny\": [], \"IPEgressFilterPath\": [], \"IPIngressFilterPath\": [],"
                " \"KeyringMode\": \"private\", \"LockPersonality\": false,"
                " \"MemoryDenyWriteExecute\": false, \"NoNewPrivileges\": false,"
                " \"NotifyAccess\": \"none\", \"PrivateDevices\": false, \"PrivateMounts\": false,"
                " \"PrivateNetwork\": false, \"PrivateTmp\": false, \"PrivateUsers\": false,"
                " \"ProcSubset\": \"all\", \"ProtectClock\": false,"
                " \"ProtectControlGroups\": false, \"ProtectHome\": \"no\","
                " \"ProtectHostname\": false, \"ProtectKernelLogs\": false,"
                " \"ProtectKernelModules\": false, \"ProtectKernelTunables\": false,"
                " \"ProtectProc\": \"default\", \"ProtectSystem\": \"no\", \"RemoveIPC\": false,"
                " \"RestrictAddressFamilies\": [false, []], \"RestrictNamespaces\": 2114060288,"
                " \"RestrictRealtime\": false, \"RestrictSUIDSGID\": false,"
                " \"RootDirectory\": \"\", \"RootImage\": \"\", \"SupplementaryGroups\": [],"
                " \"SystemCallArchitectures\": [], \"SystemCallFilter\": [false, []],"
                " \"Type\": \"simple\", \"UMask\": 18, \"User\": \"\"}",
                0, &err);

        cr_assert_not_null(j, "%s", err.text);
        return j;
}

/* Every row but CAP_BPF: the row set of the systemd the doc's validation figure came from. */
static const char **fields_without_bpf(void)
{
        static const char *fields[SCORE_ROWS_MAX + 1];
        const struct score_row *rows;
        size_t n, k = 0;

        rows = score_rows(&n);
        for (size_t i = 0; i < n; i++)
                if (strcmp(rows[i].json_field, "CapabilityBoundingSet_CAP_BPF") != 0)
                        fields[k++] = rows[i].json_field;
        fields[k] = NULL;
        return fields;
}

static void score_json(json_t *sandbox, const char *const *fields, struct score_result *r)
{
        struct score_input in = {.id = "x.service", .load_state = "loaded", .sandbox = sandbox};

        cr_assert_eq(score_unit(&in, groups, fields, r), 0);
}

static const struct score_check *check_of(const struct score_result *r, const char *field)
{
        for (size_t i = 0; i < r->n_checks; i++)
                if (strcmp(r->checks[i].json_field, field) == 0)
                        return &r->checks[i];
        cr_assert_fail("no row %s", field);
        return NULL;
}

static uint64_t badness_with(json_t *sandbox, const char *field)
{
        static struct score_result r;

        score_json(sandbox, NULL, &r);
        return check_of(&r, field)->badness;
}

/* Badness of one row after setting one property (a JSON text) on the plain root service. */
static uint64_t badness_of(const char *prop, const char *value_json, const char *field)
{
        json_t *sb = plain_root_service();
        json_t *v = json_loads(value_json, JSON_DECODE_ANY, NULL);
        uint64_t b;

        cr_assert_not_null(v, "bad JSON %s", value_json);
        json_object_set_new(sb, prop, v);
        b = badness_with(sb, field);
        json_decref(sb);
        return b;
}

Test(score, table_shape)
{
        size_t n;
        const struct score_row *rows = score_rows(&n);
        unsigned sum = 0;

        cr_assert_eq(n, 81);
        for (size_t i = 0; i < n; i++) {
                sum += rows[i].weight;
                cr_assert_gt(rows[i].range, 0);
                cr_assert_eq(score_row_by_json_field(rows[i].json_field), &rows[i]);
                for (size_t j = 0; j < i; j++)
                        cr_assert_str_neq(rows[i].json_field, rows[j].json_field);
        }
        cr_assert_eq(sum, 56460);
        cr_assert_eq(sum - score_row_by_json_field("CapabilityBoundingSet_CAP_BPF")->weight, 56435);
        cr_assert_not_null(score_row_by_json_field(
                "CapabilityBoundingSet_CAP_NET_BIND_SERVICE_BROADCAST_RAW)"));
}

Test(score, validation_case)
{
        json_t *sb = plain_root_service();
        struct score_result r;
        char buf[8];

        score_json(sb, fields_without_bpf(), &r);
        cr_assert_eq(r.n_checks, 80);
        cr_assert_eq(r.badness_sum, 53485);
        cr_assert_eq(r.weight_sum, 56135);
        cr_assert_eq(r.exposure, 96);
        cr_assert_str_eq(r.label, "UNSAFE");
        cr_assert_str_eq(score_format_exposure(r.exposure, buf, sizeof(buf)), "9.6");
        cr_assert_eq(check_of(&r, "SupplementaryGroups")->state, SCORE_NA);
        cr_assert_eq(check_of(&r, "RemoveIPC")->state, SCORE_NA);
        cr_assert_eq(check_of(&r, "UMask")->badness, 5);
        cr_assert_eq(check_of(&r, "ProtectProc")->badness, 3);
        cr_assert_eq(check_of(&r, "KeyringMode")->state, SCORE_PASS);
        cr_assert_str_eq(check_of(&r, "ProtectSystem")->explanation,
                         "ProtectSystem= is not 'strict': set ProtectSystem=strict");

        /* All 81 rows (Debian's 252): CAP_BPF adds 25 to both sums, same number. */
        score_json(sb, NULL, &r);
        cr_assert_eq(r.n_checks, 81);
        cr_assert_eq(r.badness_sum, 53510);
        cr_assert_eq(r.weight_sum, 56160);
        cr_assert_eq(r.exposure, 96);
        json_decref(sb);
}

Test(score, missing_properties_take_systemd_defaults)
{
        struct score_result r;
        struct score_input in = {.id = "x.service", .load_state = "loaded"};

        cr_assert_eq(score_unit(&in, groups, NULL, &r), 0);
        /* DefaultDependencies=true, every capability, every namespace, UMask 0002 (o+r). */
        cr_assert_eq(check_of(&r, "PrivateTmp")->state, SCORE_FAIL);
        cr_assert_eq(check_of(&r, "CapabilityBoundingSet_CAP_BPF")->badness, 1);
        cr_assert_eq(check_of(&r, "RestrictNamespaces_user")->badness, 1);
        cr_assert_eq(check_of(&r, "UMask")->badness, 5);
        /* A missing ProtectHome is not "no": PrivateMounts= counts as implied. */
        cr_assert_eq(check_of(&r, "PrivateMounts")->badness, 0);
}

Test(score, not_loaded_is_refused)
{
        struct score_result r;
        struct score_input in = {.id = "x.service", .load_state = "not-found"};

        cr_assert_eq(score_unit(&in, groups, NULL, &r), -ENOENT);
}

Test(score, empty_strings_are_null)
{
        cr_assert_eq(badness_of("User", "\"\"", "UserOrDynamicUser"), 10);
        cr_assert_eq(badness_of("RootDirectory", "\"\"", "RootDirectoryOrRootImage"), 1);
        cr_assert_eq(badness_of("RootDirectory", "\"/\"", "RootDirectoryOrRootImage"), 1);
        cr_assert_eq(badness_of("RootDirectory", "\"/srv/root\"", "RootDirectoryOrRootImage"), 0);
        cr_assert_eq(badness_of("RootImage", "\"/a.raw\"", "RootDirectoryOrRootImage"), 0);
        cr_assert_eq(badness_of("RootImage", "\"/a.raw\"", "PrivateMounts"), 0);
}

/*
 * Parameters are copied into the test's process, which may be a fresh exec with other
 * addresses: they carry their strings inline, never pointers.
 */
struct user_case {
        char user[16];
        bool dynamic;
        uint64_t badness;
        bool privileged;
};

ParameterizedTestParameters(score, user)
{
        static struct user_case cases[] = {
                {"", false, 10, true},       {"root", false, 10, true},  {"0", false, 10, true},
                {"nobody", false, 9, false}, {"nobody", true, 9, false}, {"", true, 0, false},
                {"root", true, 10, true},    {"www", false, 0, false},   {"1000", false, 0, false},
        };
        return cr_make_param_array(struct user_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct user_case *c, score, user)
{
        json_t *sb = plain_root_service();
        struct score_result r;

        json_object_set_new(sb, "User", json_string(c->user));
        json_object_set_new(sb, "DynamicUser", json_boolean(c->dynamic));
        json_object_set_new(sb, "SupplementaryGroups", json_pack("[s]", "adm"));
        score_json(sb, NULL, &r);
        cr_assert_eq(check_of(&r, "UserOrDynamicUser")->badness, c->badness, "User=%s", c->user);
        cr_assert_eq(check_of(&r, "SupplementaryGroups")->state,
                     c->privileged ? SCORE_NA : SCORE_FAIL, "User=%s", c->user);
        cr_assert_eq(check_of(&r, "RemoveIPC")->state, c->privileged ? SCORE_NA : SCORE_FAIL);
        json_decref(sb);
}

struct value_case {
        char prop[32], json[64], field[48];
        uint64_t badness;
};

ParameterizedTestParameters(score, values)
{
        static struct value_case cases[] = {
                {"ProtectHome", "\"yes\"", "ProtectHome", 0},
                {"ProtectHome", "\"true\"", "ProtectHome", 0},
                {"ProtectHome", "\"read-only\"", "ProtectHome", 5},
                {"ProtectHome", "\"tmpfs\"", "ProtectHome", 1},
                {"ProtectHome", "\"no\"", "ProtectHome", 10},
                {"ProtectSystem", "\"strict\"", "ProtectSystem", 0},
                {"ProtectSystem", "\"full\"", "ProtectSystem", 3},
                {"ProtectSystem", "\"yes\"", "ProtectSystem", 5},
                {"ProtectSystem", "\"no\"", "ProtectSystem", 10},
                {"UMask", "0", "UMask", 10}, /* 0000 */
                {"UMask", "2", "UMask", 5},  /* 0002 */
                {"UMask", "18", "UMask", 5}, /* 0022 */
                {"UMask", "23", "UMask", 1}, /* 0027: systemd 252 says group-readable */
                {"UMask", "6", "UMask", 2},  /* 0006 */
                {"UMask", "22", "UMask", 1}, /* 0026 */
                {"UMask", "63", "UMask", 0}, /* 0077 */
                {"UMask", "38", "UMask", 2}, /* 0046 */
                {"UMask", "54", "UMask", 0}, /* 0066 */
                {"KeyringMode", "\"shared\"", "KeyringMode", 1},
                {"KeyringMode", "\"\"", "KeyringMode", 1},
                {"ProtectProc", "\"noaccess\"", "ProtectProc", 1},
                {"ProtectProc", "\"invisible\"", "ProtectProc", 0},
                {"ProtectProc", "\"ptraceable\"", "ProtectProc", 0},
                {"ProcSubset", "\"pid\"", "ProcSubset", 0},
                {"NotifyAccess", "\"all\"", "NotifyAccess", 1},
                {"NotifyAccess", "\"main\"", "NotifyAccess", 0},
                {"Delegate", "true", "Delegate", 1},
                {"AmbientCapabilities", "1024", "AmbientCapabilities", 1},
                {"SystemCallArchitectures", "[\"native\"]", "SystemCallArchitectures", 0},
                {"SystemCallArchitectures", "[\"native\", \"x86\"]", "SystemCallArchitectures", 8},
                {"SystemCallArchitectures", "[\"x86-64\"]", "SystemCallArchitectures", 8},
                {"DevicePolicy", "\"closed\"", "DeviceAllow", 0},
                {"DevicePolicy", "\"strict\"", "DeviceAllow", 0},
                {"DeviceAllow", "[[\"/dev/null\", \"rw\"]]", "DeviceAllow", 10},
                {"RestrictNamespaces", "0", "RestrictNamespaces_user", 0},
                {"RestrictNamespaces", "268435456", "RestrictNamespaces_user", 1},
                {"RestrictNamespaces", "268435456", "RestrictNamespaces_net", 0},
                {"CapabilityBoundingSet", "\"18446744073709551615\"",
                 "CapabilityBoundingSet_CAP_BPF", 1},
                {"CapabilityBoundingSet", "0", "CapabilityBoundingSet_CAP_SYS_ADMIN", 0},
                {"CapabilityBoundingSet", "128", "CapabilityBoundingSet_CAP_SET_UID_GID_PCAP", 1},
                {"CapabilityBoundingSet", "128", "CapabilityBoundingSet_CAP_KILL", 0},
                {"IPIngressFilterPath", "[\"/sys/fs/bpf/x\"]", "IPAddressDeny", 0},
                {"IPEgressFilterPath", "[\"/sys/fs/bpf/x\"]", "IPAddressDeny", 0},
                {"SupplementaryGroups", "[\"adm\"]", "SupplementaryGroups", SCORE_BADNESS_NA},
        };
        return cr_make_param_array(struct value_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct value_case *c, score, values)
{
        cr_assert_eq(badness_of(c->prop, c->json, c->field), c->badness, "%s=%s -> %s", c->prop,
                     c->json, c->field);
}

Test(score, device_allow_with_policy)
{
        json_t *sb = plain_root_service();

        json_object_set_new(sb, "DevicePolicy", json_string("closed"));
        json_object_set_new(sb, "DeviceAllow", json_pack("[[ss]]", "/dev/null", "rw"));
        cr_assert_eq(badness_with(sb, "DeviceAllow"), 5);
        json_decref(sb);
}

Test(score, capabilities_cleared_by_protections)
{
        static const struct {
                const char *prop, *field;
        } cases[] = {
                {"ProtectKernelModules", "CapabilityBoundingSet_CAP_SYS_MODULE"},
                {"ProtectKernelLogs", "CapabilityBoundingSet_CAP_SYSLOG"},
                {"ProtectClock", "CapabilityBoundingSet_CAP_SYS_TIME"},
                {"ProtectClock", "CapabilityBoundingSet_CAP_WAKE_ALARM"},
                {"PrivateDevices", "CapabilityBoundingSet_CAP_MKNOD"},
                {"PrivateDevices", "CapabilityBoundingSet_CAP_SYS_RAWIO"},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                cr_assert_eq(badness_of(cases[i].prop, "false", cases[i].field), 1);
                cr_assert_eq(badness_of(cases[i].prop, "true", cases[i].field), 0, "%s",
                             cases[i].field);
        }
}

Test(score, private_mounts_implied)
{
        static const char *const props[] = {"PrivateDevices", "PrivateTmp", "ProtectControlGroups",
                                            "ProtectKernelTunables", "ProtectKernelModules"};

        cr_assert_eq(badness_of("ProtectKernelLogs", "true", "PrivateMounts"), 1);
        for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
                cr_assert_eq(badness_of(props[i], "true", "PrivateMounts"), 0, "%s", props[i]);
        cr_assert_eq(badness_of("ProtectHome", "\"read-only\"", "PrivateMounts"), 0);
        cr_assert_eq(badness_of("ProtectSystem", "\"full\"", "PrivateMounts"), 0);
        cr_assert_eq(badness_of("ProtectHome", "\"\"", "PrivateMounts"), 0);
}

struct af_case {
        char json[64];
        uint64_t inet, unx, netlink, packet, other;
};

ParameterizedTestParameters(score, address_families)
{
        static struct af_case cases[] = {
                {"[false, []]", 1, 1, 1, 1, 1},
                {"[true, []]", 0, 0, 0, 0, 0},
                {"[true, [\"AF_UNIX\"]]", 0, 1, 0, 0, 0},
                {"[true, [\"AF_INET\", \"AF_INET6\", \"AF_NETLINK\"]]", 1, 0, 1, 0, 0},
                {"[true, [\"AF_UNIX\", \"AF_BLUETOOTH\"]]", 0, 1, 0, 0, 1},
                {"[false, [\"AF_INET\", \"AF_INET6\"]]", 0, 1, 1, 1, 1},
                {"[false, [\"AF_PACKET\"]]", 1, 1, 1, 0, 1},
                /* The quirk: denying one exotic family counts as denying them all. */
                {"[false, [\"AF_BLUETOOTH\"]]", 1, 1, 1, 1, 0},
        };
        return cr_make_param_array(struct af_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct af_case *c, score, address_families)
{
        const char *p = "RestrictAddressFamilies";

        cr_assert_eq(badness_of(p, c->json, "RestrictAddressFamilies_AF_INET_INET6"), c->inet);
        cr_assert_eq(badness_of(p, c->json, "RestrictAddressFamilies_AF_UNIX"), c->unx);
        cr_assert_eq(badness_of(p, c->json, "RestrictAddressFamilies_AF_NETLINK"), c->netlink);
        cr_assert_eq(badness_of(p, c->json, "RestrictAddressFamilies_AF_PACKET"), c->packet);
        cr_assert_eq(badness_of(p, c->json, "RestrictAddressFamilies_OTHER"), c->other, "%s",
                     c->json);
}

struct ip_case {
        char deny[160], allow[160];
        uint64_t badness;
};

#define V4_ANY  "[2, [0,0,0,0], 0]"
#define V6_ANY  "[10, [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0], 0]"
#define V4_LO8  "[2, [127,0,0,0], 8]"
#define V4_LO32 "[2, [127,0,0,1], 32]"
#define V6_LO   "[10, [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1], 128]"
#define V4_TEN  "[2, [10,0,0,0], 8]"

ParameterizedTestParameters(score, ip_access)
{
        static struct ip_case cases[] = {
                {"[]", "[]", 10},
                {"[" V4_ANY "]", "[]", 10},
                {"[" V6_ANY "]", "[]", 10},
                {"[" V4_ANY "," V6_ANY "]", "[]", 0},
                {"[" V4_ANY "," V6_ANY "]", "[" V4_LO8 "," V6_LO "]", 2},
                {"[" V4_ANY "," V6_ANY "]", "[" V4_LO8 "]", 2},
                {"[" V4_ANY "," V6_ANY "]", "[" V4_LO32 "]", 5},
                {"[" V4_ANY "," V6_ANY "]", "[" V4_LO8 "," V4_TEN "]", 5},
                {"[" V4_TEN "]", "[" V4_LO8 "]", 10},
        };
        return cr_make_param_array(struct ip_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ip_case *c, score, ip_access)
{
        json_t *sb = plain_root_service();

        json_object_set_new(sb, "IPAddressDeny", json_loads(c->deny, 0, NULL));
        json_object_set_new(sb, "IPAddressAllow", json_loads(c->allow, 0, NULL));
        cr_assert_eq(badness_with(sb, "IPAddressDeny"), c->badness, "deny %s allow %s", c->deny,
                     c->allow);
        json_decref(sb);
}

Test(score, syscall_filter_deny_list)
{
        json_t *sb = plain_root_service();
        struct score_result r;

        /* Deny-list of @mount (errno suffixes as PID1 renders them) and @swap. */
        json_object_set_new(
                sb, "SystemCallFilter",
                json_loads("[false, [\"fsconfig:EPERM\", \"fsmount:EPERM\", \"fsopen:EPERM\","
                           " \"fspick:EPERM\", \"mount:EPERM\", \"mount_setattr:EPERM\","
                           " \"move_mount:EPERM\", \"open_tree:EPERM\", \"pivot_root:EPERM\","
                           " \"umount2:EPERM\", \"umount:EPERM\", \"chroot:EPERM\","
                           " \"swapon\", \"swapoff\"]]",
                           0, NULL));
        score_json(sb, NULL, &r);
        cr_assert_eq(check_of(&r, "SystemCallFilter_mount")->badness, 0);
        cr_assert_eq(check_of(&r, "SystemCallFilter_swap")->badness, 0);
        cr_assert_eq(check_of(&r, "SystemCallFilter_clock")->badness, 10);
        cr_assert_eq(check_of(&r, "SystemCallFilter_privileged")->badness, 10);
        json_decref(sb);

        cr_assert_eq(badness_of("SystemCallFilter", "[false, []]", "SystemCallFilter_swap"), 10);
        /* A prefix is not a match: "swapo" must not stand for swapon. */
        cr_assert_eq(badness_of("SystemCallFilter", "[false, [\"swapo\", \"swapoff\"]]",
                                "SystemCallFilter_swap"),
                     10);
}

Test(score, syscall_filter_allow_list)
{
        cr_assert_eq(badness_of("SystemCallFilter", "[true, []]", "SystemCallFilter_mount"), 0);
        cr_assert_eq(badness_of("SystemCallFilter", "[true, [\"read\", \"write\"]]",
                                "SystemCallFilter_mount"),
                     0);
        cr_assert_eq(badness_of("SystemCallFilter", "[true, [\"read\", \"mount\"]]",
                                "SystemCallFilter_mount"),
                     9);
        /* @privileged includes @swap: swapon in an allow-list offends both. */
        cr_assert_eq(badness_of("SystemCallFilter", "[true, [\"swapon\"]]",
                                "SystemCallFilter_privileged"),
                     9);
        /* Not an x86-64 call: skipped, as systemd skips what libseccomp cannot resolve. */
        cr_assert_eq(
                badness_of("SystemCallFilter", "[true, [\"stime\"]]", "SystemCallFilter_clock"), 0);
}

Test(score, syscall_filter_needs_groups)
{
        json_t *sb = plain_root_service();
        struct score_input in = {.id = "x.service", .load_state = "loaded", .sandbox = sb};
        struct score_result r;

        /* An unset filter is judged without the table; a set one is not. */
        cr_assert_eq(score_unit(&in, NULL, NULL, &r), 0);
        json_object_set_new(sb, "SystemCallFilter", json_pack("[b[s]]", 1, "read"));
        cr_assert_eq(score_unit(&in, NULL, NULL, &r), -EINVAL);
        json_decref(sb);
}

Test(score, default_dependencies_no)
{
        json_t *sb = plain_root_service();
        struct score_result r;
        static const char *const na[] = {"PrivateTmp", "ProtectHome", "ProtectSystem",
                                         "RootDirectoryOrRootImage"};

        json_object_set_new(sb, "DefaultDependencies", json_false());
        score_json(sb, NULL, &r);
        for (size_t i = 0; i < sizeof(na) / sizeof(na[0]); i++) {
                cr_assert_eq(check_of(&r, na[i])->state, SCORE_NA, "%s", na[i]);
                cr_assert_eq(check_of(&r, na[i])->badness, SCORE_BADNESS_NA);
        }
        cr_assert_eq(r.weight_sum, 56160 - 1000 - 1000 - 1000 - 200);
        cr_assert_eq(check_of(&r, "PrivateDevices")->state, SCORE_FAIL);
        json_decref(sb);
}

Test(score, enabled_fields_filter_rows)
{
        json_t *sb = plain_root_service();
        struct score_result r;
        static const char *const fields[] = {"UMask", "NewFutureCheck", "ProtectSystem", NULL};

        score_json(sb, fields, &r);
        cr_assert_eq(r.n_checks, 2);
        /* Table order, not the list's. */
        cr_assert_str_eq(r.checks[0].json_field, "ProtectSystem");
        cr_assert_str_eq(r.checks[1].json_field, "UMask");
        cr_assert_eq(r.n_unknown_fields, 1);
        cr_assert_eq(r.weight_sum, 1100);
        cr_assert_eq(r.badness_sum, 1000 + 50);
        cr_assert_eq(r.exposure, 96); /* ceil(105000 / 1100) */
        json_decref(sb);
}

Test(score, hardened_unit)
{
        json_t *sb = plain_root_service();
        struct score_result r;

        json_object_update_new(
                sb,
                json_loads(
                        "{\"DynamicUser\": true, \"User\": \"\", \"CapabilityBoundingSet\": 0,"
                        " \"DevicePolicy\": \"closed\", \"IPAddressDeny\": [" V4_ANY "," V6_ANY "],"
                        " \"LockPersonality\": true, \"MemoryDenyWriteExecute\": true,"
                        " \"NoNewPrivileges\": true, \"NotifyAccess\": \"main\", "
                        "\"PrivateDevices\": true,"
                        " \"PrivateNetwork\": true, \"PrivateTmp\": true, \"PrivateUsers\": true,"
                        " \"ProcSubset\": \"pid\", \"ProtectClock\": true, "
                        "\"ProtectControlGroups\": true,"
                        " \"ProtectHome\": \"yes\", \"ProtectHostname\": true, "
                        "\"ProtectKernelLogs\": true,"
                        " \"ProtectKernelModules\": true, \"ProtectKernelTunables\": true,"
                        " \"ProtectProc\": \"invisible\", \"ProtectSystem\": \"strict\","
                        " \"RemoveIPC\": true, \"RestrictAddressFamilies\": [true, []],"
                        " \"RestrictNamespaces\": 0, \"RestrictRealtime\": true,"
                        " \"RestrictSUIDSGID\": true, \"RootDirectory\": \"/srv/r\","
                        " \"SystemCallArchitectures\": [\"native\"],"
                        " \"SystemCallFilter\": [true, [\"read\", \"write\"]], \"UMask\": 63}",
                        0, NULL));
        score_json(sb, NULL, &r);
        cr_assert_eq(r.badness_sum, 0);
        cr_assert_eq(r.exposure, 0);
        cr_assert_str_eq(r.label, "PERFECT");
        for (size_t i = 0; i < r.n_checks; i++) {
                cr_assert_eq(r.checks[i].state, SCORE_PASS, "%s: %s", r.checks[i].json_field,
                             r.checks[i].explanation);
                cr_assert_eq(r.checks[i].exposure, 0);
        }
        json_decref(sb);
}

struct label_case {
        unsigned exposure;
        char label[16];
};

ParameterizedTestParameters(score, labels)
{
        static struct label_case cases[] = {
                {0, "PERFECT"},  {1, "SAFE"},    {9, "SAFE"},    {10, "OK"},
                {49, "OK"},      {50, "MEDIUM"}, {74, "MEDIUM"}, {75, "EXPOSED"},
                {89, "EXPOSED"}, {90, "UNSAFE"}, {99, "UNSAFE"}, {100, "DANGEROUS"},
        };
        return cr_make_param_array(struct label_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct label_case *c, score, labels)
{
        cr_assert_str_eq(score_label(c->exposure), c->label, "%u", c->exposure);
}

Test(score, state_names)
{
        cr_assert_str_eq(score_state_to_string(SCORE_PASS), "pass");
        cr_assert_str_eq(score_state_to_string(SCORE_NA), "n/a");
        cr_assert_null(score_state_to_string(_SCORE_STATE_MAX));
}

/* ---- syscall groups ---- */

static bool collect(const char *syscall, void *userdata)
{
        json_array_append_new(userdata, json_string(syscall));
        return false;
}

Test(score, syscall_groups_parse_real_output)
{
        const struct syscall_group *g = syscall_groups_find(groups, "@privileged");
        json_t *all = json_array();
        size_t i;
        json_t *e;
        bool has_swapon = false;

        cr_assert_not_null(g);
        cr_assert_str_eq(g->description, "All system calls which need super-user capabilities");
        cr_assert_not_null(syscall_groups_find(groups, "@known"));
        cr_assert_null(syscall_groups_find(groups, "@nope"));
        cr_assert_eq(syscall_groups_expand(groups, "@privileged", collect, all), 0);
        json_array_foreach(all, i, e) if (strcmp(json_string_value(e), "swapon") == 0) has_swapon =
                true;
        cr_assert(has_swapon, "@privileged expands @swap");
        cr_assert_eq(syscall_groups_expand(groups, "@nope", collect, all), -ENOENT);
        json_decref(all);

        cr_assert(syscall_groups_is_native(groups, "mount"));
        cr_assert_not(syscall_groups_is_native(groups, "stime"));
        cr_assert_not(syscall_groups_is_native(groups, "clock_adjtime64"));
}

Test(score, syscall_groups_parse_errors)
{
        struct syscall_groups *g = NULL;
        static const char cycle[] = "@a\n    # A\n    @b\n\n@b\n    @a\n";
        static const char ok[] =
                "@a\n    # A\n    read\n    @b\n\n@b\n    write\n\n# notes\n#   x\n";
        json_t *all = json_array();

        cr_assert_eq(syscall_groups_parse("    read\n", 9, &g), -EBADMSG);
        cr_assert_eq(syscall_groups_parse("", 0, &g), -EBADMSG);
        cr_assert_eq(syscall_groups_parse("@a\n    @b\n", 10, &g), -EBADMSG);
        cr_assert_eq(syscall_groups_parse("@a\n\n@a\n", 7, &g), -EBADMSG);
        cr_assert_null(g);

        cr_assert_eq(syscall_groups_parse(cycle, sizeof(cycle) - 1, &g), 0);
        cr_assert_eq(syscall_groups_expand(g, "@a", collect, all), -ELOOP);
        syscall_groups_free(g);

        cr_assert_eq(syscall_groups_parse(ok, sizeof(ok) - 1, &g), 0);
        cr_assert_eq(g->n_groups, 2);
        json_array_clear(all);
        cr_assert_eq(syscall_groups_expand(g, "@a", collect, all), 0);
        cr_assert_eq(json_array_size(all), 2);
        cr_assert_str_eq(json_string_value(json_array_get(all, 1)), "write");
        syscall_groups_free(g);
        json_decref(all);
}

/* The built-in native table agrees with libseccomp (what systemd asks) on every group member
 * the scorer walks, when the library is present. */
Test(score, builtin_native_matches_libseccomp)
{
        syscall_native_fn fn;
        void *ud;
        size_t n;
        const struct score_row *rows = score_rows(&n);

        if (syscall_native_libseccomp(&fn, &ud) < 0)
                cr_skip_test("libseccomp.so.2 not available");
        for (size_t i = 0; i < n; i++) {
                json_t *all;
                size_t j;
                json_t *e;

                if (!rows[i].group)
                        continue;
                all = json_array();
                cr_assert_eq(syscall_groups_expand(groups, rows[i].group, collect, all), 0);
                json_array_foreach(all, j, e)
                {
                        const char *s = json_string_value(e);

                        cr_assert_eq(syscall_native_builtin(s, NULL), fn(s, ud), "%s in %s", s,
                                     rows[i].group);
                }
                json_decref(all);
        }
}

/* ---- real units captured from systemd 252 ---- */

static const char *const real_units[] = {
        "dbus.service",          "systemd-journald.service", "systemd-logind.service",
        "systemd-udevd.service", "t-hard.service",           "t-deny.service",
        "t-nodef.service",       "t-allow.service",          "t-umask.service",
};

static unsigned parse_tenths(const char *s)
{
        unsigned a, b;

        cr_assert_eq(sscanf(s, "%u.%u", &a, &b), 2, "exposure '%s'", s);
        return a * 10 + b;
}

Test(score, real_units_match_systemd_analyze)
{
        for (size_t u = 0; u < sizeof(real_units) / sizeof(real_units[0]); u++) {
                char path[256];
                json_error_t err;
                json_t *unit, *rows, *row;
                const char *fields[SCORE_ROWS_MAX + 8];
                struct score_result r;
                struct score_input in;
                size_t i;

                (void)snprintf(path, sizeof(path), FIXTURES "sandbox-%s.json", real_units[u]);
                unit = json_load_file(path, 0, &err);
                cr_assert_not_null(unit, "%s: %s", path, err.text);
                (void)snprintf(path, sizeof(path), FIXTURES "security-%s.json", real_units[u]);
                rows = json_load_file(path, 0, &err);
                cr_assert_not_null(rows, "%s: %s", path, err.text);
                cr_assert_leq(json_array_size(rows), SCORE_ROWS_MAX + 7);

                json_array_foreach(rows, i, row) fields[i] =
                        json_string_value(json_object_get(row, "json_field"));
                fields[json_array_size(rows)] = NULL;

                in = (struct score_input){
                        .id = json_string_value(json_object_get(unit, "id")),
                        .load_state = json_string_value(json_object_get(unit, "load_state")),
                        .fragment_path = json_string_value(json_object_get(unit, "fragment_path")),
                        .sandbox = json_object_get(unit, "sandbox"),
                };
                cr_assert_eq(score_unit(&in, groups, fields, &r), 0, "%s", real_units[u]);
                cr_assert_eq(r.n_unknown_fields, 0);
                cr_assert_eq(r.n_checks, json_array_size(rows));

                json_array_foreach(rows, i, row)
                {
                        const char *field = json_string_value(json_object_get(row, "json_field"));
                        const json_t *set = json_object_get(row, "set");
                        const json_t *exp = json_object_get(row, "exposure");
                        const struct score_check *c = check_of(&r, field);
                        enum score_state want = json_is_null(set)   ? SCORE_NA
                                                : json_is_true(set) ? SCORE_PASS
                                                                    : SCORE_FAIL;

                        cr_expect_eq(c->state, want, "%s %s: state %s, systemd says %s (%s)",
                                     real_units[u], field, score_state_to_string(c->state),
                                     score_state_to_string(want), c->explanation);
                        cr_expect_eq(c->exposure,
                                     json_is_null(exp) ? 0 : parse_tenths(json_string_value(exp)),
                                     "%s %s: row exposure %u", real_units[u], field, c->exposure);
                        cr_expect_str_eq(c->id, json_string_value(json_object_get(row, "name")));
                }
                cr_expect_eq(r.exposure,
                             (unsigned)json_integer_value(json_object_get(unit, "exposure")),
                             "%s: exposure %u", real_units[u], r.exposure);
                cr_expect_str_eq(r.label, json_string_value(json_object_get(unit, "label")));
                json_decref(rows);
                json_decref(unit);
        }
}
