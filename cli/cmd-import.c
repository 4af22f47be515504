/*
 * certbind import FILE [--name NAME] [--password-file F]: a key and its
 * certificate made elsewhere. FILE is PEM (key and certificates in one
 * file; the key may be encrypted), or PKCS#12; a password comes from F
 * or, on a terminal, is asked with echo off. The key is written anew in the store (PKCS#8, mode
 * 0600); the original file is left alone. A wrong password, a key that
 * does not belong to the certificate, or a file holding only one of them
 * is refused and nothing is written.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "cli/cmd.h"
#include "op/lifecycle.h"

static int	cmd_import_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_import_entry = {
	"import",
	"FILE [--name NAME] [--password-file F]",
	"Imports a private key with its certificate and chain: a PEM file "
	"holding both, or a PKCS#12 file (.p12, .pfx). The password of a "
	"PKCS#12 file or of an encrypted PEM key is the first line of F, or "
	"is asked on the terminal. The key is "
	"saved as keys/NAME.key (mode 0600) and the chain as certs/NAME.pem; "
	"NAME defaults to the file's name without its extension.",
	cmd_import_exec
};

/* The default name: the file's name without directory and extension. */
static char *
default_name(const char *path)
{
	const char	*b;
	char		*s, *dot, *name;

	b = strrchr(path, '/');
	s = xstrdup(b == NULL ? path : b + 1);
	if ((dot = strrchr(s, '.')) != NULL && dot != s)
		*dot = '\0';
	name = lifecycle_name_from(s);
	free(s);
	return (name);
}

static int
load_pkcs12(const char *path, const char *data, size_t len,
    const char *pwfile, struct privkey **key, struct cert **crt,
    char **cause)
{
	char	*pw = NULL, *c2 = NULL;
	int	 rc;

	/*
	 * Without a password file or a terminal, the file may still have no
	 * password (or an empty one): try that before giving up.
	 */
	if (pwfile == NULL && !isatty(STDIN_FILENO)) {
		if (pkcs12_import(data, len, path, NULL, key, crt, cause) == 0)
			return (0);
		free(*cause);
		*cause = NULL;
		if (pkcs12_import(data, len, path, "", key, crt, &c2) == 0)
			return (0);
		free(c2);
	}
	if (cmd_password(pwfile, "PKCS#12 password: ", 0, &pw,
	    cause) == -1)
		return (-1);
	rc = pkcs12_import(data, len, path, pw, key, crt, cause);
	if (rc == -1 && *pw == '\0') {
		/* An empty answer may also mean "no password at all". */
		if (pkcs12_import(data, len, path, NULL, key, crt, &c2) == 0) {
			free(*cause);
			*cause = NULL;
			rc = 0;
		} else
			free(c2);
	}
	lifecycle_password_free(pw);
	return (rc);
}

static int
cmd_import_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name",		required_argument,	NULL,	'n' },
		{ "password-file",	required_argument,	NULL,	'p' },
		{ NULL,			0,			NULL,	0 }
	};
	struct lifecycle_files	 lf;
	struct config		*before = NULL, *after = NULL;
	struct privkey		*key = NULL;
	struct cert		*crt = NULL;
	const char		*path, *pwfile = NULL;
	char			*name = NULL, *cause = NULL, *data = NULL;
	char			*chain = NULL, *pw = NULL;
	size_t			 len = 0;
	int			 ch, complete, rc = EXIT_CANNOT;

	memset(&lf, 0, sizeof lf);
	while ((ch = cmd_getopt(ctx, &cmd_import_entry, argc, argv, "",
	    longopts)) != -1) {
		switch (ch) {
		case 'n':
			free(name);
			name = xstrdup(optarg);
			break;
		case 'p':
			pwfile = optarg;
			break;
		default:
			goto out;
		}
	}
	if (optind + 1 != argc) {
		cmd_usage(stderr, &cmd_import_entry);
		goto out;
	}
	path = argv[optind];
	if (name == NULL)
		name = default_name(path);

	if ((before = cmd_load(ctx)) == NULL)
		goto out;
	rc = EXIT_REFUSED;
	if (cmd_read(path, &data, &len, &cause) == -1) {
		cmd_error("%s", cause);
		goto out;
	}
	if (memmem(data, len, "-----BEGIN", 10) != NULL) {
		if (privkey_is_encrypted(data, len) &&
		    cmd_password(pwfile, "Key password: ", 0, &pw,
		    &cause) == -1) {
			cmd_error("%s holds an encrypted private key: %s",
			    path, cause);
			goto out;
		}
		if (lifecycle_load_pem(path, data, len, pw, &key, &crt,
		    &cause) == -1) {
			cmd_error("%s; nothing was written", cause);
			goto out;
		}
	} else if (lifecycle_is_pkcs12(data, len)) {
		if (load_pkcs12(path, data, len, pwfile, &key, &crt,
		    &cause) == -1) {
			cmd_error("%s; nothing was written", cause);
			goto out;
		}
	} else if (lifecycle_load_pem(path, data, len, NULL, &key, &crt,
	    &cause) == -1) {
		/* DER holds one object: a key alone or a certificate alone. */
		cmd_error("%s", cause);
		goto out;
	}

	if (lifecycle_import(before, name, key, crt, &after, &lf, &chain,
	    &complete, &cause) == -1) {
		cmd_error("%s", cause);
		goto out;
	}
	if ((rc = cmd_commit_files(ctx, before, after, &lf)) != EXIT_OK)
		goto out;
	cmd_info("key '%s' imported: key %s, certificate %s", name,
	    lf.key.abs, lf.cert.abs);
	cmd_info("subject CN '%s', SHA-256 %s", cert_cn(crt),
	    cert_fingerprint(crt));
	cmd_info("%s", chain);
	cmd_info("next: certbind bind %s ADDRESS:PORT", name);
	rc = EXIT_OK;
out:
	lifecycle_files_undo(&lf);
	lifecycle_files_free(&lf);
	if (key != NULL)
		privkey_free(key);
	if (crt != NULL)
		cert_free(crt);
	if (data != NULL)
		freezero(data, len);
	lifecycle_password_free(pw);
	free(chain);
	free(name);
	free(cause);
	if (after != NULL)
		config_free(after);
	if (before != NULL)
		config_free(before);
	return (rc);
}
