/*
 * certbind init [--store DIR]: makes the store (keys/ 0700, certs/,
 * requests/) and a first config that names it. An existing config is
 * never overwritten: the file is created with O_EXCL, so two inits racing
 * cannot both succeed.
 */

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "util/fileio.h"
#include "core/store.h"
#include "util/xmalloc.h"
#include "cli/cmd.h"
#include "op/location.h"
#include "op/lifecycle.h"

static int	cmd_init_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.summary = "make a new store and config",
	.usage = "[--store DIR]",
	.help =
	"Creates the key store (DIR/keys mode 0700, DIR/certs, DIR/requests) "
	"and a new config file at the -c path that uses it. The store "
	"defaults to the config file's directory. An existing config is "
	"never overwritten.",
	.args = { 0, 0, { { "store", 0, ARGS_VALUE } } },
	.exec = cmd_init_exec
};

/* An absolute, '/'-joined version of path (which need not exist yet). */
static char *
absolute(const char *path)
{
	char	cwd[PATH_MAX];

	if (*path == '/')
		return (xstrdup(path));
	if (getcwd(cwd, sizeof cwd) == NULL)
		return (NULL);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (strcmp(path, ".") == 0 || *path == '\0')
		return (xstrdup(cwd));
	return (xasprintf("%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path));
}

static char *
dir_of(const char *path)
{
	char	*d, *slash;

	d = xstrdup(path);
	slash = strrchr(d, '/');
	if (slash == d)
		d[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	return (d);
}

static int
cmd_init_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct config	*cfg = NULL;
	struct stat	 st;
	const char	*store_arg = args_get(args, "store");
	char		*conf = NULL, *store = NULL, *confdir = NULL;
	char		*text = NULL, *cause = NULL;
	int		 rc = EXIT_CANNOT, remote;

	if ((conf = absolute(ctx->conf_path)) == NULL) {
		cmd_error("cannot find the current directory: %s",
		    strerror(errno));
		goto out;
	}
	remote = location_remote(ctx->loc);
	if (lstat(conf, &st) == 0 || errno != ENOENT) {
		cmd_error("%s already exists: init never overwrites a config "
		    "(use -c to create another one)", remote ?
		    location_spec(ctx->loc) : conf);
		rc = EXIT_REFUSED;
		goto out;
	}
	confdir = dir_of(conf);
	if (remote && store_arg != NULL && (store_arg[0] == '/' ||
	    strstr(store_arg, "..") != NULL)) {
		cmd_error("--store '%s': in etcd the store is under the "
		    "config: give a relative directory, or none", store_arg);
		goto out;
	}
	if (remote && store_arg != NULL)
		store = xasprintf("%s/%s", confdir, store_arg);
	else if (store_arg != NULL)
		store = absolute(store_arg);
	else
		store = xstrdup(confdir);
	if (store == NULL) {
		cmd_error("cannot find the current directory: %s",
		    strerror(errno));
		goto out;
	}

	if (store_init(store, &cause) == -1 ||
	    lifecycle_mkdirs(confdir, &cause) == -1) {
		cmd_error("%s", cause);
		goto out;
	}

	cfg = config_new();
	/* In etcd, paths are relative to the config: they hold anywhere. */
	if (!remote)
		config_set_store(cfg, store);
	else if (store_arg != NULL)
		config_set_store(cfg, store_arg);
	text = config_serialize(cfg);
	if (fileio_write_new(conf, text, strlen(text), 0640, &cause) == -1) {
		cmd_error("%s", cause);
		rc = EXIT_REFUSED;
		goto out;
	}
	if (remote) {
		if (location_push(ctx->loc, NULL, &cause) != LOCATION_PUSHED) {
			cmd_error("refused: %s; nothing was written.", cause);
			rc = EXIT_REFUSED;
			goto out;
		}
		cmd_info("created the config in %s at revision %lld",
		    location_spec(ctx->loc),
		    (long long)location_revision(ctx->loc));
		cmd_info("next: certbind -c %s request NAME --cn "
		    "HOST.EXAMPLE", location_spec(ctx->loc));
		rc = EXIT_OK;
		goto out;
	}
	cmd_info("created the store %s (keys/ mode 0700, certs/, "
	    "requests/) and the config %s", store, conf);
	cmd_info("next: certbind -c %s request NAME --cn HOST.EXAMPLE",
	    conf);
	rc = EXIT_OK;
out:
	free(cause);
	free(text);
	if (cfg != NULL)
		config_free(cfg);
	free(store);
	free(confdir);
	free(conf);
	return (rc);
}
