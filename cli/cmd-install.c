/*
 * certbind install CERTFILE [--name NAME]: the CA's answer to a request.
 * The certificate goes onto the pending key whose private key it belongs
 * to (or onto NAME, verified), with its chain completed from the file,
 * the store's certs/ and the trust store. A certificate that belongs to
 * no pending key, or a file that is not a certificate, is refused and
 * nothing is written.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "cli/cmd.h"
#include "op/lifecycle.h"

static int	cmd_install_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_install_entry = {
	"install",
	"CERTFILE [--name NAME]",
	"Installs a CA's answer (PEM or DER, the certificate and any chain) "
	"on the pending key it belongs to, or on key NAME after checking the "
	"key matches. The chain is completed from the file, the store's "
	"certs/ and the trust store, and written to certs/NAME.pem. For a "
	"renewal (the key NAME-renew made by certbind renew), NAME takes the "
	"new key and certificate in one step and its bindings serve them.",
	cmd_install_exec
};

static int
cmd_install_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name",	required_argument,	NULL,	'n' },
		{ NULL,		0,			NULL,	0 }
	};
	struct lifecycle_files		 lf;
	struct lifecycle_installed	 li;
	struct config			*before = NULL, *after = NULL;
	struct cert			*crt = NULL;
	const char			*name = NULL, *path;
	char				*cause = NULL, *data = NULL;
	char				 date[32];
	time_t				 t;
	size_t				 len, i;
	int				 ch, bound, rc = EXIT_CANNOT;

	memset(&lf, 0, sizeof lf);
	memset(&li, 0, sizeof li);
	while ((ch = cmd_getopt(ctx, &cmd_install_entry, argc, argv, "",
	    longopts)) != -1) {
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		default:
			goto out;
		}
	}
	if (optind + 1 != argc) {
		cmd_usage(stderr, &cmd_install_entry);
		goto out;
	}
	path = argv[optind];

	rc = EXIT_REFUSED;
	if (cmd_read(path, &data, &len, &cause) == -1 ||
	    cert_load_mem(data, len, path, &crt, &cause) == -1) {
		cmd_error("%s; nothing was written", cause);
		goto out;
	}
	if ((before = cmd_load(ctx)) == NULL) {
		rc = EXIT_CANNOT;
		goto out;
	}
	if (lifecycle_install(before, crt, name, &after, &lf, &li,
	    &cause) == -1) {
		cmd_error("%s", cause);
		goto out;
	}
	if ((rc = cmd_commit_files(ctx, before, after, &lf)) != EXIT_OK)
		goto out;

	t = cert_not_after(crt);
	strftime(date, sizeof date, "%Y-%m-%d", gmtime(&t));
	if (li.renews != NULL)
		cmd_info("renewal of '%s' installed: it now uses the "
		    "key and certificate of '%s' (%s)", li.name, li.renews,
		    lf.cert.abs);
	else
		cmd_info("key '%s' installed: certificate %s", li.name,
		    lf.cert.abs);
	cmd_info("subject CN '%s', expires %s (%ld days), SHA-256 %s",
	    cert_cn(crt), date, cert_days_left(crt, time(NULL)),
	    cert_fingerprint(crt));
	cmd_info("%s", li.chain);
	for (i = 0; i < li.nmoved; i++)
		cmd_info("binding %s", li.moved[i]);
	if (li.renews != NULL)
		cmd_info("the previous key and certificate files stay in "
		    "the store; certbind rollback restores the previous config");
	bound = 0;
	for (i = 0; i < config_nbindings(after); i++)
		if (strcmp(config_binding(after, i)->key, li.name) == 0)
			bound = 1;
	if (!bound)
		cmd_info("next: certbind bind %s ADDRESS:PORT", li.name);
	else
		cmd_info("reload certbindd to serve it: systemctl reload "
		    "certbindd (or kill -HUP $(pidof certbindd))");
	rc = EXIT_OK;
out:
	lifecycle_files_undo(&lf);
	lifecycle_files_free(&lf);
	lifecycle_installed_free(&li);
	if (crt != NULL)
		cert_free(crt);
	free(data);
	free(cause);
	if (after != NULL)
		config_free(after);
	if (before != NULL)
		config_free(before);
	return (rc);
}
