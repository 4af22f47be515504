/*
 * certbind acme register | order | renew | status: certificates from an
 * ACME CA (op/acme.c does the work). Each change goes through the commit
 * operation like any other; after an order or a renewal certbindd is
 * reloaded and probed, so that what certbind says is served is checked
 * against what is.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/findings.h"
#include "keys/jws.h"
#include "op/acme.h"
#include "op/location.h"
#include "op/probe.h"
#include "op/reload.h"
#include "op/renewlock.h"
#include "util/xmalloc.h"

static int	cmd_acme_register_exec(struct cmd_ctx *, struct args *);
static int	cmd_acme_order_exec(struct cmd_ctx *, struct args *);
static int	cmd_acme_renew_exec(struct cmd_ctx *, struct args *);
static int	cmd_acme_status_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_acme_register_entry = {
	.name = "acme register",
	.summary = "an account with the ACME CA",
	.usage = "[--server URL] [--email ADDR] [--ca-bundle FILE] "
	    "[--eab-kid ID --eab-hmac-file F] --agree-tos",
	.help =
	"Creates the ACME account key (ECDSA P-256, mode 0600, acme.account "
	"or acme/account.key in the store) unless it exists, and the account "
	"at the CA whose directory URL is --server (else acme.server). The "
	"CA's terms of service are shown; --agree-tos agrees to them. CAs "
	"that require External Account Binding give a key id (--eab-kid) "
	"and an HMAC key, base64url, read from --eab-hmac-file. --ca-bundle "
	"is the PEM of the CA that signed the ACME server's own HTTPS "
	"certificate, for private CAs. The acme group of the config records "
	"the server, account key, email and bundle.",
	.args = { 0, 0, {
		{ "server", 0, ARGS_VALUE },
		{ "email", 0, ARGS_VALUE },
		{ "ca-bundle", 0, ARGS_VALUE },
		{ "eab-kid", 0, ARGS_VALUE },
		{ "eab-hmac-file", 0, ARGS_VALUE },
		{ "agree-tos", 0, 0 },
		{ NULL, 0, 0 } } },
	.exec = cmd_acme_register_exec
};

const struct cmd_entry cmd_acme_order_entry = {
	.name = "acme order",
	.summary = "a certificate from the ACME CA",
	.usage = "NAME --domain NAME... [--challenge tls-alpn-01|http-01|"
	    "dns-01] [--key-type T] [--bind ENDPOINT [--sni NAME]] "
	    "[--webroot DIR | --http-port N] [--dns-hook PROG] "
	    "[--no-preflight]",
	.help =
	"Gets a certificate for the domains from the ACME CA of the acme "
	"group: a fresh key and request, an order, each authorization "
	"answered, the certificate downloaded and installed onto key NAME "
	"(a new key, or the renewal of NAME when it has a certificate), "
	"bound to --bind if given, committed, then certbindd reloaded and "
	"probed. tls-alpn-01 (the default) is answered by certbindd on the "
	"listener the domain resolves to; http-01 by a responder on "
	"--http-port (80) or files in --webroot; dns-01 by PROG add|remove "
	"_acme-challenge.DOMAIN. VALUE, the only way to a wildcard. Before "
	"contacting the CA, each domain is resolved and the config asked "
	"whether the CA's connection will reach something that answers "
	"(acme-unreachable if not; --no-preflight skips it). The key's acme "
	"block keeps these choices for certbind acme renew. With the config "
	"at an etcd location the fleet's ACME lock is taken first (see acme "
	"renew).",
	.args = { 1, 1, {
		{ "domain", 0, ARGS_VALUE | ARGS_REPEAT | ARGS_REQUIRED },
		{ "challenge", 0, ARGS_VALUE },
		{ "key-type", 0, ARGS_VALUE },
		{ "bind", 0, ARGS_VALUE },
		{ "sni", 0, ARGS_VALUE },
		{ "webroot", 0, ARGS_VALUE },
		{ "http-port", 0, ARGS_VALUE },
		{ "dns-hook", 0, ARGS_VALUE },
		{ "no-preflight", 0, 0 },
		{ NULL, 0, 0 } } },
	.exec = cmd_acme_order_exec
};

const struct cmd_entry cmd_acme_renew_entry = {
	.name = "acme renew",
	.summary = "renew the ACME certificates that are due",
	.usage = "[NAME...] [--force] [--dry-run]",
	.help =
	"Renews every ACME-managed key that is due (or the NAMEs given): "
	"due is the CA's renewal window (ARI) when it offers one, else two "
	"thirds of the certificate's lifetime. Each renewal gets a fresh "
	"key, is committed, and certbindd is reloaded and probed. A failed "
	"renewal keeps the old certificate served, is recorded (the "
	"acme-renewal-failing finding) and retried later, backing off. "
	"--force renews now; --dry-run says what is due and changes "
	"nothing. Meant for the certbind-renew.timer. With the config at an "
	"etcd location, each order (acme order too) takes the fleet's ACME "
	"lock, PREFIX/locks/acme-renew, on a lease, and holds it until its "
	"commit is pushed: one node orders at a time. A run that finds it "
	"held orders nothing, names the holder and exits 1; the holder's "
	"commit reaches every node. --dry-run names the holder too.",
	.args = { 0, -1, {
		{ "dry-run", 'n', 0 },
		{ NULL, 0, 0 } } },
	.exec = cmd_acme_renew_exec
};

const struct cmd_entry cmd_acme_status_entry = {
	.name = "acme status",
	.summary = "each ACME key's state and next renewal",
	.usage = "[--json]",
	.help =
	"Every ACME-managed key: its domains and challenge, its "
	"certificate's expiry, the next renewal, and the last result.",
	.args = { 0, 0, {
		{ "json", 0, 0 },
		{ NULL, 0, 0 } } },
	.exec = cmd_acme_status_exec
};

static void
progress(void *arg, const char *line)
{
	cmd_info("%s", line);
}

static const char *
utc(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		return "-";
	strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
	return buf;
}

static int
cmd_acme_register_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct acme_register_opts	 o;
	struct acme_registered		 rg;
	const char			*hmac_file = args_get(args,
					    "eab-hmac-file");
	unsigned char			*mac = NULL;
	char				*hmac = NULL, *cause = NULL, *nl;
	size_t				 maclen = 0, len;
	int				 rc;

	memset(&o, 0, sizeof o);
	o.server = args_get(args, "server");
	o.email = args_get(args, "email");
	o.ca_bundle = args_get(args, "ca-bundle");
	o.eab_kid = args_get(args, "eab-kid");
	o.agree_tos = args_has(args, "agree-tos");
	if ((o.eab_kid == NULL) != (hmac_file == NULL)) {
		cmd_error("External Account Binding needs both --eab-kid and "
		    "--eab-hmac-file");
		return EXIT_CANNOT;
	}
	if (hmac_file != NULL) {
		if (cmd_read(hmac_file, &hmac, &len, &cause) != 0)
			return cmd_fail(EXIT_CANNOT, cause);
		if ((nl = strpbrk(hmac, "\r\n")) != NULL)
			*nl = '\0';
		rc = b64url_decode(hmac, &mac, &maclen);
		freezero(hmac, len);
		if (rc != 0 || maclen == 0) {
			cmd_error("%s: the EAB HMAC key is not base64url",
			    hmac_file);
			return EXIT_CANNOT;
		}
		o.eab_mac = mac;
		o.eab_maclen = maclen;
	}
	if (cmd_load(ctx) == NULL) {
		freezero(mac, maclen);
		return EXIT_CANNOT;
	}
	rc = acme_register(ctx->before, &o, &ctx->after, &ctx->lf, &rg,
	    &cause);
	freezero(mac, maclen);
	if (rg.tos != NULL)
		cmd_info("the CA's terms of service: %s", rg.tos);
	if (rc != 0) {
		acme_registered_free(&rg);
		return cmd_fail(EXIT_REFUSED, cause);
	}
	if (rg.key_created)
		cmd_info("account key created: %s (mode 0600)",
		    ctx->lf.key.abs);
	if ((rc = cmd_commit(ctx)) == EXIT_OK)
		cmd_info("%s account: %s", rg.existed ? "existing" : "new",
		    rg.account);
	acme_registered_free(&rg);
	return rc;
}

/* The probes that matched, for the key just issued. */
struct served {
	const char	*key;
	size_t		 n;
};

