/* SPDX-License-Identifier: MIT */
#include "unit_watch.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "cg_discover.h"

#define SYSTEMD_DEST    "org.freedesktop.systemd1"
#define SYSTEMD_PATH    "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define UNIT_PATH_NS    "/org/freedesktop/systemd1/unit"

/*
 * dbus-daemon caps the replies a connection may have pending (128 on many system buses):
 * keep fewer GetAll calls than that in flight and queue the rest.
 */
#define GETALL_IN_FLIGHT_MAX 64
/*
 * A unit that appears (UnitNew) is read after this delay: one loaded only to answer somebody's
 * query is unloaded again within it (UnitRemoved), and a GetAll sent to its object path after
 * that would load it once more, and again after each unload: a loop with ourselves.
 */
#define NEW_UNIT_DELAY_USEC  250000u
#define RECONNECT_FIRST_USEC 500000u
#define RECONNECT_MAX_USEC   5000000u

struct watched;

/* One in-flight Properties.Get of an IP counter. */
struct ip_get {
        struct watched *u;
        enum unit_ip_id id;
        sd_bus_slot *slot;
};

struct watched {
        char *name;
        char *path;
        bool have_props;
        bool queued; /* waiting for a GetAll slot */
        bool seen;   /* listed by the ListUnits being processed */
        bool fresh;  /* announced by UnitNew, to be read after NEW_UNIT_DELAY_USEC */
        sd_bus_slot *get_all;
        struct unit_props props;
        struct ip_get ip_gets[_UNIT_IP_MAX];
        struct unit_watch *w;
};

struct unit_watch {
        sd_event *event;
        sd_bus *bus;
        char *address;
        unsigned types;
        unit_watch_changed_fn changed;
        void *userdata;

        struct watched **units;
        size_t n_units;

        sd_bus_slot *list_units;
        unsigned in_flight;
        bool listing, synced;
        /*
         * Between Reloading(true) and Reloading(false) systemd tears its units down and builds
         * them again (daemon-reload, daemon-reexec), announcing each: those UnitRemoved and
         * UnitNew are not real, the ListUnits that follows the reload settles the list.
         */
        bool reloading;
        uint64_t reconnect_delay;
        sd_event_source *reconnect_timer;
        sd_event_source *fresh_timer;
        struct unit_watch_stats stats;
};

static void notify(struct unit_watch *w)
{
        if (w->changed)
                w->changed(w->userdata);
}

static bool wanted(const struct unit_watch *w, const char *name)
{
        return (unit_type_from_name(name) & w->types) != 0;
}

static struct watched *find_by_name(const struct unit_watch *w, const char *name)
{
        for (size_t i = 0; i < w->n_units; i++)
                if (streq(w->units[i]->name, name))
                        return w->units[i];
        return NULL;
}

static struct watched *find_by_path(const struct unit_watch *w, const char *path)
{
        for (size_t i = 0; i < w->n_units; i++)
                if (streq(w->units[i]->path, path))
                        return w->units[i];
        return NULL;
}

static void watched_free(struct watched *u)
{
        if (!u)
                return;
        sd_bus_slot_unref(u->get_all);
        for (size_t i = 0; i < _UNIT_IP_MAX; i++)
                sd_bus_slot_unref(u->ip_gets[i].slot);
        unit_props_release(&u->props);
        free(u->name);
        free(u->path);
        free(u);
}

static void remove_at(struct unit_watch *w, size_t i)
{
        struct watched *u = w->units[i];

        if (u->get_all)
                w->in_flight--;
        watched_free(u);
        memmove(&w->units[i], &w->units[i + 1], (w->n_units - i - 1) * sizeof(*w->units));
        w->n_units--;
}

static struct watched *add_unit(struct unit_watch *w, const char *name, const char *path)
{
        struct watched **bigger, *u;

        u = calloc(1, sizeof(*u));
        if (!u)
                return NULL;
        u->w = w;
        for (size_t i = 0; i < _UNIT_IP_MAX; i++)
                u->ip_gets[i] = (struct ip_get){.u = u, .id = (enum unit_ip_id)i};
        u->name = strdup(name);
        u->path = strdup(path);
        bigger = realloc(w->units, (w->n_units + 1) * sizeof(*bigger));
        if (!u->name || !u->path || !bigger) {
                if (bigger)
                        w->units = bigger;
                watched_free(u);
                return NULL;
        }
        w->units = bigger;
        w->units[w->n_units++] = u;
        return u;
}

static void pump_get_all(struct unit_watch *w);
static void check_synced(struct unit_watch *w);

