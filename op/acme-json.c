/*
 * What an ACME server sends (RFC 8555 section 7.1, RFC 7807 problems, RFC
 * 9773 renewalInfo), read with jansson into the plain structs of
 * acme-json.h. The idea: a CA is a peer on the network, not a friend.
 * jansson refuses what is not JSON, duplicate members, strings that are
 * not UTF-8 and strings holding NUL; this file checks every member's type,
 * caps every array, and refuses a challenge token outside the base64url
 * alphabet, because a token becomes a file name in a webroot.
 *
 * Every parser zeroes its struct first and leaves it zeroed on failure, so
 * a caller frees it the same way whatever happened.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "op/acme-json.h"

/* Limits on what a CA may send: far above what any CA does. */
#define ACME_JSON_MAX		(1024 * 1024)
#define ACME_MAX_ITEMS		100
#define ACME_MAX_SUBPROBLEMS	100
#define ACME_TOKEN_MAX		256

static const char *status_names[] = {
	[ACME_S_UNKNOWN] = "unknown",
	[ACME_S_PENDING] = "pending",
	[ACME_S_READY] = "ready",
	[ACME_S_PROCESSING] = "processing",
	[ACME_S_VALID] = "valid",
	[ACME_S_INVALID] = "invalid",
	[ACME_S_DEACTIVATED] = "deactivated",
	[ACME_S_EXPIRED] = "expired",
	[ACME_S_REVOKED] = "revoked",
};

enum acme_status
acme_status_parse(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return ACME_S_UNKNOWN;
	for (i = 1; i < sizeof status_names / sizeof status_names[0]; i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum acme_status)i;
	return ACME_S_UNKNOWN;
}

const char *
acme_status_name(enum acme_status st)
{
	if ((size_t)st >= sizeof status_names / sizeof status_names[0])
		return status_names[ACME_S_UNKNOWN];
	return status_names[st];
}

