/*
 * certbind selfsign NAME --cn CN [--san NAME|IP]... [--org O] [--days N]
 * [--key-type T]: a new key and a self-signed certificate for it, for
 * testing or for clients that pin the certificate. The key is installed
 * at once; no CA is involved.
 */

#include <errno.h>
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

/* Ten years: a longer self-signed certificate is almost always a mistake. */
#define SELFSIGN_MAX_DAYS	3650

static int	cmd_selfsign_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_selfsign_entry = {
	"selfsign",
	"NAME --cn CN [--san NAME|IP]... [--org ORG] [--days N] "
	"[--key-type TYPE]",
	"Generates a private key (keys/NAME.key, mode 0600) and a "
	"self-signed certificate for it (certs/NAME.pem), valid for N days "
	"(default 365, at most 3650), and records the key as installed. "
	"TYPE as for request.",
	cmd_selfsign_exec
};

static int
cmd_selfsign_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cn",		required_argument,	NULL,	'c' },
		{ "san",	required_argument,	NULL,	's' },
		{ "org",	required_argument,	NULL,	'o' },
		{ "days",	required_argument,	NULL,	'd' },
		{ "key-type",	required_argument,	NULL,	'k' },
		{ NULL,		0,			NULL,	0 }
	};
	struct lifecycle_subject	 ls;
	struct lifecycle_files		 lf;
	struct subject			 subj;
	struct config			*before = NULL, *after = NULL;
	struct cert			*crt = NULL;
	const char			*name, *type_arg = "ecdsa-p256";
	char				*cause = NULL, *end;
	long				 days = 365;
	int				 ch, type, rc = EXIT_CANNOT;

	memset(&ls, 0, sizeof ls);
	memset(&lf, 0, sizeof lf);
	while ((ch = cmd_getopt(ctx, &cmd_selfsign_entry, argc, argv, "",
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
		case 'd':
			errno = 0;
			days = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    days < 1 || days > SELFSIGN_MAX_DAYS) {
				cmd_error("--days '%s': give a number of days "
				    "from 1 to %d", optarg, SELFSIGN_MAX_DAYS);
				goto out;
			}
			break;
		case 'k':
			type_arg = optarg;
			break;
		default:
			goto out;
		}
	}
	if (optind + 1 != argc || ls.cn == NULL) {
		cmd_usage(stderr, &cmd_selfsign_entry);
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
	if (lifecycle_selfsign(before, name, &subj, type, (unsigned)days,
	    &after, &lf, &crt, &cause) == -1) {
		cmd_error("%s", cause);
		goto out;
	}
	if ((rc = cmd_commit_files(ctx, before, after, &lf)) != EXIT_OK)
		goto out;

	cmd_info("key '%s' installed with a self-signed certificate "
	    "for %ld days: key %s, certificate %s", name, days, lf.key.abs,
	    lf.cert.abs);
	cmd_info("SHA-256 fingerprint %s", cert_fingerprint(crt));
	cmd_info("next: certbind bind %s ADDRESS:PORT", name);
	rc = EXIT_OK;
out:
	lifecycle_files_undo(&lf);
	lifecycle_files_free(&lf);
	lifecycle_subject_free(&ls);
	if (crt != NULL)
		cert_free(crt);
	free(cause);
	if (after != NULL)
		config_free(after);
	if (before != NULL)
		config_free(before);
	return (rc);
}
