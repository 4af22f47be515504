/*
 * certbind check: every finding on a config, those on the model alone
 * (core/check.c) and those that read the key, certificate and request
 * files (op/check.c). The list type, the codes and the list operations
 * are core/findings.h's; this header includes it so that callers need
 * only this one.
 */
#ifndef CERTBIND_CHECK_H
#define CERTBIND_CHECK_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "core/check.h"
#include "core/findings.h"

struct config;

struct check_opts {
	int		 offline;	/* skip host-dependent checks */
	int		 files;		/* open keys and certificates */
	int		 warn_days;	/* expiring threshold, default 30 */
	time_t		 now;		/* 0: time(NULL) */
	const char	*trust_file;	/* NULL: config's, else the system's */
	/* The addresses the host is taken to hold; NULL: ask the host. */
	const struct check_assume *assume;
};

void		 check_opts_default(struct check_opts *);

/*
 * Runs every check on the config. Findings are appended in a stable order:
 * by severity (errors first), then by code, then by object.
 */
void		 check_config(const struct config *, const struct check_opts *,
		     struct findings *);

#endif
