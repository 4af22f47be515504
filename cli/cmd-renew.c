/*
 * certbind renew NAME [--key-type T]: a new key and request for an
 * installed key, with the same subject and names as its certificate. The
 * new key is recorded as pending beside the old one, named NAME-renew, so
 * NAME keeps serving meanwhile. When the CA answers, certbind install puts
 * the certificate on NAME-renew and, in the same commit, NAME takes the
 * new key and certificate: every binding of NAME serves them from then on.
 */

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

static int	cmd_renew_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_renew_entry = {
	.name = "renew",
	.summary = "a new key and request to renew a key's certificate",
	.usage = "NAME [--key-type TYPE]",
	.help =
	"Generates a new key and a request with the subject and names of "
	"NAME's certificate, recorded as the pending key NAME-renew, and "
	"prints the request as PEM on standard output. NAME keeps serving "
	"until certbind install puts the CA's answer on NAME-renew; then NAME "
	"takes the new key and certificate in one step, with all its "
	"bindings. TYPE defaults to the type of the current key.",
	.args = { 1, 1, { { "key-type", 0, ARGS_VALUE } } },
	.exec = cmd_renew_exec
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

/* A pending renewal of installed key name may start: 0, or -1. */
static int
renewable(const struct config *cf, const char *name, const char *rname,
    const struct config_key **k)
{
	if ((*k = config_key_find(cf, name)) == NULL) {
		cmd_error("there is no key named '%s'", name);
		return -1;
	}
	if ((*k)->cert == NULL) {
		cmd_error("key '%s' is pending: it has no certificate to "
		    "renew yet (install the CA's answer with certbind "
		    "install)", name);
		return -1;
	}
	if (config_key_find(cf, rname) != NULL) {
		cmd_error("a renewal of '%s' is pending already (key '%s'): "
		    "install its certificate, or cancel it with certbind "
		    "remove %s", name, rname, rname);
		return -1;
	}
	return 0;
}

static int
cmd_renew_exec(struct cmd_ctx *ctx, struct args *args)
{
	const struct config_key	*k;
	struct lifecycle_subject ls;
	struct subject		 subj;
	struct config		*before;
	struct cert		*crt = NULL;
	const char		*name = args_string(args, 0), *san;
	const char		*type_arg = args_get(args, "key-type");
	char			*cause = NULL, *path, *rname, *org = NULL;
	size_t			 i;
	int			 type = 0, is_ip, rc = EXIT_REFUSED;

	if (type_arg != NULL &&
	    (type = lifecycle_key_type(type_arg, &cause)) == -1)
		return cmd_fail(EXIT_CANNOT, cause);
	if ((before = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	memset(&ls, 0, sizeof ls);
	rname = xasprintf("%s%s", name, LIFECYCLE_RENEW_SUFFIX);
	if (renewable(before, name, rname, &k) != 0)
		goto out;
	path = config_resolve_path(before, k->cert);
	if (cert_load(path, &crt, &cause) == -1) {
		free(path);
		rc = cmd_fail(EXIT_REFUSED, cause);
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
	if (type_arg == NULL)
		type = renew_type(crt);

	if ((rc = cmd_request_make(ctx, rname, &subj, type)) != EXIT_OK)
		goto out;
	cmd_info("renewal of '%s' is pending as '%s' (%s key): key %s, "
	    "request %s", name, rname, key_type_name(type), ctx->lf.key.abs,
	    ctx->lf.req.abs);
	cmd_info("'%s' keeps serving until you install the CA's answer: "
	    "certbind install CERTFILE", name);
out:
	lifecycle_subject_free(&ls);
	if (crt != NULL)
		cert_free(crt);
	free(org);
	free(rname);
	return rc;
}
