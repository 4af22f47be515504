/*
 * The challenge answerers that run in certbind's own process: the http-01
 * responder asked over real sockets on loopback with libcurl, webroot
 * files, the dns-01 record name, and the dns-01 hook run against small
 * shell scripts the test writes (argv recorded, a failing status, a hang
 * past the timeout, junk output, more output than is kept).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "op/acme-answer.h"
#include "util/xmalloc.h"

/* ------------------------------------------------------------------ */
/* Helpers. */

static char *
tmpdir(void)
{
	char	*d;

	d = xasprintf("%s/certbind-answer.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(d) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	return d;
}

static void
rm_rf(const char *d)
{
	char	*cmd;

	cmd = xasprintf("rm -rf '%s'", d);
	if (system(cmd) != 0)
		fail_msg("%s failed", cmd);
	free(cmd);
}

/* A TCP port nothing listens on now (the kernel's pick for port 0). */
static int
free_port(void)
{
	struct sockaddr_in	 s;
	socklen_t		 len = sizeof s;
	int			 fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd != -1);
	memset(&s, 0, sizeof s);
	s.sin_family = AF_INET;
	s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&s, sizeof s), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&s, &len), 0);
	port = ntohs(s.sin_port);
	close(fd);
	return port;
}

struct body {
	char	buf[8192];
	size_t	len;
};

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct body	*b = arg;
	size_t		 len = size * n;

	if (len > sizeof b->buf - 1 - b->len)
		return 0;
	memcpy(b->buf + b->len, p, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return len;
}

/* Requests url; returns the status, the body in *b. */
static long
http_get(const char *url, const char *method, struct body *b, char **ctype)
{
	CURL		*c;
	CURLcode	 r;
	long		 status = 0;
	char		*ct = NULL;

	memset(b, 0, sizeof *b);
	c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (method != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	if ((r = curl_easy_perform(c)) != CURLE_OK)
		fail_msg("GET %s: %s", url, curl_easy_strerror(r));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (ctype != NULL) {
		curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
		*ctype = ct != NULL ? xstrdup(ct) : NULL;
	}
	curl_easy_cleanup(c);
	return status;
}

static long
get_path(int port, const char *host, const char *path, struct body *b)
{
	char	*url;
	long	 st;

	url = xasprintf("http://%s:%d%s", host, port, path);
	st = http_get(url, NULL, b, NULL);
	free(url);
	return st;
}

/* ------------------------------------------------------------------ */
/* http-01 responder. */

#define TOKEN	"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define KEYAUTH	TOKEN ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"

static void
test_http01_serves(void **state)
{
	struct http01	*h;
	struct body	 b;
	char		*cause = NULL, *ct = NULL, *url;
	int		 port;

	port = free_port();
	if (http01_start(port, &h, &cause) != 0)
		fail_msg("http01_start(%d): %s", port, cause);
	http01_add(h, TOKEN, "an old answer");
	http01_add(h, TOKEN, KEYAUTH);		/* replaces */
	http01_add(h, "other-token", "other");
	assert_int_equal(http01_served(h), 0);

	url = xasprintf("http://127.0.0.1:%d" HTTP01_PREFIX TOKEN, port);
	assert_int_equal(http_get(url, NULL, &b, &ct), 200);
	assert_string_equal(b.buf, KEYAUTH);
	assert_non_null(ct);
	assert_non_null(strstr(ct, "text/plain"));
	free(ct);
	assert_int_equal(http01_served(h), 1);

	/* Anything but GET of a known token is 404, and not counted. */
	assert_int_equal(http_get(url, "POST", &b, NULL), 404);
	free(url);
	assert_int_equal(get_path(port, "127.0.0.1", "/", &b), 404);
	assert_int_equal(get_path(port, "127.0.0.1",
	    HTTP01_PREFIX "unknown", &b), 404);
	assert_int_equal(get_path(port, "127.0.0.1",
	    HTTP01_PREFIX TOKEN "/x", &b), 404);
	assert_int_equal(get_path(port, "127.0.0.1",
	    "/.well-known/acme-challenge" TOKEN, &b), 404);
	assert_int_equal(get_path(port, "127.0.0.1",
	    HTTP01_PREFIX "../" TOKEN, &b), 404);
	assert_int_equal(http01_served(h), 1);

	/* IPv6 as well, where this host has it. */
	if (get_path(port, "127.0.0.1", HTTP01_PREFIX "other-token", &b) !=
	    200 || strcmp(b.buf, "other") != 0)
		fail_msg("other-token: %s", b.buf);
	http01_remove(h, "other-token");
	http01_remove(h, "never-added");
	assert_int_equal(get_path(port, "127.0.0.1",
	    HTTP01_PREFIX "other-token", &b), 404);
	assert_int_equal(get_path(port, "127.0.0.1", HTTP01_PREFIX TOKEN,
	    &b), 200);
	assert_int_equal(http01_served(h), 3);
	http01_stop(h);

	/* Stopped: the port is free again. */
	if (http01_start(port, &h, &cause) != 0)
		fail_msg("http01_start again (%d): %s", port, cause);
	http01_stop(h);
	http01_stop(NULL);
}

static void
test_http01_ipv6(void **state)
{
	struct http01	*h;
	struct body	 b;
	struct sockaddr_in6 s6;
	char		*cause = NULL;
	int		 fd, port;

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	memset(&s6, 0, sizeof s6);
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_loopback;
	if (fd == -1 || bind(fd, (struct sockaddr *)&s6, sizeof s6) != 0) {
		if (fd != -1)
			close(fd);
		skip();		/* no ::1 on this host */
	}
	close(fd);
	port = free_port();
	if (http01_start(port, &h, &cause) != 0)
		fail_msg("http01_start(%d): %s", port, cause);
	http01_add(h, TOKEN, KEYAUTH);
	assert_int_equal(get_path(port, "[::1]", HTTP01_PREFIX TOKEN, &b),
	    200);
	assert_string_equal(b.buf, KEYAUTH);
	http01_stop(h);
}

static void
test_http01_port_in_use(void **state)
{
	struct sockaddr_in	 s;
	struct http01		*h = (void *)1;
	char			*cause = NULL;
	int			 fd, port;

	port = free_port();
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&s, 0, sizeof s);
	s.sin_family = AF_INET;
	s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s.sin_port = htons(port);
	assert_int_equal(bind(fd, (struct sockaddr *)&s, sizeof s), 0);
	assert_int_equal(listen(fd, 1), 0);

	assert_int_equal(http01_start(port, &h, &cause), -1);
	assert_null(h);
	assert_non_null(cause);
	if (strstr(cause, "is in use by another program") == NULL ||
	    strstr(cause, "port") == NULL)
		fail_msg("cause: %s", cause);
	free(cause);
	close(fd);

	cause = NULL;
	assert_int_equal(http01_start(0, &h, &cause), -1);
	assert_non_null(strstr(cause, "not a port"));
	free(cause);
	assert_int_equal(http01_start(70000, &h, NULL), -1);

	/* A port below 1024 needs root, which this test may not have. */
	if (geteuid() != 0) {
		cause = NULL;
		assert_int_equal(http01_start(80, &h, &cause), -1);
		if (strstr(cause, "needs root") == NULL &&
		    strstr(cause, "in use") == NULL)
			fail_msg("port 80 as a user: %s", cause);
		free(cause);
	}
}

