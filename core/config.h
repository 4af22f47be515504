/*
 * The config file: the contract between certbind and certbindd (see
 * DESIGN.md "The config file"). struct config is the whole file as a model;
 * the key, binding and listener records are plain data that callers read
 * directly, but only change through the config_* functions so the model
 * stays consistent.
 *
 * Ownership: every string in the model belongs to the config and lives
 * until config_free() or until a mutator removes the record it is in.
 * Pointers returned by the accessors are borrowed on those terms; a record
 * pointer is invalidated by any mutator (records live in arrays), so keep
 * names or indexes across edits, not pointers.
 */
#ifndef CERTBIND_CONFIG_H
#define CERTBIND_CONFIG_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#include "core/endpoint.h"
#include "util/errlist.h"

#define CONFIG_VERSION		1
#define CONFIG_DEFAULT_PATH	"/etc/certbind/certbind.conf"
#define CONFIG_MAX_SIZE		(256u * 1024 * 1024)

struct config;

/*
 * A key's acme block: the names its certificate carries and how the CA
 * validates them (DESIGN.md "ACME"). config_key_acme_check() is the rule.
 */
struct config_key_acme {
	char		**domains;	/* ndomains names, at least one */
	size_t		  ndomains;
	char		 *challenge;	/* "tls-alpn-01", "http-01", "dns-01" */
	char		 *webroot;	/* NULL: none; http-01 only, absolute */
	int64_t		  http_port;	/* 0: not given; http-01 only */
	char		 *dns_hook;	/* dns-01 only, and required for it */
	char		 *key_type;	/* NULL: the default type */
};

#define CONFIG_ACME_TLS_ALPN	"tls-alpn-01"
#define CONFIG_ACME_HTTP	"http-01"
#define CONFIG_ACME_DNS		"dns-01"
/* The challenge of a block that names none. */
#define CONFIG_ACME_DEFAULT_CHALLENGE	CONFIG_ACME_TLS_ALPN

struct config_key {
	char		*name;
	char		*key;		/* path as written in the file */
	char		*cert;		/* NULL: pending */
	char		*request;	/* NULL: no request */
	struct config_key_acme *acme;	/* NULL: not managed by ACME */
	char		*note;		/* NULL: none (a note, below) */
	int		 line;		/* 0 when not from a file */
};

/* Whether a binding asks clients for a certificate (client_auth). */
enum config_client_auth {
	CONFIG_CLIENT_AUTH_NONE = 0,	/* no client_ca */
	CONFIG_CLIENT_AUTH_OPTIONAL,	/* verified when the client sends one */
	CONFIG_CLIENT_AUTH_REQUIRED	/* no verified certificate, no handshake */
};

struct config_binding {
	char		*key;		/* a key's name */
	struct endpoint	 ep;
	char		*sni;		/* NULL: no SNI */
	/*
	 * The binding's own backend, which overrides the listener's for the
	 * connections this binding serves (config_backend_for()).
	 */
	int		 has_backend;
	struct endpoint	 backend;	/* concrete, when has_backend */
	/*
	 * Client certificates: the CA file as written (resolve it with
	 * config_resolve_path()), NULL for none; client_auth is NONE exactly
	 * when client_ca is NULL (REQUIRED when the file names none).
	 */
	char		*client_ca;
	enum config_client_auth client_auth;
	char		*note;		/* NULL: none (a note, below) */
	int		 line;
};

#define CONFIG_PROXY_PROTOCOL_MAX	2
/*
 * RFC 7301 allows 1-255 bytes a name, but GnuTLS 3.7 holds at most 8
 * protocols of at most 31 bytes (lib/ext/alpn.h): a listener may list 7,
 * leaving certbindd room for acme-tls/1. The rule is here, so that the
 * loader, certbind listen and certbindd agree.
 */
#define CONFIG_ALPN_MAX			7	/* protocols on a listener */
#define CONFIG_ALPN_NAME_MAX		31	/* bytes in a name */

