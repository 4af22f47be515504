/*
 * The loader's part for certbindd's features: a listener's
 * proxy_protocol, alpn, freebind and accept_proxy, a binding's backend,
 * client_ca and client_auth, and the server's tls_profile, ticket_keys
 * and access_log. It is config-load.c's walk in a file of its own,
 * reporting through the loader's helpers (config-int.h) so that every
 * problem comes with its line; the values are judged by the rules in
 * config-serve.c, which the mutators ask too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "core/config.h"
#include "core/config-int.h"
#include "util/escape.h"
#include "util/xmalloc.h"

/* A boolean setting: true or false (1 or 0 is accepted too). */
static int
load_bool(struct config_lctx *lc, const config_setting_t *s, int *out)
{
	int64_t	 num;
	char	*e;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_BOOL:
		*out = config_setting_get_bool(s);
		return 0;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		if (config_lnum(lc, s, config_setting_name(s), 0, 1, &num) != 0)
			return -1;
		*out = (int)num;
		return 0;
	case CONFIG_TYPE_STRING:
		/* The likely mistake, "yes" or "true": quote it back. */
		e = escape_str(config_setting_get_string(s), 0);
		config_lerr(lc, config_lline(lc, s), "%s = \"%s\" is not true "
		    "or false: write %s = true; or %s = false; (no quotes)",
		    config_setting_name(s), e, config_setting_name(s),
		    config_setting_name(s));
		free(e);
		return -1;
	default:
		config_lerr(lc, config_lline(lc, s), "%s must be true or false",
		    config_setting_name(s));
		return -1;
	}
}

/* Reports a rule's cause on the setting's line. */
static void
load_fail(struct config_lctx *lc, const config_setting_t *s, char *cause,
    int *ok)
{
	config_lerr(lc, config_lline(lc, s), "%s", cause);
	free(cause);
	*ok = 0;
}

static void
load_alpn(struct config_lctx *lc, const config_setting_t *s,
    struct config_listener *l, int *ok)
{
	const config_setting_t	*e;
	const char		*v;
	char			*cause = NULL;
	int			 i, n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    config_setting_type(s) != CONFIG_TYPE_ARRAY) {
		config_lerr(lc, config_lline(lc, s), "alpn must be a list: "
		    "alpn = ( \"h2\", \"http/1.1\" );");
		*ok = 0;
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if ((v = config_lstr(lc, e, "an alpn protocol", 0)) == NULL) {
			*ok = 0;
			return;
		}
		if (l->nalpn == CONFIG_ALPN_MAX + 1)
			break;		/* enough for the rule to refuse */
		l->alpn = xreallocarray(l->alpn, l->nalpn + 1,
		    sizeof *l->alpn);
		l->alpn[l->nalpn++] = xstrdup(v);
	}
	if (config_listener_check(l, &cause) != 0)
		load_fail(lc, s, cause, ok);
}

int
config_load_listener_opt(struct config_lctx *lc, const config_setting_t *s,
    struct config_listener *l, int *ok)
{
	const char	*n = config_setting_name(s);
	int64_t		 num;

	if (strcmp(n, "proxy_protocol") == 0) {
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64) {
			config_lerr(lc, config_lline(lc, s), "proxy_protocol "
			    "must be 0 (none), 1 or 2");
			*ok = 0;
		} else if (config_lnum(lc, s, "proxy_protocol", INT64_MIN,
		    INT64_MAX, &num) != 0)
			*ok = 0;
		else if (num < 0 || num > CONFIG_PROXY_PROTOCOL_MAX) {
			config_lerr(lc, config_lline(lc, s), "proxy_protocol = "
			    "%lld is not a version: use 0 (none), 1 or 2",
			    (long long)num);
			*ok = 0;
		} else
			l->proxy_protocol = (int)num;
	} else if (strcmp(n, "alpn") == 0)
		load_alpn(lc, s, l, ok);
	else if (strcmp(n, "freebind") == 0) {
		if (load_bool(lc, s, &l->freebind) != 0)
			*ok = 0;
	} else if (strcmp(n, "accept_proxy") == 0) {
		if (load_bool(lc, s, &l->accept_proxy) != 0)
			*ok = 0;
	} else
		return 0;
	return 1;
}

int
config_load_binding_opt(struct config_lctx *lc, const config_setting_t *s,
    struct config_binding *b, int *ok)
{
	struct config_binding	 only;
	const char		*n = config_setting_name(s), *v;
	char			*cause = NULL, *e;

	if (strcmp(n, "backend") == 0) {
		if (config_lendpoint(lc, s, "backend", &b->backend) != 0) {
			*ok = 0;
			return 1;
		}
		b->has_backend = 1;
		/*
		 * The backend alone: client_auth and client_ca may come in
		 * either order around it, and walk_binding() judges that
		 * pair once the whole binding is read.
		 */
		memset(&only, 0, sizeof only);
		only.has_backend = 1;
		only.backend = b->backend;
		if (config_binding_opts_check(&only, &cause) != 0)
			load_fail(lc, s, cause, ok);
	} else if (strcmp(n, "client_ca") == 0) {
		if ((v = config_lstr(lc, s, "client_ca", 0)) == NULL)
			*ok = 0;
		else
			config_setstr(&b->client_ca, v);
	} else if (strcmp(n, "client_auth") == 0) {
		if ((v = config_lstr(lc, s, "client_auth", 0)) == NULL)
			*ok = 0;
		else if (config_client_auth_parse(v, &b->client_auth) != 0 ||
		    b->client_auth == CONFIG_CLIENT_AUTH_NONE) {
			e = escape_str(v, 0);
			config_lerr(lc, config_lline(lc, s), "client_auth \"%s\" "
			    "is not a policy: use \"required\" or "
			    "\"optional\"", e);
			free(e);
			b->client_auth = CONFIG_CLIENT_AUTH_NONE;
			*ok = 0;
		}
	} else
		return 0;
	return 1;
}

int
config_load_server_opt(struct config_lctx *lc, const config_setting_t *s,
    struct config_server *sv)
{
	const char	*n = config_setting_name(s), *v;
	char		*cause = NULL;
	int		 ok = 1;

	if (strcmp(n, "tls_profile") == 0) {
		if ((v = config_lstr(lc, s, "tls_profile", 0)) == NULL)
			return 1;
		if (config_tls_profile_check(v, &cause) != 0)
			load_fail(lc, s, cause, &ok);
		else
			config_setstr(&sv->tls_profile, v);
	} else if (strcmp(n, "signer") == 0) {
		if ((v = config_lstr(lc, s, "signer", 0)) == NULL)
			return 1;
		if (config_signer_check(v, &cause) != 0)
			load_fail(lc, s, cause, &ok);
		else
			config_setstr(&sv->signer, v);
	} else if (strcmp(n, "ticket_keys") == 0) {
		if ((v = config_lstr(lc, s, "ticket_keys", 0)) != NULL)
			config_setstr(&sv->ticket_keys, v);
	} else if (strcmp(n, "access_log") == 0)
		(void)load_bool(lc, s, &sv->access_log);
	else if (strcmp(n, "metrics") == 0) {
		if (config_lendpoint(lc, s, "metrics", &sv->metrics) != 0)
			return 1;
		if (config_metrics_check(&sv->metrics, &cause) != 0)
			load_fail(lc, s, cause, &ok);
		else
			sv->has_metrics = 1;
	} else
		return 0;
	return 1;
}
