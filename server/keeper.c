/*
 * The keeper: a small process that stays root when certbindd drops its
 * privileges, so that a reload can still read keys only root may read and
 * bind ports below 1024. It is nginx's master process cut down to the two
 * things that need root, and it does nothing else: no TLS, no traffic.
 *
 * certbindd forks it just before the drop and talks to it over a
 * SOCK_SEQPACKET pair, one request and one reply at a time, from the
 * main thread only (reloads are serialized there). The keeper answers
 * with a descriptor passed by SCM_RIGHTS:
 *
 *   KEEPER_OPEN path   the config file, or a key or certificate file that
 *                      the config names, opened read-only; or the
 *                      tls-alpn-01 directory of the config (ACME_ALPN_DIR),
 *                      for certbindd to list with fdopendir(), or a
 *                      regular file directly in it (no "..", no hidden
 *                      file, no symbolic link: O_NOFOLLOW), for the
 *                      challenge certificates and keys certbind writes;
 *   KEEPER_LISTEN ep   a listening socket for an endpoint the config
 *                      lists in server.listen, with IP_FREEBIND when
 *                      both the request and that config's listener say
 *                      freebind = true. A failure comes back with the
 *                      errno of the bind (EADDRNOTAVAIL stops only that
 *                      listener, listener.c) and the message.
 *
 * Anything else is refused with EACCES, so an unprivileged process taken
 * over by an attacker can make the keeper open only what certbindd is
 * meant to open anyway. The keeper learns what the config names by
 * loading it itself, as root, each time it is asked for the config file:
 * that is how every reload begins. If the file is replaced between the
 * keeper's load and certbindd's, a path the newer file adds is refused
 * and the reload fails safely (the old config keeps serving); the next
 * SIGHUP succeeds.
 *
 * A fleet node (certbindd -c etcd://...) serves checkouts that it writes
 * itself, as the server user, into the directory keeper_fleet_dir() names:
 * a config there is not root's word, so the keeper never learns paths
 * from it (it is started without a config path to reload) and refuses
 * anything under that directory, which certbindd opens itself. It still
 * opens the files outside it that the config named at start, and binds
 * the listeners that config had; a listener a later revision adds, the
 * keeper refusing it, certbindd binds itself if it can (a port >= 1024).
 *
 * The keeper exits when certbindd closes its end of the pair, whatever
 * the way certbindd ended. Signals stay blocked in it (the mask is
 * inherited), so the SIGTERM that systemd sends to the whole unit reaches
 * certbindd's shutdown, and the keeper follows.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "op/acme-paths.h"
#include "util/errlist.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "server/certbindd.h"

enum keeper_op { KEEPER_OPEN = 1, KEEPER_LISTEN };

struct keeper_req {
	int		op;
	int		oflags;
	int		freebind;	/* KEEPER_LISTEN */
	struct endpoint	ep;
	char		path[PATH_MAX];
};

struct keeper_rep {
	int		err;		/* 0: a descriptor comes with it */
	char		msg[256];	/* for KEEPER_LISTEN failures */
};

/* What the keeper may hand out: from the last config it loaded. */
struct allowed {
	char		**paths;
	size_t		  npaths;
	struct endpoint	 *eps;
	int		 *freebind;	/* per endpoint */
	size_t		  neps;
	char		 *alpn_dir;	/* the tls-alpn-01 challenges */
};

static int	keeper_fd = -1;		/* certbindd's end; -1: no keeper */
static char	*fleet_dir;		/* keeper_fleet_dir() */
static pid_t	keeper_pid = -1;
/*
 * The keeper's end of the pair has closed: it only does so by exiting, so
 * it is gone even if it is not a zombie yet when keeper_lost() asks.
 */
static int	keeper_gone;

static void
allowed_free(struct allowed *a)
{
	size_t	i;

	for (i = 0; i < a->npaths; i++)
		free(a->paths[i]);
	free(a->paths);
	free(a->eps);
	free(a->freebind);
	free(a->alpn_dir);
	memset(a, 0, sizeof *a);
}

