/* SPDX-License-Identifier: MIT */
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "../collectors/cg_reader.h"
#include "../collectors/unit_watch.h"
#include "../hardening/scorer.h"
#include "../web/http.h"
#include "../web/render.h"
#include "alert_push.h"
#include "alerts.h"
#include "collector.h"
#include "config_findings.h"
#include "history.h"
#include "log.h"
#include "store.h"
#include "util.h"

/* fds kept for everything but cgroup files and HTTP connections: the bus, logs, state. */
#define FD_RESERVE 176

/* A burst of bus signals (a unit starting) becomes one collection this long after the first. */
#define CHANGE_COALESCE_USEC 200000u

struct uw_daemon {
        struct uw_config *cfg;
        uw_config_loader load;
        void *load_userdata;
        sd_event *event;
        struct unit_watch *watch;
        sd_event_source *change_timer;
        bool ready;
        char status[128]; /* the last STATUS= sent */
        struct uw_collector *collector;
        struct uw_store store;
        struct uw_history *history;
        struct scorer *scorer;
        struct alert_engine *alerts;
        struct alert_push *push;
        struct findings_checker *findings;
        struct http_context http_ctx;
        struct http_server *http[CFG_LISTEN_MAX];
        unsigned failed_cycles;
};

int uw_collect_and_render(struct uw_collector *c, const struct unit_watch *watch,
                          struct scorer *scorer, struct alert_engine *alerts,
                          struct alert_push *push, struct findings_checker *findings,
                          const struct uw_config *cfg, const struct uw_snapshot *prev,
                          struct uw_snapshot **ret, int *ret_transitions)
{
        struct render_opts o = {.memory_stat_all = cfg->memory_stat_all, .rates = true};
        _cleanup_free_ struct unit_exposure *exposures = NULL;
        _cleanup_free_ struct alert_push_stat *am = NULL;
        struct uw_snapshot *s;
        int r, transitions = 0;

        /* The latest scores (a pass behind when properties just changed). */
        if (scorer && scorer_enabled(scorer) &&
            scorer_exposures(scorer, &exposures, &o.n_exposures) >= 0)
                o.exposures = exposures;

        r = watch ? uw_collector_collect_bus(c, watch, prev, &s)
                  : uw_collector_collect(c, prev, &s);
        if (r < 0)
                return r;
        if (findings) {
                s->config_checked = true;
                findings_checker_annotate(findings, s);
        }
        /* Both sorted by name: each unit's exposure for the JSON summary (`unitwatchd top`). */
        for (size_t i = 0, k = 0; o.exposures && i < s->n_units; i++) {
                while (k < o.n_exposures && strcmp(o.exposures[k].name, s->units[i].name) < 0)
                        k++;
                if (k < o.n_exposures && streq(o.exposures[k].name, s->units[i].name))
                        s->units[i].exposure = (int)o.exposures[k].exposure;
        }
        if (alerts) {
                /* Alerts are part of the snapshot: /metrics and /api/v1/alerts agree. */
                s->alerts_enabled = true;
                transitions = alert_engine_evaluate(alerts, s, o.exposures, o.n_exposures);
                if (transitions < 0 || alert_engine_list(alerts, &s->alerts, &s->n_alerts) < 0) {
                        uw_snapshot_unref(s);
                        return -ENOMEM;
                }
        }
        if (push && alert_push_stats(push, &am, &o.n_alertmanagers) >= 0)
                o.alertmanagers = am;
        /* JSON is rendered per request (filters, one unit); /metrics once here. */
        r = render_prom(s, &o, &s->metrics, &s->metrics_len);
        if (r < 0) {
                uw_snapshot_unref(s);
                return r;
        }
        *ret = s;
        if (ret_transitions)
                *ret_transitions = transitions;
        return 0;
}

/*
 * READY=1 once, and STATUS= only when it changes: every STATUS= makes systemd announce a
 * property change of our own unit on the bus.
 */
static void notify_status(struct uw_daemon *d, const struct uw_snapshot *s)
{
        char status[128];

        (void)snprintf(status, sizeof(status), "%zu units, %s", s->n_units,
                       !s->bus_used       ? "from the cgroup tree"
                       : s->bus_connected ? "bus connected"
                                          : "bus lost, states stale");
        if (d->ready && streq(status, d->status))
                return;
        /* With scores, the scoring thread says READY=1 after its first pass. */
        (void)sd_notifyf(0, "%sSTATUS=%s",
                         d->ready || (d->scorer && scorer_enabled(d->scorer)) ? "" : "READY=1\n",
                         status);
        memcpy(d->status, status, sizeof(status));
}

