/*
 * What the files of the config module share and nothing else may see:
 * the inside of struct config, the record helpers the loader and the
 * mutators both use, and the scanner the loader runs before libconfig.
 * Only core/config*.c include this header; everyone else goes through
 * core/config.h, so the model can change without a caller noticing.
 *
 * The module is split by what a reader comes for: config.c the model and
 * its accessors, config-edit.c the mutators, config-scan.c our own pass
 * over the text, config-load.c the walk over libconfig's tree (its ACME
 * settings in config-load-acme.c, certbindd's in config-load-serve.c),
 * config-acme.c ACME's part of the model and its rules, config-serve.c
 * certbindd's (listener and binding options, the backend rule), and
 * config-write.c the canonical text.
 */
#ifndef CERTBIND_CONFIG_INT_H
#define CERTBIND_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

struct config {
	char			*path;
	/*
	 * The directory of path, absolute, made when path is set: resolving
	 * 30,000 paths of a large store asked getcwd() for each (check).
	 */
	char			*dir;
	int			 had_comments;
	char			*store;

	int			 has_server;
	struct config_server	 server;

	int			 has_acme;
	struct config_acme	 acme;

	struct config_listener	*listeners;
	size_t			 nlisteners;
	size_t			 listenerscap;

	struct config_key	*keys;
	size_t			 nkeys;
	size_t			 keyscap;
	/*
	 * Indexes into keys sorted by name, so that a lookup by name (once
	 * per binding in check and in certbindd's table) is a binary search.
	 */
	size_t			*byname;

	struct config_binding	*bindings;
	size_t			 nbindings;
	size_t			 bindingscap;
};

/* Defaults and ranges of the server settings (certbind.conf(5)). */
#define DEF_HANDSHAKE_TIMEOUT	10
#define DEF_IDLE_TIMEOUT	300
#define DEF_SHUTDOWN_TIMEOUT	30
#define DEF_MAX_CONNECTIONS	10000
#define DEF_WORKERS		0
#define DEF_TICKETS		1
#define DEF_ACCESS_LOG		1
#define MIN_TIMEOUT		1
#define MAX_TIMEOUT		86400
#define MIN_MAX_CONNECTIONS	1
#define MAX_MAX_CONNECTIONS	10000000
#define MIN_WORKERS		0
#define MAX_WORKERS		1024
#define DEF_ACME_HTTP_PORT	80
#define DEF_ACME_TLS_PORT	443
#define MIN_PORT		1
#define MAX_PORT		65535

/*
 * The header comment config_serialize() writes. The scanner knows it too:
 * a file certbind wrote has no comment worth a warning, because the
 * header is written again on every save.
 */
#define HEADER_LINE1 "# Written by certbind "
#define HEADER_LINE1_END \
    ". Edit with certbind; comments are not kept."
#define HEADER_LINE2 "# The settings are described in certbind.conf(5)."

/* config.c: small helpers and the records. */
void		 config_server_defaults(struct config_server *);
char		*config_dupnull(const char *);
/* Replaces *dst with a copy of src (NULL allowed) and frees the old one. */
void		 config_setstr(char **dst, const char *src);
/* Sets *cause (if not NULL) to the formatted text and returns -1. */
int		 config_fail(char **cause, const char *fmt, ...)
		     __attribute__((format(printf, 2, 3)));
void		 config_key_clear(struct config_key *);
void		 config_binding_clear(struct config_binding *);
/*
 * Each appends a zeroed record and returns it; the pointer is valid until
 * the next append to the same array.
 */
struct config_key *config_key_append(struct config *);
struct config_binding *config_binding_append(struct config *);
struct config_listener *config_listener_append(struct config *);
/* Puts key i, whose name is set, in its sorted place among the first n. */
void		 config_byname_insert(struct config *, size_t i, size_t n);
void		 config_byname_remove(struct config *, const char *name);
/* Builds the whole name index at once, after a load. */
void		 config_byname_sort(struct config *);
/*
 * The sni rule of the loader and the mutators: NULL (no sni) or a DNS
 * name, wildcard allowed; else -1 with *cause "bad sni 'NAME': why".
 */
int		 config_sni_check(const char *sni, char **cause);
/* The sni half of config_binding_cmp(); NULL and "" are no sni. */
int		 config_sni_cmp(const char *, const char *);

/*
 * config-serve.c: a listener's and a binding's options. clear frees a
 * listener's strings; copy is deep (dst is overwritten, not freed);
 * opts_copy sets dst's backend, client_ca and client_auth from src's.
 */
void		 config_listener_clear(struct config_listener *);
void		 config_listener_copy(struct config_listener *dst,
		     const struct config_listener *src);