struct config_listener {
	struct endpoint	 ep;		/* the address may be "*", the port not */
	struct endpoint	 backend;	/* concrete */
	int		 proxy_protocol;	/* 0: none; 1, 2: to the backend */
	char		**alpn;		/* nalpn protocols, the server's order */
	size_t		  nalpn;
	int		 freebind;	/* IP_FREEBIND: a standby address */
	int		 accept_proxy;	/* a PROXY header before the hello */
	char		*note;		/* NULL: none (a note, below) */
	int		 line;
};

/* server.tls_profile: the protocols and ciphers certbindd offers. */
#define CONFIG_TLS_INTERMEDIATE	"intermediate"	/* the default */
#define CONFIG_TLS_MODERN	"modern"

/* server.signer: which library computes certbindd's signatures. */
#define CONFIG_SIGNER_OPENSSL	"openssl"	/* the default */
#define CONFIG_SIGNER_GNUTLS	"gnutls"

struct config_server {
	char		*user;		/* NULL: do not drop privileges */
	char		*group;		/* NULL: none; key files may be 0640 */
	int64_t		 handshake_timeout;	/* seconds, default 10 */
	int64_t		 idle_timeout;		/* seconds, default 300 */
	int64_t		 shutdown_timeout;	/* seconds, default 30 */
	int64_t		 max_connections;	/* default 10000 */
	int64_t		 workers;		/* 0: one per CPU */
	char		*priority;	/* GnuTLS priority string, NULL: default */
	int		 tickets;	/* session tickets, default 1 */
	char		*trust;		/* CA bundle, NULL: system default */
	/*
	 * Where certbindd writes its pid, as written in the file (resolve
	 * with config_resolve_path()); NULL: no pidfile.
	 */
	char		*pidfile;
	/*
	 * CONFIG_TLS_INTERMEDIATE or CONFIG_TLS_MODERN, NULL: the default.
	 * An explicit priority overrides it.
	 */
	char		*tls_profile;
	/*
	 * CONFIG_SIGNER_OPENSSL or CONFIG_SIGNER_GNUTLS, NULL: the default
	 * (OpenSSL where it takes the key, keys/fastsign.h).
	 */
	char		*signer;
	/*
	 * The session ticket key file, as written; NULL: a key made at
	 * start, which a restart forgets.
	 */
	char		*ticket_keys;
	int		 access_log;	/* a line per connection, default 1 */
	/* Prometheus text exposition (plain HTTP) on a loopback address. */
	struct endpoint	 metrics;
	int		 has_metrics;
};

/* The acme group: the CA that issues and renews certificates. */
struct config_acme {
	char		*server;	/* the directory URL, https:// */
	char		*account;	/* the account key's path */
	char		*email;		/* NULL: no contact */
	char		*ca_bundle;	/* NULL: the system's trust */
	int64_t		 challenge_http_port;	/* default 80 */
	int64_t		 challenge_tls_port;	/* default 443 */
};

struct config	*config_new(void);
void		 config_free(struct config *);
struct config	*config_dup(const struct config *);

/*
 * Reads and checks a file. Every problem is appended to errs as
 * "FILE:LINE: message" (all of them, not the first); returns -1 if there
 * was any, in which case *out is NULL. Numbers are read as 64-bit and range
 * checked, unknown settings are reported, @include is refused.
 */
int		 config_load(const char *path, struct config **out,
		     struct errlist *errs);
/* The same from memory; name is used in messages in place of the path. */
int		 config_parse(const char *text, size_t len, const char *name,
		     struct config **out, struct errlist *errs);

/* The text certbind writes, header comment included. Allocated. */
char		*config_serialize(const struct config *);
/* The versions a save keeps: PATH.bak, then PATH.bak.2 ... */
#define CONFIG_BACKUPS		5

