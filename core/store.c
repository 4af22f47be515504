/*
 * The store directory on disk. Creating it is idempotent, so "certbind
 * init" can be run again over a half-made store; listing it serves the
 * orphan-file check, which compares what is on disk with what the config
 * names, so paths here are built exactly as config_resolve_path() does.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "util/escape.h"
#include "core/store.h"
#include "util/xmalloc.h"

static const char *const store_subdirs[] = { "keys", "certs", "requests" };

char *
store_dir(const struct config *cf)
{
	char	*dir;
	size_t	 len;

	dir = config_resolve_path(cf, ".");
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	return dir;
}

static int
make_dir(const char *path, mode_t mode, char **cause)
{
	struct stat	 st;
	char		*e;
	int		 err;

	if (mkdir(path, mode) == 0) {
		/* mkdir() goes through the umask; the mode must be exact. */
		if (chmod(path, mode) == 0)
			return 0;
		err = errno;
	} else {
		err = errno;
		if (err == EEXIST && stat(path, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return 0;
	}
	if (cause != NULL) {
		e = escape_str(path, 0);
		*cause = xasprintf("%s: cannot create the directory: %s", e,
		    err == EEXIST ? "something that is not a directory has "
		    "that name" : strerror(err));
		free(e);
	}
	return -1;
}

int
store_init(const char *dir, char **cause)
{
	char	*s, *p;
	size_t	 i;
	mode_t	 mode;

	if (dir == NULL || *dir == '\0') {
		if (cause != NULL)
			*cause = xstrdup("the store directory is empty");
		return -1;
	}
	/* The missing parents first, like mkdir -p. */
	s = xstrdup(dir);
	for (p = s + 1; *p != '\0'; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		if (make_dir(s, 0755, cause) != 0) {
			free(s);
			return -1;
		}
		*p = '/';
	}
	if (make_dir(s, 0755, cause) != 0) {
		free(s);
		return -1;
	}
	free(s);

	for (i = 0; i < sizeof store_subdirs / sizeof store_subdirs[0]; i++) {
		/* Private keys: nobody but the owner lists or opens them. */
		mode = strcmp(store_subdirs[i], "keys") == 0 ? 0700 : 0755;
		p = xasprintf("%s/%s", dir, store_subdirs[i]);
		if (make_dir(p, mode, cause) != 0) {
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
store_files_free(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int
store_list_files(const struct config *cf, char ***paths, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		*base, *sub, *p, **v = NULL;
	size_t		 nv = 0, cap = 0, i;
	int		 rc = 0;

	*paths = NULL;
	*n = 0;
	base = store_dir(cf);
	for (i = 0; i < sizeof store_subdirs / sizeof store_subdirs[0]; i++) {
		sub = xasprintf("%s%s%s", base, strcmp(base, "/") == 0 ? "" :
		    "/", store_subdirs[i]);
		if ((d = opendir(sub)) == NULL) {
			if (errno != ENOENT && errno != ENOTDIR)
				rc = -1;
			free(sub);
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			p = xasprintf("%s/%s", sub, de->d_name);
			/* lstat: a symbolic link is not a file of the store. */
			if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
				free(p);
				continue;
			}
			if (nv == cap) {
				cap = cap ? cap * 2 : 16;
				v = xreallocarray(v, cap, sizeof *v);
			}
			v[nv++] = p;
		}
		closedir(d);
		free(sub);
	}
	free(base);
	if (rc != 0) {
		store_files_free(v, nv);
		return -1;
	}
	if (nv > 0)
		qsort(v, nv, sizeof *v, path_cmp);
	*paths = v;
	*n = nv;
	return 0;
}
