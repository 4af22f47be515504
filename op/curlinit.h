/*
 * libcurl's global state, made once for the process by whichever of its
 * users (ACME, etcd) comes first: curl_global_init() is not thread-safe.
 */
#ifndef CERTBIND_OP_CURLINIT_H
#define CERTBIND_OP_CURLINIT_H

/* 1 when libcurl is ready for curl_easy_init(), 0 when it could not be. */
int	curlinit_ready(void);

#endif
