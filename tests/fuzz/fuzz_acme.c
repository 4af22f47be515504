/*
 * What an ACME CA sends: every parser of op/acme-json.h gets the same
 * bytes (each reads them as the document it expects), and the time parser
 * gets them as a string. Never crashes; a refusal has a cause and leaves
 * its struct empty; what is accepted keeps the promises of the header
 * (required members present, arrays capped, tokens base64url).
 */
#include <stdlib.h>
#include <string.h>

#include "op/acme-json.h"
#include "tests/fuzz/fuzz.h"

static int
token_ok(const char *s)
{
	size_t	 n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_");

	return n > 0 && s[n] == '\0';
}

static void
check_problem(const struct acme_problem *p)
{
	size_t	 i;

	FUZZ_ASSERT(p->type != NULL);
	(void)acme_problem_short(p);
	FUZZ_ASSERT(p->nsub <= 100);
	for (i = 0; i < p->nsub; i++) {
		FUZZ_ASSERT(p->sub[i].type != NULL && p->sub[i].nsub == 0);
	}
}

static void
check_challenge(const struct acme_challenge *c)
{
	FUZZ_ASSERT(c->type != NULL && c->url != NULL);
	FUZZ_ASSERT(c->token == NULL || token_ok(c->token));
	(void)acme_status_name(c->status);
	if (c->error != NULL)
		check_problem(c->error);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char		*json = (const char *)data;
	struct acme_directory	 d;
	struct acme_account	 a;
	struct acme_order	 o;
	struct acme_authz	 z;
	struct acme_challenge	 c;
	struct acme_problem	 p;
	struct acme_renewal_info ri;
	char			*cause, *s;
	time_t			 t;
	size_t			 i;

	cause = NULL;
	if (acme_parse_directory(json, len, &d, &cause) == 0) {
		FUZZ_ASSERT(d.new_nonce != NULL && d.new_account != NULL &&
		    d.new_order != NULL);
		acme_directory_free(&d);
	} else
		FUZZ_ASSERT(cause != NULL && d.new_nonce == NULL);
	free(cause);

	cause = NULL;
	if (acme_parse_account(json, len, &a, &cause) == 0)
		acme_account_free(&a);
	else
		FUZZ_ASSERT(cause != NULL && a.orders == NULL);
	free(cause);

	cause = NULL;
	if (acme_parse_order(json, len, &o, &cause) == 0) {
		FUZZ_ASSERT(o.finalize != NULL);
		FUZZ_ASSERT(o.nidentifiers <= 100 && o.nauthorizations <= 100);
		for (i = 0; i < o.nidentifiers; i++)
			FUZZ_ASSERT(o.identifiers[i] != NULL);
		for (i = 0; i < o.nauthorizations; i++)
			FUZZ_ASSERT(o.authorizations[i] != NULL);
		if (o.error != NULL)
			check_problem(o.error);
		acme_order_free(&o);
	} else
		FUZZ_ASSERT(cause != NULL && o.authorizations == NULL);
	free(cause);

	cause = NULL;
	if (acme_parse_authz(json, len, &z, &cause) == 0) {
		FUZZ_ASSERT(z.identifier != NULL && z.nchallenges <= 100);
		for (i = 0; i < z.nchallenges; i++) {
			check_challenge(&z.challenges[i]);
			FUZZ_ASSERT(acme_authz_challenge(&z,
			    z.challenges[i].type) != NULL);
		}
		(void)acme_authz_challenge(&z, "tls-alpn-01");
		acme_authz_free(&z);
	} else
		FUZZ_ASSERT(cause != NULL && z.challenges == NULL);
	free(cause);

	cause = NULL;
	if (acme_parse_challenge(json, len, &c, &cause) == 0) {
		check_challenge(&c);
		acme_challenge_free(&c);
	} else
		FUZZ_ASSERT(cause != NULL && c.type == NULL);
	free(cause);

	cause = NULL;
	if (acme_parse_problem(json, len, &p, &cause) == 0) {
		check_problem(&p);
		acme_problem_free(&p);
	} else
		FUZZ_ASSERT(cause != NULL && p.type == NULL);
	free(cause);

	cause = NULL;
	if (acme_parse_renewal_info(json, len, &ri, &cause) == 0) {
		FUZZ_ASSERT(ri.end > ri.start);
		acme_renewal_info_free(&ri);
	} else
		FUZZ_ASSERT(cause != NULL && ri.explanation == NULL);
	free(cause);

	if (len < 256 && (s = malloc(len + 1)) != NULL) {
		memcpy(s, data, len);
		s[len] = '\0';
		(void)acme_parse_time(s, &t);
		free(s);
	}
	return 0;
}