static void collect_cycle(struct uw_daemon *d)
{
        _cleanup_(uw_snapshot_unrefp) struct uw_snapshot *prev = uw_store_get(&d->store);
        struct uw_snapshot *s;
        int r, transitions = 0;

        /* With the bus, the first snapshot waits for the first full ListUnits + GetAll. */
        if (d->watch && !unit_watch_synced(d->watch))
                return;
        r = uw_collect_and_render(d->collector, d->watch, d->scorer, d->alerts, d->push,
                                  d->findings, d->cfg, prev, &s, &transitions);
        if (r < 0) {
                /* Keep serving the last good snapshot; say so once per streak of failures. */
                if (d->failed_cycles++ == 0)
                        (void)log_error_errno(r,
                                              "collection failed: %m; serving the last good "
                                              "snapshot and retrying every %.1f s",
                                              d->cfg->interval);
                return;
        }
        if (d->failed_cycles) {
                log_notice("collection works again after %u failed cycles", d->failed_cycles);
                d->failed_cycles = 0;
        }
        log_debug("collected %zu units in %.3f ms", s->n_units, (double)s->collect_usec / 1e3);
        notify_status(d, s);
        if (!d->ready)
                log_info("first snapshot published: %zu units", s->n_units);
        d->ready = true;
        if (uw_history_record(d->history, s) < 0)
                log_warning("out of memory while recording the sample history");
        if (d->scorer)
                scorer_submit(d->scorer, s);
        if (d->findings) {
                struct unit_watch_stats st;

                unit_watch_get_stats(d->watch, &st);
                findings_checker_submit(d->findings, s, st.reloads, st.reload_started_usec);
        }
        if (d->push)
                alert_push_submit(d->push, s->alerts, s->n_alerts, transitions > 0);
        uw_store_publish(&d->store, s);
}

static int on_change_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
        struct uw_daemon *d = userdata;

        (void)src;
        (void)usec;
        d->change_timer = sd_event_source_unref(d->change_timer);
        collect_cycle(d);
        return 0;
}

/* The unit table changed: publish a fresh snapshot soon, not at the next tick. */
static void on_units_changed(void *userdata)
{
        struct uw_daemon *d = userdata;
        int r;

        if (d->change_timer)
                return;
        r = sd_event_add_time_relative(d->event, &d->change_timer, CLOCK_MONOTONIC,
                                       CHANGE_COALESCE_USEC, 0, on_change_timer, d);
        if (r < 0)
                (void)log_warning_errno(r, "cannot schedule a collection after a unit change: %m");
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
        struct uw_daemon *d = userdata;
        int r;

        (void)usec;
        collect_cycle(d);
        /* IP counters have no change signal: ask now, the answers are in by the next tick. */
        if (d->watch)
                unit_watch_refresh_ip(d->watch);
        /* A time source fires once: set the next tick and arm it again. */
        r = sd_event_source_set_time_relative(src, (uint64_t)(d->cfg->interval * 1e6));
        if (r >= 0)
                r = sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
        if (r < 0)
                return log_error_errno(r, "cannot schedule the next collection: %m");
        return 0;
}

static bool str_differs(const char *a, const char *b)
{
        return (a == NULL) != (b == NULL) || (a && !streq(a, b));
}

static bool lists_differ(char *const *a, char *const *b)
{
        size_t i = 0;

        for (; a[i] && b[i]; i++)
                if (!streq(a[i], b[i]))
                        return true;
        return a[i] || b[i];
}

/* SIGHUP: the token and certificate files are read again, the http settings applied. */
static void apply_http(struct uw_daemon *d, const struct uw_config *next)
{
        struct http_options o;
        char err[512] = "";
        int r;

        r = http_options_load(&next->http, &o, err, sizeof(err));
        if (r < 0) {
                log_error("SIGHUP: %s; the HTTP server keeps its token, certificate and limits",
                          err[0] ? err : strerror(-r));
                return;
        }
        for (size_t i = 0; i < CFG_LISTEN_MAX; i++)
                if (d->http[i])
                        (void)http_server_reload(d->http[i], &o);
        http_options_release(&o);
}

