/*
 * certbindd: the TLS-terminating proxy that serves what certbind's
 * bindings say. This file is the main thread: options, start-up, and the
 * signal loop. Signals are blocked in every thread and read from a
 * signalfd here, so a handler never runs and reload and shutdown are
 * ordinary code.
 *
 * Start-up order matters: load everything, claim the config and the
 * listeners (instance.c: a second certbindd on them exits 1 here, with
 * its message on stderr) and bind every listener while still privileged,
 * detach (the claims then name the detached process), fork the keeper
 * (keeper.c) that stays root for the reloads, drop privileges, and only
 * then start the worker threads (fork keeps just the calling thread).
 *
 * With -c etcd://... (a fleet node) the config is a checkout of the
 * location (op/location.h), loaded like any file; fleet.c watches the
 * location and keeps the node's registration, and the main loop below
 * refreshes the checkout and reloads when it says so.
 */
#include <arpa/inet.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "op/acme-paths.h"
#include "op/check.h"
#include "op/fleet.h"
#include "op/location.h"
#include "core/config.h"
#include "keys/fastsign.h"
#include "util/errlist.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "server/certbindd.h"

static const char	*conf_path;
static struct location	*loc;		/* -c etcd://...: a fleet node */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: certbindd [-fhst] [-a address] [-c location] "
	    "[-n name]\n");
	exit(2);
}

static void __attribute__((noreturn))
help(void)
{
	printf("usage: certbindd [-fhst] [-a address] [-c location] "
	    "[-n name]\n"
	    "\n"
	    "The TLS-terminating proxy that serves certbind's bindings: on each\n"
	    "server.listen endpoint it picks the certificate that the bindings\n"
	    "choose for the connection's local address, port and SNI, and\n"
	    "forwards the decrypted stream to the listener's backend.\n"
	    "\n"
	    "  -c location\n"
	    "           the config: a file (default: $CERTBIND_CONF, else\n"
	    "           %s), or\n"
	    "           etcd://HOST:PORT[,HOST:PORT...]/PREFIX,\n"
	    "           a fleet's config in etcd: served from one revision,\n"
	    "           watched and reloaded on every change, the node\n"
	    "           registered under PREFIX/nodes/NAME (etcd's TLS from\n"
	    "           CERTBIND_ETCD_CA, _CERT, _KEY, _INSECURE; the request\n"
	    "           timeout CERTBIND_ETCD_TIMEOUT; the checkout in\n"
	    "           CERTBIND_RUNDIR)\n"
	    "  -n name  the node's name in the fleet (default: the host name)\n"
	    "  -a address\n"
	    "           this host's IP address: every \"*:PORT\" listener binds\n"
	    "           address:PORT instead, and a fleet node registers it\n"
	    "  -f       stay in the foreground, logging to stderr\n"
	    "  -s       log to syslog (always so without -f)\n"
	    "  -t       check the config and everything it names, then exit:\n"
	    "           0 if certbindd would load it, 1 if not, 2 if unreadable\n"
	    "  -h       this help; --version prints the version\n"
	    "\n"
	    "Signals: SIGHUP reloads the config (the old one keeps serving if\n"
	    "the new one fails; a fleet node reads etcd's latest revision);\n"
	    "SIGUSR2 re-reads only the pending tls-alpn-01 challenges that\n"
	    "certbind wrote; SIGTERM and SIGINT stop accepting and let open\n"
	    "connections finish for up to server.shutdown_timeout seconds.\n"
	    "See certbindd(8) and certbind.conf(5).\n", CONFIG_DEFAULT_PATH);
	exit(0);
}

/*
 * A fleet node's messages name etcd keys (SPEC/config, SPEC/files/...),
 * not the checkout's files. Replaces errs->v[i] in place.
 */
static void
rename_errs(struct errlist *errs)
{
	char	*t;
	size_t	 i;

	for (i = 0; loc != NULL && i < errs->n; i++) {
		if ((t = location_rename(loc, errs->v[i])) != NULL) {
			free(errs->v[i]);
			errs->v[i] = t;
		}
	}
}

static void
print_errs(FILE *f, struct errlist *errs)
{
	char	*e;
	size_t	 i;

	rename_errs(errs);
	for (i = 0; i < errs->n; i++) {
		e = escape_str(errs->v[i], 0);
		fprintf(f, "certbindd: %s\n", e);
		free(e);
	}
}

