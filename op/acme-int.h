/*
 * What the ACME files share inside op/: one order's run (the client, the
 * account key, the progress callback and what answers the challenges, to
 * be taken back at the end), and the helpers each of them calls.
 * op/acme.c: the account and status; op/acme-authz.c: authorizations and
 * their answers; op/acme-order.c: the order from start to install.
 */
#ifndef CERTBIND_OP_ACME_INT_H
#define CERTBIND_OP_ACME_INT_H

#include <time.h>

#include "op/acme.h"

struct acme_client;
struct cert;
struct config;
struct config_key_acme;
struct http01;
struct privkey;

/* How long certbindd may take to serve a new challenge certificate. */
#define ALPN_SERVED_TIMEOUT_MS	5000
/* How long a dns-01 hook may run. */
#define DNS_HOOK_TIMEOUT_S	300

struct run {
	const struct config		*cfg;
	const struct config_key_acme	*spec;
	struct acme_client		*cl;
	struct privkey			*account;
	acme_progress_fn		 progress;
	void				*arg;
	time_t				 start;
	/* What answers the challenges, undone at the end. */
	struct http01			*http01;
	char				**undo_files;	/* webroot, ALPN */
	size_t				 nundo_files;
	int				 alpn_signal;	/* certbindd was told */
	char				**undo_dns;	/* fqdn, value pairs */
	size_t				 nundo_dns;
};

/* One line of progress to the front end. */
void	acme_say(struct run *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Seconds since the run started. */
int	acme_elapsed(const struct run *);
/*
 * Sleeps until the CA's Retry-After, else a second (at most 10), or fails
 * once the run has taken ACME_ORDER_TIMEOUT_S.
 */
int	acme_poll_wait(struct run *, time_t retry_after, const char *what,
	    char **cause);
/* The account key of the config, loaded. */
int	acme_account_load(const struct config *, struct privkey **,
	    char **cause);
/* Finds the account of key at the CA: the client signs with its kid. */
int	acme_account_find(struct acme_client *, struct privkey *,
	    char **cause);
/* The certificate of key name, loaded; NULL if it has none. */
struct cert *acme_key_cert(const struct config *, const char *name);

/* acme-authz.c: answers one authorization and waits for the CA. */
int	acme_authorize(struct run *, const char *url, char **cause);
/* Takes back every answer: files, certbindd's table, records, responder. */
void	acme_answers_undo(struct run *);

#endif
