/*
 * The findings that read files (DESIGN.md "Findings"): every key,
 * certificate and request file the config names is opened, parsed,
 * matched and chain-checked (missing-file, unreadable, key-permissions,
 * weak-key, key-mismatch, expired, not-yet-valid, expiring,
 * chain-incomplete, sni-not-in-cert), the bindings' client CA files are
 * judged (client-ca), the store is searched for files no key names
 * (orphan-file), and server.priority is judged as GnuTLS reads it
 * (weak-tls). check_config() runs these and then the
 * model's own checks (core/check.c), which build on what was learnt here:
 * a key whose certificate did not load is not "usable".
 *
 * Whether a key file's owner and mode are safe is keyfile_policy()'s to
 * say (keys/keyfile.c), the same function certbindd and the key writer
 * ask, so the three cannot disagree.
 */
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "op/check.h"
#include "op/lifecycle.h"
#include "core/check.h"
#include "core/config.h"
#include "core/store.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/keyfile.h"
#include "keys/privkey.h"
#include "keys/tlsprofile.h"
#include "op/acme.h"
#include "op/acme-preflight.h"

#define SECONDS_PER_DAY	86400

/* What the file checks learnt about one key. */
struct keystate {
	struct cert	*cert;		/* NULL: none, missing or unreadable */
	int		 usable;	/* has a certificate that can serve */
};

struct check {
	const struct config	*cf;
	const struct check_opts	*opts;
	struct findings		*out;
	time_t			 now;
	struct keystate		*keys;		/* per key index */
	struct keyfile_ids	 ids;		/* whom the key files are for */
};

void
check_opts_default(struct check_opts *o)
{
	memset(o, 0, sizeof *o);
	o->files = 1;
	o->warn_days = 30;
}

/* Files: keys, certificates, requests. */

/* 0 present, -1 missing (finding added). */
static int
file_present(struct check *c, struct findings *out, size_t k,
    const char *what, const char *path)
{
	const struct config_key	*key = config_key(c->cf, k);
	struct stat		 st;

	if (lstat(path, &st) == 0)
		return 0;
	findings_add(out, SEV_ERROR, F_MISSING_FILE, FK_KEY, (ssize_t)k,
	    key->name, "the %s file %s cannot be found (%s); restore it or "
	    "fix the path on line %d.", what, path, strerror(errno),
	    key->line);
	return -1;
}

/*
 * Whether an expiring certificate deserves the warning: always, unless
 * ACME renews it and its renewal is not overdue yet.
 */
static int
acme_overdue(const struct check *c, const struct config_key *key)
{
	struct acme_key_status	 s;
	char			*cause = NULL;
	int			 overdue;

	if (key->acme == NULL)
		return 1;
	if (acme_key_status(c->cf, key->name, &s, &cause) != 0) {
		free(cause);
		return 1;
	}
	overdue = s.due <= c->now;
	acme_key_status_free(&s);
	return overdue;
}

static void
check_key_files(struct check *c, size_t k, const struct trust *trust,
    struct findings *out)
{
	const struct config	*cf = c->cf;
	const struct config_key	*key = config_key(cf, k);
	struct keystate		*ks = &c->keys[k];
	struct privkey		*pk = NULL;
	struct stat		 st;
	struct tm		 tm;
	char			*path, *cause = NULL, *missing = NULL;
	char			 when[32];
	long			 days;
	time_t			 tt;
	enum chain_state	 chain;
	int			 refused = 0;

	/*
	 * Each file is loaded first and looked for only when that fails, to
	 * tell a missing one from an unreadable one: an lstat() before every
	 * load was 20,000 path walks at 10,000 keys, for the rare miss.
	 */
	path = config_resolve_path(cf, key->key);
	if (privkey_load(path, &pk, &st, &cause) != 0) {
		if (file_present(c, out, k, "key", path) == 0)
			findings_add(out, SEV_ERROR, F_UNREADABLE, FK_KEY,
			    (ssize_t)k, key->name, "%s", cause);
		free(cause);
		cause = NULL;
	} else {
		/* The rule certbindd applies when it loads the key. */
		if (keyfile_policy(path, &st, &c->ids, &cause) != 0) {
			findings_add(out, SEV_ERROR, F_KEY_PERMISSIONS, FK_KEY,
			    (ssize_t)k, key->name, "%s", cause);
			free(cause);
			cause = NULL;
			refused = 1;
		}
		if (privkey_bits(pk) != 0 && privkey_bits(pk) < 2048 &&
		    strcmp(privkey_type(pk), "RSA") == 0)
			findings_add(out, SEV_WARNING, F_WEAK_KEY, FK_KEY,
			    (ssize_t)k, key->name, "RSA key of %u bits; make "
			    "a new key of at least 2048 bits (certbind renew "
			    "%s).", privkey_bits(pk), key->name);
	}
	free(path);

