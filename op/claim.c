/*
 * Claims: abstract unix sockets that name a running certbindd's config
 * and listeners (see claim.h for the protocol).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "core/endpoint.h"
#include "op/claim.h"
#include "util/xmalloc.h"

static void
claim_set(struct claim_addr *ca, const char *name)
{
	size_t	n = strlen(name);

	memset(ca, 0, sizeof *ca);
	if (n > sizeof ca->sun.sun_path - 1)
		n = sizeof ca->sun.sun_path - 1;
	memcpy(ca->name, name, n);
	ca->sun.sun_family = AF_UNIX;
	/* Abstract: a NUL first, and the name without a terminator. */
	memcpy(ca->sun.sun_path + 1, name, n);
	ca->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

int
claim_config_addr(const char *path, struct claim_addr *ca)
{
	unsigned char	 md[32];
	char		 real[PATH_MAX], *name, hex[65];
	const char	*p = path;
	size_t		 i;

	if (realpath(path, real) != NULL)
		p = real;
	name = xasprintf("%s%s", CLAIM_CONFIG, p);
	if (strlen(name) > sizeof ca->sun.sun_path - 1) {
		free(name);
		if (gnutls_hash_fast(GNUTLS_DIG_SHA256, p, strlen(p), md) < 0)
			return -1;
		for (i = 0; i < sizeof md; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		name = xasprintf("%ssha256:%s", CLAIM_CONFIG, hex);
	}
	claim_set(ca, name);
	free(name);
	return 0;
}

void
claim_listen_addr(const struct endpoint *ep, struct claim_addr *ca)
{
	char	buf[ENDPOINT_STRLEN], *name;

	name = xasprintf("%s%s", CLAIM_LISTEN, endpoint_format(ep, buf));
	claim_set(ca, name);
	free(name);
}

char *
claim_answer(const char *config, const char *state, int freebind,
    const char *error)
{
	char	*s, *t;

	s = xasprintf("pid %ld\nconfig %s\n", (long)getpid(), config);
	if (state != NULL) {
		t = xasprintf("%sstate %s\nfreebind %d\n", s, state,
		    freebind != 0);
		free(s);
		s = t;
	}
	if (error != NULL) {
		t = xasprintf("%serror %s\n", s, error);
		free(s);
		s = t;
	}
	return s;
}

/* Copies the value of line "name VALUE" in text, if any, into out. */
static void
answer_get(const char *text, const char *name, char *out, size_t size)
{
	const char	*p = text, *e;
	size_t		 n = strlen(name), len;

	for (; p != NULL && *p != '\0'; p = (e = strchr(p, '\n')) ?
	    e + 1 : NULL) {
		if (strncmp(p, name, n) != 0 || p[n] != ' ')
			continue;
		p += n + 1;
		len = (e = strchr(p, '\n')) != NULL ? (size_t)(e - p) :
		    strlen(p);
		if (len >= size)
			len = size - 1;
		memcpy(out, p, len);
		out[len] = '\0';
		return;
	}
}

int
claim_query(const struct claim_addr *ca, int timeout_ms,
    struct claim_holder *h)
{
	struct ucred	 cr;
	struct pollfd	 pfd;
	socklen_t	 crlen = sizeof cr;
	char		*buf, num[16] = "";
	size_t		 got = 0;
	ssize_t		 r;
	int		 fd, saved;

	memset(h, 0, sizeof *h);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	/*
	 * A listening unix socket accepts the connection into its backlog at
	 * once: no EINPROGRESS. EAGAIN: the backlog is full, it is held.
	 */
	if (connect(fd, (const struct sockaddr *)&ca->sun, ca->len) == -1 &&
	    errno != EAGAIN) {
		saved = errno;
		close(fd);
		if (saved == ECONNREFUSED || saved == ENOENT)
			return 0;
		errno = saved;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == 0) {
		h->pid = cr.pid;
		h->uid = cr.uid;
	}
	buf = xmalloc(CLAIM_ANSWER_MAX + 1);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (got < CLAIM_ANSWER_MAX && poll(&pfd, 1, timeout_ms) > 0) {
		r = read(fd, buf + got, CLAIM_ANSWER_MAX - got);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	answer_get(buf, "config", h->config, sizeof h->config);
	answer_get(buf, "state", h->state, sizeof h->state);
	answer_get(buf, "error", h->error, sizeof h->error);
	answer_get(buf, "freebind", num, sizeof num);
	h->freebind = num[0] == '1';
	free(buf);
	return 1;
}
