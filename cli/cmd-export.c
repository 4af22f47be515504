/*
 * certbind export NAME (--pkcs12 OUT | --pem OUT) [--password-file F]: a
 * key with its certificate chain, to move it to another server. The file
 * is created mode 0600 with O_EXCL; an existing file is replaced only
 * with --force (atomically, still 0600). The config is not changed.
 */

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/config.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "cli/cmd.h"
#include "op/lifecycle.h"

static int	cmd_export_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.summary = "a key and its chain as PKCS#12 or PEM",
	.usage = "NAME (--pkcs12 OUT [--legacy] [--friendly-name TEXT] | "
	    "--pem OUT) [--password-file F | --password-fd N]",
	.help =
	"Writes key NAME with its certificate chain to OUT, mode 0600: as "
	"PKCS#12 protected by a password (the first line of F, - for "
	"standard input, or of what descriptor N holds, or asked twice on "
	"the terminal; --legacy: 3DES and a SHA-1 MAC, for Windows Server "
	"2016 and older; --friendly-name: the name Windows shows, NAME by "
	"default), or as PEM (the unencrypted key followed by "
	"the chain). An existing OUT is replaced only with --force.",
	.args = { 1, 1, {
		{ "pkcs12", 0, ARGS_VALUE },
		{ "pem", 0, ARGS_VALUE },
		{ "password-file", 0, ARGS_VALUE },
		{ "password-fd", 0, ARGS_VALUE },
		{ "legacy", 0, 0 },
		{ "friendly-name", 0, ARGS_VALUE }
	} },
	.exec = cmd_export_exec
};

static int
write_out(struct cmd_ctx *ctx, const char *out, const void *data,
    size_t len, char **cause)
{
	struct stat	 st;
	char		*e;

	if (!ctx->force)
		return (fileio_write_new(out, data, len, 0600, cause));
	/*
	 * A private key is never written through a symbolic link: in a
	 * shared directory it could point anywhere.
	 */
	if (lstat(out, &st) == 0 && S_ISLNK(st.st_mode)) {
		e = escape_str(out, 0);
		*cause = xasprintf("%s is a symbolic link: a key is not "
		    "written through one", e);
		free(e);
		return (-1);
	}
	return (fileio_write_atomic(out, data, len, 0600, NULL, cause));
}

/* The key as PKCS#8 PEM followed by the chain, in one wiped buffer. */
static int
export_pem(const struct privkey *key, const struct cert *crt, void **out,
    size_t *outlen, char **cause)
{
	gnutls_datum_t	 d = { NULL, 0 };
	char		*chain = NULL, *buf;
	size_t		 clen = 0;
	int		 r;

	r = gnutls_x509_privkey_export2_pkcs8(privkey_x509(key),
	    GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d);
	if (r < 0) {
		*cause = xasprintf("cannot encode the private key: %s",
		    gnutls_strerror(r));
		return (-1);
	}
	if (crt != NULL)
		chain = cert_export_pem(crt, &clen);
	buf = xmalloc(d.size + clen + 1);
	memcpy(buf, d.data, d.size);
	if (clen != 0)
		memcpy(buf + d.size, chain, clen);
	*out = buf;
	*outlen = d.size + clen;
	gnutls_memset(d.data, 0, d.size);
	gnutls_free(d.data);
	free(chain);
	return (0);
}

static int
cmd_export_exec(struct cmd_ctx *ctx, struct args *args)
{
	const struct config_key	*k;
	struct config		*cfg = NULL;
	struct privkey		*key = NULL;
	struct cert		*crt = NULL;
	const char		*name, *p12out, *pemout, *out, *pwfile;
	char			*cause = NULL, *path, *pw = NULL;
	char			 fdbuf[32];
	struct pkcs12_export_opts p12opts;
	void			*data = NULL;
	size_t			 len = 0;
	int			 rc = EXIT_CANNOT;

	p12out = args_get(args, "pkcs12");
	pemout = args_get(args, "pem");
	/* Exactly one of the two: the template cannot say so. */
	if ((p12out == NULL) == (pemout == NULL)) {
		cmd_usage(stderr, &cmd_export_entry);
		goto out;
	}
	if (pemout != NULL && (args_has(args, "legacy") ||
	    args_has(args, "friendly-name"))) {
		cmd_error("--legacy and --friendly-name are for --pkcs12");
		goto out;
	}
	name = args_string(args, 0);
	out = p12out != NULL ? p12out : pemout;

	if ((cfg = cmd_load(ctx)) == NULL)
		goto out;
	rc = EXIT_REFUSED;
	if ((k = config_key_find(cfg, name)) == NULL) {
		cmd_error("there is no key named '%s'", name);
		goto out;
	}
	if (k->cert == NULL && p12out != NULL) {
		cmd_error("key '%s' is pending (it has no certificate yet): "
		    "PKCS#12 needs one; install it first, or export the key "
		    "alone with --pem", name);
		goto out;
	}
	path = config_resolve_path(cfg, k->key);
	if (privkey_load(path, &key, NULL, &cause) == -1) {
		free(path);
		cmd_error("%s", cause);
		goto out;
	}
	free(path);
	if (k->cert != NULL) {
		path = config_resolve_path(cfg, k->cert);
		if (cert_load(path, &crt, &cause) == -1) {
			free(path);
			cmd_error("%s", cause);
			goto out;
		}
		free(path);
		if (privkey_matches_cert(key, crt) != 1) {
			cmd_error("key '%s': the private key does not belong "
			    "to its certificate; run certbind check", name);
			goto out;
		}
	}

	if (p12out != NULL) {
		if (cmd_password_source(args, fdbuf, sizeof fdbuf,
		    &pwfile) != 0) {
			rc = EXIT_CANNOT;
			goto out;
		}
		if (cmd_password(pwfile, "PKCS#12 password: ", 1, &pw,
		    &cause) == -1) {
			cmd_error("%s", cause);
			goto out;
		}
		if (*pw == '\0') {
			cmd_error("an empty password would leave the key "
			    "unprotected in OUT: give one");
			goto out;
		}
		p12opts.legacy = args_has(args, "legacy");
		p12opts.friendly = args_get(args, "friendly-name");
		if (p12opts.friendly == NULL)
			p12opts.friendly = name;
		if (pkcs12_export(key, crt, pw, &p12opts, &data, &len,
		    &cause) == -1) {
			cmd_error("%s", cause);
			goto out;
		}
	} else if (export_pem(key, crt, &data, &len, &cause) == -1) {
		cmd_error("%s", cause);
		goto out;
	}
	if (write_out(ctx, out, data, len, &cause) == -1) {
		cmd_error("%s%s", cause, ctx->force ? "" :
		    " (an existing file is replaced only with --force)");
		goto out;
	}
	cmd_info("key '%s'%s written to %s (mode 0600)%s", name,
	    crt != NULL ? " and its chain" : "", out,
	    pemout != NULL ? ": the key in it is not encrypted" : "");
	rc = EXIT_OK;
out:
	if (data != NULL)
		freezero(data, len);
	lifecycle_password_free(pw);
	if (key != NULL)
		privkey_free(key);
	if (crt != NULL)
		cert_free(crt);
	free(cause);
	return (rc);
}
