/*
 * ACME in the config: the acme group (which CA, which account) and a
 * key's acme block (which names, which challenge). The model, its copies
 * and the rules live here; config-load.c reads the settings and
 * config-write.c writes them.
 *
 * The one idea: each rule is written once, as a walk that gives every
 * problem to a report function together with the setting it is about.
 * The loader reports each on the line of that setting, and the public
 * checks (config_acme_check, config_key_acme_check, which the mutators
 * and op/ ask) keep the first, so certbind and the loader cannot disagree.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/config-int.h"
#include "core/dnsname.h"
#include "util/escape.h"
#include "util/xmalloc.h"

/* ------------------------------------------------------------------ */
/* The model. */

void
config_key_acme_free(struct config_key_acme *a)
{
	size_t	 i;

	if (a == NULL)
		return;
	for (i = 0; i < a->ndomains; i++)
		free(a->domains[i]);
	free(a->domains);
	free(a->challenge);
	free(a->webroot);
	free(a->dns_hook);
	free(a->key_type);
	free(a);
}

struct config_key_acme *
config_key_acme_dup(const struct config_key_acme *a)
{
	struct config_key_acme	*n;
	size_t			 i;

	if (a == NULL)
		return NULL;
	n = xcalloc(1, sizeof *n);
	if (a->ndomains > 0) {
		n->domains = xreallocarray(NULL, a->ndomains,
		    sizeof *n->domains);
		for (i = 0; i < a->ndomains; i++)
			n->domains[i] = xstrdup(a->domains[i]);
	}
	n->ndomains = a->ndomains;
	n->challenge = config_dupnull(a->challenge);
	n->webroot = config_dupnull(a->webroot);
	n->http_port = a->http_port;
	n->dns_hook = config_dupnull(a->dns_hook);
	n->key_type = config_dupnull(a->key_type);
	return n;
}

static int
streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static const char *
challenge_of(const struct config_key_acme *a)
{
	return a->challenge != NULL ? a->challenge :
	    CONFIG_ACME_DEFAULT_CHALLENGE;
}

int
config_key_acme_equal(const struct config_key_acme *a,
    const struct config_key_acme *b)
{
	size_t	 i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->ndomains != b->ndomains)
		return 0;
	for (i = 0; i < a->ndomains; i++) {
		if (strcasecmp(a->domains[i], b->domains[i]) != 0)
			return 0;
	}
	return strcmp(challenge_of(a), challenge_of(b)) == 0 &&
	    streq(a->webroot, b->webroot) && a->http_port == b->http_port &&
	    streq(a->dns_hook, b->dns_hook) && streq(a->key_type, b->key_type);
}

void
config_acme_clear(struct config_acme *a)
{
	free(a->server);
	free(a->account);
	free(a->email);
	free(a->ca_bundle);
	memset(a, 0, sizeof *a);
}

void
config_acme_copy(struct config_acme *dst, const struct config_acme *src)
{
	*dst = *src;
	dst->server = config_dupnull(src->server);
	dst->account = config_dupnull(src->account);
	dst->email = config_dupnull(src->email);
	dst->ca_bundle = config_dupnull(src->ca_bundle);
}

const struct config_acme *
config_acme(const struct config *cf)
{
	return cf->has_acme ? &cf->acme : NULL;
}

struct config_acme *
config_acme_edit(struct config *cf)
{
	if (!cf->has_acme) {
		memset(&cf->acme, 0, sizeof cf->acme);
		cf->acme.challenge_http_port = DEF_ACME_HTTP_PORT;
		cf->acme.challenge_tls_port = DEF_ACME_TLS_PORT;
		cf->has_acme = 1;
	}
	return &cf->acme;
}

void
config_acme_remove(struct config *cf)
{
	config_acme_clear(&cf->acme);
	cf->has_acme = 0;
}

/* ------------------------------------------------------------------ */
/* The rules. */

struct rules {
	config_acme_report_fn	*report;
	void			*arg;
	size_t			 n;
};

static void rule_fail(struct rules *, enum config_acme_field, size_t,
    const char *, ...) __attribute__((format(printf, 4, 5)));

static void
rule_fail(struct rules *r, enum config_acme_field f, size_t idx,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	r->report(r->arg, f, idx, msg);
	free(msg);
	r->n++;
}

