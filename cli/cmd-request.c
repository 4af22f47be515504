/*
 * certbind request NAME --cn CN [--san NAME|IP]... [--org O] [--key-type T]:
 * a new private key and a certificate request for a CA. The key is
 * recorded as pending (a request and no certificate) until install puts
 * the CA's answer on it.
 *
 * Standard output carries the request's PEM and nothing else, so that
 * "certbind request www --cn www.example.com > www.csr" works; every
 * message goes to standard error.
 */

#include <getopt.h>
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

static int	cmd_request_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_request_entry = {
	"request",
	"NAME --cn CN [--san NAME|IP]... [--org ORG] [--key-type TYPE]",
	"Generates a private key (keys/NAME.key, mode 0600) and a certificate "
	"request for it (requests/NAME.csr), records the key as pending, and "
	"prints the request as PEM on standard output for the CA. TYPE is "
	"ecdsa-p256 (the default), ecdsa-p384, ed25519, rsa-2048, rsa-3072 "
	"or rsa-4096. When the CA answers, run certbind install.",
	cmd_request_exec
};

static int
cmd_request_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cn",		required_argument,	NULL,	'c' },
		{ "san",	required_argument,	NULL,	's' },
		{ "org",	required_argument,	NULL,	'o' },
		{ "key-type",	required_argument,	NULL,	'k' },
		{ NULL,		0,			NULL,	0 }
	};
	struct lifecycle_subject	 ls;
	struct lifecycle_files		 lf;
	struct subject			 subj;
	struct config			*before = NULL, *after = NULL;
	const char			*name, *type_arg = "ecdsa-p256";
	char				*cause = NULL, *pem = NULL;
	size_t				 pemlen = 0;
	int				 ch, type, rc = EXIT_CANNOT;

	memset(&ls, 0, sizeof ls);
	memset(&lf, 0, sizeof lf);
	while ((ch = cmd_getopt(ctx, &cmd_request_entry, argc, argv, "",
	    longopts)) != -1) {
		switch (ch) {
		case 'c':
			ls.cn = optarg;
			break;
		case 's':
			lifecycle_subject_san(&ls, optarg);
			break;
		case 'o':
			ls.org = optarg;
			break;
		case 'k':
			type_arg = optarg;
			break;
		default:
			goto out;
		}
	}
	if (optind + 1 != argc || ls.cn == NULL) {
		cmd_usage(stderr, &cmd_request_entry);
		goto out;
	}
	name = argv[optind];
	if ((type = lifecycle_key_type(type_arg, &cause)) == -1) {
		cmd_error("%s", cause);
		goto out;
	}
	lifecycle_subject_fill(&ls, &subj);

	if ((before = cmd_load(ctx)) == NULL)
		goto out;
	rc = EXIT_REFUSED;
	if (lifecycle_request(before, name, &subj, type, &after, &lf, &pem,
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
	cmd_info("key '%s' is pending: key %s, request %s",
	    name, lf.key.abs, lf.req.abs);
	cmd_info("send the request to your CA, then: certbind install "
	    "CERTFILE");
	rc = EXIT_OK;
out:
	lifecycle_files_undo(&lf);
	lifecycle_files_free(&lf);
	lifecycle_subject_free(&ls);
	free(pem);
	free(cause);
	if (after != NULL)
		config_free(after);
	if (before != NULL)
		config_free(before);
	return (rc);
}
