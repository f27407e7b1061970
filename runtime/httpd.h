/* httpd: the minimal HTTP/1.1 responder behind --listen.
 *
 * One thread of its own accepts connections one at a time, reads the
 * request line and answers: GET /metrics -> 200 with what `render` writes
 * (an OpenMetrics exposition), anything else -> 404; the connection is
 * closed after every response. `render` runs on that thread: it must lock
 * whatever it shares with the rest of hark.
 */
#ifndef HARK_HTTPD_H
#define HARK_HTTPD_H

#include <stdio.h>

typedef void (*httpd_render_fn)(void *ctx, FILE *body);

struct httpd;

/* Listen on "HOST:PORT", ":PORT" (127.0.0.1), "[V6]:PORT"; port 0 picks
 * one. Starts serving at once. -errno; the message names the cause. */
int httpd__new(const char *hostport, httpd_render_fn render, void *ctx, struct httpd **out);
/* Stop serving (waits for a response under way) and close. NULL-safe. */
void httpd__free(struct httpd *h);
/* "127.0.0.1:9110", the address actually bound */
const char *httpd_address(const struct httpd *h);

#endif
