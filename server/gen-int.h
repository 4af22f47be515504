/*
 * What gen.c and gen-clientcert.c share of a generation: its layout and
 * the client-certificate functions the load and the handshake call.
 * certbindd.h is the generations' interface for the rest of the server.
 */
#ifndef CERTBIND_SERVER_GEN_INT_H
#define CERTBIND_SERVER_GEN_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include <gnutls/gnutls.h>

#include "server/certbindd.h"

struct gen {
	atomic_long			 refs;
	unsigned long			 id;
	struct config			*cfg;
	struct resolver			*res;
	gnutls_certificate_credentials_t creds;
	gnutls_priority_t		 prio;
	struct tlscred			**keycred;	/* by key index */
	size_t				 nkeys;
	unsigned			 signflags;	/* TLSCRED_OPENSSL */
	struct tlscred			**bindcred;	/* by binding, borrowed */
	size_t				 nbindings;
	struct srvid			 id_user;
	int64_t				 hs_timeout;
	int64_t				 idle_timeout;
	int64_t				 shutdown_timeout;
	int64_t				 max_conns;
	int64_t				 workers;
	int				 tickets;
	gnutls_datum_t			 ticket;	/* ticket_keys, or none */
	struct clientca			**cas;		/* each distinct client_ca */
	size_t				 ncas;
	struct clientca			**bindca;	/* by binding, borrowed */
	struct metrics_gen		*mx;		/* metrics.c */
};

/* A refused handshake's log line, rate-limited (gen.c). */
void	gen_refusal(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Client certificates (gen-clientcert.c). */
void	gen_load_client_cas(struct gen *, const char *path, struct errlist *);
int	gen_verify_client(gnutls_session_t);
void	gen_client_auth_setup(gnutls_session_t, struct hsinfo *);

#endif