void		 config_binding_opts_copy(struct config_binding *dst,
		     const struct config_binding *src);

/* config-acme.c: the acme group and the keys' acme blocks. */
void		 config_acme_clear(struct config_acme *);
void		 config_acme_copy(struct config_acme *dst,
		     const struct config_acme *src);
/*
 * The settings a rule can find wrong, so that the loader can put each
 * problem on the line of the setting (idx: which domain).
 */
enum config_acme_field {
	CONFIG_AF_BLOCK,
	CONFIG_AF_DOMAINS,
	CONFIG_AF_CHALLENGE,
	CONFIG_AF_WEBROOT,
	CONFIG_AF_HTTP_PORT,
	CONFIG_AF_DNS_HOOK,
	CONFIG_AF_KEY_TYPE,
	CONFIG_AF_SERVER,
	CONFIG_AF_ACCOUNT,
	CONFIG_AF_EMAIL,
	CONFIG_AF_CA_BUNDLE,
	CONFIG_AF_HTTP_CHALLENGE_PORT,
	CONFIG_AF_TLS_CHALLENGE_PORT
};
typedef void config_acme_report_fn(void *arg, enum config_acme_field,
    size_t idx, const char *msg);
/*
 * The rules, every problem given to report (not only the first).
 * Return the number of problems.
 */
size_t		 config_key_acme_rules(const struct config_key_acme *,
		     config_acme_report_fn *, void *arg);
size_t		 config_acme_rules(const struct config_acme *,
		     config_acme_report_fn *, void *arg);

/*
 * config-load.c's helpers, for the parts of the walk over libconfig's tree
 * in files of their own: an error on a line, the line of a setting, a
 * string or a number read with the loader's checks (each reports its own
 * problem and returns NULL or -1), an unknown setting, and the model being
 * filled. The handle is the loader's; it lives for one config_parse().
 */
struct config_setting_t;
struct config_lctx;
void		 config_lerr(struct config_lctx *, int line,
		     const char *fmt, ...)
		     __attribute__((format(printf, 3, 4)));
int		 config_lline(struct config_lctx *,
		     const struct config_setting_t *);
const char	*config_lstr(struct config_lctx *,
		     const struct config_setting_t *, const char *what,
		     int empty_ok);
int		 config_lnum(struct config_lctx *,
		     const struct config_setting_t *, const char *what,
		     long long min, long long max, int64_t *out);
int		 config_lendpoint(struct config_lctx *,
		     const struct config_setting_t *, const char *what,
		     struct endpoint *);
void		 config_lunknown(struct config_lctx *,
		     const struct config_setting_t *, const char *where);
struct config	*config_lmodel(struct config_lctx *);

/*
 * config-load-acme.c: the acme group, and a key's acme block (NULL when
 * it has a problem, each reported on its line).
 */
void		 config_load_acme(struct config_lctx *,
		     const struct config_setting_t *);
struct config_key_acme *config_load_key_acme(struct config_lctx *,
		     const struct config_setting_t *);

/*
 * config-load-serve.c: a listener's, a binding's and the server group's
 * settings for certbindd's features. Each returns 1 when it knew the
 * setting s (and read it into the record, or reported its problem and
 * set *ok to 0), 0 when s is not one of its settings.
 */
int		 config_load_listener_opt(struct config_lctx *,
		     const struct config_setting_t *s,
		     struct config_listener *, int *ok);
int		 config_load_binding_opt(struct config_lctx *,
		     const struct config_setting_t *s,
		     struct config_binding *, int *ok);
int		 config_load_server_opt(struct config_lctx *,
		     const struct config_setting_t *s,
		     struct config_server *);

/* config-scan.c: the pass over the text before libconfig's. */
struct config_literal {
	int		 line;
	char		*name;		/* the setting it is the value of */
	char		*text;
	long long	 value;
	int		 overflow;	/* does not fit in 64 bits */
};

struct config_scan {
	int		 had_comments;
	int		 nlines;	/* lines in the text */
	struct config_literal *lits;
	size_t		 nlits;
	size_t		 litscap;
	int		*includes;	/* lines of refused @include */
	size_t		 nincludes;
};

/*
 * Scans t (which it may change: an @include is blanked out with spaces,
 * so every line keeps its number and libconfig can still read the rest).
 */
void		 config_scan_text(struct config_scan *, char *t, size_t len);
/* The literal written for setting name on line, or NULL. */
const struct config_literal *config_scan_find(const struct config_scan *,
		     const char *name, int line);
void		 config_scan_free(struct config_scan *);

#endif