static void
served_ok(void *arg, const char *object, const char *key, const char *fpr)
{
	struct served	*s = arg;

	if (key == NULL || strcmp(key, s->key) != 0)
		return;
	s->n++;
	cmd_info("served: %s key %s SHA-256 %s", object, key, fpr);
}

/*
 * Reloads certbindd and checks that it serves what the config says:
 * EXIT_OK, or EXIT_REFUSED with the findings printed.
 */
static int
reload_and_probe(const struct config *cf, const char *name, int remote)
{
	const struct config_server	*srv = config_server(cf);
	struct served			 s = { name, 0 };

	if (remote) {
		cmd_info("every certbindd serving the fleet picks it up "
		    "through its watch; certbind probe --fleet shows which "
		    "revision each serves");
		return EXIT_OK;
	}
	if (srv == NULL || srv->pidfile == NULL) {
		cmd_info("certbindd was not reloaded: the config has no "
		    "server.pidfile to find it by; reload it, then run "
		    "certbind probe");
		return EXIT_OK;
	}
	cmd_info("reloading certbindd and probing what it serves");
	if (cmd_reload(cf, RELOAD_VERIFY_MS, served_ok, &s, stderr) !=
	    EXIT_OK)
		return EXIT_REFUSED;
	if (s.n == 0)
		cmd_info("'%s' is not bound to any endpoint yet: bind it "
		    "(certbind bind %s ENDPOINT)", name, name);
	return EXIT_OK;
}

