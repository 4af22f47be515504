/*
 * op/acme-json.c: what an ACME CA sends. Tables of good documents (RFC
 * 8555's own examples from sections 6.7.1, 7.1.1-7.1.4 and 8.3, RFC
 * 9773's renewalInfo, pebble-like answers) with the fields they must give,
 * and of bad documents with the words their cause must contain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "op/acme-json.h"

#define LEN(a)	(sizeof (a) / sizeof (a)[0])

/* RFC 8555 section 7.1.1 */
static const char rfc_directory[] =
    "{\n"
    "  \"newNonce\": \"https://example.com/acme/new-nonce\",\n"
    "  \"newAccount\": \"https://example.com/acme/new-account\",\n"
    "  \"newOrder\": \"https://example.com/acme/new-order\",\n"
    "  \"newAuthz\": \"https://example.com/acme/new-authz\",\n"
    "  \"revokeCert\": \"https://example.com/acme/revoke-cert\",\n"
    "  \"keyChange\": \"https://example.com/acme/key-change\",\n"
    "  \"meta\": {\n"
    "    \"termsOfService\": \"https://example.com/acme/terms/2017-5-30\",\n"
    "    \"website\": \"https://www.example.com/\",\n"
    "    \"caaIdentities\": [\"example.com\"],\n"
    "    \"externalAccountRequired\": false\n"
    "  }\n"
    "}\n";

/* RFC 8555 section 7.1.2 */
static const char rfc_account[] =
    "{\n"
    "  \"status\": \"valid\",\n"
    "  \"contact\": [\n"
    "    \"mailto:cert-admin@example.org\",\n"
    "    \"mailto:admin@example.org\"\n"
    "  ],\n"
    "  \"termsOfServiceAgreed\": true,\n"
    "  \"orders\": \"https://example.com/acme/orders/rzGoeA\"\n"
    "}\n";

/* RFC 8555 section 7.1.3 */
static const char rfc_order[] =
    "{\n"
    "  \"status\": \"valid\",\n"
    "  \"expires\": \"2016-01-20T14:09:07.99Z\",\n"
    "\n"
    "  \"identifiers\": [\n"
    "    { \"type\": \"dns\", \"value\": \"www.example.org\" },\n"
    "    { \"type\": \"dns\", \"value\": \"example.org\" }\n"
    "  ],\n"
    "\n"
    "  \"notBefore\": \"2016-01-01T00:00:00Z\",\n"
    "  \"notAfter\": \"2016-01-08T00:00:00Z\",\n"
    "\n"
    "  \"authorizations\": [\n"
    "    \"https://example.com/acme/authz/PAniVnsZcis\",\n"
    "    \"https://example.com/acme/authz/r4HqLzrSrpI\"\n"
    "  ],\n"
    "\n"
    "  \"finalize\": \"https://example.com/acme/order/TOlocE8rfgo/finalize\",\n"
    "\n"
    "  \"certificate\": \"https://example.com/acme/cert/mAt3xBGaobw\"\n"
    "}\n";

/* RFC 8555 section 7.1.4 */
static const char rfc_authz[] =
    "{\n"
    "  \"status\": \"valid\",\n"
    "  \"expires\": \"2015-03-01T14:09:07.99Z\",\n"
    "\n"
    "  \"identifier\": {\n"
    "    \"type\": \"dns\",\n"
    "    \"value\": \"www.example.org\"\n"
    "  },\n"
    "\n"
    "  \"challenges\": [\n"
    "    {\n"
    "      \"url\": \"https://example.com/acme/chall/prV_B7yEyA4\",\n"
    "      \"type\": \"http-01\",\n"
    "      \"status\": \"valid\",\n"
    "      \"token\": \"DGyRejmCefe7v4NfDGDKfA\",\n"
    "      \"validated\": \"2014-12-01T12:05:58.16Z\"\n"
    "    }\n"
    "  ],\n"
    "\n"
    "  \"wildcard\": false\n"
    "}\n";

/* RFC 8555 section 8.3 */
static const char rfc_challenge[] =
    "{\n"
    "  \"type\": \"http-01\",\n"
    "  \"url\": \"https://example.com/acme/chall/prV_B7yEyA4\",\n"
    "  \"status\": \"pending\",\n"
    "  \"token\": \"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0\"\n"
    "}\n";