static int
fail(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The top-level object of a document, or NULL with *cause. */
static json_t *
load(const char *what, const char *json, size_t len, char **cause)
{
	json_error_t	 err;
	json_t		*o;
	char		*text;

	if (len > ACME_JSON_MAX) {
		fail(cause, "%s: the document is %zu bytes, more than the %d "
		    "this client reads", what, len, ACME_JSON_MAX);
		return NULL;
	}
	if ((o = json_loadb(json, len,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err)) == NULL) {
		/* jansson's text may quote the document: escape it. */
		text = escape_str(err.text, 0);
		fail(cause, "%s: not valid JSON: %s (line %d, column %d)", what,
		    text, err.line, err.column);
		free(text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		fail(cause, "%s: not a JSON object", what);
		return NULL;
	}
	return o;
}

/*
 * A string member: *out a copy, or NULL when the member is absent and not
 * required. null counts as absent for optional members.
 */
static int
get_str(const char *what, json_t *o, const char *key, int required,
    char **out, char **cause)
{
	json_t	*v;

	*out = NULL;
	v = json_object_get(o, key);
	if (v == NULL || (json_is_null(v) && !required)) {
		if (required)
			return fail(cause, "%s: \"%s\" is missing", what, key);
		return 0;
	}
	if (!json_is_string(v))
		return fail(cause, "%s: \"%s\" is not a string", what, key);
	if (required && json_string_length(v) == 0)
		return fail(cause, "%s: \"%s\" is empty", what, key);
	*out = xstrndup(json_string_value(v), json_string_length(v));
	return 0;
}

/* A URL member: a string that names an http or https resource. */
static int
get_url(const char *what, json_t *o, const char *key, int required,
    char **out, char **cause)
{
	if (get_str(what, o, key, required, out, cause) < 0)
		return -1;
	if (*out != NULL && strncasecmp(*out, "https://", 8) != 0 &&
	    strncasecmp(*out, "http://", 7) != 0) {
		free(*out);
		*out = NULL;
		return fail(cause, "%s: \"%s\" is not an http(s) URL", what,
		    key);
	}
	return 0;
}

static int
get_time(const char *what, json_t *o, const char *key, int required,
    time_t *t, char **cause)
{
	char	*s;

	*t = 0;
	if (get_str(what, o, key, required, &s, cause) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if (acme_parse_time(s, t) < 0) {
		free(s);
		return fail(cause, "%s: \"%s\" is not an RFC 3339 time", what,
		    key);
	}
	free(s);
	return 0;
}

static int
get_status(const char *what, json_t *o, enum acme_status *st, char **cause)
{
	char	*s;

	if (get_str(what, o, "status", 1, &s, cause) < 0)
		return -1;
	*st = acme_status_parse(s);
	free(s);
	return 0;
}

static int
get_bool(const char *what, json_t *o, const char *key, int *b, char **cause)
{
	json_t	*v;

	*b = 0;
	if ((v = json_object_get(o, key)) == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return fail(cause, "%s: \"%s\" is not true or false", what, key);
	*b = json_is_true(v);
	return 0;
}

/*
 * An optional array member: *arr NULL if absent; an error if it is not an
 * array or has more than max elements.
 */
static int
get_array(const char *what, json_t *o, const char *key, int required,
    size_t max, json_t **arr, char **cause)
{
	json_t	*v;

	*arr = NULL;
	if ((v = json_object_get(o, key)) == NULL) {
		if (required)
			return fail(cause, "%s: \"%s\" is missing", what, key);
		return 0;
	}
	if (!json_is_array(v))
		return fail(cause, "%s: \"%s\" is not an array", what, key);
	if (json_array_size(v) > max)
		return fail(cause, "%s: \"%s\" has %zu elements, more than the "
		    "%zu this client accepts", what, key, json_array_size(v),
		    max);
	*arr = v;
	return 0;
}

/* A base64url token (RFC 8555 section 8.1): it names a file in webroots. */
static int
token_ok(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++) {
		unsigned char c = (unsigned char)s[n];

		if (!isascii(c) || !(isalnum(c) || c == '-' || c == '_'))
			return 0;
	}
	return n > 0 && n <= ACME_TOKEN_MAX;
}

/* RFC 3339 ---------------------------------------------------------------- */

static int
digits(const char **p, int n, int *v)
{
	*v = 0;
	while (n-- > 0) {
		if (**p < '0' || **p > '9')
			return -1;
		*v = *v * 10 + (**p - '0');
		(*p)++;
	}
	return 0;
}

int
acme_parse_time(const char *s, time_t *t)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	struct tm	 tm;
	const char	*p = s;
	int		 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	time_t		 v;

	*t = 0;
	if (s == NULL)
		return -1;
	/* date-time = full-date "T" full-time (RFC 3339 section 5.6) */
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0 || (*p != 'T' && *p != 't'))
		return -1;
	p++;
	if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0 ||
	    *p++ != ':' || digits(&p, 2, &sec) < 0)
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;	/* whole seconds are enough */
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (digits(&p, 2, &oh) < 0 || *p++ != ':' ||
		    digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
			return -1;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;	/* a leap second (60) is the next minute's 0 */
	v = timegm(&tm);
	if (v == (time_t)-1 && !(y == 1969 && mo == 12 && d == 31))
		return -1;
	v -= (time_t)sign * (oh * 3600 + om * 60);
	*t = v;
	return 0;
}

/* Problem documents ------------------------------------------------------- */

#define ACME_ERROR_PREFIX	"urn:ietf:params:acme:error:"

const char *
acme_problem_short(const struct acme_problem *p)
{
	size_t	 n = strlen(ACME_ERROR_PREFIX);

	if (p == NULL || p->type == NULL)
		return "";
	if (strncmp(p->type, ACME_ERROR_PREFIX, n) == 0)
		return p->type + n;
	return p->type;
}

void
acme_problem_free(struct acme_problem *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nsub; i++)
		acme_problem_free(&p->sub[i]);
	free(p->sub);
	free(p->type);
	free(p->detail);
	free(p->identifier);
	memset(p, 0, sizeof *p);
}

/* The identifier object {"type":..,"value":..}: its value, type kept. */
static int
identifier_of(const char *what, json_t *v, char **type, char **value,
    char **cause)
{
	*type = *value = NULL;
	if (!json_is_object(v))
		return fail(cause, "%s: \"identifier\" is not an object", what);
	if (get_str(what, v, "type", 1, type, cause) < 0)
		return -1;
	if (get_str(what, v, "value", 1, value, cause) < 0) {
		free(*type);
		*type = NULL;
		return -1;
	}
	return 0;
}

