/*
 * What an ACME server sends, read into plain structs (jansson does the
 * JSON). Every object the CA sends is untrusted: a parser checks types,
 * refuses duplicate members, and keeps strings as given (escape them
 * before showing). Unknown members are ignored (RFC 8555 section 7.1 lets
 * servers add them). Each parser returns 0, or -1 with an allocated
 * *cause that says which member is missing or of the wrong type.
 * tests/fuzz/fuzz_acme.c feeds every parser.
 */
#ifndef CERTBIND_OP_ACME_JSON_H
#define CERTBIND_OP_ACME_JSON_H

#include <stddef.h>
#include <time.h>

enum acme_status {
	ACME_S_UNKNOWN = 0,	/* a status this client does not know */
	ACME_S_PENDING,
	ACME_S_READY,
	ACME_S_PROCESSING,
	ACME_S_VALID,
	ACME_S_INVALID,
	ACME_S_DEACTIVATED,
	ACME_S_EXPIRED,
	ACME_S_REVOKED
};
enum acme_status acme_status_parse(const char *);
const char	*acme_status_name(enum acme_status);

/* RFC 7807 problem document, as ACME uses it (RFC 8555 section 6.7). */
struct acme_problem {
	char			*type;		/* "urn:ietf:params:acme:error:badNonce" */
	char			*detail;	/* NULL if none */
	long			 status;	/* 0 if none */
	char			*identifier;	/* a subproblem's identifier value */
	struct acme_problem	*sub;		/* subproblems */
	size_t			 nsub;
};
/* The short name: "badNonce" for urn:ietf:params:acme:error:badNonce. */
const char	*acme_problem_short(const struct acme_problem *);
void		 acme_problem_free(struct acme_problem *);	/* members */

struct acme_directory {
	char	*new_nonce;
	char	*new_account;
	char	*new_order;
	char	*revoke_cert;		/* NULL if none */
	char	*key_change;		/* NULL if none */
	char	*renewal_info;		/* NULL: no ARI */
	char	*terms_of_service;	/* meta.termsOfService, NULL if none */
	char	*website;		/* meta.website */
	int	 eab_required;		/* meta.externalAccountRequired */
};
void	acme_directory_free(struct acme_directory *);

struct acme_account {
	enum acme_status	 status;
	char			*orders;	/* NULL if none */
};
void	acme_account_free(struct acme_account *);

struct acme_order {
	enum acme_status	 status;
	time_t			 expires;	/* 0 if none */
	char			**identifiers;	/* "dns" values only */
	size_t			 nidentifiers;
	char			**authorizations;
	size_t			 nauthorizations;
	char			*finalize;
	char			*certificate;	/* NULL until valid */
	struct acme_problem	*error;		/* NULL if none */
};
void	acme_order_free(struct acme_order *);

struct acme_challenge {
	char			*type;		/* "tls-alpn-01" ... */
	char			*url;
	char			*token;		/* NULL if none; checked base64url */
	enum acme_status	 status;
	struct acme_problem	*error;		/* NULL if none */
};
struct acme_authz {
	char			*identifier;	/* the dns value */
	int			 wildcard;
	enum acme_status	 status;
	time_t			 expires;
	struct acme_challenge	*challenges;
	size_t			 nchallenges;
};
void	acme_authz_free(struct acme_authz *);
/* The challenge of type in a, or NULL. */
const struct acme_challenge *acme_authz_challenge(const struct acme_authz *,
	    const char *type);

/* RFC 9773 renewalInfo. */
struct acme_renewal_info {
	time_t	 start;
	time_t	 end;
	char	*explanation;	/* explanationURL, NULL if none */
};
void	acme_renewal_info_free(struct acme_renewal_info *);

int	acme_parse_directory(const char *json, size_t len,
	    struct acme_directory *, char **cause);
int	acme_parse_account(const char *json, size_t len,
	    struct acme_account *, char **cause);
int	acme_parse_order(const char *json, size_t len, struct acme_order *,
	    char **cause);
int	acme_parse_authz(const char *json, size_t len, struct acme_authz *,
	    char **cause);
int	acme_parse_challenge(const char *json, size_t len,
	    struct acme_challenge *, char **cause);
void	acme_challenge_free(struct acme_challenge *);
int	acme_parse_problem(const char *json, size_t len,
	    struct acme_problem *, char **cause);
int	acme_parse_renewal_info(const char *json, size_t len,
	    struct acme_renewal_info *, char **cause);
/* RFC 3339 as ACME writes it ("2026-12-01T10:00:00Z", fractions and
 * offsets allowed): 0, or -1 if not a time. */
int	acme_parse_time(const char *, time_t *);

#endif