/* RFC 8555 section 6.7.1 */
static const char rfc_problem[] =
    "{\n"
    "    \"type\": \"urn:ietf:params:acme:error:malformed\",\n"
    "    \"detail\": \"Some of the identifiers requested were rejected\",\n"
    "    \"subproblems\": [\n"
    "        {\n"
    "            \"type\": \"urn:ietf:params:acme:error:malformed\",\n"
    "            \"detail\": \"Invalid underscore in DNS name \\\"_example.org\\\"\",\n"
    "            \"identifier\": {\n"
    "                \"type\": \"dns\",\n"
    "                \"value\": \"_example.org\"\n"
    "            }\n"
    "        },\n"
    "        {\n"
    "            \"type\": \"urn:ietf:params:acme:error:rejectedIdentifier\",\n"
    "            \"detail\": \"This CA will not issue for \\\"example.net\\\"\",\n"
    "            \"identifier\": {\n"
    "                \"type\": \"dns\",\n"
    "                \"value\": \"example.net\"\n"
    "            }\n"
    "        }\n"
    "    ]\n"
    "}\n";

/* RFC 9773 section 4.2 */
static const char rfc_renewal[] =
    "{\n"
    "  \"suggestedWindow\": {\n"
    "    \"start\": \"2025-01-02T04:00:00Z\",\n"
    "    \"end\": \"2025-01-03T04:00:00Z\"\n"
    "  },\n"
    "  \"explanationURL\": \"https://acme.example.com/docs/ari\"\n"
    "}\n";

/* A cause must exist and contain want. */
static void
check_cause(const char *doc, char *cause, const char *want)
{
	if (cause == NULL)
		fail_msg("no cause for %s", doc);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\" (document %s)", cause, want,
		    doc);
	free(cause);
}

/* Statuses and times ------------------------------------------------------- */

static void
test_status(void **state)
{
	static const char *names[] = { "pending", "ready", "processing",
	    "valid", "invalid", "deactivated", "expired", "revoked" };
	size_t	 i;

	for (i = 0; i < LEN(names); i++) {
		assert_int_equal(acme_status_parse(names[i]), i + 1);
		assert_string_equal(acme_status_name(acme_status_parse(
		    names[i])), names[i]);
	}
	assert_int_equal(acme_status_parse("Valid"), ACME_S_UNKNOWN);
	assert_int_equal(acme_status_parse("suspended"), ACME_S_UNKNOWN);
	assert_int_equal(acme_status_parse(""), ACME_S_UNKNOWN);
	assert_int_equal(acme_status_parse(NULL), ACME_S_UNKNOWN);
	assert_string_equal(acme_status_name(ACME_S_UNKNOWN), "unknown");
	assert_string_equal(acme_status_name((enum acme_status)99), "unknown");
}