static void
check_domain(struct rules *r, const struct config_key_acme *a, size_t i,
    int dns01)
{
	const char	*d = a->domains[i];
	char		*e, *e2, *why = NULL;
	size_t		 j;

	e = escape_str(d, 0);
	if (dnsname_check(d, 0, NULL) != 0) {
		if (dnsname_check(d, DNSNAME_WILDCARD, &why) != 0)
			rule_fail(r, CONFIG_AF_DOMAINS, i, "bad acme domain "
			    "'%s': %s", e, why);
		else if (!dns01) {
			e2 = escape_str(challenge_of(a), 0);
			rule_fail(r, CONFIG_AF_DOMAINS, i, "acme domain '%s' "
			    "is a wildcard, which a CA validates only with "
			    "challenge = \"dns-01\" (this block's challenge "
			    "is '%s')", e, e2);
			free(e2);
		}
		free(why);
	}
	/* Names compare without case (RFC 4343): a CA sees one name. */
	for (j = 0; j < i; j++) {
		if (strcasecmp(a->domains[j], d) != 0)
			continue;
		e2 = escape_str(a->domains[j], 0);
		rule_fail(r, CONFIG_AF_DOMAINS, i, "acme domain '%s' is "
		    "given twice (as '%s' before it; case does not matter): "
		    "keep one", e, e2);
		free(e2);
		break;
	}
	free(e);
}

/*
 * A setting that belongs to one challenge only: given with another, it
 * would be silently ignored, and the user would believe it was used.
 */
static void
only_for(struct rules *r, enum config_acme_field f, const char *name,
    const char *value, const char *challenge, const char *want)
{
	char	*e, *ec;

	if (value == NULL || challenge == NULL || strcmp(challenge, want) == 0)
		return;
	e = escape_str(value, 0);
	ec = escape_str(challenge, 0);
	rule_fail(r, f, 0, "acme %s '%s' is only for challenge = \"%s\" "
	    "(this block's challenge is '%s'): remove it", name, e, want, ec);
	free(ec);
	free(e);
}

size_t
config_key_acme_rules(const struct config_key_acme *a,
    config_acme_report_fn *report, void *arg)
{
	struct rules	 r = { report, arg, 0 };
	const char	*ch = challenge_of(a);
	char		*e;
	size_t		 i;
	int		 known;

	known = strcmp(ch, CONFIG_ACME_TLS_ALPN) == 0 ||
	    strcmp(ch, CONFIG_ACME_HTTP) == 0 ||
	    strcmp(ch, CONFIG_ACME_DNS) == 0;
	if (!known) {
		e = escape_str(ch, 0);
		rule_fail(&r, CONFIG_AF_CHALLENGE, 0, "acme challenge '%s' is "
		    "not one of tls-alpn-01, http-01, dns-01", e);
		free(e);
		ch = NULL;	/* the rules that depend on it cannot tell */
	}

	if (a->ndomains == 0)
		rule_fail(&r, CONFIG_AF_DOMAINS, 0, "acme has no domains: "
		    "add domains = ( \"www.example.com\" );");
	for (i = 0; i < a->ndomains; i++)
		check_domain(&r, a, i, ch == NULL ||
		    strcmp(ch, CONFIG_ACME_DNS) == 0);

	if (a->webroot != NULL && a->webroot[0] != '/') {
		e = escape_str(a->webroot, 0);
		rule_fail(&r, CONFIG_AF_WEBROOT, 0, "acme webroot '%s' is not "
		    "an absolute path: start it with '/' (it is the web "
		    "server's document root, not a path in the store)", e);
		free(e);
	}
	only_for(&r, CONFIG_AF_WEBROOT, "webroot", a->webroot, ch,
	    CONFIG_ACME_HTTP);
	if (a->http_port != 0 && (a->http_port < MIN_PORT ||
	    a->http_port > MAX_PORT))
		rule_fail(&r, CONFIG_AF_HTTP_PORT, 0, "acme http_port = %lld "
		    "is out of range: use a whole number from %d to %d",
		    (long long)a->http_port, MIN_PORT, MAX_PORT);
	else if (a->http_port != 0 && ch != NULL &&
	    strcmp(ch, CONFIG_ACME_HTTP) != 0) {
		e = escape_str(ch, 0);
		rule_fail(&r, CONFIG_AF_HTTP_PORT, 0, "acme http_port = %lld "
		    "is only for challenge = \"http-01\" (this block's "
		    "challenge is '%s'): remove it", (long long)a->http_port,
		    e);
		free(e);
	}

	if (a->dns_hook != NULL && a->dns_hook[0] == '\0')
		rule_fail(&r, CONFIG_AF_DNS_HOOK, 0, "acme dns_hook must not "
		    "be empty");
	else if (a->dns_hook == NULL && ch != NULL &&
	    strcmp(ch, CONFIG_ACME_DNS) == 0)
		rule_fail(&r, CONFIG_AF_DNS_HOOK, 0, "acme challenge = "
		    "\"dns-01\" needs the program that sets the DNS record: "
		    "add dns_hook = \"/usr/local/bin/dns-hook\";");
	else
		only_for(&r, CONFIG_AF_DNS_HOOK, "dns_hook", a->dns_hook, ch,
		    CONFIG_ACME_DNS);

	if (a->key_type != NULL && a->key_type[0] == '\0')
		rule_fail(&r, CONFIG_AF_KEY_TYPE, 0, "acme key_type must not "
		    "be empty: leave it out for the default type");
	return r.n;
}

