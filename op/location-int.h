/*
 * What op/location.c and op/location-push.c share: the location itself
 * and the checkout's bookkeeping. Nobody else includes this.
 */
#ifndef CERTBIND_OP_LOCATION_INT_H
#define CERTBIND_OP_LOCATION_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

#define CHECKOUT_CONF	"certbind.conf"
#define FILES_DIR	"files/"
/* A file in etcd is at most this long (etcd's own limit is 1.5 MiB). */
#define FILE_MAX	(1536 * 1024)
/* How deep a store's directories go. */
#define DEPTH_MAX	16

struct manifest_file {
	char		*rel;
	unsigned char	 sha[32];
};

struct location {
	char		*spec;
	char		*path;		/* the config file */
	/* An etcd location. */
	struct etcd_client *c;
	char		*prefix;
	char		*base;		/* the checkouts' directory */
	char		*dir;		/* the current checkout */
	char		*pinned;	/* the one served: location_pin() */
	unsigned	 seq;
	int		 flags;
	int64_t		 rev, config_rev, content_rev;
	int64_t		 bak_rev[CONFIG_BACKUPS + 1];
	struct manifest_file *files;
	size_t		 nfiles;
};

/* The file's SHA-256. */
void	 loc_sha256(const void *, size_t, unsigned char out[32]);
void	 loc_manifest_clear(struct manifest_file **, size_t *);
const struct manifest_file *loc_manifest_find(const struct location *,
	    const char *rel);
/* Creates the directories above dir/rel, 0700: 0, or -1 and *cause. */
int	 loc_mkparents(const char *dir, const char *rel, char **cause);
/* Whether rel is a file a checkout may hold (and etcd may name). */
int	 loc_file_rel_ok(const char *rel);

#endif