static void
test_time(void **state)
{
	static const struct { const char *s; time_t t; } good[] = {
		{ "2026-12-01T10:00:00Z", 1796119200 },
		{ "2026-12-01t10:00:00z", 1796119200 },
		{ "2026-12-01T10:00:00.123456789Z", 1796119200 },
		{ "2026-12-01T12:30:00+02:30", 1796119200 },
		{ "2026-12-01T07:30:00-02:30", 1796119200 },
		{ "2016-01-20T14:09:07.99Z", 1453298947 },
		{ "2000-02-29T00:00:00Z", 951782400 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2016-12-31T23:59:60Z", 1483228800 },	/* leap second */
	};
	static const char *bad[] = {
		"", "2026-12-01", "2026-12-01T10:00:00", "2026-12-01 10:00:00Z",
		"2026-13-01T10:00:00Z", "2026-02-30T10:00:00Z",
		"2026-02-29T10:00:00Z", "2026-12-01T24:00:00Z",
		"2026-12-01T10:60:00Z", "2026-12-01T10:00:61Z",
		"2026-12-01T10:00:00.Z", "2026-12-01T10:00:00+0200",
		"2026-12-01T10:00:00Zjunk", "26-12-01T10:00:00Z",
		"2026-12-1T10:00:00Z", "+2026-12-01T10:00:00Z",
		"2026-12-01T10:00:00+24:00", "2026-00-01T10:00:00Z",
		"2026-12-00T10:00:00Z", "1900-02-29T00:00:00Z",
	};
	time_t	 t;
	size_t	 i;

	for (i = 0; i < LEN(good); i++) {
		if (acme_parse_time(good[i].s, &t) != 0)
			fail_msg("refused %s", good[i].s);
		if (t != good[i].t)
			fail_msg("%s: %lld, want %lld", good[i].s, (long long)t,
			    (long long)good[i].t);
	}
	for (i = 0; i < LEN(bad); i++)
		if (acme_parse_time(bad[i], &t) == 0)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(acme_parse_time(NULL, &t), -1);
}

/* Documents ---------------------------------------------------------------- */

static void
test_directory(void **state)
{
	static const char pebble[] =
	    "{\"keyChange\":\"https://127.0.0.1:14000/rollover-account-key\","
	    "\"meta\":{\"externalAccountRequired\":true,\"termsOfService\":"
	    "\"data:text/plain,Do%20what%20thou%20wilt\"},"
	    "\"newAccount\":\"https://127.0.0.1:14000/sign-me-up\","
	    "\"newNonce\":\"https://127.0.0.1:14000/nonce-plz\","
	    "\"newOrder\":\"https://127.0.0.1:14000/order-plz\","
	    "\"renewalInfo\":\"https://127.0.0.1:14000/draft-ietf-acme-ari-03/renewalInfo\","
	    "\"revokeCert\":\"https://127.0.0.1:14000/revoke-cert\"}";
	static const struct { const char *doc; const char *cause; } bad[] = {
		{ "", "not valid JSON" },
		{ "[]", "not a JSON object" },
		{ "{\"newNonce\":\"https://a/n\",\"newAccount\":\"https://a/a\"}",
		  "\"newOrder\" is missing" },
		{ "{\"newNonce\":1,\"newAccount\":\"https://a/a\","
		  "\"newOrder\":\"https://a/o\"}", "\"newNonce\" is not a string" },
		{ "{\"newNonce\":\"file:///etc/passwd\",\"newAccount\":"
		  "\"https://a/a\",\"newOrder\":\"https://a/o\"}",
		  "\"newNonce\" is not an http(s) URL" },
		{ "{\"newNonce\":\"https://a/n\",\"newAccount\":\"https://a/a\","
		  "\"newOrder\":\"https://a/o\",\"meta\":[]}",
		  "\"meta\" is not an object" },
		{ "{\"newNonce\":\"https://a/n\",\"newAccount\":\"https://a/a\","
		  "\"newOrder\":\"https://a/o\",\"meta\":"
		  "{\"externalAccountRequired\":\"yes\"}}",
		  "\"externalAccountRequired\" is not true or false" },
		{ "{\"newNonce\":\"https://a/n\",\"newNonce\":\"https://b/n\","
		  "\"newAccount\":\"https://a/a\",\"newOrder\":\"https://a/o\"}",
		  "duplicate" },
		{ "{\"newNonce\":\"https://a/\\u0000n\",\"newAccount\":"
		  "\"https://a/a\",\"newOrder\":\"https://a/o\"}",
		  "not valid JSON" },
		{ "{\"newNonce\":\"https://a/\xff\",\"newAccount\":"
		  "\"https://a/a\",\"newOrder\":\"https://a/o\"}",
		  "not valid JSON" },
		{ "{\"newNonce\":\"https://a/n\"} trailing", "not valid JSON" },
	};
	struct acme_directory d;
	char	*cause = NULL;
	size_t	 i;

	assert_int_equal(acme_parse_directory(rfc_directory,
	    strlen(rfc_directory), &d, &cause), 0);
	assert_string_equal(d.new_nonce, "https://example.com/acme/new-nonce");
	assert_string_equal(d.new_account,
	    "https://example.com/acme/new-account");
	assert_string_equal(d.new_order, "https://example.com/acme/new-order");
	assert_string_equal(d.revoke_cert,
	    "https://example.com/acme/revoke-cert");
	assert_string_equal(d.key_change,
	    "https://example.com/acme/key-change");
	assert_null(d.renewal_info);
	assert_string_equal(d.terms_of_service,
	    "https://example.com/acme/terms/2017-5-30");
	assert_string_equal(d.website, "https://www.example.com/");
	assert_int_equal(d.eab_required, 0);
	acme_directory_free(&d);
	assert_null(d.new_nonce);

	assert_int_equal(acme_parse_directory(pebble, strlen(pebble), &d,
	    &cause), 0);
	assert_string_equal(d.renewal_info,
	    "https://127.0.0.1:14000/draft-ietf-acme-ari-03/renewalInfo");
	assert_string_equal(d.terms_of_service,
	    "data:text/plain,Do%20what%20thou%20wilt");
	assert_int_equal(d.eab_required, 1);
	assert_null(d.website);
	acme_directory_free(&d);

	for (i = 0; i < LEN(bad); i++) {
		cause = NULL;
		if (acme_parse_directory(bad[i].doc, strlen(bad[i].doc), &d,
		    &cause) == 0)
			fail_msg("accepted %s", bad[i].doc);
		assert_null(d.new_nonce);
		check_cause(bad[i].doc, cause, bad[i].cause);
	}
	/* A document cut short at every byte is refused, never read past. */
	for (i = 0; i < strlen(rfc_directory) - 2; i++) {
		cause = NULL;
		assert_int_equal(acme_parse_directory(rfc_directory, i, &d,
		    &cause), -1);
		free(cause);
	}
}

static void
test_account(void **state)
{
	static const struct { const char *doc; const char *cause; } bad[] = {
		{ "{}", "\"status\" is missing" },
		{ "{\"status\":null}", "\"status\" is not a string" },
		{ "{\"status\":\"valid\",\"orders\":[]}",
		  "\"orders\" is not a string" },
		{ "{\"status\":true}", "account: \"status\" is not a string" },
	};
	struct acme_account a;
	char	*cause = NULL;
	size_t	 i;

	assert_int_equal(acme_parse_account(rfc_account, strlen(rfc_account),
	    &a, &cause), 0);
	assert_int_equal(a.status, ACME_S_VALID);
	assert_string_equal(a.orders, "https://example.com/acme/orders/rzGoeA");
	acme_account_free(&a);
	/* Let's Encrypt sends no "orders"; a new status is not an error. */
	assert_int_equal(acme_parse_account("{\"status\":\"frozen\"}", 19, &a,
	    &cause), 0);
	assert_int_equal(a.status, ACME_S_UNKNOWN);
	assert_null(a.orders);
	acme_account_free(&a);
	for (i = 0; i < LEN(bad); i++) {
		cause = NULL;
		if (acme_parse_account(bad[i].doc, strlen(bad[i].doc), &a,
		    &cause) == 0)
			fail_msg("accepted %s", bad[i].doc);
		check_cause(bad[i].doc, cause, bad[i].cause);
	}
}

static char *
many(const char *fmt, int n)
{
	char	*s, *p;
	int	 i;

	s = malloc((size_t)n * (strlen(fmt) + 16) + 64);
	p = s;
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i > 0 ? "," : "", fmt);
	*p = '\0';
	return s;
}

