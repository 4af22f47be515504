/*
 * One certbindd per config, and never two sharing a listener.
 *
 * SO_REUSEPORT (listener.c) lets "*:8443" and "127.0.0.2:8443" live side by
 * side in one certbindd, but it would just as well let a second certbindd
 * bind every port of the first, and the kernel would then spread the
 * connections over both: reload one of them and half the clients get the
 * old certificate. So before it binds anything, certbindd claims its
 * config and each of its listeners (op/claim.h): an abstract unix socket
 * per claim, bound and listen()ed by this process -- the one that lives,
 * not the keeper -- so the kernel releases every claim when it dies, and
 * no file is ever left stale. Abstract names live in the network
 * namespace, as the ports they stand for do.
 *
 * A claim that is taken names its holder: the kernel tells its pid
 * (SO_PEERCRED), and the holder answers with its config and, for a
 * listener, whether it listens (certbind probe asks the same). Overlaps
 * count: "*:8443" here and "127.0.0.2:8443" in another certbindd would
 * share the port just as well, so a "*" listener looks for specific
 * claims on its port (/proc/net/unix lists the names) and a specific one
 * for the "*" claim; each claims first and looks second, so of two that
 * start at once at least one sees the other.
 *
 * Why not a lock on the pidfile alone: server.pidfile is optional, and a
 * lock on one file cannot say which listeners another config holds. The
 * pidfile is locked too (pidfile.c).
 *
 * Any local user can bind an abstract name. A claim held by a process
 * that is neither root nor this user nor the server user is not a
 * certbindd that could share our sockets (SO_REUSEPORT shares only
 * between sockets of one uid): it is logged and ignored, so it cannot
 * keep certbindd from starting.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "op/claim.h"
#include "util/escape.h"
#include "util/xmalloc.h"
#include "server/certbindd.h"

#define CLAIM_BACKLOG	16

struct claim {
	int		 fd;
	struct claim_addr addr;
	struct endpoint	 ep;
	int		 freebind;
	int		 listening;
	char		*why;		/* not listening: why */
	int		 mark;		/* in the config being prepared */
	int		 fresh;		/* made by this prepare */
	struct claim	*next;
};

static struct claim	*claims;	/* the listeners' */
static int		 config_fd = -1;
static char		*config_real;	/* what the claims answer */
static int		 epfd = -1;
static uid_t		 trusted_uid = (uid_t)-1;

void
instance_trust_uid(uid_t uid)
{
	trusted_uid = uid;
}

static int
trusted(uid_t uid)
{
	return uid == 0 || uid == getuid() || uid == geteuid() ||
	    uid == trusted_uid;
}

/* Binds and listens on a claim: the descriptor, or -1 with errno. */
static int
claim_open(const struct claim_addr *a)
{
	int	fd, saved;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (const struct sockaddr *)&a->sun, a->len) == -1 ||
	    listen(fd, CLAIM_BACKLOG) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void
