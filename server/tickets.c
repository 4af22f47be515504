/*
 * server.ticket_keys: the session ticket master key, in a file so that
 * every worker shares it and a restart keeps it, and a client's ticket
 * survives the restart.
 *
 * What GnuTLS 3.7.9 does with it (lib/stek.c, lib/ext/session_ticket.c):
 * gnutls_session_ticket_enable_server() copies the 64-byte master key
 * into the session. Tickets, TLS 1.2 and TLS 1.3 alike, are never
 * encrypted with the master key itself but with a key derived from it
 * per period, SHA3-512(period || master), where period is the time
 * divided by 3 times the ticket lifetime (gnutls_db_set_cache_expiration,
 * 6 hours by default: 18 hours). Its first 16 bytes name the key in the
 * ticket; a ticket is accepted when its name is that of the current or
 * the previous period's key, so an 18-hour key encrypts new tickets and
 * decrypts them for up to 36 hours, and a derived key that leaks exposes
 * those hours only. The master key is what must stay secret and be
 * rotated: a new file, and the tickets made under the old one are
 * refused (the client makes a full handshake and gets a new ticket).
 * Since each session takes its copy of the key when it is made, a new
 * key can be given to new sessions at any time: certbindd re-reads the
 * file at every reload (SIGHUP), and connections in flight keep theirs.
 *
 * The file is a secret like a private key: 0600 (or what keyfile_policy()
 * accepts for key files), created atomically when missing (at start, as
 * root, before the privilege drop), never logged, wiped from memory
 * before it is freed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "keys/keyfile.h"
#include "server/certbindd.h"

/* GnuTLS's TICKET_MASTER_KEY_SIZE: gnutls_session_ticket_key_generate(). */
#define TICKET_KEY_SIZE	64

static int	tickets_create;

void
tickets_allow_create(void)
{
	tickets_create = 1;
}

void
tickets_free(gnutls_datum_t *key)
{
	if (key->data != NULL) {
		gnutls_memset(key->data, 0, key->size);
		free(key->data);
	}
	key->data = NULL;
	key->size = 0;
}

static int
tickets_make(const char *path, char **cause)
{
	unsigned char	 buf[TICKET_KEY_SIZE];
	char		*why = NULL, *e;
	int		 r;

	if ((r = gnutls_rnd(GNUTLS_RND_KEY, buf, sizeof buf)) < 0) {
		e = escape_str(path, 0);
		*cause = xasprintf("%s: cannot make a ticket key: %s", e,
		    gnutls_strerror(r));
		free(e);
		return -1;
	}
	/* Whatever the umask: fileio applies the mode with fchmod. */
	r = fileio_write_atomic(path, buf, sizeof buf, 0600, NULL, &why);
	gnutls_memset(buf, 0, sizeof buf);
	if (r != 0) {
		*cause = xasprintf("cannot create the ticket key file: %s",
		    why);
		free(why);
		return -1;
	}
	return 0;
}

int
tickets_load(const char *path, const struct keyfile_ids *ids,
    gnutls_datum_t *key, char **cause)
{
	struct stat	 st;
	unsigned char	*buf;
	char		*e;
	ssize_t		 r;
	int		 fd;

	key->data = NULL;
	key->size = 0;
	fd = fileio_open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK);
	if (fd == -1 && errno == ENOENT) {
		if (!tickets_create)
			return 1;
		if (tickets_make(path, cause) != 0)
			return -1;
		fd = fileio_open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NOCTTY | O_NONBLOCK);
	}
	e = escape_str(path, 0);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", e, strerror(errno));
		free(e);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: not a regular file", e);
		goto fail;
	}
	if (keyfile_policy(path, &st, ids, cause) != 0)
		goto fail;
	if (st.st_size != TICKET_KEY_SIZE) {
		*cause = xasprintf("%s: a ticket key file holds exactly %d "
		    "bytes, this one %lld (make one with: head -c %d "
		    "/dev/urandom)", e, TICKET_KEY_SIZE,
		    (long long)st.st_size, TICKET_KEY_SIZE);
		goto fail;
	}
	buf = xmalloc(TICKET_KEY_SIZE);
	r = read(fd, buf, TICKET_KEY_SIZE);
	if (r != TICKET_KEY_SIZE) {
		gnutls_memset(buf, 0, TICKET_KEY_SIZE);
		free(buf);
		*cause = xasprintf("%s: %s", e, r == -1 ? strerror(errno) :
		    "short read");
		goto fail;
	}
	close(fd);
	free(e);
	key->data = buf;
	key->size = TICKET_KEY_SIZE;
	return 0;

fail:
	close(fd);
	free(e);
	return -1;
}
