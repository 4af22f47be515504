/*
 * http-01 (RFC 8555 section 8.3), both ways certbind answers it: its own
 * short-lived responder (libmicrohttpd, no hand-written HTTP), or files in
 * a webroot that a web server already serves.
 *
 * The responder's socket is made and bound here, not by libmicrohttpd, so
 * that a port in use or a port that needs root is said as such (the
 * daemon's own bind failure says nothing but NULL). It listens on the IPv6
 * any address with IPV6_V6ONLY off, which takes IPv4 as well, and on the
 * IPv4 any address alone where the host has no IPv6.
 *
 * The token table is read by the daemon's thread and written by the
 * caller's: one mutex guards it. A request copies the answer out under the
 * lock, so http01_remove() never frees text a response still points to.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "op/acme-answer.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"

/* A CA's validation makes a handful of requests; a crowd is not one. */
#define HTTP01_MAX_CONNECTIONS	32
#define HTTP01_PER_IP		8
#define HTTP01_TIMEOUT_S	10
/* RFC 8555 tokens are 128 bits of base64url at least; far below this. */
#define HTTP01_TOKEN_MAX	256

struct http01_token {
	char	*token;
	char	*keyauth;
};

struct http01 {
	struct MHD_Daemon	*daemon;
	int			 fd;
	pthread_mutex_t		 lock;
	struct http01_token	*tokens;
	size_t			 ntokens;
	unsigned long		 served;	/* __atomic */
};

/* The one token rule: base64url, never a path or anything else. */
static int
token_valid(const char *token)
{
	size_t	 n;

	n = strlen(token);
	if (n == 0 || n > HTTP01_TOKEN_MAX)
		return 0;
	return strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static struct http01_token *
token_find(struct http01 *h, const char *token)
{
	size_t	 i;

	for (i = 0; i < h->ntokens; i++)
		if (strcmp(h->tokens[i].token, token) == 0)
			return &h->tokens[i];
	return NULL;
}

static enum MHD_Result
respond(struct MHD_Connection *c, unsigned int status, const char *body)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req)
{
	struct http01		*h = cls;
	struct http01_token	*t;
	const char		*token;
	char			*answer = NULL;
	enum MHD_Result		 ret;

	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 ||
	    strncmp(url, HTTP01_PREFIX, strlen(HTTP01_PREFIX)) != 0)
		return respond(c, MHD_HTTP_NOT_FOUND, "not found\n");
	token = url + strlen(HTTP01_PREFIX);
	pthread_mutex_lock(&h->lock);
	if (token_valid(token) && (t = token_find(h, token)) != NULL)
		answer = xstrdup(t->keyauth);
	pthread_mutex_unlock(&h->lock);
	if (answer == NULL)
		return respond(c, MHD_HTTP_NOT_FOUND, "not found\n");
	ret = respond(c, MHD_HTTP_OK, answer);
	free(answer);
	if (ret == MHD_YES)
		__atomic_add_fetch(&h->served, 1, __ATOMIC_RELAXED);
	return ret;
}

static char *
bind_cause(int port, int err)
{
	switch (err) {
	case EADDRINUSE:
		return xasprintf("port %d is in use by another program", port);
	case EACCES:
	case EPERM:
		return xasprintf("binding port %d needs root (or the "
		    "CAP_NET_BIND_SERVICE capability)", port);
	default:
		return xasprintf("cannot listen on port %d: %s", port,
		    strerror(err));
	}
}

/* A listening socket on port of every address, or -1 and errno. */
static int
listen_any(int port)
{
	struct sockaddr_in6	 s6;
	struct sockaddr_in	 s4;
	int			 fd, off = 0, on = 1, saved;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd != -1) {
		memset(&s6, 0, sizeof s6);
		s6.sin6_family = AF_INET6;
		s6.sin6_addr = in6addr_any;
		s6.sin6_port = htons(port);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
		    sizeof off) == -1 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof on) == -1 ||
		    bind(fd, (struct sockaddr *)&s6, sizeof s6) == -1)
			goto fail;
		goto listen;
	}
	if (errno != EAFNOSUPPORT)
		return -1;
	/* No IPv6 on this host: IPv4 alone. */
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&s4, 0, sizeof s4);
	s4.sin_family = AF_INET;
	s4.sin_addr.s_addr = htonl(INADDR_ANY);
	s4.sin_port = htons(port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1 ||
	    bind(fd, (struct sockaddr *)&s4, sizeof s4) == -1)
		goto fail;
