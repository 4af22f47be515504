/*
 * certbind import FILE [--name NAME] [--password-file F]: a key and its
 * certificate made elsewhere. FILE is PEM (key and certificates in one
 * file; the key may be encrypted), or PKCS#12; a password comes from F
 * or, on a terminal, is asked with echo off. The key is written anew in
 * the store (PKCS#8, mode 0600); the original file is left alone. A wrong
 * password, a key that does not belong to the certificate, or a file
 * holding only one of them is refused and nothing is written.
 */

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

static int	cmd_import_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.summary = "a key and certificate from PEM or PKCS#12",
	.usage = "FILE [--name NAME [--replace]] [--password-file F | "
	    "--password-fd N]",
	.help =
	"Imports a private key with its certificate and chain: a PEM file "
	"holding both, or a PKCS#12 file (.p12, .pfx). The password of a "
	"PKCS#12 file or of an encrypted PEM key is the first line of F (- "
	"for standard input) or of what descriptor N holds, or is asked on "
	"the terminal. The key is "
	"saved as keys/NAME.key (mode 0600) and the chain as certs/NAME.pem; "
	"NAME defaults to the file's name without its extension. With "
	"--replace, the existing key NAME takes the new key and certificate "
	"(a renewed PFX from Windows), keeping its bindings; the old files "
	"stay in the store.",
	.args = { 1, 1, {
		{ "name", 0, ARGS_VALUE },
		{ "password-file", 0, ARGS_VALUE },
		{ "password-fd", 0, ARGS_VALUE },
		{ "replace", 0, 0 }
	} },
	.exec = cmd_import_exec
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

/*
 * The key and certificate in data, read from path: PEM (the key perhaps
 * encrypted), PKCS#12, or DER. 0, or -1 after saying why.
 */
static int
load_key_cert(const char *path, const char *data, size_t len,
    const char *pwfile, struct privkey **key, struct cert **crt)
{
	char	*cause = NULL, *pw = NULL;
	int	 rc;

	if (memmem(data, len, "-----BEGIN", 10) != NULL) {
		if (privkey_is_encrypted(data, len) &&
		    cmd_password(pwfile, "Key password: ", 0, &pw,
		    &cause) == -1) {
			cmd_error("%s holds an encrypted private key: %s",
			    path, cause);
			free(cause);
			return -1;
		}
		rc = lifecycle_load_pem(path, data, len, pw, key, crt, &cause);
		lifecycle_password_free(pw);
	} else if (lifecycle_is_pkcs12(data, len))
		rc = load_pkcs12(path, data, len, pwfile, key, crt, &cause);
	else {
		/* DER holds one object: a key alone or a certificate alone. */
		if (lifecycle_load_pem(path, data, len, NULL, key, crt,
		    &cause) == -1)
			return cmd_fail(-1, cause);
		return 0;
	}
	if (rc == -1) {
		cmd_error("%s; nothing was written", cause);
		free(cause);
	}
	return rc;
}

static int
cmd_import_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct privkey	*key = NULL;
	struct cert	*crt = NULL;
	const char	*path = args_string(args, 0), *pwfile;
	char		*name, *cause = NULL, *data = NULL, *chain = NULL;
	char		 fdbuf[32];
	size_t		 len = 0;
	int		 complete, rc = EXIT_REFUSED;

	if (args_get(args, "name") != NULL)
		name = xstrdup(args_get(args, "name"));
	else
		name = default_name(path);
	if (cmd_load(ctx) == NULL) {
		rc = EXIT_CANNOT;
		goto out;
	}
	if (cmd_password_source(args, fdbuf, sizeof fdbuf, &pwfile) != 0) {
		rc = EXIT_CANNOT;
		goto out;
	}
	if (pwfile != NULL && strcmp(path, "-") == 0 &&
	    strcmp(pwfile, "-") == 0) {
		cmd_error("the file and the password cannot both come from "
		    "standard input: give the password with --password-fd");
		rc = EXIT_CANNOT;
		goto out;
	}
	if (cmd_read(path, &data, &len, &cause) == -1) {
		rc = cmd_fail(EXIT_REFUSED, cause);
		goto out;
	}
	if (load_key_cert(path, data, len, pwfile, &key, &crt) == -1)
		goto out;
	if (lifecycle_import(ctx->before, name, args_has(args, "replace"), key,
	    crt, &ctx->after, &ctx->lf, &chain, &complete, &cause) == -1) {
		rc = cmd_fail(EXIT_REFUSED, cause);
		goto out;
	}
	if ((rc = cmd_commit(ctx)) != EXIT_OK)
		goto out;
	cmd_info("key '%s' %s: key %s, certificate %s", name,
	    args_has(args, "replace") ? "replaced, its bindings serve the "
	    "new certificate" : "imported", ctx->lf.key.abs,
	    ctx->lf.cert.abs);
	cmd_info("subject CN '%s', SHA-256 %s", cert_cn(crt),
	    cert_fingerprint(crt));
	cmd_info("%s", chain);
	cmd_next_bind(name);
out:
	if (key != NULL)
		privkey_free(key);
	if (crt != NULL)
		cert_free(crt);
	if (data != NULL)
		freezero(data, len);
	free(chain);
	free(name);
	return rc;
}