/*
 * Whether u is an https:// URL with a host: ACME runs over HTTPS only
 * (RFC 8555 section 6.1), so a plain http:// directory is refused rather
 * than trusted. Parsing the rest is libcurl's job when it is used.
 */
static int
is_https_url(const char *u)
{
	const unsigned char	*p;

	if (strncasecmp(u, "https://", 8) != 0)
		return 0;
	if (u[8] == '\0' || u[8] == '/' || u[8] == '?' || u[8] == '#')
		return 0;
	for (p = (const unsigned char *)u; *p != '\0'; p++) {
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	}
	return 1;
}

static void
check_port(struct rules *r, enum config_acme_field f, const char *name,
    int64_t v)
{
	if (v < MIN_PORT || v > MAX_PORT)
		rule_fail(r, f, 0, "acme %s = %lld is out of range: use a "
		    "whole number from %d to %d", name, (long long)v,
		    MIN_PORT, MAX_PORT);
}

size_t
config_acme_rules(const struct config_acme *a,
    config_acme_report_fn *report, void *arg)
{
	struct rules	 r = { report, arg, 0 };
	const char	*at;
	char		*e;

	if (a->server == NULL)
		rule_fail(&r, CONFIG_AF_SERVER, 0, "acme has no server: add "
		    "server = \"https://CA/directory\"; (the CA's directory "
		    "URL)");
	else if (!is_https_url(a->server)) {
		e = escape_str(a->server, 0);
		rule_fail(&r, CONFIG_AF_SERVER, 0, "acme server '%s' is not "
		    "an https:// URL: ACME runs over HTTPS only (RFC 8555); "
		    "give the CA's directory URL, https://HOST/...", e);
		free(e);
	}
	if (a->account == NULL || a->account[0] == '\0')
		rule_fail(&r, CONFIG_AF_ACCOUNT, 0, "acme has no account key: "
		    "add account = \"acme/account.key\";");
	if (a->email != NULL) {
		at = strchr(a->email, '@');
		if (at == NULL || at == a->email || at[1] == '\0' ||
		    strchr(at + 1, '@') != NULL ||
		    strpbrk(a->email, " \t\r\n:,<>") != NULL) {
			e = escape_str(a->email, 0);
			rule_fail(&r, CONFIG_AF_EMAIL, 0, "acme email '%s' is "
			    "not an address like hostmaster@example.com", e);
			free(e);
		}
	}
	if (a->ca_bundle != NULL && a->ca_bundle[0] == '\0')
		rule_fail(&r, CONFIG_AF_CA_BUNDLE, 0, "acme ca_bundle must "
		    "not be empty: leave it out for the system's trust");
	check_port(&r, CONFIG_AF_HTTP_CHALLENGE_PORT, "challenge_http_port",
	    a->challenge_http_port);
	check_port(&r, CONFIG_AF_TLS_CHALLENGE_PORT, "challenge_tls_port",
	    a->challenge_tls_port);
	return r.n;
}

/* The public checks keep the first problem. */
static void
keep_first(void *arg, enum config_acme_field f, size_t idx, const char *msg)
{
	char	**cause = arg;

	(void)f;
	(void)idx;
	if (cause != NULL && *cause == NULL)
		*cause = xstrdup(msg);
}

int
config_key_acme_check(const struct config_key_acme *a, char **cause)
{
	if (cause != NULL)
		*cause = NULL;
	if (a == NULL)
		return 0;
	return config_key_acme_rules(a, keep_first, cause) == 0 ? 0 : -1;
}

int
config_acme_check(const struct config_acme *a, char **cause)
{
	if (cause != NULL)
		*cause = NULL;
	if (a == NULL)
		return 0;
	return config_acme_rules(a, keep_first, cause) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* The mutator. */

int
config_key_acme_set(struct config *cf, const char *name,
    const struct config_key_acme *a, char **cause)
{
	struct config_key_acme	*n;
	ssize_t			 i;
	char			*e;
	int			 rc;

	if ((i = config_key_index(cf, name)) == -1) {
		e = escape_str(name, 0);
		rc = config_fail(cause, "there is no key named '%s'", e);
		free(e);
		return rc;
	}
	if (a != NULL && config_key_acme_check(a, cause) != 0)
		return -1;
	n = config_key_acme_dup(a);
	if (n != NULL && n->challenge == NULL)
		n->challenge = xstrdup(CONFIG_ACME_DEFAULT_CHALLENGE);
	config_key_acme_free(cf->keys[i].acme);
	cf->keys[i].acme = n;
	return 0;
}
