/*
 * The loader's part for ACME: the acme group and a key's acme block, read
 * from libconfig's tree into the model. It is config-load.c's walk in a
 * file of its own, reporting through the loader's helpers (config-int.h),
 * so that every problem comes with its line like the rest of the file's.
 *
 * The one idea: the rules are not written here. The walk checks each
 * setting's type and remembers its line; config_key_acme_rules() and
 * config_acme_rules() (config-acme.c) then judge the values, and each
 * problem they find is put on the line of the setting it is about.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "core/config.h"
#include "core/config-int.h"
#include "util/xmalloc.h"

/*
 * The lines of an acme group's or block's settings, so that a problem
 * the rules find (config-acme.c) is reported on the line of the setting
 * it is about; a setting not given falls back to the group's line.
 */
struct acme_lines {
	struct config_lctx *lc;
	int		 block;
	int		 field[CONFIG_AF_TLS_CHALLENGE_PORT + 1];
	/* A setting that did not read: the rules' words on it would repeat. */
	int		 skip[CONFIG_AF_TLS_CHALLENGE_PORT + 1];
	int		*domains;
	size_t		 ndomains;
	int		 bad;		/* a problem was reported */
};

static void
acme_report(void *arg, enum config_acme_field f, size_t idx, const char *msg)
{
	struct acme_lines	*al = arg;
	int			 line = 0;

	if ((size_t)f < sizeof al->skip / sizeof al->skip[0] && al->skip[f])
		return;
	if (f == CONFIG_AF_DOMAINS && idx < al->ndomains)
		line = al->domains[idx];
	else if ((size_t)f < sizeof al->field / sizeof al->field[0])
		line = al->field[f];
	if (line == 0)
		line = al->block;
	config_lerr(al->lc, line, "%s", msg);
	al->bad = 1;
}

#define ACME_KEY_SETTINGS \
    "a key's acme (domains, challenge, webroot, http_port, dns_hook, " \
    "key_type)"

/* Reads the acme domains: a list or array of strings. */
static int
walk_domains(struct config_lctx *lc, const config_setting_t *s,
    struct config_key_acme *a, struct acme_lines *al)
{
	const config_setting_t	*e;
	const char		*v;
	int			 i, n, ok = 1;

	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    config_setting_type(s) != CONFIG_TYPE_ARRAY) {
		config_lerr(lc, config_lline(lc, s), "acme domains must be a "
		    "list: domains = ( \"www.example.com\", \"example.com\" );");
		return -1;
	}
	n = config_setting_length(s);
	if (n > 0) {
		a->domains = xreallocarray(NULL, (size_t)n,
		    sizeof *a->domains);
		al->domains = xreallocarray(NULL, (size_t)n,
		    sizeof *al->domains);
	}
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if ((v = config_lstr(lc, e, "each acme domain", 0)) == NULL) {
			ok = 0;
			continue;
		}
		al->domains[a->ndomains] = config_lline(lc, e);
		a->domains[a->ndomains++] = xstrdup(v);
	}
	al->ndomains = a->ndomains;
	return ok ? 0 : -1;
}

/*
 * A key's acme block. Returns the block, or NULL when it has a problem
 * (each reported on its line).
 */
