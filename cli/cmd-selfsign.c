/*
 * certbind selfsign NAME --cn CN [--san NAME|IP]... [--org O] [--days N]
 * [--key-type T]: a new key and a self-signed certificate for it, for
 * testing or for clients that pin the certificate. The key is installed
 * at once; no CA is involved.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "cli/cmd.h"
#include "op/lifecycle.h"

/* Ten years: a longer self-signed certificate is almost always a mistake. */
#define SELFSIGN_MAX_DAYS	3650

static int	cmd_selfsign_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_selfsign_entry = {
	.name = "selfsign",
	.summary = "a new key and a self-signed certificate",
	.usage = "NAME --cn CN [--san NAME|IP]... [--org ORG] [--days N] "
	    "[--key-type TYPE]",
	.help =
	"Generates a private key (keys/NAME.key, mode 0600) and a "
	"self-signed certificate for it (certs/NAME.pem), valid for N days "
	"(default 365, at most 3650), and records the key as installed.",
	.args = { 1, 1, {
		CMD_SUBJECT_OPTIONS,
		{ "days", 0, ARGS_VALUE },
		{ "key-type", 0, ARGS_VALUE }
	} },
	.exec = cmd_selfsign_exec
};

static int
cmd_selfsign_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct lifecycle_subject	 ls;
	struct subject			 subj;
	struct cert			*crt = NULL;
	const char			*name = args_string(args, 0);
	char				*cause = NULL;
	long				 days = 365;
	int				 type, rc = EXIT_CANNOT;

	if (args_number(args, "days", 1, SELFSIGN_MAX_DAYS, &days) != 0) {
		cmd_error("--days '%s': give a number of days from 1 to %d",
		    args_get(args, "days"), SELFSIGN_MAX_DAYS);
		return EXIT_CANNOT;
	}
	if (cmd_subject(args, &ls, &subj, &type) != 0)
		return EXIT_CANNOT;
	if (cmd_load(ctx) == NULL)
		goto out;
	if (lifecycle_selfsign(ctx->before, name, &subj, type, (unsigned)days,
	    &ctx->after, &ctx->lf, &crt, &cause) == -1) {
		rc = cmd_fail(EXIT_REFUSED, cause);
		goto out;
	}
	if ((rc = cmd_commit(ctx)) != EXIT_OK)
		goto out;
	cmd_info("key '%s' installed with a self-signed certificate "
	    "for %ld days: key %s, certificate %s", name, days,
	    ctx->lf.key.abs, ctx->lf.cert.abs);
	cmd_info("SHA-256 fingerprint %s", cert_fingerprint(crt));
	cmd_next_bind(name);
out:
	if (crt != NULL)
		cert_free(crt);
	lifecycle_subject_free(&ls);
	return rc;
}
