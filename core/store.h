/*
 * The store: the directory that holds the private keys (keys/, 0700), the
 * certificates (certs/) and the certificate requests (requests/). Its path
 * is the config's store setting resolved against the config file's
 * directory, or that directory itself when the config has no store.
 */
#ifndef CERTBIND_STORE_H
#define CERTBIND_STORE_H

#include <stddef.h>

struct config;

/* The store directory of a config, absolute. Allocated. */
char	*store_dir(const struct config *);

/*
 * Creates dir (and its missing parents, 0755) with keys/ (0700), certs/
 * and requests/ (0755), modes set exactly whatever the umask. What exists
 * already as a directory is left as it is. Returns 0, or -1 with *cause.
 */
int	 store_init(const char *dir, char **cause);

/*
 * The regular files under the store's keys/, certs/ and requests/, as
 * absolute paths built the way config_resolve_path() builds them, sorted.
 * Hidden files (temporary files of an atomic write) are left out, and so
 * is a subdirectory that does not exist. Returns 0 with an allocated array
 * of allocated strings (free with store_files_free), or -1 when a
 * directory could not be read.
 */
int	 store_list_files(const struct config *, char ***paths, size_t *n);
void	 store_files_free(char **, size_t);

#endif