watch(int fd, void *ptr)
{
	struct epoll_event	ev;

	if (epfd == -1 &&
	    (epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_warn("claims: epoll_create1: %s", strerror(errno));
		return;
	}
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.ptr = ptr;
	(void)epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* "certbindd pid N (config PATH)": PATH as the holder said it. */
static char *
holder_text(const struct claim_holder *h)
{
	return xasprintf("certbindd pid %ld (config %s)", (long)h->pid,
	    h->config[0] != '\0' ? h->config : "unknown: it did not answer");
}

/*
 * Who holds the claim a: 1 with *h when another certbindd we respect
 * does, 0 when nobody (or a process we ignore, logged) does.
 */
static int
holder(const struct claim_addr *a, struct claim_holder *h)
{
	char	*e;

	if (claim_query(a, CLAIM_TIMEOUT_MS, h) != 1 || h->pid == getpid())
		return 0;
	if (!trusted(h->uid)) {
		e = escape_str(a->name, 0);
		log_warn("claim %s is held by pid %ld of uid %ld, which is "
		    "not root, this user or server.user: ignored", e,
		    (long)h->pid, (long)h->uid);
		free(e);
		return 0;
	}
	return 1;
}

int
instance_claim_config(const char *path, char **cause)
{
	struct claim_addr	a;
	struct claim_holder	h;
	char			real[PATH_MAX], *who;
	int			try;

	if (config_fd != -1)
		return 0;
	free(config_real);
	config_real = xstrdup(realpath(path, real) != NULL ? real : path);
	if (claim_config_addr(path, &a) != 0) {
		log_warn("cannot name the claim of the config: not claimed");
		return 0;
	}
	for (try = 0; try < 2; try++) {
		if ((config_fd = claim_open(&a)) != -1) {
			watch(config_fd, NULL);
			return 0;
		}
		if (errno != EADDRINUSE) {
			log_warn("cannot claim the config (%s): a second "
			    "certbindd on it would not be refused",
			    strerror(errno));
			return 0;
		}
		if (holder(&a, &h)) {
			who = holder_text(&h);
			*cause = xasprintf("%s already runs on %s", who,
			    config_real);
			free(who);
			return -1;
		}
		if (h.pid != 0)
			return 0;	/* ignored, logged */
		/* Released in between: try again. */
	}
	return 0;
}

static struct claim *
claim_find(const struct endpoint *ep)
{
	struct claim	*c;

	for (c = claims; c != NULL; c = c->next) {
		if (endpoint_cmp(&c->ep, ep) == 0)
			return c;
	}
	return NULL;
}

static int
claim_is_ours(const char *name)
{
	struct claim	*c;

	for (c = claims; c != NULL; c = c->next) {
		if (strcmp(c->addr.name, name) == 0)
			return 1;
	}
	return 0;
}

/*
 * For "*:PORT": another certbindd's specific listener on that port, from
 * the names /proc/net/unix lists. 1 with *h and the name in other.
 */
static int
overlap_specific(const struct endpoint *ep, struct claim_holder *h,
    char *other, size_t size)
{
	struct claim_addr	 a;
	FILE			*f;
	char			 line[512], path[256], suffix[16], *name;
	size_t			 plen = strlen(CLAIM_LISTEN), n, slen;
	int			 found = 0;

	if ((f = fopen("/proc/net/unix", "re")) == NULL)
		return 0;
	slen = (size_t)snprintf(suffix, sizeof suffix, ":%u",
	    (unsigned)ep->port);
	while (!found && fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %255s",
		    path) != 1 || path[0] != '@')
			continue;
		name = path + 1;
		n = strlen(name);
		if (n > sizeof a.sun.sun_path - 1 ||
		    strncmp(name, CLAIM_LISTEN, plen) != 0 || n < slen ||
		    strcmp(name + n - slen, suffix) != 0 ||
		    strncmp(name + plen, "*:", 2) == 0 || claim_is_ours(name))
			continue;
		memset(&a, 0, sizeof a);
		a.sun.sun_family = AF_UNIX;
		memcpy(a.sun.sun_path + 1, name, n);
		memcpy(a.name, name, n);
		a.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    1 + n);
		if (holder(&a, h)) {
			snprintf(other, size, "%s", name + plen);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

int
instance_claim_listener(const struct endpoint *ep, int freebind,
    char **cause)
{
	struct claim		*c;
	struct claim_addr	 a, wild;
	struct claim_holder	 h;
	struct endpoint		 any;
	char			 text[ENDPOINT_STRLEN], other[256], *who;
	int			 fd;

	if ((c = claim_find(ep)) != NULL) {
		c->mark = 1;
		c->freebind = freebind;
		return 0;
	}
	endpoint_format(ep, text);
	claim_listen_addr(ep, &a);
	if ((fd = claim_open(&a)) == -1) {
		if (errno != EADDRINUSE) {
			log_warn("listener %s: cannot claim it (%s): a second "
			    "certbindd on it would not be refused", text,
			    strerror(errno));
			return 0;
		}
		if (holder(&a, &h)) {
			who = holder_text(&h);
			*cause = xasprintf("%s already serves %s", who, text);
			free(who);
			return -1;
		}
		return 0;	/* ignored (logged), or just released */
	}
	/* Claimed; now the overlaps, which another may claim meanwhile. */
	if (!endpoint_any_addr(ep)) {
		any = *ep;
		any.family = AF_UNSPEC;
		memset(any.addr, 0, sizeof any.addr);
		claim_listen_addr(&any, &wild);
		if (claim_find(&any) == NULL && holder(&wild, &h)) {
			who = holder_text(&h);
			*cause = xasprintf("%s already serves %s, which "
			    "takes %s too", who, wild.name +
			    strlen(CLAIM_LISTEN), text);
			free(who);
			close(fd);
			return -1;
		}
	} else if (overlap_specific(ep, &h, other, sizeof other)) {
		who = holder_text(&h);
		*cause = xasprintf("%s already serves %s, which %s would "
		    "share", who, other, text);
		free(who);
		close(fd);
		return -1;
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->addr = a;
	c->ep = *ep;
	c->freebind = freebind;
	c->mark = 1;
	c->fresh = 1;
	c->why = xstrdup("certbindd is starting or reloading");
	c->next = claims;
	claims = c;
	watch(fd, c);
	return 0;
}

static void
claim_free(struct claim *c)
{
	close(c->fd);	/* leaves the epoll set by itself */
	free(c->why);
	free(c);
}

void
instance_begin(void)
{
	struct claim	*c;

	for (c = claims; c != NULL; c = c->next)
		c->mark = 0;
}

void
instance_commit(void)
{
	struct claim	*c, **cp;

	for (cp = &claims; (c = *cp) != NULL;) {
		if (!c->mark) {
			*cp = c->next;
			claim_free(c);
			continue;
		}
		c->fresh = 0;
		cp = &c->next;
	}
}

void
instance_abort(void)
{
	struct claim	*c, **cp;

	for (cp = &claims; (c = *cp) != NULL;) {
		if (c->fresh) {
			*cp = c->next;
			claim_free(c);
			continue;
		}
		cp = &c->next;
	}
}

void
instance_listener_state(const struct endpoint *ep, int listening,
    const char *why)
{
	struct claim	*c;

	if ((c = claim_find(ep)) == NULL)
		return;
	c->listening = listening;
	free(c->why);
	c->why = why != NULL ? xstrdup(why) : NULL;
}

void
instance_relisten(void)
{
	struct claim	*c;

	/* listen() again records the caller as the peer (SO_PEERCRED). */
	if (config_fd != -1)
		(void)listen(config_fd, CLAIM_BACKLOG);
	for (c = claims; c != NULL; c = c->next)
		(void)listen(c->fd, CLAIM_BACKLOG);
}

int
instance_fd(void)
{
	return epfd;
}

static void
answer_one(int lfd, const struct claim *c)
{
	char	*text;
	int	 fd, i;

	for (i = 0; i < CLAIM_BACKLOG; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;
		if (c == NULL)
			text = claim_answer(config_real, NULL, 0, NULL);
		else
			text = claim_answer(config_real, c->listening ?
			    "listening" : "not-listening", c->freebind,
			    c->listening ? NULL : c->why);
		/* A few hundred bytes: the socket buffer takes them whole. */
		(void)send(fd, text, strlen(text), MSG_NOSIGNAL);
		free(text);
		close(fd);
	}
}

void
instance_answer(void)
{
	struct epoll_event	 ev[16];
	struct claim		*c;
	int			 n, i;

	if (epfd == -1)
		return;
	n = epoll_wait(epfd, ev, 16, 0);
	for (i = 0; i < n; i++) {
		c = ev[i].data.ptr;
		answer_one(c == NULL ? config_fd : c->fd, c);
	}
}

void
instance_release_all(void)
{
	struct claim	*c;

	while ((c = claims) != NULL) {
		claims = c->next;
		claim_free(c);
	}
	if (config_fd != -1)
		close(config_fd);
	config_fd = -1;
	if (epfd != -1)
		close(epfd);
	epfd = -1;
	free(config_real);
	config_real = NULL;
}