static int on_get_all(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
        struct watched *u = userdata;
        struct unit_watch *w = u->w;
        const sd_bus_error *e;
        int r;

        (void)ret_error;
        u->get_all = sd_bus_slot_unref(u->get_all);
        w->in_flight--;

        e = sd_bus_message_get_error(reply);
        if (e) {
                /* The unit was unloaded meanwhile; UnitRemoved follows. */
                log_debug("GetAll of '%s' failed: %s", u->name, e->message ? e->message : e->name);
        } else {
                r = unit_props_update(&u->props, reply);
                if (r < 0)
                        (void)log_warning_errno(r, "cannot parse the properties of '%s': %m",
                                                u->name);
                else {
                        u->have_props = true;
                        u->props.generation = w->stats.reloads;
                }
        }

        /* Loaded only to answer someone's query (not-found, masked): not a unit to list. */
        if (u->have_props && u->props.load_state && !streq(u->props.load_state, "loaded")) {
                for (size_t i = 0; i < w->n_units; i++)
                        if (w->units[i] == u) {
                                remove_at(w, i);
                                break;
                        }
        }
        pump_get_all(w);
        check_synced(w);
        notify(w);
        return 0;
}

static int start_get_all(struct watched *u)
{
        struct unit_watch *w = u->w;
        int r;

        r = sd_bus_call_method_async(w->bus, &u->get_all, SYSTEMD_DEST, u->path,
                                     "org.freedesktop.DBus.Properties", "GetAll", on_get_all, u,
                                     "s", "");
        if (r < 0)
                return log_debug_errno(r, "cannot ask for the properties of '%s': %m", u->name);
        w->in_flight++;
        w->stats.get_all++;
        return 0;
}

/* Starts queued GetAll calls while there is room in flight. */
static void pump_get_all(struct unit_watch *w)
{
        for (size_t i = 0; i < w->n_units && w->in_flight < GETALL_IN_FLIGHT_MAX; i++) {
                struct watched *u = w->units[i];

                if (!u->queued || u->get_all)
                        continue;
                u->queued = false;
                (void)start_get_all(u);
        }
}

static void queue_get_all(struct watched *u)
{
        if (u->get_all)
                return;
        u->queued = true;
        pump_get_all(u->w);
}

static void check_synced(struct unit_watch *w)
{
        if (w->synced || w->listing || w->in_flight > 0)
                return;
        for (size_t i = 0; i < w->n_units; i++)
                if (w->units[i]->queued)
                        return;
        w->synced = true;
        log_info("following %zu units over the bus", w->n_units);
}

static int on_list_units(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
        struct unit_watch *w = userdata;
        const char *name, *load_state, *path;
        const sd_bus_error *e;
        int r;

        (void)ret_error;
        w->list_units = sd_bus_slot_unref(w->list_units);
        w->listing = false;
        w->reloading = false; /* whatever happened meanwhile, this list is the truth */
        e = sd_bus_message_get_error(reply);
        if (e) {
                log_warning("ListUnits failed: %s; the unit list stays as it was",
                            e->message ? e->message : e->name);
                check_synced(w);
                return 0;
        }

        for (size_t i = 0; i < w->n_units; i++)
                w->units[i]->seen = false;
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(ssssssouso)");
        while (r > 0) {
                struct watched *u;

                r = sd_bus_message_read(reply, "(ssssssouso)", &name, NULL, &load_state, NULL, NULL,
                                        NULL, &path, NULL, NULL, NULL);
                if (r <= 0)
                        break;
                if (!wanted(w, name) || !streq(load_state, "loaded"))
                        continue;
                u = find_by_name(w, name);
                if (!u)
                        u = add_unit(w, name, path);
                if (!u) {
                        r = -ENOMEM;
                        break;
                }
                u->seen = true;
                queue_get_all(u);
        }
        if (r < 0)
                (void)log_warning_errno(r, "cannot parse the ListUnits reply: %m");

        /* Units gone while we were not listening (a reconnect, a reload). */
        for (size_t i = w->n_units; i-- > 0;)
                if (!w->units[i]->seen && r >= 0)
                        remove_at(w, i);
        check_synced(w);
        notify(w);
        return 0;
}

static int resync(struct unit_watch *w)
{
        int r;

        w->list_units = sd_bus_slot_unref(w->list_units);
        r = sd_bus_call_method_async(w->bus, &w->list_units, SYSTEMD_DEST, SYSTEMD_PATH,
                                     SYSTEMD_MANAGER, "ListUnits", on_list_units, w, NULL);
        if (r < 0)
                return log_warning_errno(r, "cannot list units: %m");
        w->listing = true;
        w->stats.list_units++;
        return 0;
}