static void
allowed_set(struct allowed *a, const struct config *cfg)
{
	const struct config_key	*k;
	size_t			 i, n = config_nkeys(cfg);

	allowed_free(a);
	a->paths = xcalloc(2 * n + config_nbindings(cfg) + 2,
	    sizeof *a->paths);
	for (i = 0; i < n; i++) {
		k = config_key(cfg, i);
		if (k->key != NULL)
			a->paths[a->npaths++] = config_resolve_path(cfg,
			    k->key);
		if (k->cert != NULL)
			a->paths[a->npaths++] = config_resolve_path(cfg,
			    k->cert);
	}
	/* The bindings' client CAs and the ticket key file (gen.c). */
	for (i = 0; i < config_nbindings(cfg); i++)
		if (config_binding(cfg, i)->client_ca != NULL)
			a->paths[a->npaths++] = config_resolve_path(cfg,
			    config_binding(cfg, i)->client_ca);
	if (config_server(cfg) != NULL &&
	    config_server(cfg)->ticket_keys != NULL)
		a->paths[a->npaths++] = config_resolve_path(cfg,
		    config_server(cfg)->ticket_keys);
	a->neps = config_nlisteners(cfg);
	a->eps = xcalloc(a->neps + 1, sizeof *a->eps);
	a->freebind = xcalloc(a->neps + 1, sizeof *a->freebind);
	for (i = 0; i < a->neps; i++) {
		/* As listeners_prepare() asks for it (certbindd -a). */
		listener_bind_ep(&config_listener(cfg, i)->ep, &a->eps[i]);
		a->freebind[i] = config_listener(cfg, i)->freebind;
	}
	a->alpn_dir = config_resolve_path(cfg, ACME_ALPN_DIR);
}

/*
 * Whether path is the tls-alpn-01 directory (1) or a name directly in it
 * (2): one component, not hidden, so neither "." nor "..". 0 otherwise.
 */
static int
allowed_alpn(const struct allowed *a, const char *path)
{
	size_t		 n;
	const char	*name;

	if (a->alpn_dir == NULL)
		return 0;
	if (strcmp(path, a->alpn_dir) == 0)
		return 1;
	n = strlen(a->alpn_dir);
	if (strncmp(path, a->alpn_dir, n) != 0 || path[n] != '/')
		return 0;
	name = path + n + 1;
	if (*name == '\0' || *name == '.' || strchr(name, '/') != NULL)
		return 0;
	return 2;
}

/*
 * Opens the tls-alpn-01 directory or a file in it: never through a
 * symbolic link, never anything but a directory or a regular file (a
 * FIFO cannot block the keeper: O_NONBLOCK).
 */
static int
open_alpn(const char *path, int which)
{
	struct stat	st;
	int		fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	    O_NOFOLLOW | (which == 1 ? O_DIRECTORY : 0));
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || (which == 2 && !S_ISREG(st.st_mode))) {
		close(fd);
		errno = EACCES;
		return -1;
	}
	return fd;
}

/* Whether path lies under the fleet's checkout directory. */
static int
in_fleet_dir(const char *path)
{
	size_t	n;

	if (fleet_dir == NULL)
		return 0;
	n = strlen(fleet_dir);
	return strncmp(path, fleet_dir, n) == 0 &&
	    (path[n] == '/' || path[n] == '\0');
}

void
keeper_fleet_dir(const char *dir)
{
	free(fleet_dir);
	fleet_dir = dir != NULL ? xstrdup(dir) : NULL;
}

static int
allowed_path(const struct allowed *a, const char *path)
{
	size_t	i;

	for (i = 0; i < a->npaths; i++) {
		if (strcmp(a->paths[i], path) == 0)
			return 1;
	}
	return 0;
}

/* 0: not a listener of the config; 1: one; 2: a freebind one. */
static int
allowed_ep(const struct allowed *a, const struct endpoint *ep)
{
	size_t	i;

	for (i = 0; i < a->neps; i++) {
		if (endpoint_cmp(&a->eps[i], ep) == 0)
			return a->freebind[i] ? 2 : 1;
	}
	return 0;
}