listen:
	if (listen(fd, 64) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
http01_start(int port, struct http01 **out, char **cause)
{
	struct http01	*h;
	int		 fd;

	*out = NULL;
	if (port < 1 || port > 65535) {
		if (cause != NULL)
			*cause = xasprintf("port %d is not a port", port);
		return -1;
	}
	if ((fd = listen_any(port)) == -1) {
		if (cause != NULL)
			*cause = bind_cause(port, errno);
		return -1;
	}
	h = xcalloc(1, sizeof *h);
	h->fd = fd;
	pthread_mutex_init(&h->lock, NULL);
	/*
	 * No MHD_USE_ERROR_LOG: the library never prints. The daemon owns
	 * the socket from here and closes it in MHD_stop_daemon(), or when
	 * it fails to start.
	 */
	h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_AUTO, 0, NULL, NULL, handle, h,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP01_MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP01_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP01_TIMEOUT_S,
	    MHD_OPTION_END);
	if (h->daemon == NULL) {
		/* Not closed here: libmicrohttpd 0.9.75 closes a socket it
		 * was given when it fails to start, and a second close
		 * could close another thread's new descriptor. */
		pthread_mutex_destroy(&h->lock);
		free(h);
		if (cause != NULL)
			*cause = xasprintf("cannot start the http-01 responder "
			    "on port %d", port);
		return -1;
	}
	*out = h;
	return 0;
}

void
http01_add(struct http01 *h, const char *token, const char *keyauth)
{
	struct http01_token	*t;

	pthread_mutex_lock(&h->lock);
	if ((t = token_find(h, token)) != NULL) {
		free(t->keyauth);
		t->keyauth = xstrdup(keyauth);
	} else {
		h->tokens = xreallocarray(h->tokens, h->ntokens + 1,
		    sizeof *h->tokens);
		t = &h->tokens[h->ntokens++];
		t->token = xstrdup(token);
		t->keyauth = xstrdup(keyauth);
	}
	pthread_mutex_unlock(&h->lock);
}

void
http01_remove(struct http01 *h, const char *token)
{
	struct http01_token	*t;

	pthread_mutex_lock(&h->lock);
	if ((t = token_find(h, token)) != NULL) {
		free(t->token);
		free(t->keyauth);
		*t = h->tokens[--h->ntokens];
	}
	pthread_mutex_unlock(&h->lock);
}

unsigned long
http01_served(const struct http01 *h)
{
	return __atomic_load_n(&h->served, __ATOMIC_RELAXED);
}

void
http01_stop(struct http01 *h)
{
	size_t	 i;

	if (h == NULL)
		return;
	MHD_stop_daemon(h->daemon);	/* joins the thread, closes fd */
	for (i = 0; i < h->ntokens; i++) {
		free(h->tokens[i].token);
		free(h->tokens[i].keyauth);
	}
	free(h->tokens);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* mkdir that leaves an existing directory alone and gives a new one 0755
 * whatever the umask: the web server must read it. */
static int
mkdir_0755(const char *path, char **cause)
{
	struct stat	 sb;
	char		*e;

	if (mkdir(path, 0755) == 0) {
		if (chmod(path, 0755) == 0)
			return 0;
	} else if (errno == EEXIST && stat(path, &sb) == 0 &&
	    S_ISDIR(sb.st_mode))
		return 0;
	if (cause != NULL) {
		e = escape_str(path, 0);
		*cause = xasprintf("cannot make the directory %s: %s", e,
		    errno == EEXIST ? "a file is in the way" :
		    strerror(errno));
		free(e);
	}
	return -1;
}

int
webroot_put(const char *webroot, const char *token, const char *keyauth,
    char **path, char **cause)
{
	struct stat	 sb;
	char		*wk, *dir, *file, *e;

	*path = NULL;
	if (!token_valid(token)) {
		if (cause != NULL) {
			e = escape_str(token, 0);
			*cause = xasprintf("the CA's token '%s' is not "
			    "base64url: refusing to write it as a file name",
			    e);
			free(e);
		}
		return -1;
	}
	/* The webroot is the web server's: a missing one is a typo. */
	errno = 0;
	if (stat(webroot, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		if (cause != NULL) {
			e = escape_str(webroot, 0);
			if (errno == ENOENT)
				*cause = xasprintf("the webroot %s does not "
				    "exist", e);
			else
				*cause = xasprintf("the webroot %s is not a "
				    "directory", e);
			free(e);
		}
		return -1;
	}
	wk = xasprintf("%s/.well-known", webroot);
	dir = xasprintf("%s/.well-known/acme-challenge", webroot);
	if (mkdir_0755(wk, cause) != 0 || mkdir_0755(dir, cause) != 0) {
		free(wk);
		free(dir);
		return -1;
	}
	file = xasprintf("%s/%s", dir, token);
	free(wk);
	free(dir);
	if (fileio_write_atomic(file, keyauth, strlen(keyauth), 0644, NULL,
	    cause) != 0) {
		free(file);
		return -1;
	}
	*path = file;
	return 0;
}

void
webroot_remove(const char *path)
{
	if (path != NULL)
		unlink(path);
}