static int on_fresh_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
        struct unit_watch *w = userdata;

        (void)src;
        (void)usec;
        w->fresh_timer = sd_event_source_unref(w->fresh_timer);
        for (size_t i = 0; i < w->n_units; i++)
                if (w->units[i]->fresh) {
                        w->units[i]->fresh = false;
                        queue_get_all(w->units[i]);
                }
        return 0;
}

static int on_unit_new(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct unit_watch *w = userdata;
        const char *name, *path;
        struct watched *u;
        int r;

        (void)ret_error;
        if (w->reloading || sd_bus_message_read(m, "so", &name, &path) < 0 || !wanted(w, name))
                return 0;
        u = find_by_name(w, name);
        if (u)
                return 0; /* known already: its signals keep it current */
        u = add_unit(w, name, path);
        if (!u)
                return 0;
        u->fresh = true;
        if (w->fresh_timer)
                return 0;
        r = sd_event_add_time_relative(w->event, &w->fresh_timer, CLOCK_MONOTONIC,
                                       NEW_UNIT_DELAY_USEC, 0, on_fresh_timer, w);
        if (r < 0) {
                (void)log_warning_errno(r, "cannot schedule reading new units: %m");
                u->fresh = false;
                queue_get_all(u);
        }
        return 0;
}

static int on_unit_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct unit_watch *w = userdata;
        const char *name, *path;

        (void)ret_error;
        if (w->reloading || sd_bus_message_read(m, "so", &name, &path) < 0)
                return 0;
        for (size_t i = 0; i < w->n_units; i++)
                if (streq(w->units[i]->name, name)) {
                        remove_at(w, i);
                        check_synced(w);
                        notify(w);
                        break;
                }
        return 0;
}

/*
 * systemd sends no change signal for ControlGroup (nor for some other properties we keep):
 * when a unit enters a state where its cgroup may be new, read all its properties again.
 * That is one GetAll per start, never one while nothing happens.
 */
static bool cgroup_may_have_changed(const char *old_state, const char *new_state)
{
        if (!new_state || (old_state && streq(old_state, new_state)))
                return false;
        return streq(new_state, "activating") || streq(new_state, "active") ||
               streq(new_state, "reloading");
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct unit_watch *w = userdata;
        _cleanup_free_ char *old_state = NULL;
        char **invalidated = NULL;
        const char *iface;
        struct watched *u;
        bool refetch, kept;
        int r;

        (void)ret_error;
        u = find_by_path(w, sd_bus_message_get_path(m));
        if (!u)
                return 0;
        old_state = u->props.active_state ? strdup(u->props.active_state) : NULL;
        r = sd_bus_message_read(m, "s", &iface);
        if (r >= 0)
                r = unit_props_update(&u->props, m);
        kept = r > 0;
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &invalidated);

        /*
         * Also when a property we keep was invalidated (its value not sent along), or the
         * message could not be read. Invalidations of properties we do not keep cost nothing.
         */
        refetch = r < 0 || cgroup_may_have_changed(old_state, u->props.active_state);
        if (refetch)
                log_debug("'%s' went from %s to %s: reading its properties again", u->name,
                          strna(old_state), strna(u->props.active_state));
        for (size_t i = 0; !refetch && invalidated && invalidated[i]; i++)
                if (unit_props_wants(invalidated[i])) {
                        log_debug("'%s' invalidated '%s': reading its properties again", u->name,
                                  invalidated[i]);
                        refetch = true;
                }
        if (refetch)
                queue_get_all(u);
        for (size_t i = 0; invalidated && invalidated[i]; i++)
                free(invalidated[i]);
        free(invalidated);
        /* A change of nothing we keep (StatusText, CPUUsageNSec...) is no news. */
        if (kept)
                notify(w);
        return 0;
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        (void)m;
        (void)ret_error;
        notify(userdata);
        return 0;
}