	if (key->request != NULL) {
		path = config_resolve_path(cf, key->request);
		(void)file_present(c, out, k, "request", path);
		free(path);
	}

	if (key->cert == NULL) {
		privkey_free(pk);
		return;
	}
	path = config_resolve_path(cf, key->cert);
	if (cert_load(path, &ks->cert, &cause) != 0) {
		if (file_present(c, out, k, "certificate", path) == 0 &&
		    cause != NULL)
			findings_add(out, SEV_ERROR, F_UNREADABLE, FK_KEY,
			    (ssize_t)k, key->name, "%s", cause);
		free(cause);
		free(path);
		privkey_free(pk);
		return;
	}
	ks->usable = !refused;
	if (pk != NULL && !privkey_matches_cert(pk, ks->cert)) {
		ks->usable = 0;
		findings_add(out, SEV_ERROR, F_KEY_MISMATCH, FK_KEY,
		    (ssize_t)k, key->name, "the private key %s does not "
		    "belong to the certificate %s; certbindd cannot serve "
		    "it. Install the certificate issued for this key.",
		    key->key, key->cert);
	}
	days = cert_days_left(ks->cert, c->now);
	if (c->now >= cert_not_after(ks->cert)) {
		ks->usable = 0;
		findings_add(out, SEV_ERROR, F_EXPIRED, FK_KEY, (ssize_t)k,
		    key->name, "the certificate expired %ld day%s ago; "
		    "renew it (certbind renew %s).", -days,
		    days == -1 ? "" : "s", key->name);
	} else if (c->now < cert_not_before(ks->cert)) {
		ks->usable = 0;
		tt = cert_not_before(ks->cert);
		gmtime_r(&tt, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
		findings_add(out, SEV_ERROR, F_NOT_YET_VALID, FK_KEY,
		    (ssize_t)k, key->name, "the certificate is not valid "
		    "before %s; clients will refuse it until then (check the "
		    "clock, or the certificate).", when);
	} else if (days <= c->opts->warn_days && acme_overdue(c, key))
		findings_add(out, SEV_WARNING, F_EXPIRING, FK_KEY,
		    (ssize_t)k, key->name, "the certificate expires in %ld "
		    "day%s; renew it (certbind renew %s).", days,
		    days == 1 ? "" : "s", key->name);
	if (cert_sig_is_weak(ks->cert))
		findings_add(out, SEV_WARNING, F_WEAK_KEY, FK_KEY,
		    (ssize_t)k, key->name, "the certificate is signed with "
		    "%s, which clients reject; ask the CA for a SHA-256 one.",
		    cert_sig_algo(ks->cert));
	if (strcmp(cert_key_type(ks->cert), "RSA") == 0 &&
	    cert_key_bits(ks->cert) < 2048 && pk == NULL)
		findings_add(out, SEV_WARNING, F_WEAK_KEY, FK_KEY,
		    (ssize_t)k, key->name, "RSA key of %u bits; make a new key "
		    "of at least 2048 bits (certbind renew %s).",
		    cert_key_bits(ks->cert), key->name);
	/* A self-signed leaf is what it says: no chain to speak of. */
	chain = trust != NULL ? cert_chain_complete(ks->cert, trust, &missing) :
	    CHAIN_TRUSTED;
	if (chain == CHAIN_INCOMPLETE)
		findings_add(out, SEV_WARNING, F_CHAIN_INCOMPLETE, FK_KEY,
		    (ssize_t)k, key->name, "the chain in %s stops before a "
		    "root: the issuer %s is missing. Append the CA's "
		    "intermediate certificates to the file.", key->cert,
		    missing != NULL ? missing : "(unknown)");
	else if (chain == CHAIN_UNTRUSTED_ROOT)
		findings_add(out, SEV_WARNING, F_CHAIN_INCOMPLETE, FK_KEY,
		    (ssize_t)k, key->name, "the chain in %s ends at its own "
		    "root %s, which no trust store holds, so clients will not "
		    "trust it. If it is your private CA, name its file in "
		    "server.trust.", key->cert,
		    missing != NULL ? missing : "(unknown)");
	free(missing);
	free(path);
	privkey_free(pk);
}

/*
 * The ACME findings of one managed key: a failing renewal (from its state
 * file) and, unless offline, a domain the CA's tls-alpn-01 or http-01
 * connection would not reach (the preflight of certbind acme order).
 */
static void
check_acme_key(struct check *c, size_t k)
{
	const struct config_key		*key = config_key(c->cf, k);
	const struct config_acme	*a = config_acme(c->cf);
	struct acme_key_status		 s;
	struct preflight_result		 pr;
	char				 when[64], retry[64], *cause = NULL;
	struct tm			 tm;
	size_t				 i;
	int				 port;

	if (acme_key_status(c->cf, key->name, &s, &cause) != 0) {
		findings_add(c->out, SEV_WARNING, F_ACME_RENEWAL_FAILING,
		    FK_KEY, (ssize_t)k, key->name, "%s", cause);
		free(cause);
	} else if (s.failures > 0) {
		if (s.not_after > 0 && gmtime_r(&s.not_after, &tm) != NULL)
			strftime(when, sizeof when, "%Y-%m-%d", &tm);
		else
			snprintf(when, sizeof when, "(no certificate yet)");
		retry[0] = '\0';
		if (s.next_retry > 0 && gmtime_r(&s.next_retry, &tm) != NULL)
			strftime(retry, sizeof retry, "%Y-%m-%d %H:%M UTC",
			    &tm);
		findings_add(c->out, SEV_ERROR, F_ACME_RENEWAL_FAILING,
		    FK_KEY, (ssize_t)k, key->name, "the last renewal "
		    "attempt failed (%u in a row): %s. The certificate "
		    "expires on %s.%s%s", s.failures, s.problem != NULL ?
		    s.problem : "no reason recorded", when,
		    retry[0] != '\0' ? " Next attempt after " : "", retry);
	}
	acme_key_status_free(&s);
	if (c->opts->offline || strcmp(key->acme->challenge, "dns-01") == 0)
		return;
	port = strcmp(key->acme->challenge, "tls-alpn-01") == 0 ?
	    (a != NULL ? (int)a->challenge_tls_port : 443) :
	    (a != NULL ? (int)a->challenge_http_port : 80);
	for (i = 0; i < key->acme->ndomains; i++) {
		memset(&pr, 0, sizeof pr);
		preflight_domain(c->cf, key->acme->domains[i],
		    key->acme->challenge, key->acme->webroot != NULL, port,
		    &pr);
		if (pr.verdict == PREFLIGHT_UNREACHABLE)
			findings_add(c->out, SEV_WARNING, F_ACME_UNREACHABLE,
			    FK_KEY, (ssize_t)k, key->name, "%s; the next "
			    "renewal will fail.", pr.message);
		preflight_result_free(&pr);
	}
}

static void
check_acme(struct check *c)
{
	size_t	k;

	for (k = 0; k < config_nkeys(c->cf); k++)
		if (config_key(c->cf, k)->acme != NULL)
			check_acme_key(c, k);
}

/*
 * The file checks are most of the time of a check on a large store (each
 * key and certificate parsed, matched and chain-checked) and each key is
 * independent of the others, so they run on every core: workers take key
 * indexes from a shared counter and collect findings in lists of their
 * own, merged in key order afterwards (check_config sorts them anyway).
 * Only c->keys[k] is written, by the one worker that took k; the trust
 * store is read-only by then.
 */
#define CHECK_MAX_THREADS	8
#define CHECK_KEYS_PER_THREAD	64

struct keywork {
	struct check		*c;
	const struct trust	*trust;
	size_t			*next;
	struct findings		 out;
};

/*
 * One key's files, then only its certificate's names are kept for the sni
 * checks: at 10,000 keys the parsed certificates were most of check's
 * memory, and each page of it a fault to take.
 */
static void
check_key(struct check *c, size_t k, const struct trust *trust,
    struct findings *out)
{
	check_key_files(c, k, trust, out);
	if (c->keys[k].cert != NULL)
		cert_drop_parsed(c->keys[k].cert);
}

static void *
key_worker(void *arg)
{
	struct keywork	*w = arg;
	size_t		 nk = config_nkeys(w->c->cf), k;

	while ((k = __atomic_fetch_add(w->next, 1, __ATOMIC_RELAXED)) < nk)
		check_key(w->c, k, w->trust, &w->out);
	return NULL;
}

static void
check_all_key_files(struct check *c, const struct trust *trust)
{
	struct keywork	 w[CHECK_MAX_THREADS];
	pthread_t	 tid[CHECK_MAX_THREADS];
	size_t		 nk = config_nkeys(c->cf), next = 0, i, j, n;
	long		 cpus;

	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	n = cpus < 1 ? 1 : (size_t)cpus;
	if (n > CHECK_MAX_THREADS)
		n = CHECK_MAX_THREADS;
	if (n > nk / CHECK_KEYS_PER_THREAD)
		n = nk / CHECK_KEYS_PER_THREAD;
	if (n < 2) {
		for (i = 0; i < nk; i++)
			check_key(c, i, trust, c->out);
		return;
	}
	for (i = 0; i < n; i++) {
		w[i] = (struct keywork){ c, trust, &next, FINDINGS_INIT };
		if (i > 0 && pthread_create(&tid[i], NULL, key_worker,
		    &w[i]) != 0)
			break;	/* fewer threads; the others do the work */
	}
	key_worker(&w[0]);
	for (j = 1; j < i; j++)
		pthread_join(tid[j], NULL);
	for (j = 0; j < i; j++)
		findings_move(c->out, &w[j].out);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The key an orphan file was named for: the store names a key's files
 * NAME, NAME-2 ... (lifecycle_files_pick) and a renewal's NAME-renew, so
 * keys/www.key beside a key www that uses other files is what www's
 * renewal left. NULL when the name says nothing of the kind.
 */
static const char *
orphan_owner(const struct config *cf, const char *path)
{
	const struct config_key	*k;
	const char		*base = strrchr(path, '/');
	char			*name, *p;
	size_t			 len;

	base = base != NULL ? base + 1 : path;
	name = xstrdup(base);
	if ((p = strrchr(name, '.')) != NULL)
		*p = '\0';
	len = strlen(name);
	if (len > sizeof LIFECYCLE_RENEW_SUFFIX - 1 &&
	    strcmp(name + len - (sizeof LIFECYCLE_RENEW_SUFFIX - 1),
	    LIFECYCLE_RENEW_SUFFIX) == 0)
		name[len - (sizeof LIFECYCLE_RENEW_SUFFIX - 1)] = '\0';
	if ((k = config_key_find(cf, name)) == NULL &&
	    (p = strrchr(name, '-')) != NULL && p[1] != '\0' &&
	    strspn(p + 1, "0123456789") == strlen(p + 1)) {
		*p = '\0';
		k = config_key_find(cf, name);
	}
	free(name);
	return k != NULL ? k->name : NULL;
}

static void
check_orphans(struct check *c)
{
	const struct config	*cf = c->cf;
	const struct config_key	*key;
	char			**files = NULL, **refs, *key_paths[3];
	const char		*owner;
	size_t			 nfiles = 0, nrefs = 0, i, j;

	if (store_list_files(cf, &files, &nfiles) != 0)
		return;
	refs = xcalloc(config_nkeys(cf) * 3, sizeof *refs);
	for (i = 0; i < config_nkeys(cf); i++) {
		key = config_key(cf, i);
		key_paths[0] = key->key;
		key_paths[1] = key->cert;
		key_paths[2] = key->request;
		for (j = 0; j < 3; j++)
			if (key_paths[j] != NULL)
				refs[nrefs++] = config_resolve_path(cf,
				    key_paths[j]);
	}
	qsort(refs, nrefs, sizeof *refs, str_cmp);
	for (i = 0; i < nfiles; i++) {
		if (nrefs != 0 && bsearch(&files[i], refs, nrefs,
		    sizeof *refs, str_cmp) != NULL)
			continue;
		if ((owner = orphan_owner(cf, files[i])) != NULL)
			findings_add(c->out, SEV_INFO, F_ORPHAN_FILE, FK_FILE,
			    -1, files[i], "left behind when key '%s' took "
			    "new files (a renewal, or a new certificate): "
			    "nothing uses it any more; move it out of the "
			    "store once you no longer need it.", owner);
		else
			findings_add(c->out, SEV_INFO, F_ORPHAN_FILE, FK_FILE,
			    -1, files[i], "no key in the config refers to "
			    "this file; import it (certbind import) if it is "
			    "one to serve, else move it out of the store.");
	}
	for (i = 0; i < nrefs; i++)
		free(refs[i]);
	free(refs);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
}

/*
 * client-ca: each binding's client_ca, by clientca_load(), the rule
 * certbindd loads it with: a file certbindd would refuse is an error.
 */
static void
check_client_cas(struct check *c)
{
	const struct config_binding	*b;
	struct clientca			*ca;
	char				*path, *cause = NULL, *obj;
	size_t				 i;

	for (i = 0; i < config_nbindings(c->cf); i++) {
		b = config_binding(c->cf, i);
		if (b->client_ca == NULL)
			continue;
		path = config_resolve_path(c->cf, b->client_ca);
		if (clientca_load(path, c->now, &ca, &cause) == 0)
			clientca_free(ca);
		else {
			obj = check_binding_object(b);
			findings_add(c->out, SEV_ERROR, F_CLIENT_CA,
			    FK_BINDING, (ssize_t)i, obj, "%s; certbindd will "
			    "not load the config. Fix the file or client_ca "
			    "on line %d.", cause, b->line);
			free(obj);
			free(cause);
			cause = NULL;
		}
		free(path);
	}
}

/*
 * weak-tls: an explicit server.priority that enables a protocol older
 * than TLS 1.2 or a CBC suite, as GnuTLS reads it (tlsprofile_judge()).
 * A string GnuTLS refuses stops certbindd, so it is an error here.
 */
static void
check_priority(struct check *c)
{
	const struct config_server	*s = config_server(c->cf);
	char				*words = NULL;
	int				 bits;

	if (s == NULL || s->priority == NULL)
		return;
	bits = tlsprofile_judge(s->priority, &words);
	if (bits < 0)
		findings_add(c->out, SEV_ERROR, F_WEAK_TLS, FK_FILE, -1,
		    "server.priority", "GnuTLS refuses the priority string: "
		    "%s; certbindd will not load the config.", words);
	else if (bits != 0)
		findings_add(c->out, SEV_WARNING, F_WEAK_TLS, FK_FILE, -1,
		    "server.priority", "the priority string enables %s, which "
		    "%s; remove server.priority to use tls_profile "
		    "(\"intermediate\" by default), or take %s out of it.",
		    words, (bits & TLSPROFILE_OLD_VERSION) ? "RFC 8996 "
		    "forbids and scanners flag" : "scanners flag as obsolete",
		    (bits & TLSPROFILE_OLD_VERSION) &&
		    (bits & TLSPROFILE_CBC) ? "them" : "it");
	free(words);
}

static void
check_files(struct check *c)
{
	const struct config		*cf = c->cf;
	const struct config_server	*s = config_server(cf);
	const struct config_binding	*b;
	struct trust			*trust = NULL;
	const char			*tf;
	char				*cause = NULL, *obj, *probe;
	char				*trust_path = NULL;
	size_t				 i;
	ssize_t				 k;

	tf = c->opts->trust_file;
	if (tf == NULL && s != NULL && s->trust != NULL)
		tf = trust_path = config_resolve_path(cf, s->trust);
	if (trust_load(tf, &trust, &cause) != 0) {
		findings_add(c->out, SEV_WARNING, F_CHAIN_INCOMPLETE, FK_FILE,
		    -1, tf != NULL ? tf : TRUST_DEFAULT_FILE, "the trust "
		    "store cannot be read, so chains were not checked: %s",
		    cause);
		free(cause);
		trust = NULL;
	}
	check_all_key_files(c, trust);
	trust_free(trust);
	free(trust_path);

	for (i = 0; i < config_nbindings(cf); i++) {
		b = config_binding(cf, i);
		if (b->sni == NULL || (k = config_key_index(cf, b->key)) < 0 ||
		    c->keys[k].cert == NULL)
			continue;
		/* A wildcard sni is covered only by a wildcard name. */
		probe = strncmp(b->sni, "*.", 2) == 0 ?
		    xasprintf("certbind-wildcard-probe%s", b->sni + 1) :
		    xstrdup(b->sni);
		if (!cert_covers_name(c->keys[k].cert, probe)) {
			obj = check_binding_object(b);
			findings_add(c->out, SEV_WARNING, F_SNI_NOT_IN_CERT,
			    FK_BINDING, (ssize_t)i, obj, "the certificate of "
			    "key '%s' does not name %s, so clients asking for "
			    "it will reject the certificate; bind a key whose "
			    "certificate covers it.", b->key, b->sni);
			free(obj);
		}
		free(probe);
	}
	check_client_cas(c);
	check_orphans(c);
}

/*
 * Severity follows what is served (DESIGN.md "Findings"): an error about
 * a key that no binding names (an expired spare, a mismatched old key)
 * is nothing a client sees, so it is a warning, and says why, and check's
 * exit status pages nobody for it. The one place that rule is applied to
 * the key findings of the files and of ACME.
 */
static void
check_unserved_keys(struct check *c)
{
	const struct config	*cf = c->cf;
	struct finding		*f;
	ssize_t			 k;
	size_t			 i, nk = config_nkeys(cf);
	char			*bound, *m;

	bound = xcalloc(nk + 1, 1);
	for (i = 0; i < config_nbindings(cf); i++) {
		if ((k = config_key_index(cf, config_binding(cf, i)->key)) >= 0)
			bound[k] = 1;
	}
	for (i = 0; i < c->out->n; i++) {
		f = &c->out->v[i];
		if (f->kind != FK_KEY || f->severity != SEV_ERROR ||
		    f->index < 0 || (size_t)f->index >= nk || bound[f->index])
			continue;
		f->severity = SEV_WARNING;
		m = xasprintf("%s Nothing serves this key (no binding names "
		    "it), so no client sees this.", f->message);
		free(f->message);
		f->message = m;
	}
	free(bound);
}

/*
 * What the model's checks need from the files, per key: whether the
 * certificate can serve, and how old a pending key's request is.
 */
static struct check_keyfacts *
key_facts(const struct check *c)
{
	const struct config	*cf = c->cf;
	const struct config_key	*key;
	struct check_keyfacts	*facts;
	struct stat		 st;
	char			*path;
	size_t			 k, nk = config_nkeys(cf);

	facts = xcalloc(nk + 1, sizeof *facts);
	for (k = 0; k < nk; k++) {
		key = config_key(cf, k);
		facts[k].usable = c->keys[k].usable;
		facts[k].request_days = -1;
		if (key->cert != NULL || key->request == NULL)
			continue;
		path = config_resolve_path(cf, key->request);
		if (stat(path, &st) == 0)
			facts[k].request_days = c->now > st.st_mtime ?
			    (long)((c->now - st.st_mtime) / SECONDS_PER_DAY) :
			    0;
		free(path);
	}
	return facts;
}

void
check_config(const struct config *cf, const struct check_opts *opts,
    struct findings *out)
{
	const struct config_server	*s = config_server(cf);
	struct check			 c;
	struct check_keyfacts		*facts = NULL;
	size_t				 i, nk = config_nkeys(cf);

	memset(&c, 0, sizeof c);
	c.cf = cf;
	c.opts = opts;
	c.out = out;
	c.now = opts->now != 0 ? opts->now : time(NULL);
	c.keys = xcalloc(nk + 1, sizeof *c.keys);
	if (opts->files) {
		/*
		 * An unknown server.user or server.group is certbindd's to
		 * report when it loads; the keys are judged as if it were
		 * not set.
		 */
		(void)keyfile_ids_lookup(s != NULL ? s->user : NULL,
		    s != NULL ? s->group : NULL, &c.ids, NULL);
		check_files(&c);
		check_acme(&c);
		check_unserved_keys(&c);
		facts = key_facts(&c);
	}
	check_priority(&c);
	check_model(cf, opts->offline, opts->assume, facts, out);
	findings_sort(out);

	for (i = 0; i < nk; i++)
		cert_free(c.keys[i].cert);
	free(c.keys);
	free(facts);
}
