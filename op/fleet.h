/*
 * The nodes of a fleet (DESIGN.md "Fleet (etcd)"): each certbindd serving
 * an etcd location registers itself under PREFIX/nodes/NAME, on a lease
 * so that a node that dies goes away, with a small JSON record of what it
 * serves. certbind probe --fleet and the TUI read them all and flag the
 * nodes behind: those serving a content revision older than the newest.
 *
 * The records are written by certbindd and read back by anyone with
 * access to etcd: fleet_node_parse() treats them as untrusted (it is
 * fuzzed by tests/fuzz/fuzz_fleet.c), and their strings are raw: escape
 * them before showing them. Nothing here prints.
 */
#ifndef CERTBIND_OP_FLEET_H
#define CERTBIND_OP_FLEET_H

#include <stddef.h>
#include <stdint.h>

struct etcd_client;

/* A node name: 1 to 64 of [A-Za-z0-9._-], not starting with a dot. */
#define FLEET_NODE_NAME_MAX	64
int	 fleet_node_name_check(const char *name, char **cause);
/* This host's name cut to a valid node name ("node" if it has none). */
char	*fleet_default_node_name(void);

/* The lease of a registration: certbindd renews it every third of it. */
#define FLEET_LEASE_TTL		10	/* seconds */

struct fleet_node {
	char	*name;		/* the key's last part (not in the JSON) */
	char	*address;	/* where its listeners answer; NULL: unknown */
	char	*host;		/* the host it runs on */
	long	 pid;
	char	*version;	/* certbindd's */
	int64_t	 revision;	/* the content revision it serves */
	int64_t	 loaded;	/* when it loaded it: seconds since 1970 */
	unsigned long generation; /* its generation number */
	/* The last revision it refused (0: none) and why, in one line. */
	int64_t	 refused_revision;
	char	*refused;
};
void	 fleet_node_clear(struct fleet_node *);

/*
 * The record's JSON (without the name). Allocated. A string that is not
 * UTF-8 is left out (address: null).
 */
char	*fleet_node_encode(const struct fleet_node *);
/*
 * Parses a record; name is set from the argument (a copy). 0, or -1 and
 * *cause (what is wrong, unescaped-free: it quotes nothing of the input).
 */
int	 fleet_node_parse(const char *name, const char *json, size_t len,
	    struct fleet_node *, char **cause);

/* The fleet as one read at one revision shows it. */
struct fleet_status {
	int64_t		 read_revision;	  /* the store's, at the read */
	int64_t		 content_revision; /* newest of config and files/ */
	int64_t		 config_revision;  /* PREFIX/config's mod revision */
	struct fleet_node *nodes;	  /* sorted by name */
	size_t		 n;
	/*
	 * Records that did not parse: "NAME: cause", allocated. NAME is
	 * the key's last part, raw: escape the line before showing it.
	 */
	char		**bad;
	size_t		 nbad;
};
void	 fleet_status_clear(struct fleet_status *);

/*
 * Reads PREFIX/ once (one revision) and fills st: the content revision
 * and every node. 0, or -1 and *cause.
 */
int	 fleet_status(struct etcd_client *, const char *prefix,
	    struct fleet_status *, char **cause);

/* Whether node serves an older content revision than the fleet's. */
int	 fleet_node_behind(const struct fleet_status *,
	    const struct fleet_node *);

#endif