/* A problem object; depth 0 for a document, 1 for a subproblem. */
static int
problem_of(const char *what, json_t *o, int depth, struct acme_problem *p,
    char **cause)
{
	json_t	*v, *subs;
	char	*itype;
	size_t	 i;

	memset(p, 0, sizeof *p);
	if (!json_is_object(o))
		return fail(cause, "%s: not an object", what);
	if (get_str(what, o, "type", 0, &p->type, cause) < 0 ||
	    get_str(what, o, "detail", 0, &p->detail, cause) < 0)
		goto bad;
	/* RFC 7807 section 4.2: a problem without a type is "about:blank". */
	if (p->type == NULL)
		p->type = xstrdup("about:blank");
	if ((v = json_object_get(o, "status")) != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 999) {
			fail(cause, "%s: \"status\" is not an HTTP status", what);
			goto bad;
		}
		p->status = (long)json_integer_value(v);
	}
	if ((v = json_object_get(o, "identifier")) != NULL &&
	    !json_is_null(v)) {
		if (identifier_of(what, v, &itype, &p->identifier, cause) < 0)
			goto bad;
		free(itype);
	}
	/* Subproblems (RFC 8555 section 6.7.1) do not nest. */
	if (depth > 0)
		return 0;
	if (get_array(what, o, "subproblems", 0, ACME_MAX_SUBPROBLEMS, &subs,
	    cause) < 0)
		goto bad;
	if (subs == NULL || json_array_size(subs) == 0)
		return 0;
	p->sub = xcalloc(json_array_size(subs), sizeof *p->sub);
	json_array_foreach(subs, i, v) {
		if (problem_of("problem: a subproblem", v, 1, &p->sub[i],
		    cause) < 0)
			goto bad;
		p->nsub++;
	}
	return 0;

bad:
	acme_problem_free(p);
	return -1;
}

/* An optional "error" member: *out NULL if none. */
static int
error_member(const char *what, json_t *o, struct acme_problem **out,
    char **cause)
{
	json_t	*v;
	char	*c = NULL;

	*out = NULL;
	if ((v = json_object_get(o, "error")) == NULL || json_is_null(v))
		return 0;
	*out = xmalloc(sizeof **out);
	if (problem_of("error", v, 0, *out, &c) < 0) {
		free(*out);
		*out = NULL;
		fail(cause, "%s: \"error\" is not a problem document (%s)", what,
		    c != NULL ? c : "?");
		free(c);
		return -1;
	}
	return 0;
}

int
acme_parse_problem(const char *json, size_t len, struct acme_problem *p,
    char **cause)
{
	json_t	*o;
	int	 r;

	memset(p, 0, sizeof *p);
	if ((o = load("problem", json, len, cause)) == NULL)
		return -1;
	r = problem_of("problem", o, 0, p, cause);
	json_decref(o);
	return r;
}

/* Directory --------------------------------------------------------------- */

void
acme_directory_free(struct acme_directory *d)
{
	if (d == NULL)
		return;
	free(d->new_nonce);
	free(d->new_account);
	free(d->new_order);
	free(d->revoke_cert);
	free(d->key_change);
	free(d->renewal_info);
	free(d->terms_of_service);
	free(d->website);
	memset(d, 0, sizeof *d);
}

int
acme_parse_directory(const char *json, size_t len, struct acme_directory *d,
    char **cause)
{
	static const char what[] = "directory";
	json_t	*o, *meta;

	memset(d, 0, sizeof *d);
	if ((o = load(what, json, len, cause)) == NULL)
		return -1;
	if (get_url(what, o, "newNonce", 1, &d->new_nonce, cause) < 0 ||
	    get_url(what, o, "newAccount", 1, &d->new_account, cause) < 0 ||
	    get_url(what, o, "newOrder", 1, &d->new_order, cause) < 0 ||
	    get_url(what, o, "revokeCert", 0, &d->revoke_cert, cause) < 0 ||
	    get_url(what, o, "keyChange", 0, &d->key_change, cause) < 0 ||
	    get_url(what, o, "renewalInfo", 0, &d->renewal_info, cause) < 0)
		goto bad;
	if ((meta = json_object_get(o, "meta")) != NULL && !json_is_null(meta)) {
		if (!json_is_object(meta)) {
			fail(cause, "%s: \"meta\" is not an object", what);
			goto bad;
		}
		if (get_str("directory meta", meta, "termsOfService", 0,
		    &d->terms_of_service, cause) < 0 ||
		    get_str("directory meta", meta, "website", 0, &d->website,
		    cause) < 0 ||
		    get_bool("directory meta", meta, "externalAccountRequired",
		    &d->eab_required, cause) < 0)
			goto bad;
	}
	json_decref(o);
	return 0;

bad:
	json_decref(o);
	acme_directory_free(d);
	return -1;
}

