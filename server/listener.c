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
 * listeners in the config mean. It would let a second certbindd share
 * every port just as well: the claims (instance.c), made here before a
 * socket is bound, keep that from happening.
 *
 * A listener whose address cannot be bound (not this host's, or a port
 * another program has) stops only itself: it is kept on a list of its
 * own, logged, answered as "not-listening" by its claim, and tried again
 * at every reload.
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

/*
 * certbindd -a ADDRESS: the node's own address, bound instead of "*" by
 * every wildcard listener ("*:8443" binds ADDRESS:8443), so that several
 * certbindd serving one config (a fleet's nodes, each with its own
 * 127.0.0.x in the tests) can share a host. The keeper is forked after it
 * is set and maps the config's listeners the same way (keeper.c).
 */
static struct endpoint	node_addr;
static int		has_node_addr;

void
listener_set_address(const struct endpoint *addr)
{
	node_addr = *addr;
	node_addr.port = 0;
	has_node_addr = 1;
}

void
listener_bind_ep(const struct endpoint *ep, struct endpoint *out)
{
	*out = *ep;
	if (has_node_addr && endpoint_any_addr(ep)) {
		*out = node_addr;
		out->port = ep->port;
	}
}

static struct listener *
listener_find(struct listener *list, const struct endpoint *ep)
{
	for (; list != NULL; list = list->next) {
		if (endpoint_cmp(&list->ep, ep) == 0)
			return list;
	}
	return NULL;
}

/*
 * IP_FREEBIND: bind to an address this host does not have (yet). An IPv6
 * socket has its own option since Linux 4.15; before that, IP_FREEBIND
 * on it does the same (the kernel's IPv6 bind looks at the same flag).
 */
static int
set_freebind(int fd, int family)
{
	int	on = 1;

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND	78
#endif
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND,
	    &on, sizeof on) == 0)
		return 0;
	return setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on, sizeof on);
}

int
listener_socket(const struct endpoint *ep, int freebind, struct errlist *errs)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 buf[ENDPOINT_STRLEN];
	int			 fd, on = 1, v6only, defer, saved;

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
	if (freebind && set_freebind(fd, ss.ss_family) == -1)
		goto fail;
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1)
		goto fail;
	return fd;

fail:
	saved = errno;
	errlist_add(errs, "listener %s: %s", endpoint_format(ep, buf),
	    strerror(saved));
	if (fd != -1)
		close(fd);
	errno = saved;
	return -1;
}

/*
 * A listener of the config that certbindd does not listen on: its address
 * could not be bound (EADDRNOTAVAIL: not this host's; EADDRINUSE: taken by
 * another program), or another certbindd holds it (at a reload). It
 * stops only itself; every reload tries it again.
 */
struct down {
	struct endpoint	 ep;
	struct endpoint	 bound;		/* listener_bind_ep()'s */
	char		*why;
	struct down	*next;
};

static struct down	*down;		/* in effect */
static struct down	*pending_down;	/* found by prepare */

static void
down_free(struct down **list)
{
	struct down	*d;

	while ((d = *list) != NULL) {
		*list = d->next;
		free(d->why);
		free(d);
	}
}

static int
down_has(const struct down *d, const struct endpoint *ep)
{
	for (; d != NULL; d = d->next) {
		if (endpoint_cmp(&d->ep, ep) == 0)
			return 1;
	}
	return 0;
}

/* Takes why. */
static void
down_add(const struct endpoint *ep, char *why)
{
	struct down	*d = xcalloc(1, sizeof *d);

	d->ep = *ep;
	listener_bind_ep(ep, &d->bound);
	d->why = why;
	d->next = pending_down;
	pending_down = d;
}

/*
 * The bind errors that stop only their listener: the address is not this
 * host's, or a program that is not a certbindd (a certbindd would hold
 * the listener's claim, instance.c) has the port.
 */
static int
bind_error_is_local(int err)
{
	return err == EADDRNOTAVAIL || err == EADDRINUSE;
}

int
listeners_prepare(const struct config *cfg, int at_start,
    struct errlist *errs)
{
	const struct config_listener	*cl;
	struct listener			*l;
	struct endpoint			 bep;
	struct errlist			 sub = ERRLIST_INIT;
	const char			*prefix = at_start ? "" : "reload: ";
	size_t				 i, n = config_nlisteners(cfg);
	size_t				 before = errs->n;
	char				*cause, *msg;
	int				 fd, err;

	listeners_abort();
	instance_begin();
	for (l = listeners; l != NULL; l = l->next)
		l->mark = 0;
	for (i = 0; i < n; i++) {
		cl = config_listener(cfg, i);
		if (listener_find(pending, &cl->ep) != NULL ||
		    down_has(pending_down, &cl->ep))
			continue;
		listener_bind_ep(&cl->ep, &bep);
		/* No second certbindd shares a listener (instance.c). */
		if (instance_claim_listener(&bep, cl->freebind,
		    &cause) != 0) {
			if (at_start) {
				errlist_add(errs, "%s", cause);
				free(cause);
				continue;
			}
			log_warn_escaped("reload: listener refused: ", cause);
			down_add(&cl->ep, cause);
			continue;
		}
		if ((l = listener_find(listeners, &cl->ep)) != NULL) {
			l->mark = 1;
			continue;
		}
		if ((fd = keeper_listen(&bep, cl->freebind, &sub)) == -1) {
			err = errno;
			msg = sub.n > 0 ? sub.v[sub.n - 1] : "cannot listen";
			if (bind_error_is_local(err)) {
				cause = xasprintf("%s: not listening on it "
				    "(%s); the other listeners are served, and "
				    "every reload tries it again", msg,
				    err == EADDRNOTAVAIL ? "this host does not "
				    "have the address; freebind = true listens "
				    "anyway" : "another program has the port");
				log_warn_escaped(prefix, cause);
				free(cause);
				down_add(&cl->ep, xstrdup(msg));
			} else
				errlist_add(errs, "%s", msg);
			errlist_clear(&sub);
			continue;
		}
		l = xcalloc(1, sizeof *l);
		l->ev = EV_LISTENER;
		l->fd = fd;
		l->ep = cl->ep;
		l->bound = bep;
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
	down_free(&pending_down);
	instance_abort();
}

void
listeners_commit(void)
{
	struct listener	*l, **lp;
	struct down	*d;

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
	down_free(&down);
	down = pending_down;
	pending_down = NULL;
	/* What the claims answer (certbind probe asks them). */
	for (l = listeners; l != NULL; l = l->next)
		instance_listener_state(&l->bound, 1, NULL);
	for (d = down; d != NULL; d = d->next)
		instance_listener_state(&d->bound, 0, d->why);
	instance_commit();
}

void
listeners_close_all(void)
{
	struct listener	*l;

	listeners_abort();
	down_free(&down);
	while ((l = listeners) != NULL) {
		listeners = l->next;
		workers_remove_listener(l->fd);
		close(l->fd);
		free(l);
	}
}

size_t
listeners_down(void)
{
	struct down	*d;
	size_t		 n = 0;

	for (d = down; d != NULL; d = d->next)
		n++;
	return n;
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
