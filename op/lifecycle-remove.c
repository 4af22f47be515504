/*
 * certbind remove: a key leaves the config, and its files leave the
 * store's working directories for removed/, where an administrator who
 * removed the wrong key finds them again. The config changes first,
 * through the commit operation; the files move only once it is saved,
 * so a refused commit leaves everything where it was.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "core/store.h"
#include "op/acme-state.h"
#include "op/lifecycle.h"
#include "util/errlist.h"
#include "util/xmalloc.h"

void
lifecycle_removed_free(struct lifecycle_removed *lr)
{
	size_t	i;

	for (i = 0; i < lr->nbindings; i++)
		free(lr->bindings[i]);
	free(lr->bindings);
	for (i = 0; i < lr->nfiles; i++)
		free(lr->files[i]);
	free(lr->files);
	free(lr->dir);
	memset(lr, 0, sizeof *lr);
}

static void
push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

/* Whether a key of cf other than name refers to the file at abs. */
static int
file_used(const struct config *cf, const char *abs)
{
	const struct config_key	*k;
	const char		*rel[3];
	char			*p;
	size_t			 i, j;
	int			 used = 0;

	for (i = 0; i < config_nkeys(cf) && !used; i++) {
		k = config_key(cf, i);
		rel[0] = k->key;
		rel[1] = k->cert;
		rel[2] = k->request;
		for (j = 0; j < 3 && !used; j++) {
			if (rel[j] == NULL)
				continue;
			p = config_resolve_path(cf, rel[j]);
			used = strcmp(p, abs) == 0;
			free(p);
		}
	}
	return used;
}

/* Adds the file to move if it exists and after no longer refers to it. */
static void
add_file(struct lifecycle_removed *lr, const struct config *after, char *abs)
{
	struct stat	st;

	if (lstat(abs, &st) == -1 || !S_ISREG(st.st_mode) ||
	    file_used(after, abs)) {
		free(abs);
		return;
	}
	push(&lr->files, &lr->nfiles, abs);
}

int
lifecycle_remove(const struct config *before, const char *name, int force,
    struct config **after, struct lifecycle_removed *lr, char **cause)
{
	const struct config_key		*k;
	const struct config_binding	*b;
	struct config			*n;
	struct endpoint			 ep;
	char				 buf[ENDPOINT_STRLEN], stamp[32];
	char				*sni, *store;
	size_t				 i;
	time_t				 now = time(NULL);
	struct tm			 tm;

	*after = NULL;
	memset(lr, 0, sizeof *lr);
	if ((k = config_key_find(before, name)) == NULL) {
		*cause = xasprintf("there is no key named '%s'", name);
		return -1;
	}
	for (i = 0; i < config_nbindings(before); i++) {
		b = config_binding(before, i);
		if (strcmp(b->key, name) != 0)
			continue;
		endpoint_format(&b->ep, buf);
		push(&lr->bindings, &lr->nbindings, b->sni != NULL ?
		    xasprintf("%s sni=%s", buf, b->sni) : xstrdup(buf));
	}
	if (lr->nbindings > 0 && !force) {
		*cause = xasprintf("key '%s' is bound (%zu binding%s, the "
		    "first %s): unbind it first, or remove --force removes "
		    "its bindings too", name, lr->nbindings,
		    lr->nbindings == 1 ? "" : "s", lr->bindings[0]);
		lifecycle_removed_free(lr);
		return -1;
	}

	n = config_dup(before);
	for (i = 0; i < config_nbindings(n); i++) {
		b = config_binding(n, i);
		if (strcmp(b->key, name) != 0)
			continue;
		ep = b->ep;
		sni = b->sni != NULL ? xstrdup(b->sni) : NULL;
		if (config_unbind(n, name, &ep, sni, cause) == -1) {
			free(sni);
			goto fail;
		}
		free(sni);
		i = (size_t)-1;		/* the array changed: look again */
	}
	if (config_key_remove(n, name, cause) == -1)
		goto fail;

	/* The files, judged against the config without the key. */
	add_file(lr, n, config_resolve_path(before, k->key));
	if (k->cert != NULL)
		add_file(lr, n, config_resolve_path(before, k->cert));
	if (k->request != NULL)
		add_file(lr, n, config_resolve_path(before, k->request));
	add_file(lr, n, acme_state_path(before, name));

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	store = store_dir(before);
	lr->dir = xasprintf("%s/%s/%s-%s", store, LIFECYCLE_REMOVED_DIR, name,
	    stamp);
	free(store);
	*after = n;
	return 0;

fail:
	config_free(n);
	lifecycle_removed_free(lr);
	return -1;
}

size_t
lifecycle_remove_files(const struct lifecycle_removed *lr,
    struct errlist *warnings)
{
	const char	*base;
	char		*parent, *to;
	size_t		 i, moved = 0;

	if (lr->nfiles == 0)
		return 0;
	parent = xstrdup(lr->dir);
	*strrchr(parent, '/') = '\0';
	if ((mkdir(parent, 0700) == -1 && errno != EEXIST) ||
	    (mkdir(lr->dir, 0700) == -1 && errno != EEXIST)) {
		errlist_add(warnings, "%s: %s: the files stay where they "
		    "are", lr->dir, strerror(errno));
		free(parent);
		return 0;
	}
	/* mkdir's mode is masked by the umask; removed keys are secret. */
	(void)chmod(parent, 0700);
	(void)chmod(lr->dir, 0700);
	free(parent);
	for (i = 0; i < lr->nfiles; i++) {
		base = strrchr(lr->files[i], '/');
		base = base != NULL ? base + 1 : lr->files[i];
		to = xasprintf("%s/%s", lr->dir, base);
		if (access(to, F_OK) == 0 || errno != ENOENT)
			errlist_add(warnings, "%s: not moved: %s exists "
			    "already", lr->files[i], to);
		else if (rename(lr->files[i], to) == -1)
			errlist_add(warnings, "%s: not moved to %s: %s",
			    lr->files[i], to, strerror(errno));
		else
			moved++;
		free(to);
	}
	return moved;
}