/* Account ----------------------------------------------------------------- */

void
acme_account_free(struct acme_account *a)
{
	if (a == NULL)
		return;
	free(a->orders);
	memset(a, 0, sizeof *a);
}

int
acme_parse_account(const char *json, size_t len, struct acme_account *a,
    char **cause)
{
	static const char what[] = "account";
	json_t	*o;

	memset(a, 0, sizeof *a);
	if ((o = load(what, json, len, cause)) == NULL)
		return -1;
	if (get_status(what, o, &a->status, cause) < 0 ||
	    get_url(what, o, "orders", 0, &a->orders, cause) < 0) {
		json_decref(o);
		acme_account_free(a);
		return -1;
	}
	json_decref(o);
	return 0;
}

/* Order ------------------------------------------------------------------- */

static void
free_strings(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
acme_order_free(struct acme_order *o)
{
	if (o == NULL)
		return;
	free_strings(o->identifiers, o->nidentifiers);
	free_strings(o->authorizations, o->nauthorizations);
	free(o->finalize);
	free(o->certificate);
	if (o->error != NULL) {
		acme_problem_free(o->error);
		free(o->error);
	}
	memset(o, 0, sizeof *o);
}

int
acme_parse_order(const char *json, size_t len, struct acme_order *ord,
    char **cause)
{
	static const char what[] = "order";
	json_t	*o, *arr, *v;
	char	*type, *value;
	size_t	 i;

	memset(ord, 0, sizeof *ord);
	if ((o = load(what, json, len, cause)) == NULL)
		return -1;
	if (get_status(what, o, &ord->status, cause) < 0 ||
	    get_time(what, o, "expires", 0, &ord->expires, cause) < 0)
		goto bad;

	if (get_array(what, o, "identifiers", 1, ACME_MAX_ITEMS, &arr,
	    cause) < 0)
		goto bad;
	ord->identifiers = xcalloc(json_array_size(arr) + 1, sizeof (char *));
	json_array_foreach(arr, i, v) {
		if (identifier_of("order: an identifier", v, &type, &value,
		    cause) < 0)
			goto bad;
		/* Only DNS names are ordered by this client. */
		if (strcmp(type, "dns") == 0)
			ord->identifiers[ord->nidentifiers++] = value;
		else
			free(value);
		free(type);
	}

	if (get_array(what, o, "authorizations", 1, ACME_MAX_ITEMS, &arr,
	    cause) < 0)
		goto bad;
	ord->authorizations = xcalloc(json_array_size(arr) + 1,
	    sizeof (char *));
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0) {
			fail(cause, "%s: \"authorizations\" is not an array of "
			    "strings", what);
			goto bad;
		}
		ord->authorizations[ord->nauthorizations++] =
		    xstrndup(json_string_value(v), json_string_length(v));
	}

	if (get_url(what, o, "finalize", 1, &ord->finalize, cause) < 0 ||
	    get_url(what, o, "certificate", 0, &ord->certificate, cause) < 0 ||
	    error_member(what, o, &ord->error, cause) < 0)
		goto bad;
	json_decref(o);
	return 0;

bad:
	json_decref(o);
	acme_order_free(ord);
	return -1;
}

/* Challenges and authorizations ------------------------------------------ */

void
acme_challenge_free(struct acme_challenge *c)
{
	if (c == NULL)
		return;
	free(c->type);
	free(c->url);
	free(c->token);
	if (c->error != NULL) {
		acme_problem_free(c->error);
		free(c->error);
	}
	memset(c, 0, sizeof *c);
}

static int
challenge_of(const char *what, json_t *o, struct acme_challenge *c,
    char **cause)
{
	memset(c, 0, sizeof *c);
	if (!json_is_object(o))
		return fail(cause, "%s: not an object", what);
	if (get_str(what, o, "type", 1, &c->type, cause) < 0 ||
	    get_url(what, o, "url", 1, &c->url, cause) < 0 ||
	    get_status(what, o, &c->status, cause) < 0 ||
	    get_str(what, o, "token", 0, &c->token, cause) < 0)
		goto bad;
	if (c->token != NULL && !token_ok(c->token)) {
		fail(cause, "%s: \"token\" is not base64url (RFC 8555 "
		    "section 8.1)", what);
		goto bad;
	}
	if (error_member(what, o, &c->error, cause) < 0)
		goto bad;
	return 0;

bad:
	acme_challenge_free(c);
	return -1;
}