static int on_reloading(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct unit_watch *w = userdata;
        int active;

        (void)ret_error;
        if (sd_bus_message_read(m, "b", &active) < 0)
                return 0;
        w->reloading = active;
        if (active) {
                struct timespec ts;

                (void)clock_gettime(CLOCK_REALTIME, &ts);
                w->stats.reload_started_usec =
                        (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
                return 0;
        }
        w->stats.reloads++;
        /* A daemon-reload may change any unit's settings: read them all again. */
        log_info("systemd finished reloading; reading every unit again");
        for (size_t i = 0; i < w->n_units; i++)
                w->units[i]->queued = true;
        (void)resync(w);
        return 0;
}

static void schedule_reconnect(struct unit_watch *w);

static void disconnect(struct unit_watch *w)
{
        for (size_t i = 0; i < w->n_units; i++) {
                w->units[i]->get_all = sd_bus_slot_unref(w->units[i]->get_all);
                w->units[i]->queued = false;
                for (size_t k = 0; k < _UNIT_IP_MAX; k++)
                        w->units[i]->ip_gets[k].slot =
                                sd_bus_slot_unref(w->units[i]->ip_gets[k].slot);
        }
        w->in_flight = 0;
        w->list_units = sd_bus_slot_unref(w->list_units);
        w->listing = false;
        w->bus = sd_bus_flush_close_unref(w->bus);
}

static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct unit_watch *w = userdata;

        (void)m;
        (void)ret_error;
        log_warning("lost the connection to the bus; serving the last known unit states and "
                    "reconnecting");
        disconnect(w);
        w->reconnect_delay = RECONNECT_FIRST_USEC;
        schedule_reconnect(w);
        notify(w);
        return 0;
}

static int connect_bus(struct unit_watch *w)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (w->address) {
                r = sd_bus_new(&bus);
                if (r >= 0)
                        r = sd_bus_set_address(bus, w->address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(bus, 1);
                if (r >= 0)
                        r = sd_bus_start(bus);
        } else {
                r = sd_bus_open_system(&bus);
        }
        if (r < 0)
                return r;
        /* A bus without systemd on it (a container's own dbus) is no source of units. */
        {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                int has_owner = 0;

                r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner", &error, &reply, "s",
                                       SYSTEMD_DEST);
                if (r >= 0)
                        r = sd_bus_message_read(reply, "b", &has_owner);
                if (r < 0)
                        return r;
                if (!has_owner)
                        return -EHOSTDOWN;
        }

        r = sd_bus_attach_event(bus, w->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        (void)sd_bus_set_exit_on_disconnect(bus, 0);

        /* Signals first, then Subscribe and ListUnits: nothing falls between the two. */
        r = sd_bus_match_signal(bus, NULL, "org.freedesktop.DBus.Local",
                                "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
                                "Disconnected", on_disconnected, w);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH,
                                              SYSTEMD_MANAGER, "UnitNew", on_unit_new, NULL, w);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH,
                                              SYSTEMD_MANAGER, "UnitRemoved", on_unit_removed, NULL,
                                              w);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH,
                                              SYSTEMD_MANAGER, "JobRemoved", on_job_removed, NULL,
                                              w);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH,
                                              SYSTEMD_MANAGER, "Reloading", on_reloading, NULL, w);
        if (r >= 0)
                r = sd_bus_add_match_async(bus, NULL,
                                           "type='signal',sender='" SYSTEMD_DEST "',"
                                           "interface='org.freedesktop.DBus.Properties',"
                                           "member='PropertiesChanged',"
                                           "path_namespace='" UNIT_PATH_NS "'",
                                           on_properties_changed, NULL, w);
        if (r >= 0)
                r = sd_bus_call_method_async(bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                             "Subscribe", NULL, NULL, NULL);
        if (r < 0)
                return r;
        w->bus = TAKE_PTR(bus);
        w->synced = false;
        return resync(w);
}

static int on_reconnect_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct unit_watch *w = userdata;
        int r;

        (void)s;
        (void)usec;
        r = connect_bus(w);
        if (r >= 0) {
                w->stats.reconnects++;
                log_notice("reconnected to the bus; resynchronising the unit list");
                return 0;
        }
        (void)log_debug_errno(r, "cannot reconnect to the bus yet: %m");
        w->reconnect_delay = w->reconnect_delay * 2 > RECONNECT_MAX_USEC ? RECONNECT_MAX_USEC
                                                                         : w->reconnect_delay * 2;
        schedule_reconnect(w);
        return 0;
}

static void schedule_reconnect(struct unit_watch *w)
{
        int r;

        w->reconnect_timer = sd_event_source_disable_unref(w->reconnect_timer);
        r = sd_event_add_time_relative(w->event, &w->reconnect_timer, CLOCK_MONOTONIC,
                                       w->reconnect_delay, 0, on_reconnect_timer, w);
        if (r < 0)
                (void)log_error_errno(r, "cannot schedule a reconnect to the bus: %m");
}