static void
test_order(void **state)
{
	static const char pending[] =
	    "{\"status\":\"pending\",\"expires\":\"2026-12-08T10:00:00Z\","
	    "\"identifiers\":[{\"type\":\"dns\",\"value\":\"www.example.com\"},"
	    "{\"type\":\"ip\",\"value\":\"192.0.2.1\"}],"
	    "\"authorizations\":[\"https://127.0.0.1:14000/authZ/a\"],"
	    "\"finalize\":\"https://127.0.0.1:14000/finalize-order/o\"}";
	static const char invalid[] =
	    "{\"status\":\"invalid\",\"identifiers\":[],\"authorizations\":[],"
	    "\"finalize\":\"https://a/f\",\"error\":{\"type\":"
	    "\"urn:ietf:params:acme:error:unauthorized\",\"detail\":\"no\","
	    "\"status\":403}}";
	static const struct { const char *doc; const char *cause; } bad[] = {
		{ "{\"status\":\"pending\",\"identifiers\":[],"
		  "\"authorizations\":[\"https://a/z\", 7],"
		  "\"finalize\":\"https://a/f\"}",
		  "order: \"authorizations\" is not an array of strings" },
		{ "{\"status\":\"pending\",\"identifiers\":[],"
		  "\"authorizations\":\"https://a/z\","
		  "\"finalize\":\"https://a/f\"}",
		  "order: \"authorizations\" is not an array" },
		{ "{\"status\":\"pending\",\"identifiers\":[],"
		  "\"finalize\":\"https://a/f\"}",
		  "\"authorizations\" is missing" },
		{ "{\"status\":\"pending\",\"identifiers\":[\"www\"],"
		  "\"authorizations\":[],\"finalize\":\"https://a/f\"}",
		  "\"identifier\" is not an object" },
		{ "{\"status\":\"pending\",\"identifiers\":[{\"type\":\"dns\"}],"
		  "\"authorizations\":[],\"finalize\":\"https://a/f\"}",
		  "\"value\" is missing" },
		{ "{\"status\":\"pending\",\"identifiers\":[],"
		  "\"authorizations\":[]}", "\"finalize\" is missing" },
		{ "{\"status\":\"pending\",\"expires\":\"tomorrow\","
		  "\"identifiers\":[],\"authorizations\":[],"
		  "\"finalize\":\"https://a/f\"}",
		  "\"expires\" is not an RFC 3339 time" },
		{ "{\"status\":\"invalid\",\"identifiers\":[],"
		  "\"authorizations\":[],\"finalize\":\"https://a/f\","
		  "\"error\":\"it failed\"}",
		  "\"error\" is not a problem document" },
		{ "{\"status\":\"invalid\",\"identifiers\":[],"
		  "\"authorizations\":[],\"finalize\":\"https://a/f\","
		  "\"error\":{\"status\":\"403\"}}",
		  "\"status\" is not an HTTP status" },
	};
	struct acme_order o;
	char	*cause = NULL, *doc, *list;
	size_t	 i;

	assert_int_equal(acme_parse_order(rfc_order, strlen(rfc_order), &o,
	    &cause), 0);
	assert_int_equal(o.status, ACME_S_VALID);
	assert_int_equal(o.expires, 1453298947);
	assert_int_equal(o.nidentifiers, 2);
	assert_string_equal(o.identifiers[0], "www.example.org");
	assert_string_equal(o.identifiers[1], "example.org");
	assert_int_equal(o.nauthorizations, 2);
	assert_string_equal(o.authorizations[1],
	    "https://example.com/acme/authz/r4HqLzrSrpI");
	assert_string_equal(o.finalize,
	    "https://example.com/acme/order/TOlocE8rfgo/finalize");
	assert_string_equal(o.certificate,
	    "https://example.com/acme/cert/mAt3xBGaobw");
	assert_null(o.error);
	acme_order_free(&o);

	assert_int_equal(acme_parse_order(pending, strlen(pending), &o,
	    &cause), 0);
	assert_int_equal(o.status, ACME_S_PENDING);
	assert_int_equal(o.nidentifiers, 1);	/* the ip one is not kept */
	assert_null(o.certificate);
	acme_order_free(&o);

	assert_int_equal(acme_parse_order(invalid, strlen(invalid), &o,
	    &cause), 0);
	assert_int_equal(o.status, ACME_S_INVALID);
	assert_non_null(o.error);
	assert_string_equal(acme_problem_short(o.error), "unauthorized");
	assert_int_equal(o.error->status, 403);
	acme_order_free(&o);

	for (i = 0; i < LEN(bad); i++) {
		cause = NULL;
		if (acme_parse_order(bad[i].doc, strlen(bad[i].doc), &o,
		    &cause) == 0)
			fail_msg("accepted %s", bad[i].doc);
		assert_null(o.authorizations);
		check_cause(bad[i].doc, cause, bad[i].cause);
	}

	/* 100 authorizations are fine, 101 are not. */
	list = many("\"https://a/z\"", 100);
	assert_true(asprintf(&doc, "{\"status\":\"ready\",\"identifiers\":[],"
	    "\"authorizations\":[%s],\"finalize\":\"https://a/f\"}", list) > 0);
	assert_int_equal(acme_parse_order(doc, strlen(doc), &o, &cause), 0);
	assert_int_equal(o.nauthorizations, 100);
	acme_order_free(&o);
	free(doc);
	free(list);
	list = many("\"https://a/z\"", 101);
	assert_true(asprintf(&doc, "{\"status\":\"ready\",\"identifiers\":[],"
	    "\"authorizations\":[%s],\"finalize\":\"https://a/f\"}", list) > 0);
	cause = NULL;
	assert_int_equal(acme_parse_order(doc, strlen(doc), &o, &cause), -1);
	check_cause(doc, cause, "more than the 100");
	free(doc);
	free(list);
}