/* Sends a reply, with fd attached when it is not -1. */
static int
send_rep(int sock, const struct keeper_rep *rep, int fd)
{
	struct msghdr	 msg = { 0 };
	struct iovec	 iov = { (void *)rep, sizeof *rep };
	struct cmsghdr	*cm;
	union {
		char		buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr	align;
	} u;
	ssize_t		 r;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd != -1) {
		memset(&u, 0, sizeof u);
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof u.buf;
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	}
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	return r == (ssize_t)sizeof *rep ? 0 : -1;
}

/* Receives a reply; *fd is the descriptor that came with it, or -1. */
static int
recv_rep(int sock, struct keeper_rep *rep, int *fd)
{
	struct msghdr	 msg = { 0 };
	struct iovec	 iov = { rep, sizeof *rep };
	struct cmsghdr	*cm;
	union {
		char		buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr	align;
	} u;
	ssize_t		 r;

	*fd = -1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof u.buf;
	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (r == -1 && errno == EINTR);
	if (r != (ssize_t)sizeof *rep)
		return -1;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(cm), sizeof *fd);
	}
	rep->msg[sizeof rep->msg - 1] = '\0';
	return 0;
}

static int
serve_open(struct allowed *a, const char *conf_path, struct keeper_req *req)
{
	struct config	*cfg;
	struct errlist	 errs = ERRLIST_INIT;
	int		 oflags, fd, alpn;

	/* Read-only, whatever was asked. */
	oflags = O_RDONLY | (req->oflags & (O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK | O_NOFOLLOW));
	if (in_fleet_dir(req->path)) {
		/* The unprivileged certbindd writes there: never as root. */
		errno = EACCES;
		return -1;
	}
	if (conf_path != NULL && strcmp(req->path, conf_path) == 0) {
		/* A reload begins: learn what the file names now. */
		if (config_load(conf_path, &cfg, &errs) == 0) {
			allowed_set(a, cfg);
			config_free(cfg);
		}
		errlist_clear(&errs);
	} else if ((alpn = allowed_alpn(a, req->path)) != 0)
		return open_alpn(req->path, alpn);
	else if (!allowed_path(a, req->path)) {
		errno = EACCES;
		return -1;
	}
	fd = open(req->path, oflags);
	return fd;
}

static void __attribute__((noreturn))
keeper_main(int sock, const struct config *cfg, const char *conf_path)
{
	struct allowed		 a = { 0 };
	struct keeper_req	 req;
	struct keeper_rep	 rep;
	struct errlist		 errs = ERRLIST_INIT;
	ssize_t			 r;
	int			 fd, which;

	allowed_set(&a, cfg);
	for (;;) {
		do
			r = recv(sock, &req, sizeof req, 0);
		while (r == -1 && errno == EINTR);
		if (r <= 0)
			break;		/* certbindd is gone */
		memset(&rep, 0, sizeof rep);
		fd = -1;
		req.path[sizeof req.path - 1] = '\0';
		if (r != (ssize_t)sizeof req)
			rep.err = EINVAL;
		else if (req.op == KEEPER_OPEN) {
			if ((fd = serve_open(&a, conf_path, &req)) == -1)
				rep.err = errno;
		} else if (req.op == KEEPER_LISTEN) {
			if ((which = allowed_ep(&a, &req.ep)) == 0)
				rep.err = EACCES;
			else if ((fd = listener_socket(&req.ep, req.freebind &&
			    which == 2, &errs)) == -1) {
				rep.err = errno != 0 ? errno : EIO;
				if (errs.n > 0)
					strncpy(rep.msg, errs.v[errs.n - 1],
					    sizeof rep.msg - 1);
				errlist_clear(&errs);
			}
		} else
			rep.err = EINVAL;
		r = send_rep(sock, &rep, fd);
		if (fd != -1)
			close(fd);
		if (r != 0)
			break;
	}
	_exit(0);
}

/*
 * Without close_range(2) (Linux before 5.9): a listener left open here
 * would keep its port bound after a reload removed it.
 */
