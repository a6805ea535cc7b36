/* SPDX-License-Identifier: MIT */
#include "http_opts.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../daemon/log.h"
#include "../daemon/util.h"

void http_options_default(struct http_options *ret)
{
        *ret = (struct http_options){
                .connection_limit = CFG_HTTP_CONNECTION_LIMIT,
                .per_client_limit = CFG_HTTP_PER_CLIENT_LIMIT,
                .max_header_bytes = CFG_HTTP_MAX_HEADER_BYTES,
                .max_body_bytes = CFG_HTTP_MAX_BODY_BYTES,
                .idle_timeout = CFG_HTTP_IDLE_TIMEOUT,
                .request_timeout = CFG_HTTP_REQUEST_TIMEOUT,
                .methods = CFG_METHODS_ALL,
        };
}

void http_options_release(struct http_options *o)
{
        if (!o)
                return;
        if (o->token)
                explicit_bzero(o->token, strlen(o->token));
        if (o->tls_key_pem)
                explicit_bzero(o->tls_key_pem, strlen(o->tls_key_pem));
        free(o->token);
        free(o->tls_cert_pem);
        free(o->tls_key_pem);
        http_options_default(o);
}

/* Reads a whole file of at most max bytes into a NUL-terminated string; st gets its stat. */
static int read_small_file(const char *path, size_t max, char **ret, struct stat *st)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;

        if (fd < 0)
                return -errno;
        if (fstat(fd, st) < 0)
                return -errno;
        if (!S_ISREG(st->st_mode))
                return -EBADF;
        buf = malloc(max + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf + len, max + 1 - len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max)
                        return -EFBIG;
        }
        buf[len] = '\0';
        if (strlen(buf) != len)
                return -EINVAL; /* a NUL inside */
        *ret = TAKE_PTR(buf);
        return 0;
}

static const char *read_error(int r)
{
        switch (r) {
        case -EBADF:
                return "not a regular file";
        case -EFBIG:
                return "too large";
        case -EINVAL:
                return "contains a NUL byte";
        default:
                return strerror(-r);
        }
}