/*
 * With the config at an etcd location: pushes what the order left in the
 * checkout besides a commit, its state file (acme/state/NAME.json), so
 * that every node sees the same: an order done, or a failure and when to
 * try again (otherwise each node's next run would retry at once).
 */
static void
push_state(struct cmd_ctx *ctx, const char *name)
{
	char	*cause = NULL;

	if (!location_remote(ctx->loc))
		return;
	if (location_push(ctx->loc, NULL, &cause) != LOCATION_PUSHED) {
		cmd_info("%s: the renewal's state did not reach etcd: %s", name,
		    cause);
		free(cause);
	}
}

/*
 * Orders for name with spec, commits, reloads and probes: the part order
 * and renew share. ctx->before is loaded. With the config at an etcd
 * location the fleet's ACME lock (op/renewlock.h) is held from before the
 * order until its commit is pushed; *stale (if not NULL) is set when the
 * lock found the config changed since it was read, for renew to read it
 * again and decide anew.
 */
static int
order_commit(struct cmd_ctx *ctx, const char *name,
    const struct config_key_acme *spec, int preflight, const char *bind,
    const char *sni, int *stale)
{
	struct acme_order_opts	 o;
	struct acme_ordered	 res;
	struct renewlock	*rl;
	char			*cause = NULL;
	size_t			 i;
	int			 rc;

	memset(&o, 0, sizeof o);
	o.name = name;
	o.spec = spec;
	o.preflight = preflight;
	o.bind = bind;
	o.sni = sni;
	o.progress = progress;
	rl = renewlock_new(ctx->loc);
	o.lock = renewlock_hook(rl);
	if ((rc = acme_order(ctx->before, &o, &ctx->after, &ctx->lf, &res,
	    &cause)) != 0) {
		if (rc == ACME_LOCK_STALE && stale != NULL) {
			cmd_info("%s: %s", name, cause);
			*stale = 1;
		} else if (rc == ACME_LOCK_HELD || rc == ACME_LOCK_STALE)
			cmd_error("acme order '%s': refused: %s", name, cause);
		else {
			cmd_error("acme order '%s': %s", name, cause);
			cmd_error("nothing was changed: the config and what "
			    "certbindd serves are as they were.");
			push_state(ctx, name);
		}
		free(cause);
		renewlock_free(rl);
		return EXIT_REFUSED;
	}
	for (i = 0; i < res.inst.nmoved; i++)
		cmd_info("%s", res.inst.moved[i]);
	if (res.inst.chain != NULL)
		cmd_info("chain: %s", res.inst.chain);
	/* A long order may have used most of the lease: renew it. */
	if (renewlock_keepalive(rl, &cause) != 0) {
		cmd_info("%s: %s; committing anyway: the push is refused if "
		    "anyone wrote the config meanwhile", name, cause);
		free(cause);
	}
	rc = cmd_commit(ctx);
	acme_order_committed(ctx->after, name, rc == EXIT_OK, &ctx->lf);
	/*
	 * The commit pushed the state file as the order left it (an order
	 * pending); the fleet must see it done, or the next run anywhere
	 * would resume it. Still under the lock.
	 */
	if (rc == EXIT_OK)
		push_state(ctx, name);
	/* Pushed (or refused): the next node may order now. */
	acme_ordered_release(&res);
	renewlock_free(rl);
	if (rc != EXIT_OK) {
		cmd_error("the certificate was issued but not committed; "
		    "certbind acme order or renew installs it next time");
		acme_ordered_free(&res);
		return rc;
	}
	cmd_info("'%s' has its new certificate, committed", name);
	acme_ordered_free(&res);
	return reload_and_probe(ctx->after, name, location_remote(ctx->loc));
}