/* ------------------------------------------------------------------ */
/* Webroot. */

static mode_t
mode_of(const char *path)
{
	struct stat	 sb;

	if (stat(path, &sb) != 0)
		fail_msg("stat %s: %s", path, strerror(errno));
	return sb.st_mode & 07777;
}

static void
test_webroot(void **state)
{
	char	*d, *path = NULL, *cause = NULL, *want, *p;
	char	 buf[256];
	FILE	*f;
	size_t	 n;
	mode_t	 old;

	d = tmpdir();
	old = umask(077);	/* the files must be readable whatever it is */
	if (webroot_put(d, TOKEN, KEYAUTH, &path, &cause) != 0)
		fail_msg("webroot_put: %s", cause);
	want = xasprintf("%s" HTTP01_PREFIX TOKEN, d);
	assert_string_equal(path, want);
	assert_int_equal(mode_of(path), 0644);
	p = xasprintf("%s/.well-known", d);
	assert_int_equal(mode_of(p), 0755);
	free(p);
	p = xasprintf("%s/.well-known/acme-challenge", d);
	assert_int_equal(mode_of(p), 0755);
	free(p);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, KEYAUTH);

	/* Again, into the directories that now exist; then removed. */
	free(path);
	assert_int_equal(webroot_put(d, TOKEN, "second", &path, NULL), 0);
	assert_int_equal(mode_of(path), 0644);
	webroot_remove(path);
	assert_int_equal(access(path, F_OK), -1);
	webroot_remove(NULL);
	free(path);
	free(want);
	umask(old);
	rm_rf(d);
	free(d);
}

