/*
 * certbind request NAME --cn CN [--san NAME|IP]... [--org O] [--key-type T]:
 * a new private key and a certificate request for a CA. The key is
 * recorded as pending (a request and no certificate) until install puts
 * the CA's answer on it. The subject options and the make-commit-print
 * steps are shared with selfsign and renew (cmd.h).
 *
 * Standard output carries the request's PEM and nothing else, so that
 * "certbind request www --cn www.example.com > www.csr" works; every
 * message goes to standard error.
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

static int	cmd_request_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_request_entry = {
	.name = "request",
	.summary = "a new key and a certificate request for a CA",
	.usage =
	"NAME --cn CN [--san NAME|IP]... [--org ORG] [--key-type TYPE]",
	.help =
	"Generates a private key (keys/NAME.key, mode 0600) and a certificate "
	"request for it (requests/NAME.csr), records the key as pending, and "
	"prints the request as PEM on standard output for the CA. When the "
	"CA answers, run certbind install.",
	.args = { 1, 1, {
		CMD_SUBJECT_OPTIONS,
		{ "key-type", 0, ARGS_VALUE }
	} },
	.exec = cmd_request_exec
};

int
cmd_subject(const struct args *args, struct lifecycle_subject *ls,
    struct subject *subj, int *type)
{
	const char *const	*sans;
	char			*cause = NULL;
	size_t			 i, n;

	memset(ls, 0, sizeof *ls);
	if ((*type = lifecycle_key_type(args_get(args, "key-type"),
	    &cause)) == -1)
		return cmd_fail(-1, cause);
	ls->cn = args_get(args, "cn");
	ls->org = args_get(args, "org");
	sans = args_values(args, "san", &n);
	for (i = 0; i < n; i++)
		lifecycle_subject_san(ls, sans[i]);
	lifecycle_subject_fill(ls, subj);
	return 0;
}

int
cmd_request_make(struct cmd_ctx *ctx, const char *name,
    const struct subject *subj, int type)
{
	char	*cause = NULL, *pem = NULL;
	size_t	 pemlen = 0;
	int	 rc;

	if (lifecycle_request(ctx->before, name, subj, type, &ctx->after,
	    &ctx->lf, &pem, &pemlen, &cause) == -1)
		return cmd_fail(EXIT_REFUSED, cause);
	/* The PEM only once the key is recorded: it is useless otherwise. */
	if ((rc = cmd_commit(ctx)) == EXIT_OK &&
	    (fwrite(pem, 1, pemlen, stdout) != pemlen || fflush(stdout) != 0)) {
		cmd_error("could not write the request to standard output; "
		    "it is saved in %s", ctx->lf.req.abs);
		rc = EXIT_CANNOT;
	}
	free(pem);
	return rc;
}

static int
cmd_request_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct lifecycle_subject	 ls;
	struct subject			 subj;
	const char			*name = args_string(args, 0);
	int				 type, rc = EXIT_CANNOT;

	if (cmd_subject(args, &ls, &subj, &type) != 0)
		return EXIT_CANNOT;
	if (cmd_load(ctx) != NULL &&
	    (rc = cmd_request_make(ctx, name, &subj, type)) == EXIT_OK) {
		cmd_info("key '%s' is pending: key %s, request %s",
		    name, ctx->lf.key.abs, ctx->lf.req.abs);
		cmd_info("send the request to your CA, then: certbind install "
		    "CERTFILE");
	}
	lifecycle_subject_free(&ls);
	return rc;
}
