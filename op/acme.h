/*
 * ACME (RFC 8555) as certbind does it: the account, and orders that end
 * with the certificate installed onto its key through the key lifecycle's
 * install (the same path as certbind install), ready to commit.
 *
 * An order makes a fresh key and request (lifecycle_request), answers
 * every authorization (tls-alpn-01 through certbindd, http-01 and dns-01
 * from this process: op/acme-answer.h), finalizes, downloads the chain and
 * installs it in memory. Nothing reaches the config until the caller
 * commits. From the moment the CA has the order, the state file
 * (op/acme-state.h) names the order and the pending key's files, so a run
 * killed midway is resumed by the next, or its files removed; a failure
 * removes them at once and leaves the config as it was.
 *
 * Every text handed to the front end (progress lines, causes) may quote
 * the CA: it is raw, for the front end to escape.
 */
#ifndef CERTBIND_OP_ACME_H
#define CERTBIND_OP_ACME_H

#include <stddef.h>
#include <time.h>

#include "op/lifecycle.h"

struct config;
struct config_key_acme;

/* One line of progress ("www.example.com: pending (3 s)"). */
typedef void (*acme_progress_fn)(void *arg, const char *line);

/* The account key's file when acme.account is not set. */
#define ACME_ACCOUNT_DEFAULT	"acme/account.key"
/* How long an order may take, authorizations and finalization together. */
#define ACME_ORDER_TIMEOUT_S	600

struct acme_register_opts {
	const char		*server;	/* NULL: acme.server */
	const char		*email;		/* NULL: acme.email, or none */
	const char		*ca_bundle;	/* NULL: acme.ca_bundle */
	const char		*eab_kid;	/* NULL: no EAB */
	const unsigned char	*eab_mac;	/* base64url-decoded */
	size_t			 eab_maclen;
	int			 agree_tos;
};

struct acme_registered {
	char	*account;	/* the account's URL at the CA */
	char	*tos;		/* the CA's terms of service, NULL if none */
	int	 existed;	/* the CA knew the key already */
	int	 key_created;
};
void	acme_registered_free(struct acme_registered *);

/*
 * Creates the account key (ECDSA P-256, mode 0600, lf->key) unless the
 * file exists, and the account at the CA; *after is before with the acme
 * group set. Without agree_tos nothing is created and the cause names the
 * terms' URL.
 */
int	acme_register(const struct config *before,
	    const struct acme_register_opts *, struct config **after,
	    struct lifecycle_files *lf, struct acme_registered *,
	    char **cause);

/*
 * A lock around one order and its commit, so that in a fleet one node
 * (or certbind run) orders at a time. op/acme knows nothing of where the
 * config lives: a front end whose config is at an etcd location fills
 * this in (op/renewlock.h), and leaves it NULL otherwise.
 */
struct acme_lock {
	/*
	 * Takes the lock for an order of key name: 0 taken;
	 * ACME_LOCK_HELD when someone else holds it, ACME_LOCK_STALE when
	 * the config changed since the caller read it (someone may have
	 * renewed name meanwhile: read it again, then decide), each with
	 * *cause saying so; -1 with *cause on an error.
	 */
	int	(*take)(void *arg, const char *name, char **cause);
	/* Gives it back: once for each take that returned 0. */
	void	(*give)(void *arg);
	void	*arg;
};
#define ACME_LOCK_HELD	1
#define ACME_LOCK_STALE	2

struct acme_order_opts {
	const char			*name;	/* the key to get or renew */
	const struct config_key_acme	*spec;	/* domains, challenge ... */
	int				 preflight;
	const char			*bind;	/* NULL, or an endpoint */
	const char			*sni;	/* with bind; NULL: none */
	acme_progress_fn		 progress;
	void				*arg;
	const struct acme_lock		*lock;	/* NULL: none */
};

struct acme_ordered {
	struct lifecycle_installed	 inst;
	char				*fingerprint;	/* the new leaf's */
	time_t				 not_after;
	int				 resumed;
	const struct acme_lock		*held;	/* the lock, until released */
};
/* Gives back the lock the order holds, if any. */
void	acme_ordered_release(struct acme_ordered *);
/* Frees o, giving back its lock if still held. */
void	acme_ordered_free(struct acme_ordered *);

/*
 * Orders a certificate for opts->name: a new key of that name, or, when
 * the key has a certificate, its renewal (the key NAME-renew, which
 * install puts onto NAME). *after is before with the certificate
 * installed, the key's acme block set and the binding added: commit it,
 * then call acme_order_committed(). On failure the state file records the
 * problem (acme-renewal-failing) and nothing else is left.
 *
 * With opts->lock, the lock is taken first: when it is not taken, the
 * return is ACME_LOCK_HELD or ACME_LOCK_STALE with *cause, and nothing
 * was done (no state written, the CA not asked). On success the lock is
 * still held (res->held), so that no other node orders before this
 * order is committed: release it after the commit (acme_ordered_release
 * or acme_ordered_free). On failure it has been given back.
 */
int	acme_order(const struct config *before,
	    const struct acme_order_opts *, struct config **after,
	    struct lifecycle_files *lf, struct acme_ordered *, char **cause);
/*
 * After the commit: the state file forgets the order and records the
 * success. committed 0 (the commit was refused): the files and the order
 * are kept for the next run to resume.
 */
void	acme_order_committed(const struct config *cfg, const char *name,
	    int committed, struct lifecycle_files *lf);

/* What certbind acme status and renew tell of one managed key. */
struct acme_key_status {
	const char	*name;		/* borrowed from the config */
	time_t		 not_after;	/* 0: no certificate yet */
	time_t		 due;		/* 0: now (no certificate) */
	int		 ari;		/* due comes from the CA's window */
	time_t		 next_retry;	/* 0: none */
	time_t		 last_attempt;
	int		 last_ok;
	unsigned	 failures;
	char		*problem;	/* the last failure; NULL if none */
	int		 order_pending;	/* a killed run left an order */
};
void	acme_key_status_free(struct acme_key_status *);
/* The status of managed key name as the state file and certificate say. */
int	acme_key_status(const struct config *, const char *name,
	    struct acme_key_status *, char **cause);
/*
 * Asks the CA for key name's renewal window (ARI, RFC 9773) and keeps it
 * in the state file, when the CA offers renewalInfo: 1 updated, 0 the CA
 * has no ARI (or the key no certificate), -1 with *cause (the window on
 * file is kept then).
 */
int	acme_ari_update(const struct config *, const char *name,
	    char **cause);
/*
 * Whether key name is due for renewal at now: 1 due, 0 not (*why says
 * until when, or that a retry waits), -1 with *cause.
 */
int	acme_renewal_due(const struct config *, const char *name, time_t now,
	    char **why, char **cause);

#endif