static void
test_webroot_refuses(void **state)
{
	static const char *const bad[] = {
		"", "../../etc/passwd", "a/b", "a.b", "tok en", "tok\nen",
		"..", "%2e%2e", "a=", "t\033[2J"
	};
	char	*d, *path, *cause, *p, *missing;
	size_t	 i;

	d = tmpdir();
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		path = (char *)1;
		cause = NULL;
		assert_int_equal(webroot_put(d, bad[i], KEYAUTH, &path,
		    &cause), -1);
		assert_null(path);
		if (cause == NULL || strstr(cause, "base64url") == NULL)
			fail_msg("token %zu: cause %s", i, cause);
		/* Quoted escaped: no raw control character. */
		for (p = cause; *p != '\0'; p++)
			assert_true((unsigned char)*p >= 0x20);
		free(cause);
	}
	/* Nothing was written, not even the directories. */
	p = xasprintf("%s/.well-known", d);
	assert_int_equal(access(p, F_OK), -1);
	free(p);

	missing = xasprintf("%s/nowhere", d);
	cause = NULL;
	assert_int_equal(webroot_put(missing, TOKEN, KEYAUTH, &path, &cause),
	    -1);
	assert_non_null(strstr(cause, "does not exist"));
	free(cause);
	free(missing);
	rm_rf(d);
	free(d);
}

/* ------------------------------------------------------------------ */
/* dns-01. */