static int load_token(const char *path, char **ret, char *err, size_t err_size)
{
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t start, end;
        int r;

        r = read_small_file(path, HTTP_TOKEN_MAX, &buf, &st);
        if (r < 0) {
                (void)snprintf(err, err_size, "cannot read the token file '%s': %s", path,
                               read_error(r));
                return r;
        }
        buf[strcspn(buf, "\r\n")] = '\0';
        for (start = 0; buf[start] == ' ' || buf[start] == '\t'; start++)
                ;
        for (end = strlen(buf); end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\t'); end--)
                ;
        for (size_t i = start; i < end; i++)
                if ((unsigned char)buf[i] <= 0x20 || (unsigned char)buf[i] == 0x7f) {
                        (void)snprintf(err, err_size,
                                       "the token in '%s' has a blank or a control character: "
                                       "write the token alone on the first line",
                                       path);
                        explicit_bzero(buf, strlen(buf));
                        return -EINVAL;
                }
        if (end - start < HTTP_TOKEN_MIN) {
                (void)snprintf(err, err_size,
                               "the token in '%s' is %zu characters long, fewer than %d: use a "
                               "random one (e.g. 'openssl rand -hex 32')",
                               path, end - start, HTTP_TOKEN_MIN);
                explicit_bzero(buf, strlen(buf));
                return -EINVAL;
        }
        if (st.st_mode & S_IROTH)
                log_warning("the token file '%s' is readable by every user: make it mode 0640 "
                            "or tighter",
                            path);
        memmove(buf, buf + start, end - start);
        buf[end - start] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

static int load_pem(const char *path, const char *what, char **ret, char *err, size_t err_size)
{
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        int r;

        r = read_small_file(path, HTTP_PEM_MAX, &buf, &st);
        if (r < 0) {
                (void)snprintf(err, err_size, "cannot read the TLS %s '%s': %s", what, path,
                               read_error(r));
                return r;
        }
        if (!strstr(buf, "-----BEGIN ")) {
                (void)snprintf(err, err_size, "the TLS %s '%s' is not PEM (no '-----BEGIN ')", what,
                               path);
                explicit_bzero(buf, strlen(buf));
                return -EINVAL;
        }
        *ret = TAKE_PTR(buf);
        return 0;
}

/*
 * libmicrohttpd only says that TLS failed to start; GnuTLS says why (a key that does not
 * belong to the certificate, a PEM it cannot parse). Checked here, before any server is touched.
 */
static int check_key_pair(const struct uw_http_config *h, const char *cert, const char *key,
                          char *err, size_t err_size)
{
        gnutls_certificate_credentials_t cred;
        gnutls_datum_t c = {(unsigned char *)(uintptr_t)cert, (unsigned)strlen(cert)};
        gnutls_datum_t k = {(unsigned char *)(uintptr_t)key, (unsigned)strlen(key)};
        int r;

        if (gnutls_certificate_allocate_credentials(&cred) < 0)
                return -ENOMEM;
        r = gnutls_certificate_set_x509_key_mem(cred, &c, &k, GNUTLS_X509_FMT_PEM);
        gnutls_certificate_free_credentials(cred);
        if (r < 0) {
                (void)snprintf(err, err_size,
                               "the TLS certificate '%s' and key '%s' are unusable: %s",
                               h->tls_cert, h->tls_key, gnutls_strerror(r));
                return -EINVAL;
        }
        return 0;
}

int http_options_load(const struct uw_http_config *h, struct http_options *ret, char *err,
                      size_t err_size)
{
        struct http_options o;
        int r = 0;

        http_options_default(&o);
        if (h->token_file)
                r = load_token(h->token_file, &o.token, err, err_size);
        if (r >= 0 && h->tls_cert)
                r = load_pem(h->tls_cert, "certificate", &o.tls_cert_pem, err, err_size);
        if (r >= 0 && h->tls_key)
                r = load_pem(h->tls_key, "key", &o.tls_key_pem, err, err_size);
        if (r >= 0 && !o.tls_cert_pem != !o.tls_key_pem) {
                (void)snprintf(err, err_size, "TLS needs both http.tls_cert and http.tls_key");
                r = -EINVAL;
        }
        if (r >= 0 && o.tls_cert_pem)
                r = check_key_pair(h, o.tls_cert_pem, o.tls_key_pem, err, err_size);
        if (r < 0) {
                http_options_release(&o);
                return r;
        }
        o.connection_limit = h->connection_limit;
        o.per_client_limit = h->per_client_limit;
        o.per_client_loopback = h->per_client_loopback;
        o.max_header_bytes = h->max_header_bytes;
        o.max_body_bytes = h->max_body_bytes;
        o.idle_timeout = h->idle_timeout;
        o.request_timeout = h->request_timeout;
        o.methods = h->methods;
        *ret = o;
        return 0;
}

bool http_bearer_matches(const char *authorization, const char *token)
{
        size_t n, m;
        unsigned char diff = 0;

        if (!authorization || !token || strncasecmp(authorization, "Bearer ", 7) != 0)
                return false;
        authorization += 7;
        while (*authorization == ' ')
                authorization++;
        n = strlen(authorization);
        m = strlen(token);
        /* Every byte of the presented token is compared, whatever the lengths. */
        for (size_t i = 0; i < n; i++)
                diff |= (unsigned char)authorization[i] ^ (unsigned char)token[i % (m ? m : 1)];
        return m > 0 && n == m && diff == 0;
}

int http_options_copy(const struct http_options *o, struct http_options *ret)
{
        struct http_options c = *o;

        c.token = o->token ? strdup(o->token) : NULL;
        c.tls_cert_pem = o->tls_cert_pem ? strdup(o->tls_cert_pem) : NULL;
        c.tls_key_pem = o->tls_key_pem ? strdup(o->tls_key_pem) : NULL;
        if (!c.token != !o->token || !c.tls_cert_pem != !o->tls_cert_pem ||
            !c.tls_key_pem != !o->tls_key_pem) {
                http_options_release(&c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}
