/*
 * certbind copy SOURCE DEST: a whole config and the files it names from
 * one location to another (op/copy.c does it): a file store to etcd and
 * back, file to file, etcd to etcd. -c is not used: both are named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "util/errlist.h"
#include "op/copy.h"
#include "op/location.h"

static int	cmd_copy_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_copy_entry = {
	.name = "copy",
	.summary = "a config and its files to another location (etcd)",
	.noconf = 1,
	.usage = "SOURCE DEST [--force]",
	.help =
	"Copies the config at SOURCE and every file it names to DEST. Each "
	"is a config file's path or etcd://HOST:PORT[,HOST:PORT...]/PREFIX, "
	"so a file store goes to etcd and back, or file to file, etcd to "
	"etcd. The files are the keys' key, cert and request, the "
	"bindings' client_ca, server.trust, acme.account and "
	"acme.ca_bundle. A relative path is kept: the file goes to the same "
	"path under DEST's directory (for etcd, PREFIX/files/PATH). An "
	"absolute path is brought into the store (keys/NAME.key, "
	"certs/NAME.pem, requests/NAME.csr, acme/account.key, "
	"imported/BASENAME; -2, -3 ... when a name is taken), the config is "
	"rewritten to name it, and the key's or binding's note says where it "
	"came from. The copy has no store setting: its paths resolve "
	"against its own directory. server.pidfile and server.ticket_keys "
	"are kept as written, not copied. Private keys stay mode 0600 and "
	"are never printed. A file SOURCE names that is missing refuses the "
	"copy, naming it, and nothing is written. DEST must not hold a "
	"config (nor, for a path, any of the files); --force replaces it "
	"(for etcd, the config and all of PREFIX/files/, in one transaction "
	"that is refused if someone else wrote DEST meanwhile). Prints one "
	"line per file copied, and DEST's new revision for etcd. Exit 1 "
	"when refused, 2 when a location cannot be read.",
	.args = { 2, 2, { { NULL, 0, 0 } } },
	.exec = cmd_copy_exec
};

static int
cmd_copy_exec(struct cmd_ctx *ctx, struct args *args)
{
	const char		*sspec = args_string(args, 0);
	const char		*dspec = args_string(args, 1);
	struct location		*src = NULL, *dst = NULL;
	struct copy_plan	 plan;
	struct copy_result	 res;
	struct errlist		 errs = ERRLIST_INIT;
	const struct copy_file	*f;
	char			*cause = NULL, *named;
	size_t			 i;
	int			 rc = EXIT_CANNOT;

	memset(&plan, 0, sizeof plan);
	if (strcmp(sspec, dspec) == 0) {
		cmd_error("SOURCE and DEST are both %s", sspec);
		return EXIT_CANNOT;
	}
	if (location_open(sspec, 0, &src, &cause) != 0)
		return cmd_fail(EXIT_CANNOT, cause);
	if (copy_plan(src, &plan, &errs, &cause) != 0) {
		for (i = 0; i < errs.n; i++)
			cmd_error("%s", errs.v[i]);
		rc = errs.n > 0 ? EXIT_CANNOT : EXIT_REFUSED;
		if ((named = location_rename(src, cause)) != NULL) {
			free(cause);
			cause = named;
		}
		cmd_error("%s", cause);
		free(cause);
		errlist_clear(&errs);
		location_close(src);
		return rc;
	}
	errlist_clear(&errs);
	if (location_open(dspec, 0, &dst, &cause) != 0) {
		rc = cmd_fail(EXIT_CANNOT, cause);
		goto out;
	}
	switch (copy_write(&plan, dst, ctx->force ? COPY_FORCE : 0, &res,
	    &cause)) {
	case COPY_WRITTEN:
		break;
	case COPY_REFUSED:
		rc = cmd_fail(EXIT_REFUSED, cause);
		goto out;
	case COPY_FAILED:
		rc = cmd_fail(EXIT_CANNOT, cause);
		goto out;
	}
	for (i = 0; i < plan.nfiles; i++) {
		f = &plan.files[i];
		fputs("copied ", stdout);
		cmd_puts_escaped(stdout, f->to);
		fputs(" from ", stdout);
		/* From etcd: the key, not the checkout's file. */
		named = location_rename(src, f->from);
		cmd_puts_escaped(stdout, named != NULL ? named : f->from);
		free(named);
		if (f->imported)
			fputs(" (brought into the store)", stdout);
		fputc('\n', stdout);
	}
	if (location_remote(dst))
		cmd_info("copied the config and %zu file%s to %s: revision "
		    "%lld", plan.nfiles, plan.nfiles == 1 ? "" : "s", dspec,
		    (long long)res.revision);
	else
		cmd_info("copied the config and %zu file%s to %s",
		    plan.nfiles, plan.nfiles == 1 ? "" : "s", dspec);
	rc = EXIT_OK;
out:
	copy_plan_free(&plan);
	if (dst != NULL)
		location_close(dst);
	location_close(src);
	return rc;
}
