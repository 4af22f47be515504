/*
 * Listening sockets, one per server.listen endpoint, shared by every
 * worker.
 *
 * Why one socket per endpoint added to every worker's epoll set with
 * EPOLLEXCLUSIVE, and not one SO_REUSEPORT socket per worker: the kernel
 * drops the connections queued on a reuseport socket when that socket is
 * closed, so changing the number of sockets at reload would lose
 * handshakes; one shared queue per endpoint survives a reload untouched,
 * and EPOLLEXCLUSIVE keeps an incoming connection from waking every
 * worker.
 *
 * SO_REUSEPORT is still set, for another reason: it lets "*:8443" (bound
 * to [::]:8443, dual stack) coexist with "127.0.0.2:8443", and the kernel
 * then gives a connection to the most specific socket, which is what the
 * listeners in the config mean.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "util/errlist.h"
#include "util/xmalloc.h"
#include "server/certbindd.h"

#define LISTEN_BACKLOG	1024

static struct listener	*listeners;	/* in service */
static struct listener	*pending;	/* opened by prepare, not committed */

static struct listener *
listener_find(struct listener *list, const struct endpoint *ep)
{
	for (; list != NULL; list = list->next) {
		if (endpoint_cmp(&list->ep, ep) == 0)
			return list;
	}
	return NULL;
}

int
listener_socket(const struct endpoint *ep, struct errlist *errs)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 buf[ENDPOINT_STRLEN];
	int			 fd, on = 1, v6only, defer;

	len = endpoint_to_sockaddr(ep, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 && errno == EAFNOSUPPORT && endpoint_any_addr(ep)) {
		/* A host without IPv6: "*" is then 0.0.0.0. */
		struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;

		memset(&ss, 0, sizeof ss);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
		len = sizeof *sin;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	}
	if (fd == -1)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == -1)
		goto fail;
	if (ss.ss_family == AF_INET6) {
		/* "*" is dual stack; a concrete IPv6 address is only that. */
		v6only = endpoint_any_addr(ep) ? 0 : 1;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
		    sizeof v6only) == -1)
			goto fail;
	}
	/* Accepted sockets inherit it: one setsockopt per listener, not per
	 * connection. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == -1)
		goto fail;
	/*
	 * The client speaks first in TLS: accept() once the ClientHello has
	 * arrived, not at the end of the TCP handshake, which saves a wake-up
	 * and a recv() that says EAGAIN per connection. A client that sends
	 * nothing is still accepted (after a second, the first SYN-ACK
	 * retransmission) and meets the handshake timeout. Best effort.
	 */
	defer = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer,
	    sizeof defer);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1)
		goto fail;
	return fd;

fail:
	errlist_add(errs, "listener %s: %s", endpoint_format(ep, buf),
	    strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

int
listeners_prepare(const struct config *cfg, struct errlist *errs)
{
	const struct config_listener	*cl;
	struct listener			*l;
	size_t				 i, n = config_nlisteners(cfg);
	size_t				 before = errs->n;
	int				 fd;

	listeners_abort();
	for (l = listeners; l != NULL; l = l->next)
		l->mark = 0;
	for (i = 0; i < n; i++) {
		cl = config_listener(cfg, i);
		if ((l = listener_find(listeners, &cl->ep)) != NULL) {
			l->mark = 1;
			continue;
		}
		if (listener_find(pending, &cl->ep) != NULL)
			continue;
		if ((fd = keeper_listen(&cl->ep, errs)) == -1)
			continue;
		l = xcalloc(1, sizeof *l);
		l->ev = EV_LISTENER;
		l->fd = fd;
		l->ep = cl->ep;
		l->mark = 1;
		l->next = pending;
		pending = l;
	}
	if (errs->n != before) {
		listeners_abort();
		return -1;
	}
	return 0;
}

void
listeners_abort(void)
{
	struct listener	*l;

	while ((l = pending) != NULL) {
		pending = l->next;
		close(l->fd);
		free(l);
	}
}

void
listeners_commit(void)
{
	struct listener	*l, **lp;

	/* New sockets first, so no endpoint the config keeps goes dark. */
	while ((l = pending) != NULL) {
		pending = l->next;
		workers_add_listener(l->fd, l);
		l->next = listeners;
		listeners = l;
	}
	for (lp = &listeners; (l = *lp) != NULL;) {
		if (l->mark) {
			lp = &l->next;
			continue;
		}
		*lp = l->next;
		workers_remove_listener(l->fd);
		close(l->fd);
		free(l);
	}
}

void
listeners_close_all(void)
{
	struct listener	*l;

	listeners_abort();
	while ((l = listeners) != NULL) {
		listeners = l->next;
		workers_remove_listener(l->fd);
		close(l->fd);
		free(l);
	}
}

size_t
listeners_count(void)
{
	struct listener	*l;
	size_t		 n = 0;

	for (l = listeners; l != NULL; l = l->next)
		n++;
	return n;
}