static void
test_authz(void **state)
{
	static const char pebble[] =
	    "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\","
	    "\"value\":\"example.com\"},\"challenges\":["
	    "{\"type\":\"dns-01\",\"url\":\"https://127.0.0.1:14000/chalZ/1\","
	    "\"token\":\"Pjw7mLEdPKFF3l8k7g1CFrt2A7ixL5ioVfvpKZfHwn8\","
	    "\"status\":\"pending\"},"
	    "{\"type\":\"tls-alpn-01\",\"url\":\"https://127.0.0.1:14000/chalZ/2\","
	    "\"token\":\"c8L7yO-uy_6S1a1S0rsBEU7kjP1MG9MovS0bdKrpbRA\","
	    "\"status\":\"pending\"},"
	    "{\"type\":\"http-01\",\"url\":\"https://127.0.0.1:14000/chalZ/3\","
	    "\"token\":\"h7J2WwUmqk_2mzUNxqmpG1Hv3fdjx6xvhvo6BTN9Kb4\","
	    "\"status\":\"invalid\",\"error\":{\"type\":"
	    "\"urn:ietf:params:acme:error:connection\",\"detail\":"
	    "\"127.0.0.2: Connection refused\",\"status\":400}}],"
	    "\"expires\":\"2026-12-02T10:00:00Z\",\"wildcard\":true}";
	static const struct { const char *doc; const char *cause; } bad[] = {
		{ "{\"status\":\"pending\",\"challenges\":[]}",
		  "\"identifier\" is missing" },
		{ "{\"status\":\"pending\",\"identifier\":{\"type\":\"ip\","
		  "\"value\":\"192.0.2.1\"},\"challenges\":[]}",
		  "not a DNS name" },
		{ "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\","
		  "\"value\":\"a.example\"}}", "\"challenges\" is missing" },
		{ "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\","
		  "\"value\":\"a.example\"},\"challenges\":[{\"type\":"
		  "\"http-01\",\"url\":\"https://a/c\",\"status\":\"pending\","
		  "\"token\":\"../../etc/passwd\"}]}",
		  "\"token\" is not base64url" },
		{ "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\","
		  "\"value\":\"a.example\"},\"challenges\":[7]}",
		  "a challenge: not an object" },
		{ "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\","
		  "\"value\":\"a.example\"},\"wildcard\":1,\"challenges\":[]}",
		  "\"wildcard\" is not true or false" },
	};
	struct acme_authz a;
	const struct acme_challenge *c;
	char	*cause = NULL;
	size_t	 i;

	assert_int_equal(acme_parse_authz(rfc_authz, strlen(rfc_authz), &a,
	    &cause), 0);
	assert_int_equal(a.status, ACME_S_VALID);
	assert_int_equal(a.expires, 1425218947);
	assert_string_equal(a.identifier, "www.example.org");
	assert_int_equal(a.wildcard, 0);
	assert_int_equal(a.nchallenges, 1);
	c = acme_authz_challenge(&a, "http-01");
	assert_non_null(c);
	assert_string_equal(c->token, "DGyRejmCefe7v4NfDGDKfA");
	assert_string_equal(c->url,
	    "https://example.com/acme/chall/prV_B7yEyA4");
	assert_int_equal(c->status, ACME_S_VALID);
	assert_null(acme_authz_challenge(&a, "dns-01"));
	acme_authz_free(&a);

	assert_int_equal(acme_parse_authz(pebble, strlen(pebble), &a, &cause),
	    0);
	assert_int_equal(a.wildcard, 1);
	assert_int_equal(a.nchallenges, 3);
	c = acme_authz_challenge(&a, "tls-alpn-01");
	assert_string_equal(c->token,
	    "c8L7yO-uy_6S1a1S0rsBEU7kjP1MG9MovS0bdKrpbRA");
	c = acme_authz_challenge(&a, "http-01");
	assert_int_equal(c->status, ACME_S_INVALID);
	assert_non_null(c->error);
	assert_string_equal(acme_problem_short(c->error), "connection");
	assert_string_equal(c->error->detail, "127.0.0.2: Connection refused");
	acme_authz_free(&a);

	for (i = 0; i < LEN(bad); i++) {
		cause = NULL;
		if (acme_parse_authz(bad[i].doc, strlen(bad[i].doc), &a,
		    &cause) == 0)
			fail_msg("accepted %s", bad[i].doc);
		assert_null(a.challenges);
		check_cause(bad[i].doc, cause, bad[i].cause);
	}
}

