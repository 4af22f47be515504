/*
 * certbind install CERTFILE [--name NAME]: the CA's answer to a request.
 * The certificate goes onto the pending key whose private key it belongs
 * to (or onto NAME, verified), with its chain completed from the file,
 * the store's certs/ and the trust store. A certificate that belongs to
 * no pending key, or a file that is not a certificate, is refused and
 * nothing is written.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "cli/cmd.h"
#include "op/lifecycle.h"

static int	cmd_install_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_install_entry = {
	.name = "install",
	.summary = "put a CA's answer on the key it belongs to",
	.usage = "CERTFILE [--name NAME]",
	.help =
	"Installs a CA's answer (PEM or DER, the certificate and any chain) "
	"on the pending key it belongs to, or on key NAME after checking the "
	"key matches. The chain is completed from the file, the store's "
	"certs/ and the trust store, and written to certs/NAME.pem. For a "
	"renewal (the key NAME-renew made by certbind renew), NAME takes the "
	"new key and certificate in one step and its bindings serve them.",
	.args = { 1, 1, { { "name", 0, ARGS_VALUE } } },
	.exec = cmd_install_exec
};

/* What an installed certificate is, and what to do next. */
static void
installed(const struct config *after, const struct lifecycle_files *lf,
    const struct lifecycle_installed *li, const struct cert *crt)
{
	char	 date[32];
	time_t	 t;
	size_t	 i;
	int	 bound = 0;

	t = cert_not_after(crt);
	strftime(date, sizeof date, "%Y-%m-%d", gmtime(&t));
	if (li->renews != NULL)
		cmd_info("renewal of '%s' installed: it now uses the "
		    "key and certificate of '%s' (%s)", li->name, li->renews,
		    lf->cert.abs);
	else
		cmd_info("key '%s' installed: certificate %s", li->name,
		    lf->cert.abs);
	cmd_info("subject CN '%s', expires %s (%ld days), SHA-256 %s",
	    cert_cn(crt), date, cert_days_left(crt, time(NULL)),
	    cert_fingerprint(crt));
	cmd_info("%s", li->chain);
	for (i = 0; i < li->nmoved; i++)
		cmd_info("binding %s", li->moved[i]);
	if (li->renews != NULL)
		cmd_info("the previous key and certificate files stay in "
		    "the store; certbind rollback restores the previous "
		    "config");
	for (i = 0; i < config_nbindings(after); i++)
		if (strcmp(config_binding(after, i)->key, li->name) == 0)
			bound = 1;
	if (!bound)
		cmd_next_bind(li->name);
	else
		cmd_info("reload certbindd to serve it: systemctl reload "
		    "certbindd (or kill -HUP $(pidof certbindd))");
}

static int
cmd_install_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct lifecycle_installed	 li;
	struct cert			*crt = NULL;
	const char			*path = args_string(args, 0);
	char				*cause = NULL, *data = NULL;
	size_t				 len;
	int				 rc = EXIT_REFUSED;

	memset(&li, 0, sizeof li);
	if (cmd_read(path, &data, &len, &cause) == -1 ||
	    cert_load_mem(data, len, path, &crt, &cause) == -1) {
		cmd_error("%s; nothing was written", cause);
		free(cause);
		goto out;
	}
	if (cmd_load(ctx) == NULL)
		rc = EXIT_CANNOT;
	else if (lifecycle_install(ctx->before, crt, args_get(args, "name"),
	    &ctx->after, &ctx->lf, &li, &cause) == -1)
		rc = cmd_fail(EXIT_REFUSED, cause);
	else if ((rc = cmd_commit(ctx)) == EXIT_OK)
		installed(ctx->after, &ctx->lf, &li, crt);
out:
	lifecycle_installed_free(&li);
	if (crt != NULL)
		cert_free(crt);
	free(data);
	return rc;
}