static int on_sighup(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
        struct uw_daemon *d = userdata;
        struct uw_config next, *cur = d->cfg;
        char err[1024] = "";
        int r;

        (void)src;
        (void)si;
        r = d->load(d->load_userdata, &next, err, sizeof(err));
        if (r < 0) {
                log_error("SIGHUP: the new configuration is invalid, keeping the running one: %s",
                          err[0] ? err : strerror(-r));
                return 0;
        }
        if (lists_differ(next.listen, cur->listen) ||
            str_differs(next.cgroup_root, cur->cgroup_root) ||
            str_differs(next.sysfs_root, cur->sysfs_root) ||
            str_differs(next.bus_address, cur->bus_address) || next.no_bus != cur->no_bus ||
            str_differs(next.state_dir, cur->state_dir))
                log_warning("SIGHUP: listen addresses, cgroup_root, sysfs_root, bus, no_bus and "
                            "state_dir changes take effect at the next restart");

        if (d->watch && next.unit_types != cur->unit_types)
                log_warning("SIGHUP: a change of unit types takes effect at the next restart");
        log_max_level = next.log_level;
        if (d->scorer)
                (void)scorer_set_accepted(d->scorer, next.accept_units, next.accept_checks);
        apply_http(d, &next);
        if (alert_engine_set_config(d->alerts, &next.alerts) < 0 ||
            alert_push_set_config(d->push, &next.alerts) < 0)
                log_warning("SIGHUP: out of memory applying the alert settings; some old ones "
                            "stay");
        /* What needs a restart stays as it runs. */
        next.no_bus = cur->no_bus;
        cfg_release(cur);
        *cur = next;
        /* The collector points into the config's own lists (arrays inside *cur). */
        uw_collector_set_selection(d->collector, cur->unit_types, cur->include, cur->exclude);
        log_notice("SIGHUP: configuration reloaded (interval %.1f s)", cur->interval);
        collect_cycle(d);
        return 0;
}

/* Units and their states come from the bus when there is one, from the cgroup tree otherwise. */
static void connect_bus(struct uw_daemon *d, const char *cgroup_root)
{
        const struct uw_config *cfg = d->cfg;
        int r;

        if (cfg->no_bus) {
                log_info("--no-bus: discovering units from the cgroup tree under '%s'",
                         cgroup_root);
                return;
        }
        r = unit_watch_new(d->event, cfg->bus_address, cfg->unit_types, on_units_changed, d,
                           &d->watch);
        if (r < 0) {
                log_notice("%s (%s): running without it, units are discovered from the cgroup "
                           "tree under '%s' and unit states are not reported%s",
                           r == -EHOSTDOWN ? "systemd is not on the bus" : "system bus unavailable",
                           cfg->bus_address ? cfg->bus_address : strerror(-r), cgroup_root,
                           unit_watch_refusal_hint(r));
                return;
        }
        log_info("connected to %s; following units over the bus",
                 cfg->bus_address ? cfg->bus_address : "the system bus");

        /* Scores need the units' properties, so only with the bus. */
        struct syscall_groups *groups;
        char **fields;

        scorer_probe("systemd-journald.service", &groups, &fields);
        r = scorer_new(groups, fields, cfg->state_dir, &d->scorer);
        if (r < 0)
                (void)log_warning_errno(r, "cannot start the scoring thread: %m; no scores");
        else
                (void)scorer_set_accepted(d->scorer, cfg->accept_units, cfg->accept_checks);

        /* Unit files against what systemd made of them: needs FragmentPath, so the bus too. */
        r = findings_checker_new(true, &d->findings);
        if (r < 0)
                (void)log_warning_errno(r, "cannot start the config findings thread: %m; no "
                                           "config findings");
}

static void daemon_release(struct uw_daemon *d)
{
        for (size_t i = 0; i < CFG_LISTEN_MAX; i++)
                http_server_stop(d->http[i]);
        uw_collector_free(d->collector);
        alert_push_free(d->push);
        alert_engine_free(d->alerts);
        d->change_timer = sd_event_source_disable_unref(d->change_timer);
        unit_watch_free(d->watch);
        scorer_free(d->scorer);
        findings_checker_free(d->findings);
        d->event = sd_event_unref(d->event);
        uw_store_release(&d->store);
        uw_history_free(d->history);
}