static void
test_challenge(void **state)
{
	static const char *bad_tokens[] = {
		"", "a/b", "a.b", "a b", "abc=", "a+b", "..", "\\u00e9t\\u00e9",
		"a\\nb",
	};
	static const struct { const char *doc; const char *cause; } bad[] = {
		{ "{\"url\":\"https://a/c\",\"status\":\"pending\"}",
		  "\"type\" is missing" },
		{ "{\"type\":\"http-01\",\"status\":\"pending\"}",
		  "\"url\" is missing" },
		{ "{\"type\":\"http-01\",\"url\":\"https://a/c\"}",
		  "\"status\" is missing" },
		{ "{\"type\":\"http-01\",\"url\":\"https://a/c\",\"status\":"
		  "\"pending\",\"token\":42}", "\"token\" is not a string" },
	};
	struct acme_challenge c;
	char	*cause = NULL, *doc, *longtok;
	size_t	 i;

	assert_int_equal(acme_parse_challenge(rfc_challenge,
	    strlen(rfc_challenge), &c, &cause), 0);
	assert_string_equal(c.type, "http-01");
	assert_string_equal(c.token,
	    "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0");
	assert_int_equal(c.status, ACME_S_PENDING);
	assert_null(c.error);
	acme_challenge_free(&c);

	/* A challenge of a type not known here, without token: kept. */
	doc = "{\"type\":\"email-reply-00\",\"url\":\"https://a/c\","
	    "\"status\":\"processing\"}";
	assert_int_equal(acme_parse_challenge(doc, strlen(doc), &c, &cause), 0);
	assert_null(c.token);
	assert_int_equal(c.status, ACME_S_PROCESSING);
	acme_challenge_free(&c);

	for (i = 0; i < LEN(bad_tokens); i++) {
		assert_true(asprintf(&doc, "{\"type\":\"http-01\",\"url\":"
		    "\"https://a/c\",\"status\":\"pending\",\"token\":\"%s\"}",
		    bad_tokens[i]) > 0);
		cause = NULL;
		if (acme_parse_challenge(doc, strlen(doc), &c, &cause) == 0)
			fail_msg("accepted token %s", bad_tokens[i]);
		check_cause(doc, cause, "base64url");
		free(doc);
	}
	longtok = malloc(300);
	memset(longtok, 'A', 299);
	longtok[299] = '\0';
	assert_true(asprintf(&doc, "{\"type\":\"http-01\",\"url\":"
	    "\"https://a/c\",\"status\":\"pending\",\"token\":\"%s\"}",
	    longtok) > 0);
	cause = NULL;
	assert_int_equal(acme_parse_challenge(doc, strlen(doc), &c, &cause),
	    -1);
	check_cause(doc, cause, "base64url");
	free(doc);
	free(longtok);

	for (i = 0; i < LEN(bad); i++) {
		cause = NULL;
		if (acme_parse_challenge(bad[i].doc, strlen(bad[i].doc), &c,
		    &cause) == 0)
			fail_msg("accepted %s", bad[i].doc);
		assert_null(c.type);
		check_cause(bad[i].doc, cause, bad[i].cause);
	}
}