static void
close_from(int lowfd)
{
	long	max = sysconf(_SC_OPEN_MAX), fd;

	if (max < 0 || max > 1 << 20)
		max = 1 << 20;
	for (fd = lowfd; fd < max; fd++)
		(void)close((int)fd);
}

int
keeper_start(const struct config *cfg, const char *conf_path, char **cause)
{
	int	sv[2];
	pid_t	pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		*cause = xasprintf("keeper: socketpair: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		*cause = xasprintf("keeper: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* Nothing of certbindd's but the pair: no listener, no key
		 * file, no signalfd stays open here. */
		if (dup2(sv[1], 3) == -1)
			_exit(1);
		if (close_range(4, ~0U, 0) == -1)
			close_from(4);
		keeper_main(3, cfg, conf_path);
	}
	close(sv[1]);
	keeper_fd = sv[0];
	keeper_pid = pid;
	return 0;
}

int
keeper_lost(void)
{
	if (keeper_fd == -1)
		return 0;
	if (!keeper_gone && waitpid(keeper_pid, NULL, WNOHANG) != 0)
		keeper_gone = 1;
	return keeper_gone;
}

void
keeper_stop(void)
{
	if (keeper_fd == -1)
		return;
	close(keeper_fd);	/* the keeper reads EOF and exits */
	keeper_fd = -1;
	while (waitpid(keeper_pid, NULL, 0) == -1 && errno == EINTR)
		;
	keeper_pid = -1;
	fileio_set_opener(NULL);
}

/* One request and its reply; the descriptor, or -1 with errno. */
static int
keeper_call(struct keeper_req *req, char *msg, size_t msgsize)
{
	struct keeper_rep	rep;
	ssize_t			r;
	int			fd;

	if (keeper_gone) {
		/* Nothing to ask: every call after its death says so. */
		errno = EPIPE;
		return -1;
	}
	do
		r = send(keeper_fd, req, sizeof *req, MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	/*
	 * The pair only fails when the keeper has exited: EPIPE or
	 * ECONNRESET from send, or EOF from recv, may come before its exit
	 * can be reaped, and mean the same (keeper_lost()).
	 */
	if (r != (ssize_t)sizeof *req || recv_rep(keeper_fd, &rep, &fd) != 0) {
		keeper_gone = 1;
		errno = EPIPE;	/* the keeper is gone */
		return -1;
	}
	if (rep.err != 0 || fd == -1) {
		if (fd != -1)
			close(fd);
		if (msg != NULL)
			snprintf(msg, msgsize, "%s", rep.msg);
		errno = rep.err != 0 ? rep.err : EIO;
		return -1;
	}
	return fd;
}

int
keeper_open(const char *path, int oflags)
{
	struct keeper_req	req;

	if (keeper_fd == -1 || in_fleet_dir(path))
		return open(path, oflags);
	memset(&req, 0, sizeof req);
	if (strlen(path) >= sizeof req.path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	req.op = KEEPER_OPEN;
	req.oflags = oflags;
	strcpy(req.path, path);
	return keeper_call(&req, NULL, 0);
}

int
keeper_listen(const struct endpoint *ep, int freebind, struct errlist *errs)
{
	struct keeper_req	req;
	char			msg[256] = "", buf[ENDPOINT_STRLEN];
	int			fd, saved;

	if (keeper_fd == -1)
		return listener_socket(ep, freebind, errs);
	memset(&req, 0, sizeof req);
	req.op = KEEPER_LISTEN;
	req.ep = *ep;
	req.freebind = freebind;
	fd = keeper_call(&req, msg, sizeof msg);
	if (fd == -1 && errno == EACCES && fleet_dir != NULL)
		return listener_socket(ep, freebind, errs);
	if (fd == -1) {
		saved = errno;
		if (msg[0] != '\0')
			errlist_add(errs, "%s", msg);
		else
			errlist_add(errs, "listener %s: %s",
			    endpoint_format(ep, buf), errno == EACCES ?
			    "refused by the keeper (not in server.listen)" :
			    saved == EPIPE ? "the keeper process that binds "
			    "listeners as root has exited; restart certbindd" :
			    strerror(saved));
		errno = saved;
	}
	return fd;
}