/*
 * Atomic save (temporary file in the same directory, write, fflush,
 * ferror, fsync, rename, fsync of the directory), mode 0640. The previous
 * file is kept as PATH.bak, the ones before it as PATH.bak.2 up to
 * PATH.bak.CONFIG_BACKUPS. On failure the original is byte-identical.
 */
int		 config_save(const struct config *, const char *path,
		     char **cause);

/* The path the config was loaded from or last saved to; NULL if none. */
const char	*config_path(const struct config *);
void		 config_set_path(struct config *, const char *);
/* Whether the loaded file had comments (libconfig drops them on save). */
int		 config_had_comments(const struct config *);
/* store as written, or NULL. */
const char	*config_store(const struct config *);
void		 config_set_store(struct config *, const char *);
/*
 * The absolute path for a key, cert or request path: absolute stays, a
 * relative one resolves against store, or the config file's directory when
 * there is no store. Allocated.
 */
char		*config_resolve_path(const struct config *, const char *);

/* The longest key name: it becomes part of file names (keys/NAME.key). */
#define CONFIG_KEY_NAME_MAX	64

/*
 * The one rule for a key name: 1 to CONFIG_KEY_NAME_MAX letters, digits,
 * '.', '_' or '-', starting with a letter or digit (names appear on
 * command lines and in file names). Returns 0, or -1 with an allocated
 * *cause (if not NULL) that quotes the name and says what is wrong.
 * config_key_add, config_key_rename, the loader and the key lifecycle all
 * ask it.
 */
int		 config_key_name_check(const char *name, char **cause);
/* The same as a yes (1) or no (0). */
int		 config_key_name_valid(const char *name);

/*
 * The one order of bindings: by endpoint (endpoint_cmp), then by sni,
 * where no sni comes first and names compare without case. Two bindings
 * that compare equal are in the same slot: a client cannot tell them
 * apart (check's conflict). Returns <0, 0, >0; sort by file order after
 * it where the first of equals must win, as the resolver does.
 */
int		 config_binding_cmp(const struct config_binding *,
		     const struct config_binding *);

/* NULL when the file has no server section. */
const struct config_server *config_server(const struct config *);
struct config_server *config_server_edit(struct config *);	/* creates */
/*
 * The rule of the server group's settings (not its listeners), the one
 * the loader applies: user, group, priority, trust, pidfile and
 * ticket_keys NULL or not empty; tls_profile config_tls_profile_check();
 * the timeouts, max_connections and workers in their ranges
 * (certbind.conf(5)); tickets and access_log 0 or 1. The priority
 * string's strength is the keys layer's (tlsprofile_judge()). Returns 0,
 * or -1 with an allocated *cause (if not NULL) naming the setting, the
 * value and what is allowed.
 */
int		 config_server_check(const struct config_server *,
		     char **cause);
/*
 * The server group (created if missing) takes s's settings, a deep copy,
 * after config_server_check(); its listeners stay.
 */
int		 config_server_set(struct config *,
		     const struct config_server *s, char **cause);

/*
 * NULL when the file has no acme group. config_acme_edit() creates one
 * (server and account NULL, ports 80 and 443): the caller fills in server
 * and account before the config is saved, or the file will not load.
 */
const struct config_acme *config_acme(const struct config *);
struct config_acme *config_acme_edit(struct config *);
/* Removes the acme group, if any. */
void		 config_acme_remove(struct config *);
/*
 * The rules of the acme group: server an https:// URL, account given,
 * email (if given) an address, ports 1-65535. Returns 0, or -1 with an
 * allocated *cause (if not NULL) naming the setting and the value.
 */
int		 config_acme_check(const struct config_acme *, char **cause);