static int daemon_setup(struct uw_daemon *d, const char *cgroup_root)
{
        struct uw_collector_config cc = {
                .cgroup_root = cgroup_root,
                .sysfs_root = d->cfg->sysfs_root,
                .types = d->cfg->unit_types,
                .include = (char **)d->cfg->include,
                .exclude = (char **)d->cfg->exclude,
                .fd_budget = 0, /* below */
        };
        const char *default_listen[] = {CFG_DEFAULT_LISTEN, NULL};
        const char *const *listen =
                d->cfg->listen[0] ? (const char *const *)d->cfg->listen : default_listen;
        struct http_options http_opts;
        char err[512] = "";
        size_t n_listen = 0;
        sigset_t mask;
        int n_fds, r;

        /* Every HTTP connection is an fd: they come off the cgroup files' budget. */
        while (listen[n_listen])
                n_listen++;
        cc.fd_budget = cg_reader_fd_budget(
                FD_RESERVE + (unsigned)n_listen * (d->cfg->http.connection_limit + 8));

        (void)sigemptyset(&mask);
        (void)sigaddset(&mask, SIGTERM);
        (void)sigaddset(&mask, SIGINT);
        (void)sigaddset(&mask, SIGHUP);
        (void)sigprocmask(SIG_BLOCK, &mask, NULL);

        r = sd_event_default(&d->event);
        if (r < 0)
                return log_error_errno(r, "cannot create the event loop: %m");
        r = sd_event_add_signal(d->event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(d->event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(d->event, NULL, SIGHUP, on_sighup, d);
        if (r >= 0)
                r = sd_event_set_watchdog(d->event, true);
        if (r < 0)
                return log_error_errno(r, "cannot set up signal handling: %m");

        r = alert_engine_new(&d->cfg->alerts, &d->alerts);
        if (r >= 0)
                r = alert_push_new(&d->cfg->alerts, &d->push);
        if (r < 0)
                return log_error_errno(r, "cannot set up alerting: %m");
        if (d->cfg->alerts.alertmanager_urls[0])
                log_info("pushing alerts to %s%s", d->cfg->alerts.alertmanager_urls[0],
                         d->cfg->alerts.alertmanager_urls[1] ? " and more" : "");

        connect_bus(d, cgroup_root);

        r = uw_collector_new(&cc, &d->collector);
        if (r < 0)
                return log_error_errno(r, "cannot open the cgroup tree '%s': %m", cgroup_root);
        log_info("keeping up to %u cgroup files open between collections", cc.fd_budget);

        collect_cycle(d);

        d->http_ctx = (struct http_context){
                .store = &d->store, .history = d->history, .scorer = d->scorer};

        /* Socket activation: systemd's sockets replace --listen. */
        n_fds = sd_listen_fds(1);
        if (n_fds > CFG_LISTEN_MAX)
                log_warning("systemd passed %d sockets, serving the first %d", n_fds,
                            CFG_LISTEN_MAX);
        r = http_options_load(&d->cfg->http, &http_opts, err, sizeof(err));
        if (r < 0)
                return log_error_errno(r, "%s", err);
        for (int i = 0; r >= 0 && i < n_fds && i < CFG_LISTEN_MAX; i++)
                r = http_server_start_fd(SD_LISTEN_FDS_START + i, &d->http_ctx, &http_opts,
                                         &d->http[i]);
        for (size_t i = 0; r >= 0 && n_fds <= 0 && listen[i]; i++)
                r = http_server_start(listen[i], &d->http_ctx, &http_opts, &d->http[i]);
        http_options_release(&http_opts);
        if (r < 0)
                return r;
        return sd_event_add_time_relative(d->event, NULL, CLOCK_MONOTONIC,
                                          (uint64_t)(d->cfg->interval * 1e6), 0, on_timer, d);
}

int uw_daemon_run(struct uw_config *cfg, const char *cgroup_root, uw_config_loader load,
                  void *userdata)
{
        struct uw_daemon d = {.cfg = cfg, .load = load, .load_userdata = userdata};
        int r;

        uw_store_init(&d.store);
        r = uw_history_new(&d.history);
        if (r >= 0)
                r = daemon_setup(&d, cgroup_root);
        if (r >= 0) {
                log_info("unitwatchd %s running, collecting every %.1f s", UNITWATCH_VERSION,
                         cfg->interval);
                r = sd_event_loop(d.event);
                if (r < 0)
                        (void)log_error_errno(r, "event loop failed: %m");
                else
                        log_info("stopping");
                (void)sd_notify(0, "STOPPING=1");
        }
        daemon_release(&d);
        return r < 0 ? r : 0;
}