static void
log_errs(const char *prefix, struct errlist *errs)
{
	size_t	i;

	rename_errs(errs);
	for (i = 0; i < errs->n; i++)
		log_warn_escaped(prefix, errs->v[i]);
}

/*
 * -t: the errors certbind check would report, in its format, and then
 * whatever else would stop the server from loading the file (a priority
 * string GnuTLS refuses, a key others can read). Listeners are not bound.
 */
static int
check_only(const char *path)
{
	struct config		*cfg;
	const struct config	*gc;
	struct errlist		 errs = ERRLIST_INIT;
	struct findings		 f = FINDINGS_INIT;
	struct check_opts	 opts;
	struct finding		*fi;
	struct gen		*g;
	char			*obj, *msg, *cause = NULL, *e, *r;
	size_t			 i, nerr = 0;

	if (config_load(path, &cfg, &errs) != 0) {
		print_errs(stderr, &errs);
		errlist_clear(&errs);
		return 2;
	}
	check_opts_default(&opts);
	opts.files = 1;
	check_config(cfg, &opts, &f);
	for (i = 0; i < f.n; i++) {
		fi = &f.v[i];
		if (fi->severity != SEV_ERROR)
			continue;
		obj = escape_str(fi->object, 0);
		/* A fleet's: named as etcd keys (rename_errs()). */
		r = loc != NULL ? location_rename(loc, fi->message) : NULL;
		msg = escape_str(r != NULL ? r : fi->message, 0);
		free(r);
		printf("%s %s %s: %s\n", severity_name(fi->severity), fi->code,
		    obj, msg);
		free(obj);
		free(msg);
		nerr++;
	}
	findings_clear(&f);
	config_free(cfg);
	if (nerr != 0)
		return 1;

	if (gen_global_init(&cause) != 0) {
		fprintf(stderr, "certbindd: %s\n", cause);
		free(cause);
		return 2;
	}
	if ((g = gen_load(path, &errs)) == NULL) {
		print_errs(stdout, &errs);
		errlist_clear(&errs);
		return 1;
	}
	/* All is well: say what would be served, in one line. */
	gc = gen_config(g);
	e = escape_str(loc != NULL ? location_spec(loc) : path, 0);
	fprintf(stderr, "certbindd: %s is good: %zu listener%s, %zu "
	    "binding%s, %zu key%s\n", e, config_nlisteners(gc),
	    config_nlisteners(gc) == 1 ? "" : "s", config_nbindings(gc),
	    config_nbindings(gc) == 1 ? "" : "s", config_nkeys(gc),
	    config_nkeys(gc) == 1 ? "" : "s");
	free(e);
	gen_unref(g);
	gen_global_free();
	return 0;
}