/*
 * The one rule for a key's acme block, which the loader and
 * config_key_acme_set() ask: at least one domain, each a DNS name
 * (dnsname_check()), a wildcard only with challenge dns-01, no name twice
 * (case does not matter); challenge one of tls-alpn-01, http-01, dns-01
 * (NULL: tls-alpn-01); dns_hook required with dns-01 and refused
 * otherwise; webroot (absolute) and http_port (1-65535) only with
 * http-01. key_type is not checked here: the key types are the keys
 * layer's (key_type_parse()), which core cannot see. Returns 0, or -1
 * with an allocated *cause (if not NULL) naming the setting and value.
 */
int		 config_key_acme_check(const struct config_key_acme *,
		     char **cause);
/* A deep copy; NULL gives NULL. */
struct config_key_acme *config_key_acme_dup(const struct config_key_acme *);
/* Frees the members and the struct; NULL is allowed. */
void		 config_key_acme_free(struct config_key_acme *);
/*
 * Whether two blocks say the same (NULL equals only NULL; a NULL
 * challenge is tls-alpn-01; domains compare in order, without case).
 */
int		 config_key_acme_equal(const struct config_key_acme *,
		     const struct config_key_acme *);

size_t		 config_nkeys(const struct config *);
const struct config_key *config_key(const struct config *, size_t);
const struct config_key *config_key_find(const struct config *,
		     const char *name);
ssize_t		 config_key_index(const struct config *, const char *name);

size_t		 config_nbindings(const struct config *);
/*
 * The binding of key on ep with sni (NULL or "": none; names compare
 * without case), or -1: the one test bind, unbind and note share.
 */
ssize_t		 config_binding_find(const struct config *, const char *key,
		     const struct endpoint *ep, const char *sni);
const struct config_binding *config_binding(const struct config *, size_t);

/*
 * The rule for a tls_profile name: NULL, "intermediate" or "modern".
 * Returns 0, or -1 with an allocated *cause (if not NULL) naming the
 * value and the allowed ones.
 */
int		 config_tls_profile_check(const char *, char **cause);
/* The rule for server.signer: NULL, "openssl" or "gnutls"; as above. */
int		 config_signer_check(const char *, char **cause);
/*
 * The rule for server.metrics: a concrete endpoint on a loopback address
 * (127.0.0.0/8 or ::1). Returns 0, or -1 with an allocated *cause (if
 * not NULL) naming the value.
 */
int		 config_metrics_check(const struct endpoint *, char **cause);

/*
 * The rule for a listener's options (proxy_protocol 0-2; alpn at most
 * CONFIG_ALPN_MAX distinct names of 1-CONFIG_ALPN_NAME_MAX printable
 * bytes). The endpoint and backend are not looked at. Returns 0, or -1
 * with an allocated *cause (if not NULL) naming the setting and value.
 */
int		 config_listener_check(const struct config_listener *,
		     char **cause);
/*
 * The rule for a binding's options: a concrete backend when has_backend;
 * client_auth given only with client_ca (NONE with it is taken to mean
 * REQUIRED by the loader and config_binding_set()).
 */
int		 config_binding_opts_check(const struct config_binding *,
		     char **cause);
/* "none", "optional", "required"; and back (-1: not a policy). */
const char	*config_client_auth_name(enum config_client_auth);
int		 config_client_auth_parse(const char *,
		     enum config_client_auth *);

/*
 * The backend for a connection that binding b (NULL: none chose yet)
 * serves on listener l (NULL: none): the binding's own when it has one,
 * else the listener's, else NULL. The one rule: certbindd connects to it,
 * certbind resolve and the terminal UI show it.
 */
const struct endpoint *config_backend_for(const struct config_binding *b,
		     const struct config_listener *l);

size_t		 config_nlisteners(const struct config *);
const struct config_listener *config_listener(const struct config *,
		     size_t);
ssize_t		 config_listener_find(const struct config *,
		     const struct endpoint *);
/*
 * The listener that accepts a connection to local (concrete): the one on
 * exactly that endpoint, else the one on "*" and its port, as the kernel
 * chooses; -1 when none does.
 */
ssize_t		 config_listener_serving(const struct config *,
		     const struct endpoint *local);