static void
test_problem(void **state)
{
	static const char badnonce[] =
	    "{\"type\":\"urn:ietf:params:acme:error:badNonce\",\"detail\":"
	    "\"JWS has an invalid anti-replay nonce: \\\"zlIvmtOs\\\"\","
	    "\"status\":400}";
	static const struct { const char *doc; const char *cause; } bad[] = {
		{ "\"error\"", "not a JSON object" },
		{ "{\"type\":5}", "\"type\" is not a string" },
		{ "{\"status\":400.5}", "\"status\" is not an HTTP status" },
		{ "{\"status\":-1}", "\"status\" is not an HTTP status" },
		{ "{\"subproblems\":{}}", "\"subproblems\" is not an array" },
		{ "{\"subproblems\":[1]}", "subproblem: not an object" },
		{ "{\"subproblems\":[{\"identifier\":\"x\"}]}",
		  "\"identifier\" is not an object" },
	};
	struct acme_problem p;
	char	*cause = NULL, *doc, *list;
	size_t	 i;

	assert_int_equal(acme_parse_problem(rfc_problem, strlen(rfc_problem),
	    &p, &cause), 0);
	assert_string_equal(acme_problem_short(&p), "malformed");
	assert_string_equal(p.detail,
	    "Some of the identifiers requested were rejected");
	assert_int_equal(p.status, 0);
	assert_int_equal(p.nsub, 2);
	assert_string_equal(p.sub[0].identifier, "_example.org");
	assert_string_equal(p.sub[0].detail,
	    "Invalid underscore in DNS name \"_example.org\"");
	assert_string_equal(acme_problem_short(&p.sub[1]),
	    "rejectedIdentifier");
	assert_string_equal(p.sub[1].identifier, "example.net");
	acme_problem_free(&p);
	assert_null(p.type);

	assert_int_equal(acme_parse_problem(badnonce, strlen(badnonce), &p,
	    &cause), 0);
	assert_string_equal(acme_problem_short(&p), "badNonce");
	assert_int_equal(p.status, 400);
	assert_int_equal(p.nsub, 0);
	acme_problem_free(&p);

	/* RFC 7807: no type means about:blank; other URIs stay whole. */
	assert_int_equal(acme_parse_problem("{}", 2, &p, &cause), 0);
	assert_string_equal(acme_problem_short(&p), "about:blank");
	acme_problem_free(&p);
	doc = "{\"type\":\"https://ca.example/problems/x\"}";
	assert_int_equal(acme_parse_problem(doc, strlen(doc), &p, &cause), 0);
	assert_string_equal(acme_problem_short(&p),
	    "https://ca.example/problems/x");
	acme_problem_free(&p);

	/* Subproblems do not nest: deeper ones are not read. */
	doc = "{\"subproblems\":[{\"subproblems\":[{\"type\":7}]}]}";
	assert_int_equal(acme_parse_problem(doc, strlen(doc), &p, &cause), 0);
	assert_int_equal(p.nsub, 1);
	assert_int_equal(p.sub[0].nsub, 0);
	acme_problem_free(&p);

	for (i = 0; i < LEN(bad); i++) {
		cause = NULL;
		if (acme_parse_problem(bad[i].doc, strlen(bad[i].doc), &p,
		    &cause) == 0)
			fail_msg("accepted %s", bad[i].doc);
		assert_null(p.type);
		check_cause(bad[i].doc, cause, bad[i].cause);
	}

	list = many("{\"type\":\"urn:ietf:params:acme:error:malformed\"}", 101);
	assert_true(asprintf(&doc, "{\"subproblems\":[%s]}", list) > 0);
	cause = NULL;
	assert_int_equal(acme_parse_problem(doc, strlen(doc), &p, &cause), -1);
	check_cause(doc, cause, "more than the 100");
	free(doc);
	free(list);
}