int
acme_parse_challenge(const char *json, size_t len, struct acme_challenge *c,
    char **cause)
{
	json_t	*o;
	int	 r;

	memset(c, 0, sizeof *c);
	if ((o = load("challenge", json, len, cause)) == NULL)
		return -1;
	r = challenge_of("challenge", o, c, cause);
	json_decref(o);
	return r;
}

void
acme_authz_free(struct acme_authz *a)
{
	size_t	 i;

	if (a == NULL)
		return;
	free(a->identifier);
	for (i = 0; i < a->nchallenges; i++)
		acme_challenge_free(&a->challenges[i]);
	free(a->challenges);
	memset(a, 0, sizeof *a);
}

int
acme_parse_authz(const char *json, size_t len, struct acme_authz *a,
    char **cause)
{
	static const char what[] = "authorization";
	json_t	*o, *v, *arr;
	char	*type = NULL;
	size_t	 i;

	memset(a, 0, sizeof *a);
	if ((o = load(what, json, len, cause)) == NULL)
		return -1;
	if ((v = json_object_get(o, "identifier")) == NULL) {
		fail(cause, "%s: \"identifier\" is missing", what);
		goto bad;
	}
	if (identifier_of(what, v, &type, &a->identifier, cause) < 0)
		goto bad;
	if (strcmp(type, "dns") != 0) {
		fail(cause, "%s: the identifier is not a DNS name", what);
		goto bad;
	}
	if (get_status(what, o, &a->status, cause) < 0 ||
	    get_time(what, o, "expires", 0, &a->expires, cause) < 0 ||
	    get_bool(what, o, "wildcard", &a->wildcard, cause) < 0 ||
	    get_array(what, o, "challenges", 1, ACME_MAX_ITEMS, &arr,
	    cause) < 0)
		goto bad;
	a->challenges = xcalloc(json_array_size(arr) + 1,
	    sizeof *a->challenges);
	json_array_foreach(arr, i, v) {
		if (challenge_of("authorization: a challenge", v,
		    &a->challenges[i], cause) < 0)
			goto bad;
		a->nchallenges++;
	}
	free(type);
	json_decref(o);
	return 0;

bad:
	free(type);
	json_decref(o);
	acme_authz_free(a);
	return -1;
}

const struct acme_challenge *
acme_authz_challenge(const struct acme_authz *a, const char *type)
{
	size_t	 i;

	for (i = 0; i < a->nchallenges; i++)
		if (strcmp(a->challenges[i].type, type) == 0)
			return &a->challenges[i];
	return NULL;
}

/* renewalInfo (RFC 9773 section 4.2) ------------------------------------- */

void
acme_renewal_info_free(struct acme_renewal_info *ri)
{
	if (ri == NULL)
		return;
	free(ri->explanation);
	memset(ri, 0, sizeof *ri);
}

int
acme_parse_renewal_info(const char *json, size_t len,
    struct acme_renewal_info *ri, char **cause)
{
	static const char what[] = "renewalInfo";
	json_t	*o, *w;

	memset(ri, 0, sizeof *ri);
	if ((o = load(what, json, len, cause)) == NULL)
		return -1;
	if ((w = json_object_get(o, "suggestedWindow")) == NULL) {
		fail(cause, "%s: \"suggestedWindow\" is missing", what);
		goto bad;
	}
	if (!json_is_object(w)) {
		fail(cause, "%s: \"suggestedWindow\" is not an object", what);
		goto bad;
	}
	if (get_time("renewalInfo suggestedWindow", w, "start", 1, &ri->start,
	    cause) < 0 ||
	    get_time("renewalInfo suggestedWindow", w, "end", 1, &ri->end,
	    cause) < 0)
		goto bad;
	/* RFC 9773 section 4.2: a window that ends before it starts is
	 * invalid. */
	if (ri->end <= ri->start) {
		fail(cause, "%s: the suggested window ends before it starts",
		    what);
		goto bad;
	}
	if (get_url(what, o, "explanationURL", 0, &ri->explanation, cause) < 0)
		goto bad;
	json_decref(o);
	return 0;

bad:
	json_decref(o);
	acme_renewal_info_free(ri);
	return -1;
}