static int
cmd_acme_order_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct config_key_acme	 spec;
	const char		*name = args_string(args, 0);
	const char		*const *domains;
	long			 port = 0;

	memset(&spec, 0, sizeof spec);
	domains = args_values(args, "domain", &spec.ndomains);
	spec.domains = (char **)domains;
	spec.challenge = (char *)(args_get(args, "challenge") != NULL ?
	    args_get(args, "challenge") : "tls-alpn-01");
	spec.webroot = (char *)args_get(args, "webroot");
	spec.dns_hook = (char *)args_get(args, "dns-hook");
	spec.key_type = (char *)args_get(args, "key-type");
	if (args_number(args, "http-port", 1, 65535, &port) != 0) {
		cmd_error("--http-port '%s': give a port from 1 to 65535",
		    args_get(args, "http-port"));
		return EXIT_CANNOT;
	}
	spec.http_port = port;
	if (args_get(args, "sni") != NULL && args_get(args, "bind") == NULL) {
		cmd_error("--sni goes with --bind ENDPOINT");
		return EXIT_CANNOT;
	}
	if (cmd_load(ctx) == NULL)
		return EXIT_CANNOT;
	return order_commit(ctx, name, &spec, !args_has(args, "no-preflight"),
	    args_get(args, "bind"), args_get(args, "sni"), NULL);
}

/* Whether key k is managed and was named (or no names were given). */
static int
renew_wanted(const struct config_key *k, struct args *args)
{
	size_t	i;

	if (args_count(args) == 0)
		return k->acme != NULL;
	for (i = 0; i < args_count(args); i++)
		if (strcmp(args_string(args, i), k->name) == 0)
			return 1;
	return 0;
}

/*
 * How many times renew reads a key's config again for the lock; after
 * that, a stale lock is a refusal like a held one.
 */
#define RENEW_STALE_MAX	3

/*
 * After the lock found the config changed: the location read anew and
 * ctx cleared for the next cmd_load(). 1 to try again, 0 not.
 */
static int
stale_retry(struct cmd_ctx *ctx, int *tries)
{
	char	*cause = NULL;

	cmd_ctx_clear(ctx);
	if (location_refresh(ctx->loc, 0, &cause) < 0) {
		cmd_error("%s", cause);
		free(cause);
		return 0;
	}
	ctx->conf_path = location_path(ctx->loc);
	(*tries)++;
	return 1;
}

