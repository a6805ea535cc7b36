/* SPDX-License-Identifier: MIT */
/*
 * What the HTTP server is told at start and at each SIGHUP: the bearer token and the TLS
 * certificate and key (read from the files the config names), and its limits. The loader
 * reads the files; the server only ever sees their contents.
 * Ownership: http_options owns its strings; release with http_options_release(). No state;
 * safe from any thread.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../daemon/config.h"

#define HTTP_TOKEN_MIN 16   /* characters of a bearer token */
#define HTTP_TOKEN_MAX 4096 /* bytes of a token file */
#define HTTP_PEM_MAX   (1024 * 1024)

struct http_options {
        char *token;        /* NULL: no token asked for */
        char *tls_cert_pem; /* NULL: plain HTTP */
        char *tls_key_pem;
        unsigned connection_limit;
        unsigned per_client_limit; /* 0: none */
        bool per_client_loopback;
        unsigned max_header_bytes;
        unsigned max_body_bytes;
        unsigned idle_timeout, request_timeout; /* seconds */
        unsigned methods;                       /* CFG_METHOD_* */
};

/* The defaults of a config without an "http" object: no token, no TLS. */
void http_options_default(struct http_options *ret);

/*
 * Reads the token file and the TLS files h names, and copies its limits. A token is the file's
 * first line without surrounding blanks, at least HTTP_TOKEN_MIN printable characters. A token
 * file that others may read is logged as a warning, not refused. On error returns -errno
 * (-EINVAL for bad content) with a one-line reason in err, and *ret is untouched.
 */
int http_options_load(const struct uw_http_config *h, struct http_options *ret, char *err,
                      size_t err_size);
void http_options_release(struct http_options *o);

/*
 * Whether an Authorization header value is "Bearer TOKEN" with this token. The comparison
 * takes the same time wherever the first difference is. NULL authorization: false.
 */
bool http_bearer_matches(const char *authorization, const char *token);

/* A deep copy of o into *ret. -ENOMEM. */
int http_options_copy(const struct http_options *o, struct http_options *ret);