/*
 * Mutators. Each returns 0, or -1 with an allocated *cause saying why
 * (a duplicate, no such record). None of them checks findings; callers
 * run check_config() before and after to refuse a change that adds errors.
 */
int	config_key_add(struct config *, const char *name, const char *key,
	    const char *cert, const char *request, char **cause);
/*
 * The key's record becomes exactly what is given, except that key NULL
 * keeps the private key path: cert or request NULL removes it. The acme
 * block stays as it is.
 */
int	config_key_set(struct config *, const char *name, const char *key,
	    const char *cert, const char *request, char **cause);
/*
 * Key name's acme block becomes a deep copy of acme (its challenge
 * filled in when NULL) after config_key_acme_check() accepts it; NULL
 * removes the block. config_key_set() and config_key_rename() keep it.
 */
int	config_key_acme_set(struct config *, const char *name,
	    const struct config_key_acme *, char **cause);
/* Bindings that name the key stay (check reports them as unknown-key). */
int	config_key_remove(struct config *, const char *name, char **cause);
int	config_key_rename(struct config *, const char *from, const char *to,
	    char **cause);	/* bindings follow */
/*
 * The key must exist, sni must be a DNS name (dnsname_check(), wildcard
 * allowed: the rule the loader and a request's alternative names obey)
 * and the same key, endpoint and sni must not be bound already; another
 * key on the same endpoint and sni is allowed (that is check's conflict).
 * sni "" is no sni.
 */
int	config_bind(struct config *, const char *key,
	    const struct endpoint *, const char *sni, char **cause);
/* sni NULL matches only the binding without sni. */
int	config_unbind(struct config *, const char *key,
	    const struct endpoint *, const char *sni, char **cause);
/* Replaces binding i's endpoint and sni. */
int	config_binding_edit(struct config *, size_t i,
	    const struct endpoint *, const char *sni, char **cause);
int	config_listen(struct config *, const struct endpoint *,
	    const struct endpoint *backend, char **cause);
int	config_unlisten(struct config *, const struct endpoint *,
	    char **cause);
/*
 * The listener on ep takes opts' backend and options (a deep copy, after
 * config_listener_check() and a concrete backend); its endpoint, note and
 * line stay.
 */
int	config_listener_set(struct config *, const struct endpoint *ep,
	    const struct config_listener *opts, char **cause);
/*
 * Binding i takes opts' backend, client_ca and client_auth (a deep copy,
 * after config_binding_opts_check()); key, endpoint, sni, note and line
 * stay.
 */
int	config_binding_set(struct config *, size_t i,
	    const struct config_binding *opts, char **cause);
/*
 * Moves the listener on old (if any) and every binding whose endpoint
 * equals old to new. Each change is appended to changes as a sentence
 * ("listener 127.0.0.2:8443 -> 127.0.0.3:8443"). Returns the number of
 * records moved, or -1 with *cause (nothing on old, or new taken).
 */
int	config_move(struct config *, const struct endpoint *old,
	    const struct endpoint *new, struct errlist *changes,
	    char **cause);

/*
 * Notes: a line of text on a key, a binding or a listener saying why it
 * is the way it is (libconfig drops comments; a note is kept by every
 * save, by config_move(), config_key_rename(), config_key_set() and the
 * option setters). The rule: at most CONFIG_NOTE_MAX bytes of UTF-8 with
 * nothing escape_str() would escape (no control characters, no bidi
 * controls), backslashes allowed. The text is still untrusted: escape it
 * wherever it is shown. The setters take NULL or "" to remove a note.
 */
#define CONFIG_NOTE_MAX	256
int	config_note_check(const char *note, char **cause);
int	config_key_note(struct config *, const char *name, const char *note,
	    char **cause);
int	config_binding_note(struct config *, size_t i, const char *note,
	    char **cause);
int	config_listener_note(struct config *, const struct endpoint *ep,
	    const char *note, char **cause);

#endif
