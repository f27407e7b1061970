/* httpd: the --listen responder (see httpd.h).
 *
 * Why a thread, not the run loop: the loop sleeps in the ring buffer's
 * epoll for up to 100 ms and must not stall on a slow client, and a scrape
 * should not wait for the next wake-up. The thread sleeps in poll() on the
 * non-blocking listening socket and a wake-up pipe (httpd__free writes to
 * it), and serves one connection at a time: a client gets 2 s to send its
 * request line and to take the response, so one stuck scraper delays the
 * next by at most that. All signals are blocked on the thread, so SIGINT
 * still interrupts the run loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "httpd.h"

enum { IO_TIMEOUT_S = 2, REQUEST_MAX = 8192 };

struct httpd {
	int lfd;
	int wake[2];
	pthread_t thread;
	bool running;
	httpd_render_fn render;
	void *ctx;
	char addr[128];
};

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void respond(int fd, const char *status, const char *type, const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, type, len);

	if (send_all(fd, head, (size_t)n) == 0)
		send_all(fd, body, len);
}

/* Read up to the end of the headers; NUL-terminated. false: no request. */
static bool read_request(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		ssize_t r = recv(fd, buf + n, size - 1 - n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = 0;
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return true;
	}
	buf[n] = 0;
	return strchr(buf, '\n') != NULL; /* at least the request line */
}

/* request-line = method SP request-target SP HTTP-version */
static bool wants_metrics(const char *req)
{
	size_t len;

	if (strncmp(req, "GET ", 4))
		return false;
	req += 4;
	len = strcspn(req, " ?\r\n");
	return len == 8 && !strncmp(req, "/metrics", 8);
}

static void serve(struct httpd *h, int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	char *req = malloc(REQUEST_MAX), *body = NULL;
	size_t len = 0;
	FILE *f;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!req || !read_request(fd, req, REQUEST_MAX))
		goto out;
	if (!wants_metrics(req)) {
		static const char nf[] = "not found: hark serves /metrics\n";

		respond(fd, "404 Not Found", "text/plain; charset=utf-8", nf, sizeof(nf) - 1);
		goto out;
	}
	f = open_memstream(&body, &len);
	if (!f) {
		respond(fd, "500 Internal Server Error", "text/plain; charset=utf-8", "", 0);
		goto out;
	}
	h->render(h->ctx, f);
	fclose(f);
	respond(fd, "200 OK", "application/openmetrics-text; version=1.0.0; charset=utf-8", body, len);
out:
	free(body);
	free(req);
}

static void *serve_loop(void *arg)
{
	struct httpd *h = arg;

	for (;;) {
		struct pollfd p[2] = { { .fd = h->lfd, .events = POLLIN }, { .fd = h->wake[0], .events = POLLIN } };
		int fd;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		fd = accept4(h->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue; /* EAGAIN: the client went away already */
		serve(h, fd);
		close(fd);
	}
	return NULL;
}

/* "HOST:PORT" -> host (default 127.0.0.1, brackets dropped) and port */
static int split_hostport(const char *s, char *host, size_t hsize, char *port, size_t psize)
{
	const char *colon = strrchr(s, ':');
	size_t hl;

	if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -EINVAL;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (!hl) {
		s = "127.0.0.1";
		hl = strlen(s);
	}
	if (hl >= hsize || strlen(colon + 1) >= psize)
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = 0;
	strcpy(port, colon + 1);
	return 0;
}

static int open_listener(const char *hostport, int *out, char *addr, size_t asize)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[16], h[128], p[16];
	int fd = -1, one = 1, err, gai;

	if (split_hostport(hostport, host, sizeof(host), port, sizeof(port))) {
		fprintf(stderr, "hark: httpd: --listen wants HOST:PORT or :PORT, not '%s'\n", hostport);
		return -EINVAL;
	}
	gai = getaddrinfo(host, port, &hints, &ai);
	if (gai) {
		fprintf(stderr, "hark: httpd: cannot resolve '%s': %s\n", host, gai_strerror(gai));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err_out;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl))
		goto err_out;
	freeaddrinfo(ai);
	if (getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(addr, asize, "%s", hostport);
	else
		snprintf(addr, asize, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, p);
	*out = fd;
	return 0;
err_out:
	err = -errno;
	fprintf(stderr, "hark: httpd: cannot listen on %s: %s\n", hostport, strerror(-err));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return err;
}

int httpd__new(const char *hostport, httpd_render_fn render, void *ctx, struct httpd **out)
{
	struct httpd *h = calloc(1, sizeof(*h));
	sigset_t all, old;
	int err;

	if (!h)
		return -ENOMEM;
	h->lfd = h->wake[0] = h->wake[1] = -1;
	h->render = render;
	h->ctx = ctx;
	err = open_listener(hostport, &h->lfd, h->addr, sizeof(h->addr));
	if (err)
		goto err_out;
	if (pipe2(h->wake, O_CLOEXEC)) {
		err = -errno;
		fprintf(stderr, "hark: httpd: pipe: %s\n", strerror(-err));
		goto err_out;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = -pthread_create(&h->thread, NULL, serve_loop, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		fprintf(stderr, "hark: httpd: cannot start its thread: %s\n", strerror(-err));
		goto err_out;
	}
	h->running = true;
	*out = h;
	return 0;
err_out:
	httpd__free(h);
	return err;
}

void httpd__free(struct httpd *h)
{
	if (!h)
		return;
	if (h->running) {
		while (write(h->wake[1], "x", 1) < 0 && errno == EINTR)
			;
		pthread_join(h->thread, NULL);
	}
	if (h->lfd >= 0)
		close(h->lfd);
	if (h->wake[0] >= 0)
		close(h->wake[0]);
	if (h->wake[1] >= 0)
		close(h->wake[1]);
	free(h);
}

const char *httpd_address(const struct httpd *h)
{
	return h->addr;
}
