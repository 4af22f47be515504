/*
 * What certbind remembers of each ACME-managed key between runs, in
 * STORE/ACME_STATE_DIR/NAME.json (mode 0600, written atomically):
 * - an order in progress: its URL and the pending key and request made
 *   for it, so that a run killed midway is resumed (or its files removed)
 *   by the next one, and never leaves a half-installed key;
 * - the last result: when, whether it worked, the CA's problem, how many
 *   failures in a row, and when to try again.
 * The file is certbind's own, but read back as untrusted text.
 */
#ifndef CERTBIND_OP_ACME_STATE_H
#define CERTBIND_OP_ACME_STATE_H

#include <time.h>

struct config;

struct acme_state {
	/* An order in progress (order NULL: none). */
	char		*order;		/* the order's URL */
	char		*pending;	/* the pending key's name (NAME-renew) */
	char		*key;		/* its key file, as in the config */
	char		*request;	/* its request file */
	time_t		 started;
	/* The last attempt. */
	time_t		 last_attempt;
	time_t		 last_success;
	int		 last_ok;
	char		*problem;	/* the last failure's cause; NULL if ok */
	unsigned	 failures;	/* in a row */
	time_t		 next_retry;	/* 0: none */
	time_t		 ari_start;	/* the CA's window, 0 if none */
	time_t		 ari_end;
};

/* The state file of key name, absolute; allocated. */
char	*acme_state_path(const struct config *, const char *name);
/* The state of key name: a missing file is an empty state (0). */
int	acme_state_load(const struct config *, const char *name,
	    struct acme_state *, char **cause);
int	acme_state_save(const struct config *, const char *name,
	    const struct acme_state *, char **cause);
/* Forgets the order in progress (the fields, not the files). */
void	acme_state_order_clear(struct acme_state *);
void	acme_state_free(struct acme_state *);

#endif