static void
test_renewal_info(void **state)
{
	static const struct { const char *doc; const char *cause; } bad[] = {
		{ "{}", "\"suggestedWindow\" is missing" },
		{ "{\"suggestedWindow\":[]}", "not an object" },
		{ "{\"suggestedWindow\":{\"start\":\"2025-01-02T04:00:00Z\"}}",
		  "\"end\" is missing" },
		{ "{\"suggestedWindow\":{\"start\":\"2025-01-03T04:00:00Z\","
		  "\"end\":\"2025-01-02T04:00:00Z\"}}", "ends before it starts" },
		{ "{\"suggestedWindow\":{\"start\":\"2025-01-02T04:00:00Z\","
		  "\"end\":\"2025-01-02T04:00:00Z\"}}", "ends before it starts" },
		{ "{\"suggestedWindow\":{\"start\":1735790400,"
		  "\"end\":\"2025-01-02T04:00:00Z\"}}",
		  "\"start\" is not a string" },
		{ "{\"suggestedWindow\":{\"start\":\"2025-01-02T04:00:00Z\","
		  "\"end\":\"2025-01-03T04:00:00Z\"},\"explanationURL\":"
		  "\"javascript:alert(1)\"}", "not an http(s) URL" },
	};
	struct acme_renewal_info ri;
	char	*cause = NULL;
	size_t	 i;

	assert_int_equal(acme_parse_renewal_info(rfc_renewal,
	    strlen(rfc_renewal), &ri, &cause), 0);
	assert_int_equal(ri.start, 1735790400);
	assert_int_equal(ri.end, 1735876800);
	assert_string_equal(ri.explanation,
	    "https://acme.example.com/docs/ari");
	acme_renewal_info_free(&ri);
	for (i = 0; i < LEN(bad); i++) {
		cause = NULL;
		if (acme_parse_renewal_info(bad[i].doc, strlen(bad[i].doc), &ri,
		    &cause) == 0)
			fail_msg("accepted %s", bad[i].doc);
		check_cause(bad[i].doc, cause, bad[i].cause);
	}
}

static void
test_size_cap_and_escaped_cause(void **state)
{
	struct acme_problem p;
	char	*doc, *cause = NULL;
	size_t	 n = 1024 * 1024 + 1;

	doc = malloc(n);
	memset(doc, ' ', n);
	doc[0] = '{';
	doc[n - 1] = '}';
	assert_int_equal(acme_parse_problem(doc, n, &p, &cause), -1);
	check_cause("1 MiB + 1", cause, "more than the");
	assert_int_equal(acme_parse_problem(doc, n - 1, &p, &cause), -1);
	free(cause);
	free(doc);

	/* jansson's message quotes the input; the cause escapes it. */
	cause = NULL;
	assert_int_equal(acme_parse_problem("\x1b[31m", 6, &p, &cause), -1);
	assert_null(strchr(cause, '\x1b'));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_account),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_authz),
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_problem),
		cmocka_unit_test(test_renewal_info),
		cmocka_unit_test(test_size_cap_and_escaped_cause),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
