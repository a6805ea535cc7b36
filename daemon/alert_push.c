/* SPDX-License-Identifier: MIT */
#include "alert_push.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../web/render_alerts.h"
#include "log.h"
#include "util.h"

/* After a failed request, try again this soon (or at the resend interval if shorter). */
#define RETRY_SECONDS 10.0
/* A failure streak is logged when it starts, then at most this often. */
#define FAILURE_LOG_SECONDS 300.0
#define RESPONSE_MAX        4096

struct alert_push {
        pthread_mutex_t lock;
        pthread_cond_t wake;
        pthread_t thread;
        bool thread_started, stop, dirty;

        char *urls[ALERT_URLS_MAX + 1];
        struct alert_push_stat *stats; /* one per URL, same order */
        size_t n_urls;
        double resend_interval, timeout;
        char *host;

        struct uw_alert *alerts; /* the latest list handed over */
        size_t n_alerts;
        double next_send; /* monotonic seconds */

        /* Failure logging, touched by the thread only. */
        double failure_logged_at;
        uint64_t failures_unlogged;
};

static double mono_now(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double real_now(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_REALTIME, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int alert_push_payload(const struct uw_alert *alerts, size_t n, const char *host, double now,
                       double resend_interval, char **ret)
{
        json_auto_t *arr = json_array();

        *ret = NULL;
        if (!arr)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const struct uw_alert *a = &alerts[i];
                json_t *labels, *ann, *o;

                if (a->state != ALERT_FIRING && a->state != ALERT_RESOLVED)
                        continue;
                labels = json_pack("{s:s, s:o*, s:s}", "alertname", alert_rule_to_string(a->rule),
                                   "unit", render_json_text(a->unit), "severity",
                                   alert_severity_to_string(a->severity));
                if (labels && host)
                        (void)json_object_set_new(labels, "host", render_json_text(host));
                ann = json_pack("{s:o*, s:o*}", "summary", render_json_text(a->summary),
                                "description", render_json_text(a->description));
                o = json_pack("{s:o, s:o, s:o*, s:o*}", "labels", labels, "annotations", ann,
                              "startsAt", render_json_time(a->fired_at), "endsAt",
                              render_json_time(a->state == ALERT_RESOLVED
                                                       ? a->resolved_at
                                                       : now + 4 * resend_interval));
                if (!o || json_array_append_new(arr, o) < 0)
                        return -ENOMEM;
        }
        if (json_array_size(arr) == 0)
                return 0;
        *ret = json_dumps(arr, JSON_COMPACT);
        return *ret ? 0 : -ENOMEM;
}

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        size_t *seen = userdata;

        (void)ptr;
        *seen += size * nmemb;
        /* A reply this long is not Alertmanager's: stop reading it. */
        return *seen > RESPONSE_MAX * 16 ? 0 : size * nmemb;
}

