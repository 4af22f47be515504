/*
 * Findings: what certbind check prints and what the terminal UI
 * highlights (DESIGN.md "Findings"). Each has a severity, a stable code,
 * the object it concerns and a sentence saying what is wrong and what to
 * do. The codes are an interface: scripts match on them.
 *
 * This header holds the list and its operations only; the checks that
 * fill it are in core/check.c (the model) and op/check.c (the files).
 */
#ifndef CERTBIND_FINDINGS_H
#define CERTBIND_FINDINGS_H

#include <stddef.h>
#include <sys/types.h>

enum severity {
	SEV_INFO,
	SEV_WARNING,
	SEV_ERROR
};

/* The stable codes. */
#define F_CONFLICT		"conflict"
#define F_UNSERVED_LISTENER	"unserved-listener"
#define F_STALE_BINDING		"stale-binding"
#define F_DEFAULT_SERVED	"default-served"
#define F_PROBABLE_MOVE		"probable-move"
#define F_ADDRESS_NOT_LOCAL	"address-not-local"
#define F_UNKNOWN_KEY		"unknown-key"
#define F_MISSING_FILE		"missing-file"
#define F_UNREADABLE		"unreadable"
#define F_KEY_MISMATCH		"key-mismatch"
#define F_EXPIRED		"expired"
#define F_NOT_YET_VALID		"not-yet-valid"
#define F_EXPIRING		"expiring"
#define F_SNI_NOT_IN_CERT	"sni-not-in-cert"
#define F_CHAIN_INCOMPLETE	"chain-incomplete"
#define F_KEY_PERMISSIONS	"key-permissions"
#define F_PENDING		"pending"
#define F_UNBOUND_KEY		"unbound-key"
#define F_ORPHAN_FILE		"orphan-file"
#define F_NOT_RELOADED		"not-reloaded"
#define F_WEAK_KEY		"weak-key"
#define F_ACME_RENEWAL_FAILING	"acme-renewal-failing"
#define F_ACME_UNREACHABLE	"acme-unreachable"
#define F_WEAK_TLS		"weak-tls"
#define F_CLIENT_CA		"client-ca"
#define F_NOT_LISTENING		"not-listening"

/* What a finding concerns, so the UI can attach it to a row. */
enum finding_kind {
	FK_KEY,		/* index is a key index */
	FK_BINDING,	/* index is a binding index */
	FK_LISTENER,	/* index is a listener index */
	FK_FILE		/* index is -1; object is the path */
};

struct finding {
	enum severity	 severity;
	const char	*code;		/* one of F_*, static */
	enum finding_kind kind;
	ssize_t		 index;
	char		*object;	/* "www", "127.0.0.2:8443 sni=x", a path */
	char		*message;	/* a sentence: what and what to do */
	/* probable-move only: the endpoints of the suggested move. */
	char		*move_from;
	char		*move_to;
};

struct findings {
	struct finding	*v;
	size_t		 n;
	size_t		 cap;
};

#define FINDINGS_INIT { NULL, 0, 0 }

/* Appends a finding; the returned pointer is valid until the next add. */
struct finding	*findings_add(struct findings *, enum severity,
		     const char *code, enum finding_kind, ssize_t index,
		     const char *object, const char *fmt, ...)
		     __attribute__((format(printf, 7, 8)));
/* Moves every finding of from to the end of to; from is left empty. */
void		 findings_move(struct findings *to, struct findings *from);
/* By severity (errors first), then by code, then by object. */
void		 findings_sort(struct findings *);
/* Appends a copy of f to fs. */
void		 findings_copy(struct findings *, const struct finding *f);
/*
 * The one answer to "does this change add errors?": the findings of after
 * that before does not have are appended to added, and those of before
 * that after lacks to removed (either may be NULL). A finding is the same
 * when its severity, code and object are; so a warning that becomes an
 * error is an added error. Returns the number of error findings added.
 */
size_t		 findings_diff(const struct findings *before,
		     const struct findings *after, struct findings *added,
		     struct findings *removed);
size_t		 findings_count(const struct findings *, enum severity);
void		 findings_clear(struct findings *);
const char	*severity_name(enum severity);	/* "error" ... */

#endif