static int
cmd_acme_renew_exec(struct cmd_ctx *ctx, struct args *args)
{
	const struct config_key	*k;
	struct config_key_acme	*spec;
	struct config		*cf;
	char			**names = NULL, *why = NULL, *cause = NULL;
	char			*holder;
	size_t			 n = 0, i;
	int			 rc = EXIT_OK, r, due, tries, was_stale;

	if ((cf = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	for (i = 0; i < args_count(args); i++) {
		k = config_key_find(cf, args_string(args, i));
		if (k == NULL || k->acme == NULL) {
			cmd_error("'%s' is %s", args_string(args, i), k == NULL ?
			    "not a key in the config" : "not managed by ACME "
			    "(get it with certbind acme order)");
			return EXIT_CANNOT;
		}
	}
	for (i = 0; i < config_nkeys(cf); i++) {
		k = config_key(cf, i);
		if (!renew_wanted(k, args))
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(k->name);
	}
	if (n == 0)
		cmd_info("no key is managed by ACME");

	for (i = 0; i < n; i++) {
		tries = 0;
again:
		if (ctx->before == NULL && cmd_load(ctx) == NULL) {
			rc = EXIT_CANNOT;
			break;
		}
		k = config_key_find(ctx->before, names[i]);
		if (k == NULL || k->acme == NULL)
			goto next;	/* changed meanwhile */
		if (acme_ari_update(ctx->before, names[i], &cause) < 0) {
			cmd_info("%s: no renewal window from the CA (%s); "
			    "going by the certificate's lifetime", names[i],
			    cause);
			free(cause);
			cause = NULL;
		}
		due = acme_renewal_due(ctx->before, names[i], time(NULL), &why,
		    &cause);
		if (due < 0) {
			cmd_error("%s: %s", names[i], cause);
			free(cause);
			cause = NULL;
			rc = EXIT_REFUSED;
			goto next;
		}
		if (!due && !ctx->force) {
			cmd_info("%s: %s", names[i], why);
			goto next;
		}
		if (args_has(args, "dry-run")) {
			holder = NULL;
			if (renewlock_holder(ctx->loc, &holder, &cause) < 0) {
				cmd_info("%s: %s", names[i], cause);
				free(cause);
				cause = NULL;
			}
			cmd_info("%s: would be renewed now%s%s%s", names[i],
			    due ? "" : " (--force)", holder != NULL ?
			    ", but the fleet's ACME lock is held by " : "",
			    holder != NULL ? holder : "");
			free(holder);
			goto next;
		}
		cmd_info("%s: renewing %s", names[i], due ? "(due)" :
		    "(--force)");
		spec = config_key_acme_dup(k->acme);
		was_stale = 0;
		r = order_commit(ctx, names[i], spec, 1, NULL, NULL,
		    tries < RENEW_STALE_MAX ? &was_stale : NULL);
		config_key_acme_free(spec);
		/*
		 * Someone committed between our read and the lock: read the
		 * location again and decide again (they may have renewed it).
		 */
		if (r != EXIT_OK && was_stale && stale_retry(ctx, &tries)) {
			free(why);
			why = NULL;
			goto again;
		}
		if (r != EXIT_OK)
			rc = EXIT_REFUSED;
next:
		free(why);
		why = NULL;
		cmd_ctx_clear(ctx);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static json_t *
status_json(const struct config_key *k, const struct acme_key_status *s)
{
	json_t	*o, *d;
	size_t	 i;

	d = json_array();
	for (i = 0; i < k->acme->ndomains; i++)
		json_array_append_new(d, json_string(k->acme->domains[i]));
	o = json_pack("{s:s,s:o,s:s}", "name", k->name, "domains", d,
	    "challenge", k->acme->challenge);
	if (s->not_after > 0)
		json_object_set_new(o, "not_after", json_integer(s->not_after));
	json_object_set_new(o, "next_renewal", json_integer(s->due));
	json_object_set_new(o, "renewal_window_from_ca", json_boolean(s->ari));
	if (s->last_attempt > 0) {
		json_object_set_new(o, "last_attempt",
		    json_integer(s->last_attempt));
		json_object_set_new(o, "last_result",
		    json_string(s->last_ok ? "ok" : "failed"));
	}
	if (s->problem != NULL)
		json_object_set_new(o, "problem", json_string(s->problem));
	if (s->failures > 0)
		json_object_set_new(o, "failures", json_integer(s->failures));
	if (s->next_retry > 0)
		json_object_set_new(o, "next_retry",
		    json_integer(s->next_retry));
	json_object_set_new(o, "order_pending",
	    json_boolean(s->order_pending));
	return o;
}

static int
cmd_acme_status_exec(struct cmd_ctx *ctx, struct args *args)
{
	const struct config_key	*k;
	struct acme_key_status	 s;
	struct config		*cf;
	json_t			*all = NULL;
	char			*cause = NULL, b1[64], b2[64];
	size_t			 i, j;
	int			 json = args_has(args, "json"), rc = EXIT_OK;

	if ((cf = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	if (json)
		all = json_array();
	for (i = 0; i < config_nkeys(cf); i++) {
		k = config_key(cf, i);
		if (k->acme == NULL)
			continue;
		if (acme_key_status(cf, k->name, &s, &cause) != 0) {
			cmd_error("%s: %s", k->name, cause);
			free(cause);
			cause = NULL;
			rc = EXIT_REFUSED;
			continue;
		}
		if (json) {
			json_array_append_new(all, status_json(k, &s));
			acme_key_status_free(&s);
			continue;
		}
		cmd_puts_escaped(stdout, k->name);
		fputs(":", stdout);
		for (j = 0; j < k->acme->ndomains; j++) {
			fputc(' ', stdout);
			cmd_puts_escaped(stdout, k->acme->domains[j]);
		}
		printf(" (%s)\n", k->acme->challenge);
		printf("  expires       %s\n", s.not_after > 0 ?
		    utc(s.not_after, b1, sizeof b1) : "no certificate yet");
		printf("  next renewal  %s%s\n", s.due > 0 ?
		    utc(s.due, b2, sizeof b2) : "now",
		    s.ari ? " (the CA's window)" : "");
		if (s.last_attempt > 0) {
			printf("  last attempt  %s, %s\n",
			    utc(s.last_attempt, b1, sizeof b1),
			    s.last_ok ? "ok" : "failed");
		}
		if (s.problem != NULL) {
			fputs("  problem       ", stdout);
			cmd_puts_escaped(stdout, s.problem);
			fputc('\n', stdout);
		}
		if (s.next_retry > 0 && s.failures > 0)
			printf("  next retry    %s (%u failure%s in a row)\n",
			    utc(s.next_retry, b1, sizeof b1), s.failures,
			    s.failures == 1 ? "" : "s");
		if (s.order_pending)
			printf("  an order a stopped run left is resumed "
			    "next time\n");
		acme_key_status_free(&s);
	}
	if (json)
		cmd_json_print(all);
	return rc;
}