/* POSTs body to url/api/v2/alerts; returns 0 on a 2xx, -errno otherwise with why in err. */
static int post(const char *url, const char *body, double timeout, char *err, size_t err_size)
{
        char endpoint[1100], curl_err[CURL_ERROR_SIZE] = "";
        struct curl_slist *headers = NULL;
        size_t seen = 0, len = strlen(url);
        long status = 0;
        CURLcode c;
        CURL *h;

        (void)snprintf(endpoint, sizeof(endpoint), "%.*s/api/v2/alerts",
                       (int)(len && url[len - 1] == '/' ? len - 1 : len), url);
        h = curl_easy_init();
        if (!h)
                return -ENOMEM;
        headers = curl_slist_append(NULL, "Content-Type: application/json");
        (void)curl_easy_setopt(h, CURLOPT_URL, endpoint);
        (void)curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        (void)curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        (void)curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
        (void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout * 1000));
        (void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        (void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_body);
        (void)curl_easy_setopt(h, CURLOPT_WRITEDATA, &seen);
        (void)curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
        (void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        (void)curl_easy_setopt(h, CURLOPT_USERAGENT, "unitwatchd/" UNITWATCH_VERSION);
        c = curl_easy_perform(h);
        if (c == CURLE_OK)
                (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(h);
        curl_slist_free_all(headers);
        if (c != CURLE_OK) {
                (void)snprintf(err, err_size, "%s", curl_err[0] ? curl_err : curl_easy_strerror(c));
                return c == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EHOSTUNREACH;
        }
        if (status < 200 || status > 299) {
                (void)snprintf(err, err_size, "HTTP status %ld", status);
                return -EPROTO;
        }
        return 0;
}

static void log_failure(struct alert_push *p, const char *url, const char *why, bool first)
{
        double now = mono_now();

        p->failures_unlogged++;
        if (!first && now - p->failure_logged_at < FAILURE_LOG_SECONDS)
                return;
        log_warning("cannot deliver alerts to Alertmanager '%s': %s; %llu failed request(s) since "
                    "the last message, retrying every %.0f s while alerts are listed",
                    url, why, (unsigned long long)p->failures_unlogged,
                    fmin(RETRY_SECONDS, p->resend_interval));
        p->failure_logged_at = now;
        p->failures_unlogged = 0;
}

/* One round: the latest list to every URL. Called without the lock. */
static bool send_round(struct alert_push *p, const char *body, char *const *urls, size_t n,
                       double timeout)
{
        bool all_ok = true;

        for (size_t i = 0; i < n; i++) {
                char why[CURL_ERROR_SIZE + 32] = "";
                int r = post(urls[i], body, timeout, why, sizeof(why));
                bool was_up;

                (void)pthread_mutex_lock(&p->lock);
                /* The URL list may have changed meanwhile (SIGHUP): match by URL. */
                was_up = true;
                for (size_t k = 0; k < p->n_urls; k++) {
                        if (!streq(p->stats[k].url, urls[i]))
                                continue;
                        was_up = p->stats[k].up ||
                                 (p->stats[k].sent == 0 && p->stats[k].failed == 0);
                        p->stats[k].up = r >= 0;
                        if (r >= 0)
                                p->stats[k].sent++;
                        else
                                p->stats[k].failed++;
                }
                (void)pthread_mutex_unlock(&p->lock);
                if (r < 0) {
                        all_ok = false;
                        log_failure(p, urls[i], why, was_up);
                } else if (!was_up) {
                        log_notice("alerts delivered to Alertmanager '%s' again", urls[i]);
                }
        }
        return all_ok;
}

static void wait_until(struct alert_push *p, double mono_deadline)
{
        struct timespec ts;
        double now_real;

        /* The condition variable runs on CLOCK_MONOTONIC (see alert_push_new()). */
        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        now_real = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
        if (mono_deadline <= now_real)
                return;
        ts.tv_sec = (time_t)floor(mono_deadline);
        ts.tv_nsec = (long)((mono_deadline - floor(mono_deadline)) * 1e9);
        (void)pthread_cond_timedwait(&p->wake, &p->lock, &ts);
}

static void *push_main(void *userdata)
{
        struct alert_push *p = userdata;

        (void)pthread_mutex_lock(&p->lock);
        while (!p->stop) {
                _cleanup_free_ char *body = NULL;
                char *urls[ALERT_URLS_MAX + 1] = {};
                double timeout;
                size_t n = 0;
                bool ok;

                if (!p->dirty && mono_now() < p->next_send) {
                        wait_until(p, p->next_send);
                        continue;
                }
                p->dirty = false;
                p->next_send = mono_now() + p->resend_interval;
                (void)alert_push_payload(p->alerts, p->n_alerts, p->host, real_now(),
                                         p->resend_interval, &body);
                for (; n < p->n_urls; n++)
                        urls[n] = strdup(p->urls[n]);
                timeout = p->timeout;
                (void)pthread_mutex_unlock(&p->lock);

                ok = !body || send_round(p, body, urls, n, timeout);
                for (size_t i = 0; i < n; i++)
                        free(urls[i]);

                (void)pthread_mutex_lock(&p->lock);
                if (!ok)
                        p->next_send = fmin(p->next_send, mono_now() + RETRY_SECONDS);
        }
        (void)pthread_mutex_unlock(&p->lock);
        return NULL;
}

static void clear_urls(struct alert_push *p)
{
        for (size_t i = 0; i < p->n_urls; i++)
                p->urls[i] = (free(p->urls[i]), NULL);
        free(p->stats);
        p->stats = NULL;
        p->n_urls = 0;
}

/* Called with the lock held (or before the thread exists). */
static int apply_config(struct alert_push *p, const struct alert_config *cfg)
{
        struct alert_push_stat *stats;
        char *urls[ALERT_URLS_MAX + 1] = {};
        char *host = NULL;
        char name[256];
        size_t n = 0;

        while (cfg->alertmanager_urls[n])
                n++;
        stats = calloc(n ? n : 1, sizeof(*stats));
        if (!stats)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                urls[i] = strdup(cfg->alertmanager_urls[i]);
                (void)snprintf(stats[i].url, sizeof(stats[i].url), "%s", cfg->alertmanager_urls[i]);
                stats[i].up = true;
                /* Keep the counters of a URL that stays. */
                for (size_t k = 0; k < p->n_urls; k++)
                        if (streq(p->stats[k].url, stats[i].url))
                                stats[i] = p->stats[k];
        }
        if (cfg->host)
                host = strdup(cfg->host);
        else if (gethostname(name, sizeof(name)) == 0) {
                name[sizeof(name) - 1] = '\0';
                host = strdup(name);
        }
        for (size_t i = 0; i < n; i++)
                if (!urls[i]) {
                        for (size_t k = 0; k < n; k++)
                                free(urls[k]);
                        free(stats);
                        free(host);
                        return -ENOMEM;
                }
        clear_urls(p);
        memcpy(p->urls, urls, sizeof(urls));
        p->stats = stats;
        p->n_urls = n;
        free(p->host);
        p->host = host;
        p->resend_interval = cfg->resend_interval;
        p->timeout = cfg->timeout;
        return 0;
}

static int start_thread(struct alert_push *p)
{
        int r;

        if (p->thread_started || p->n_urls == 0)
                return 0;
        r = pthread_create(&p->thread, NULL, push_main, p);
        if (r != 0)
                return -r;
        p->thread_started = true;
        return 0;
}

int alert_push_new(const struct alert_config *cfg, struct alert_push **ret)
{
        struct alert_push *p = calloc(1, sizeof(*p));
        pthread_condattr_t ca;
        int r;

        if (!p)
                return -ENOMEM;
        (void)pthread_mutex_init(&p->lock, NULL);
        (void)pthread_condattr_init(&ca);
        (void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        (void)pthread_cond_init(&p->wake, &ca);
        (void)pthread_condattr_destroy(&ca);
        r = apply_config(p, cfg);
        if (r >= 0 && p->n_urls > 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                r = -EIO;
        if (r >= 0)
                r = start_thread(p);
        if (r < 0) {
                alert_push_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

void alert_push_free(struct alert_push *p)
{
        if (!p)
                return;
        (void)pthread_mutex_lock(&p->lock);
        p->stop = true;
        (void)pthread_cond_signal(&p->wake);
        (void)pthread_mutex_unlock(&p->lock);
        if (p->thread_started)
                (void)pthread_join(p->thread, NULL);
        clear_urls(p);
        free(p->host);
        free(p->alerts);
        (void)pthread_cond_destroy(&p->wake);
        (void)pthread_mutex_destroy(&p->lock);
        free(p);
}

int alert_push_set_config(struct alert_push *p, const struct alert_config *cfg)
{
        bool had_urls;
        int r;

        (void)pthread_mutex_lock(&p->lock);
        had_urls = p->n_urls > 0;
        r = apply_config(p, cfg);
        if (r >= 0 && !had_urls && p->n_urls > 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
                r = -EIO;
        if (r >= 0)
                r = start_thread(p);
        p->dirty = true;
        (void)pthread_cond_signal(&p->wake);
        (void)pthread_mutex_unlock(&p->lock);
        return r;
}

void alert_push_submit(struct alert_push *p, const struct uw_alert *alerts, size_t n, bool changed)
{
        struct uw_alert *copy = malloc((n ? n : 1) * sizeof(*copy));

        if (!copy)
                return;
        memcpy(copy, alerts, n * sizeof(*copy));
        (void)pthread_mutex_lock(&p->lock);
        free(p->alerts);
        p->alerts = copy;
        p->n_alerts = n;
        if (changed) {
                p->dirty = true;
                (void)pthread_cond_signal(&p->wake);
        }
        (void)pthread_mutex_unlock(&p->lock);
}

int alert_push_stats(struct alert_push *p, struct alert_push_stat **ret, size_t *ret_n)
{
        struct alert_push_stat *out;
        size_t n;

        (void)pthread_mutex_lock(&p->lock);
        n = p->n_urls;
        out = malloc((n ? n : 1) * sizeof(*out));
        if (out && n)
                memcpy(out, p->stats, n * sizeof(*out));
        (void)pthread_mutex_unlock(&p->lock);
        if (!out)
                return -ENOMEM;
        *ret = out;
        *ret_n = n;
        return 0;
}