static unsigned
worker_count(const struct gen *g)
{
	long	n = gen_workers(g);

	if (n <= 0 && (n = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		n = 1;
	if (n > 256)
		n = 256;
	return (unsigned)n;
}

/*
 * Whether the keeper has died, said every time it is: its EPIPE or
 * ECONNRESET may come before its exit can be reaped (keeper_lost()).
 */
static int
keeper_says_lost(void)
{
	if (!keeper_lost())
		return 0;
	log_warn("reload: the keeper process that opens files as root has "
	    "exited; restart certbindd to reload");
	return 1;
}

/* Whether server.metrics differs between two configs. */
static int
metrics_changed(const struct config *a, const struct config *b)
{
	const struct config_server	*sa = config_server(a);
	const struct config_server	*sb = config_server(b);
	int				 ha = sa != NULL && sa->has_metrics;
	int				 hb = sb != NULL && sb->has_metrics;

	if (ha != hb)
		return 1;
	return ha && endpoint_cmp(&sa->metrics, &sb->metrics) != 0;
}

/*
 * Loads path into a new generation and serves it, or logs why not (each
 * error after errprefix) and keeps the running one: 0 or -1, and then
 * *why (if not NULL) the first error, raw, when there was one.
 */
static int
reload(struct gen **running, const char *path, const char *label,
    const char *errprefix, char **why)
{
	struct errlist	 errs = ERRLIST_INIT;
	struct gen	*ng;
	const struct srvid *a, *b;
	int		 rc = -1;

	notify_send("RELOADING=1");
	log_info("%s", label);
	if (keeper_says_lost()) {
		log_warn("reload failed: still serving generation %lu",
		    gen_id(*running));
		metrics_reload(0);
		goto out;
	}
	if ((ng = gen_load(path, &errs)) == NULL) {
		log_errs(errprefix, &errs);
		keeper_says_lost();
		log_warn("reload failed: still serving generation %lu",
		    gen_id(*running));
		metrics_reload(0);
		goto out;
	}
	if (listeners_prepare(gen_config(ng), 0, &errs) != 0) {
		log_errs(errprefix, &errs);
		keeper_says_lost();
		log_warn("reload failed: still serving generation %lu",
		    gen_id(*running));
		metrics_reload(0);
		gen_unref(ng);
		goto out;
	}
	a = gen_srvid(*running);
	b = gen_srvid(ng);
	if (a->set != b->set || a->uid != b->uid || a->gid != b->gid)
		log_warn("server.user and server.group take effect at restart");
	if (gen_workers(ng) != gen_workers(*running))
		log_warn("server.workers takes effect at restart");
	if (metrics_changed(gen_config(*running), gen_config(ng)))
		log_warn("server.metrics takes effect at restart");

	/* Install before the new listeners take connections. */
	gen_ref(ng);
	gen_install(ng);
	listeners_commit();
	gen_unref(*running);
	*running = ng;
	if (listeners_down() != 0)
		log_info("reloaded: serving generation %lu on %zu listeners "
		    "(%zu not listening)", gen_id(ng), listeners_count(),
		    listeners_down());
	else
		log_info("reloaded: serving generation %lu on %zu listeners",
		    gen_id(ng), listeners_count());
	metrics_reload(1);
	rc = 0;
out:
	if (rc != 0 && why != NULL)
		*why = xstrdup(errs.n > 0 ? errs.v[0] :
		    "the keeper process has exited");
	errlist_clear(&errs);
	notify_send("READY=1");
	return rc;
}

/*
 * A fleet node: the watch saw a change, etcd came back, or SIGHUP. Reads
 * the latest revision into a new checkout and reloads from it when it is
 * new (always on SIGHUP), telling fleet.c for the node record.
 */
static void
fleet_reload(struct gen **g, int sighup)
{
	char		*cause = NULL, *why = NULL, *e, label[96], pfx[64];
	long long	 rev;
	int		 r;

	if ((r = fleet_refresh(&cause)) == -1) {
		e = escape_str(cause, ESCAPE_MESSAGE);
		log_warn("fleet: reading the latest revision failed (tried "
		    "again later; generation %lu keeps serving): %s",
		    gen_id(*g), e);
		free(e);
		free(cause);
		return;
	}
	if (r == 1 && !sighup)
		return;
	rev = (long long)fleet_revision();
	snprintf(label, sizeof label, "%srevision %lld: reloading",
	    sighup ? "SIGHUP: " : "", rev);
	snprintf(pfx, sizeof pfx, "revision %lld refused: ", rev);
	if (reload(g, location_path(loc), label, pfx, &why) == 0)
		fleet_served(*g);
	else
		fleet_refused(why);
	free(why);
	challenge_reload(gen_config(*g), &gen_srvid(*g)->keys, 0);
}

/* -a: the address, and its text for the node record (allocated). */
static char *
node_address(const char *text)
{
	struct endpoint	 ep;
	char		 buf[INET6_ADDRSTRLEN], *cause = NULL, *e;

	if (endpoint_parse_addr(text, &ep, &cause) != 0) {
		e = escape_str(cause, ESCAPE_MESSAGE);
		fprintf(stderr, "certbindd: -a: %s\n", e);
		free(e);
		exit(2);
	}
	listener_set_address(&ep);
	if (inet_ntop(ep.family, ep.addr, buf, sizeof buf) == NULL)
		snprintf(buf, sizeof buf, "%s", text);
	return xstrdup(buf);
}

/*
 * The checkout holds copies of the keys: it goes whichever way certbindd
 * exits (daemon()'s parent and the keeper leave by _exit and keep it).
 */
static void
close_location(void)
{
	if (loc != NULL)
		location_close(loc);
	loc = NULL;
}

/* Opens an etcd location (exit 2 when it cannot be read). */
static void
open_location(const char *spec)
{
	char	*cause = NULL, *e;

	if (location_open(spec, 0, &loc, &cause) != 0) {
		e = escape_str(cause, ESCAPE_MESSAGE);
		log_warn("not started: %s", e);
		free(e);
		free(cause);
		exit(2);
	}
	conf_path = location_path(loc);
	atexit(close_location);
}

int
main(int argc, char **argv)
{
	struct errlist		 errs = ERRLIST_INIT;
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd[3];
	struct gen		*g;
	const struct srvid	*id;
	sigset_t		 set;
	char			*cause = NULL, *abs_path = NULL, *cwd, *pidpath;
	char			*address = NULL, *claim, *defname = NULL, *e;
	const char		*name = NULL;
	int			 ch, fflag = 0, sflag = 0, tflag = 0, sfd, rc;
	unsigned		 n;
	ssize_t			 r;

	conf_path = getenv("CERTBIND_CONF");
	if (conf_path == NULL || *conf_path == '\0')
		conf_path = CONFIG_DEFAULT_PATH;
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		help();
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		/* Which libraries run the handshake and sign (fastsign.h). */
		if (fastsign_engine() != NULL)
			printf("certbindd %s (GnuTLS %s; signing with %s)\n",
			    CERTBIND_VERSION, gnutls_check_version(NULL),
			    fastsign_engine());
		else
			printf("certbindd %s (GnuTLS %s)\n", CERTBIND_VERSION,
			    gnutls_check_version(NULL));
		return 0;
	}
	while ((ch = getopt(argc, argv, "a:c:fhn:st")) != -1) {
		switch (ch) {
		case 'a':
			free(address);
			address = node_address(optarg);
			break;
		case 'n':
			name = optarg;
			break;
		case 'c':
			conf_path = optarg;
			break;
		case 'f':
			fflag = 1;
			break;
		case 's':
			sflag = 1;
			break;
		case 't':
			tflag = 1;
			break;
		case 'h':
			help();
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!location_is_etcd(conf_path)) {
		if (name != NULL) {
			fprintf(stderr, "certbindd: -n names a fleet node: "
			    "it needs -c etcd://...\n");
			free(address);
			exit(2);
		}
	} else if (name == NULL)
		name = defname = fleet_default_node_name();
	else if (fleet_node_name_check(name, &cause) != 0) {
		e = escape_str(cause, ESCAPE_MESSAGE);
		fprintf(stderr, "certbindd: -n: %s\n", e);
		free(e);
		free(cause);
		free(address);
		exit(2);
	}
	if (tflag) {
		if (location_is_etcd(conf_path)) {
			log_init(0);
			open_location(conf_path);
		}
		rc = check_only(conf_path);
		free(defname);
		free(address);
		return rc;
	}
	/* Reloads happen after daemon() has changed to "/". */
	if (location_is_etcd(conf_path))
		;	/* opened below, once logging is set up */
	else if (conf_path[0] != '/' && (cwd = getcwd(NULL, 0)) != NULL) {
		abs_path = xasprintf("%s/%s", cwd, conf_path);
		conf_path = abs_path;
		free(cwd);
	}

	/* Key files and the sockets we create are ours alone. */
	umask(077);
	log_init(sflag);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, ACME_ALPN_SIGNAL);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		log_warn("signalfd: %s", strerror(errno));
		return 1;
	}

	if (gen_global_init(&cause) != 0) {
		log_warn("%s", cause);
		return 1;
	}
	if (location_is_etcd(conf_path))
		open_location(conf_path);
	tickets_allow_create();	/* server.ticket_keys, still as root */
	if ((g = gen_load(conf_path, &errs)) == NULL) {
		log_errs("", &errs);
		log_warn("not started: the config could not be loaded");
		errlist_clear(&errs);
		return 1;
	}
	/* One certbindd per config and per listener (instance.c). */
	if (gen_srvid(g)->set)
		instance_trust_uid(gen_srvid(g)->uid);
	/* A fleet node: one per location and name on this host. */
	claim = loc != NULL ? fleet_claim_name(loc, name) : xstrdup(conf_path);
	rc = instance_claim_config(claim, &cause);
	free(claim);
	if (rc != 0 ||
	    listeners_prepare(gen_config(g), 1, &errs) != 0) {
		log_errs("", &errs);
		if (cause != NULL)
			log_warn_escaped("", cause);
		log_warn("not started: %s", cause != NULL ?
		    "another certbindd runs on this config" :
		    "a listener could not be claimed or opened");
		free(cause);
		errlist_clear(&errs);
		instance_release_all();
		gen_unref(g);
		return 1;
	}
	if (!fflag) {
		/* Detached, stderr goes nowhere: log to syslog instead. */
		if (daemon(0, 0) == -1) {
			log_warn("daemon: %s", strerror(errno));
			return 1;
		}
		log_init(1);
		instance_relisten();
	}
	/* The final pid, and still root: /run is root's. */
	pidpath = pidfile_path(gen_config(g));
	if (pidpath != NULL && pidfile_write(pidpath, &cause) != 0) {
		log_warn("not started: %s", cause);
		free(cause);
		free(pidpath);
		listeners_close_all();
		gen_unref(g);
		gen_global_free();
		free(abs_path);
		return 1;
	}
	id = gen_srvid(g);
	if (privsep_drops(id) && loc != NULL) {
		/* Refreshes write checkouts after the drop (keeper.c). */
		keeper_fleet_dir(location_dir(loc));
		if (fleet_give_dir(loc, id->uid, id->gid, &cause) != 0) {
			log_warn("not started: %s", cause);
			return 1;
		}
	}
	if (privsep_drops(id)) {
		/* Reloads will need root to read keys and bind low ports. */
		if (keeper_start(gen_config(g), loc != NULL ? NULL : conf_path,
		    &cause) != 0) {
			log_warn("%s", cause);
			return 1;
		}
		fileio_set_opener(keeper_open);
	}
	/* Bound now, as root: a changed server.metrics waits for a restart. */
	if (metrics_start(gen_config(g), &cause) != 0) {
		log_warn("not started: %s", cause);
		return 1;
	}
	if (privsep_drop(id, &cause) != 0) {
		log_warn("%s", cause);
		return 1;
	}

	/* The pending tls-alpn-01 challenges, through the keeper if any. */
	challenge_reload(gen_config(g), &gen_srvid(g)->keys, 0);

	n = worker_count(g);
	if (workers_start(n, &cause) != 0) {
		log_warn("%s", cause);
		return 1;
	}
	gen_ref(g);
	gen_install(g);
	listeners_commit();
	if (listeners_down() != 0)
		log_info("ready: generation %lu, %zu listeners (%zu not "
		    "listening), %u workers", gen_id(g), listeners_count(),
		    listeners_down(), n);
	else
		log_info("ready: generation %lu, %zu listeners, %u workers",
		    gen_id(g), listeners_count(), n);
	if (loc != NULL && fleet_start(loc, name, address, g, &cause) != 0) {
		log_warn("not started: %s", cause);
		return 1;
	}
	notify_send("READY=1");

	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = instance_fd();
	pfd[1].events = POLLIN;
	pfd[2].fd = loc != NULL ? fleet_fd() : -1;
	pfd[2].events = POLLIN;
	for (;;) {
		/* Claims are asked (op/claim.h) while we wait for signals. */
		pfd[1].fd = instance_fd();
		if (poll(pfd, 3, fleet_timeout()) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents != 0)
			instance_answer();
		if (loc != NULL) {
			/* A change seen, a lease to renew, etcd back. */
			if (pfd[2].revents != 0)
				fleet_woken();
			if (fleet_tick())
				fleet_reload(&g, 0);
		}
		if (pfd[0].revents == 0)
			continue;
		r = read(sfd, &si, sizeof si);
		if (r == -1 && errno == EINTR)
			continue;
		if (r != sizeof si) {
			log_warn("signalfd: %s", strerror(errno));
			break;
		}
		if (si.ssi_signo == SIGHUP && loc != NULL)
			fleet_reload(&g, 1);
		else if (si.ssi_signo == SIGHUP) {
			(void)reload(&g, conf_path, "SIGHUP: reloading the "
			    "config", "reload: ", NULL);
			challenge_reload(gen_config(g), &gen_srvid(g)->keys,
			    0);
		} else if (si.ssi_signo == ACME_ALPN_SIGNAL) {
			/* The challenges only: no reload, no new listener. */
			challenge_reload(gen_config(g), &gen_srvid(g)->keys,
			    1);
		} else
			break;
	}

	/* The record goes first: the fleet stops counting on this node. */
	fleet_stop();
	notify_send("STOPPING=1");
	log_info("stopping: %ld connections open, waiting up to %lld s",
	    workers_connections(), (long long)gen_shutdown_timeout(g) / 1000);
	listeners_close_all();
	/*
	 * Nothing listens any more: a new certbindd may start on this config
	 * and its listeners (and pidfile) while the connections drain.
	 */
	instance_release_all();
	pidfile_unlock();
	workers_stop(gen_shutdown_timeout(g));
	metrics_stop();
	challenge_free_all();
	gen_unref(g);
	gen_global_free();
	keeper_stop();
	pidfile_remove(pidpath);
	free(pidpath);
	close_location();
	log_info("stopped");
	free(abs_path);
	free(address);
	free(defname);
	return 0;
}