static void
test_dns01_fqdn(void **state)
{
	static const struct {
		const char	*domain, *want;
	} cases[] = {
		{ "example.com", "_acme-challenge.example.com." },
		{ "*.example.com", "_acme-challenge.example.com." },
		{ "www.example.com.", "_acme-challenge.www.example.com." },
		{ "localhost", "_acme-challenge.localhost." },
	};
	char	*got;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = dns01_fqdn(cases[i].domain);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

/* Writes an executable script DIR/NAME with body after the #! line. */
static char *
script(const char *dir, const char *name, const char *body)
{
	char	*path;
	FILE	*f;

	path = xasprintf("%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static char *
slurp(const char *path)
{
	char	 buf[4096];
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_dns01_hook_argv(void **state)
{
	char	*d, *prog, *body, *out = NULL, *cause = NULL, *rec, *log;

	d = tmpdir();
	log = xasprintf("%s/argv", d);
	/* One argument a line, and what stdin holds (nothing). */
	body = xasprintf("for a; do printf '%%s\\n' \"$a\"; done > '%s'\n"
	    "printf 'n=%%s\\n' $# >> '%s'\n"
	    "cat >> '%s'\n"
	    "echo published\n"
	    "echo to-stderr >&2\n", log, log, log);
	prog = script(d, "hook", body);
	free(body);
	/* A value no shell may read: it reaches the hook as one word. */
	if (dns01_hook(prog, "add", "_acme-challenge.example.com.",
	    "v a;l$(touch pwned)`id`", 5, &out, &cause) != 0)
		fail_msg("hook: %s", cause);
	rec = slurp(log);
	assert_string_equal(rec, "add\n_acme-challenge.example.com.\n"
	    "v a;l$(touch pwned)`id`\nn=3\n");
	free(rec);
	assert_non_null(strstr(out, "published\n"));
	assert_non_null(strstr(out, "to-stderr\n"));
	free(out);
	rec = xasprintf("%s/pwned", d);
	assert_int_equal(access(rec, F_OK), -1);
	assert_int_equal(access("pwned", F_OK), -1);
	free(rec);

	assert_int_equal(dns01_hook(prog, "remove", "f.", "v", 5, &out,
	    NULL), 0);
	free(out);
	rec = slurp(log);
	assert_string_equal(rec, "remove\nf.\nv\nn=3\n");
	free(rec);
	free(prog);
	free(log);
	rm_rf(d);
	free(d);
}

static void
test_dns01_hook_fails(void **state)
{
	char	*d, *prog, *out = NULL, *cause = NULL, *missing;

	d = tmpdir();
	prog = script(d, "exit3", "echo 'no such zone' >&2\nexit 3\n");
	assert_int_equal(dns01_hook(prog, "add", "f.", "v", 5, &out,
	    &cause), -1);
	assert_string_equal(cause, "the hook exited with status 3");
	assert_string_equal(out, "no such zone\n");
	free(cause);
	free(out);
	free(prog);

	prog = script(d, "killed", "kill -TERM $$\n");
	cause = NULL;
	assert_int_equal(dns01_hook(prog, "add", "f.", "v", 5, &out,
	    &cause), -1);
	if (strstr(cause, "killed by signal 15") == NULL)
		fail_msg("cause: %s", cause);
	free(cause);
	free(out);
	free(prog);

	/* Not there, not executable: said, not a status 127. */
	missing = xasprintf("%s/missing", d);
	cause = NULL;
	out = (char *)1;
	assert_int_equal(dns01_hook(missing, "add", "f.", "v", 5, &out,
	    &cause), -1);
	assert_null(out);
	if (strstr(cause, "cannot run the hook") == NULL ||
	    strstr(cause, "No such file") == NULL)
		fail_msg("cause: %s", cause);
	free(cause);
	free(missing);
	rm_rf(d);
	free(d);
}

/* Alive and not a zombie (a killed orphan waits for init to reap it). */
static int
running(pid_t pid)
{
	char	*path, buf[512], *p;
	FILE	*f;
	size_t	 n;

	path = xasprintf("/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return kill(pid, 0) == 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 1;
	return p[2] != 'Z' && p[2] != 'X';
}

static void
test_dns01_hook_timeout(void **state)
{
	char	*d, *prog, *body, *out = NULL, *cause = NULL, *pidf, *pid;
	double	 t0, took;

	d = tmpdir();
	pidf = xasprintf("%s/sleep.pid", d);
	/* A child in the background holds the pipe; the hook waits on it. */
	body = xasprintf("echo waiting\nsleep 30 &\necho $! > '%s'\nwait\n",
	    pidf);
	prog = script(d, "hang", body);
	free(body);
	t0 = now();
	assert_int_equal(dns01_hook(prog, "add", "f.", "v", 2, &out,
	    &cause), -1);
	took = now() - t0;
	assert_string_equal(cause,
	    "the hook did not return within 2 s; it was killed");
	assert_string_equal(out, "waiting\n");
	if (took < 1.9 || took > 5)
		fail_msg("the timeout took %.1f s", took);
	/* Its child went with it (the process group was killed). */
	pid = slurp(pidf);
	usleep(100 * 1000);
	if (running((pid_t)atoi(pid)))
		fail_msg("the hook's child %s is still running", pid);
	free(pid);
	free(cause);
	free(out);
	free(prog);

	/* A hook that exits leaving a child on the pipe is done. */
	body = xasprintf("sleep 30 &\necho $! > '%s'\necho done\nexit 0\n",
	    pidf);
	prog = script(d, "leaves", body);
	free(body);
	t0 = now();
	out = NULL;
	assert_int_equal(dns01_hook(prog, "add", "f.", "v", 10, &out, NULL),
	    0);
	took = now() - t0;
	assert_string_equal(out, "done\n");
	pid = slurp(pidf);
	kill((pid_t)atoi(pid), SIGKILL);
	free(pid);
	if (took > 3)
		fail_msg("a hook that exited took %.1f s", took);
	free(out);
	free(pidf);
	free(prog);
	rm_rf(d);
	free(d);
}

static void
test_dns01_hook_output(void **state)
{
	char	*d, *prog, *out = NULL;
	size_t	 i;

	d = tmpdir();
	/* Control characters come back as bytes, never interpreted. */
	prog = script(d, "junk",
	    "printf 'ok\\033[2J\\033]0;title\\007\\001\\r\\n'\n"
	    "printf 'a\\000b\\n'\n");
	assert_int_equal(dns01_hook(prog, "add", "f.", "v", 5, &out, NULL),
	    0);
	assert_string_equal(out, "ok\033[2J\033]0;title\007\001\r\nab\n");
	free(out);
	free(prog);

	/* More than 4 KiB: the first 4 KiB kept, the hook not blocked. */
	prog = script(d, "big",
	    "i=0; while [ $i -lt 2000 ]; do echo 0123456789abcdef0123456789;"
	    " i=$((i + 1)); done\nexit 0\n");
	assert_int_equal(dns01_hook(prog, "add", "f.", "v", 10, &out, NULL),
	    0);
	assert_int_equal(strlen(out), 4096);
	for (i = 0; i < 4096; i += 27)
		assert_memory_equal(out + i, "0123456789abcdef0123456789\n",
		    4096 - i < 27 ? 4096 - i : 27);
	free(out);
	free(prog);
	rm_rf(d);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http01_serves),
		cmocka_unit_test(test_http01_ipv6),
		cmocka_unit_test(test_http01_port_in_use),
		cmocka_unit_test(test_webroot),
		cmocka_unit_test(test_webroot_refuses),
		cmocka_unit_test(test_dns01_fqdn),
		cmocka_unit_test(test_dns01_hook_argv),
		cmocka_unit_test(test_dns01_hook_fails),
		cmocka_unit_test(test_dns01_hook_timeout),
		cmocka_unit_test(test_dns01_hook_output),
	};
	int	 r;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return r;
}