const char *unit_watch_refusal_hint(int r)
{
        /* dbus-daemon drops a client whose uid it cannot resolve to a user name, which is what
         * DynamicUser= looks like on a host without nss-systemd. */
        if (r == -ENOTCONN && !getpwuid(geteuid()))
                return "; the bus refuses clients whose uid has no user name (DynamicUser= "
                       "without nss-systemd): run the service with a User= that exists";
        return "";
}

int unit_watch_new(sd_event *event, const char *address, unsigned types,
                   unit_watch_changed_fn changed, void *userdata, struct unit_watch **ret)
{
        struct unit_watch *w;
        int r;

        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->event = sd_event_ref(event);
        w->types = types;
        w->changed = changed;
        w->userdata = userdata;
        if (address) {
                w->address = strdup(address);
                if (!w->address) {
                        unit_watch_free(w);
                        return -ENOMEM;
                }
        }
        r = connect_bus(w);
        if (r < 0) {
                unit_watch_free(w);
                return r;
        }
        *ret = w;
        return 0;
}

void unit_watch_free(struct unit_watch *w)
{
        if (!w)
                return;
        disconnect(w);
        for (size_t i = 0; i < w->n_units; i++)
                watched_free(w->units[i]);
        free(w->units);
        w->reconnect_timer = sd_event_source_disable_unref(w->reconnect_timer);
        w->fresh_timer = sd_event_source_disable_unref(w->fresh_timer);
        sd_event_unref(w->event);
        free(w->address);
        free(w);
}

bool unit_watch_connected(const struct unit_watch *w)
{
        return w->bus != NULL;
}

bool unit_watch_synced(const struct unit_watch *w)
{
        return w->synced;
}

int unit_watch_run(struct unit_watch *w, uint64_t usec, bool until_synced)
{
        uint64_t start, now;

        (void)sd_event_now(w->event, CLOCK_MONOTONIC, &start);
        for (;;) {
                int r;

                (void)sd_event_now(w->event, CLOCK_MONOTONIC, &now);
                if (now - start >= usec)
                        return w->synced ? 0 : -ETIMEDOUT;
                if (until_synced && w->synced)
                        return 0;
                r = sd_event_run(w->event, 100000);
                if (r < 0)
                        return r;
        }
}

static int on_ip_get(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
        struct ip_get *g = userdata;
        uint64_t v;

        (void)ret_error;
        g->slot = sd_bus_slot_unref(g->slot);
        if (sd_bus_message_get_error(reply))
                return 0; /* unloaded meanwhile: UnitRemoved follows */
        if (sd_bus_message_read(reply, "v", "t", &v) >= 0)
                unit_props_set_ip(&g->u->props, g->id, v);
        return 0;
}

void unit_watch_refresh_ip(struct unit_watch *w)
{
        if (!w->bus)
                return;
        for (size_t i = 0; i < w->n_units; i++) {
                struct watched *u = w->units[i];
                const char *type = unit_props_type(&u->props);
                char iface[64];

                const char *state = u->props.active_state;

                /* ControlGroup outlives a stop (no change signal): the state tells. */
                if (!u->have_props || !u->props.ip_accounting || !u->props.control_group ||
                    !u->props.control_group[0] || !type || !type[0] ||
                    (state && (streq(state, "inactive") || streq(state, "failed"))))
                        continue;
                /* org.freedesktop.systemd1.Service, .Scope, .Slice, .Socket... */
                (void)snprintf(iface, sizeof(iface), "org.freedesktop.systemd1.%c%s",
                               type[0] - 'a' + 'A', type + 1);
                for (size_t k = 0; k < _UNIT_IP_MAX; k++) {
                        struct ip_get *g = &u->ip_gets[k];
                        int r;

                        if (g->slot)
                                continue;
                        r = sd_bus_call_method_async(w->bus, &g->slot, SYSTEMD_DEST, u->path,
                                                     "org.freedesktop.DBus.Properties", "Get",
                                                     on_ip_get, g, "ss", iface,
                                                     unit_ip_to_string(g->id));
                        if (r < 0) {
                                (void)log_debug_errno(r, "cannot ask for '%s' of '%s': %m",
                                                      unit_ip_to_string(g->id), u->name);
                                break;
                        }
                        w->stats.ip_gets++;
                }
        }
}

size_t unit_watch_n_units(const struct unit_watch *w)
{
        return w->n_units;
}

const struct unit_props *unit_watch_unit(const struct unit_watch *w, size_t i)
{
        if (i >= w->n_units || !w->units[i]->have_props)
                return NULL;
        return &w->units[i]->props;
}

void unit_watch_get_stats(const struct unit_watch *w, struct unit_watch_stats *ret)
{
        *ret = w->stats;
}