struct config_key_acme *
config_load_key_acme(struct config_lctx *lc, const config_setting_t *g)
{
	struct config_key_acme	*a;
	struct acme_lines	 al;
	const config_setting_t	*s;
	const char		*n, *v;
	char			**dst, what[64];
	int64_t			 num;
	int			 i, ok = 1;
	enum config_acme_field	 f;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		config_lerr(lc, config_lline(lc, g), "acme must be a group: "
		    "acme = { domains = ( \"www.example.com\" ); };");
		return NULL;
	}
	memset(&al, 0, sizeof al);
	al.lc = lc;
	al.block = config_lline(lc, g);
	a = xcalloc(1, sizeof *a);
	for (i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, i);
		n = config_setting_name(s);
		dst = NULL;
		if (strcmp(n, "domains") == 0) {
			al.field[CONFIG_AF_DOMAINS] = config_lline(lc, s);
			if (walk_domains(lc, s, a, &al) != 0) {
				ok = 0;
				/* Not "no domains" when one did not read. */
				al.skip[CONFIG_AF_DOMAINS] = a->ndomains == 0;
			}
			continue;
		} else if (strcmp(n, "http_port") == 0) {
			al.field[CONFIG_AF_HTTP_PORT] = config_lline(lc, s);
			if (config_lnum(lc, s, "acme http_port", MIN_PORT,
			    MAX_PORT, &num) == 0)
				a->http_port = num;
			else
				ok = 0;
			continue;
		} else if (strcmp(n, "challenge") == 0) {
			f = CONFIG_AF_CHALLENGE;
			dst = &a->challenge;
		} else if (strcmp(n, "webroot") == 0) {
			f = CONFIG_AF_WEBROOT;
			dst = &a->webroot;
		} else if (strcmp(n, "dns_hook") == 0) {
			f = CONFIG_AF_DNS_HOOK;
			dst = &a->dns_hook;
		} else if (strcmp(n, "key_type") == 0) {
			f = CONFIG_AF_KEY_TYPE;
			dst = &a->key_type;
		} else {
			config_lunknown(lc, s, ACME_KEY_SETTINGS);
			ok = 0;
			continue;
		}
		al.field[f] = config_lline(lc, s);
		snprintf(what, sizeof what, "acme %s", n);
		if ((v = config_lstr(lc, s, what, 0)) != NULL)
			config_setstr(dst, v);
		else {
			ok = 0;
			al.skip[f] = 1;
		}
	}
	if (a->challenge == NULL) {
		/* An unreadable challenge is unknown: no rule depends on it. */
		if (al.skip[CONFIG_AF_CHALLENGE]) {
			al.skip[CONFIG_AF_DNS_HOOK] = 1;
			al.skip[CONFIG_AF_WEBROOT] = 1;
			al.skip[CONFIG_AF_HTTP_PORT] = 1;
			al.skip[CONFIG_AF_DOMAINS] = 1;
		}
		a->challenge = xstrdup(CONFIG_ACME_DEFAULT_CHALLENGE);
	}
	config_key_acme_rules(a, acme_report, &al);
	free(al.domains);
	if (!ok || al.bad) {
		config_key_acme_free(a);
		return NULL;
	}
	return a;
}

#define ACME_SETTINGS \
    "acme (server, account, email, ca_bundle, challenge_http_port, " \
    "challenge_tls_port)"

void
config_load_acme(struct config_lctx *lc, const config_setting_t *g)
{
	struct config_acme	*a;
	struct acme_lines	 al;
	const config_setting_t	*s;
	const char		*n, *v;
	char			**dst, what[64];
	int64_t			*nump;
	int			 i;
	enum config_acme_field	 f;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		config_lerr(lc, config_lline(lc, g), "acme must be a group: "
		    "acme = { server = \"https://CA/directory\"; account = "
		    "\"acme/account.key\"; };");
		return;
	}
	memset(&al, 0, sizeof al);
	al.lc = lc;
	al.block = config_lline(lc, g);
	a = config_acme_edit(config_lmodel(lc));
	for (i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, i);
		n = config_setting_name(s);
		dst = NULL;
		nump = NULL;
		if (strcmp(n, "server") == 0) {
			f = CONFIG_AF_SERVER;
			dst = &a->server;
		} else if (strcmp(n, "account") == 0) {
			f = CONFIG_AF_ACCOUNT;
			dst = &a->account;
		} else if (strcmp(n, "email") == 0) {
			f = CONFIG_AF_EMAIL;
			dst = &a->email;
		} else if (strcmp(n, "ca_bundle") == 0) {
			f = CONFIG_AF_CA_BUNDLE;
			dst = &a->ca_bundle;
		} else if (strcmp(n, "challenge_http_port") == 0) {
			f = CONFIG_AF_HTTP_CHALLENGE_PORT;
			nump = &a->challenge_http_port;
		} else if (strcmp(n, "challenge_tls_port") == 0) {
			f = CONFIG_AF_TLS_CHALLENGE_PORT;
			nump = &a->challenge_tls_port;
		} else {
			config_lunknown(lc, s, ACME_SETTINGS);
			continue;
		}
		al.field[f] = config_lline(lc, s);
		snprintf(what, sizeof what, "acme %s", n);
		if (nump != NULL) {
			if (config_lnum(lc, s, what, MIN_PORT, MAX_PORT,
			    nump) != 0)
				al.skip[f] = 1;
		} else if ((v = config_lstr(lc, s, what, 0)) != NULL)
			config_setstr(dst, v);
		else
			al.skip[f] = 1;
	}
	config_acme_rules(a, acme_report, &al);
}
