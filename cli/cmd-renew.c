/*
 * certbind renew NAME [--key-type T]: a new key and request for an
 * installed key, with the same subject and names as its certificate. The
 * new key is recorded as pending beside the old one, named NAME-renew, so
 * NAME keeps serving meanwhile. When the CA answers, certbind install puts
 * the certificate on NAME-renew and, in the same commit, NAME takes the
 * new key and certificate: every binding of NAME serves them from then on.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/config.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "cli/cmd.h"
#include "op/lifecycle.h"

static int	cmd_renew_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_renew_entry = {
	"renew",
	"NAME [--key-type TYPE]",
	"Generates a new key and a request with the subject and names of "
	"NAME's certificate, recorded as the pending key NAME-renew, and "
	"prints the request as PEM on standard output. NAME keeps serving "
	"until certbind install puts the CA's answer on NAME-renew; then NAME "
	"takes the new key and certificate in one step, with all its "
	"bindings. TYPE defaults to the type of the current key.",
	cmd_renew_exec
};

/* The key type to renew with: the same kind and size as the old one. */
static int
renew_type(const struct cert *crt)
{
	unsigned	 bits = 0;
	int		 pk;

	pk = gnutls_x509_crt_get_pk_algorithm(cert_crt(crt, 0), &bits);
	return ((int)key_type_like(pk, bits));
}

/* The certificate's O=, allocated, or NULL. */
static char *
cert_org(const struct cert *crt)
{
	char	 buf[256];
	size_t	 size = sizeof buf;

	if (gnutls_x509_crt_get_dn_by_oid(cert_crt(crt, 0),
	    GNUTLS_OID_X520_ORGANIZATION_NAME, 0, 0, buf, &size) < 0)
		return (NULL);
	return (xstrndup(buf, size));
}

static int
cmd_renew_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key-type",	required_argument,	NULL,	'k' },
		{ NULL,		0,			NULL,	0 }
	};
	const struct config_key	*k;
	struct lifecycle_subject ls;
	struct lifecycle_files	 lf;
	struct subject		 subj;
	struct config		*before = NULL, *after = NULL;
	struct cert		*crt = NULL;
	const char		*name, *type_arg = NULL, *san;
	char			*cause = NULL, *pem = NULL, *path;
	char			*rname = NULL, *org = NULL;
	size_t			 pemlen = 0, i;
	int			 ch, type, is_ip, rc = EXIT_CANNOT;

	memset(&ls, 0, sizeof ls);
	memset(&lf, 0, sizeof lf);
	while ((ch = cmd_getopt(ctx, &cmd_renew_entry, argc, argv, "",
	    longopts)) != -1) {
		switch (ch) {
		case 'k':
			type_arg = optarg;
			break;
		default:
			goto out;
		}
	}
	if (optind + 1 != argc) {
		cmd_usage(stderr, &cmd_renew_entry);
		goto out;
	}
	name = argv[optind];
	if (type_arg != NULL && lifecycle_key_type(type_arg, &cause) == -1) {
		cmd_error("%s", cause);
		goto out;
	}

	if ((before = cmd_load(ctx)) == NULL)
		goto out;
	rc = EXIT_REFUSED;
	if ((k = config_key_find(before, name)) == NULL) {
		cmd_error("there is no key named '%s'", name);
		goto out;
	}
	if (k->cert == NULL) {
		cmd_error("key '%s' is pending: it has no certificate to "
		    "renew yet (install the CA's answer with certbind "
		    "install)", name);
		goto out;
	}
	rname = xasprintf("%s%s", name, LIFECYCLE_RENEW_SUFFIX);
	if (config_key_find(before, rname) != NULL) {
		cmd_error("a renewal of '%s' is pending already (key '%s'): "
		    "install its certificate, or remove it first", name,
		    rname);
		goto out;
	}
	path = config_resolve_path(before, k->cert);
	if (cert_load(path, &crt, &cause) == -1) {
		free(path);
		cmd_error("%s", cause);
		goto out;
	}
	free(path);

	/* The same subject and names as the certificate it replaces. */
	ls.cn = cert_cn(crt);
	org = cert_org(crt);
	ls.org = org;
	for (i = 0; i < cert_nsans(crt); i++) {
		if ((san = cert_san(crt, i, &is_ip)) != NULL)
			lifecycle_subject_san(&ls, san);
	}
	if (*ls.cn == '\0' && ls.nsans > 0)
		ls.cn = ls.sans[0];
	subj.cn = ls.cn;
	subj.org = ls.org;
	subj.sans = ls.sans;
	subj.nsans = ls.nsans;
	type = type_arg != NULL ? key_type_parse(type_arg) : renew_type(crt);

	if (lifecycle_request(before, rname, &subj, type, &after, &lf, &pem,
	    &pemlen, &cause) == -1) {
		cmd_error("%s", cause);
		goto out;
	}
	if ((rc = cmd_commit_files(ctx, before, after, &lf)) != EXIT_OK)
		goto out;

	if (fwrite(pem, 1, pemlen, stdout) != pemlen || fflush(stdout) != 0) {
		cmd_error("could not write the request to standard output; "
		    "it is saved in %s", lf.req.abs);
		rc = EXIT_CANNOT;
		goto out;
	}
	cmd_info("renewal of '%s' is pending as '%s' (%s key): key %s, "
	    "request %s", name, rname, key_type_name(type), lf.key.abs,
	    lf.req.abs);
	cmd_info("'%s' keeps serving until you install the CA's answer: "
	    "certbind install CERTFILE", name);
	rc = EXIT_OK;
out:
	lifecycle_files_undo(&lf);
	lifecycle_files_free(&lf);
	lifecycle_subject_free(&ls);
	if (crt != NULL)
		cert_free(crt);
	free(org);
	free(rname);
	free(pem);
	free(cause);
	if (after != NULL)
		config_free(after);
	if (before != NULL)
		config_free(before);
	return (rc);
}
