/*
 * dns-01 (RFC 8555 section 8.4): certbind does not speak to DNS providers;
 * it runs the hook program the config names, PROG add|remove FQDN VALUE,
 * which returns once the TXT record is published.
 *
 * The hook runs without a shell (posix_spawn, so a failed exec is an error
 * returned here rather than a status 127 to guess at), in a process group
 * of its own so that a timeout kills what it started too (what it leaves
 * running after it exits is its own business), with stdin
 * /dev/null and stdout and stderr on one pipe. Its output is collected, not
 * interpreted: it is returned to the caller as untrusted text.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "op/acme-answer.h"
#include "util/escape.h"
#include "util/xmalloc.h"

#define DNS01_OUTPUT_MAX	4096
/* How often the hook's exit is looked at while its pipe stays open. */
#define DNS01_TICK_MS		100

extern char **environ;

char *
dns01_fqdn(const char *domain)
{
	size_t	 n;

	if (strncmp(domain, "*.", 2) == 0)
		domain += 2;
	n = strlen(domain);
	if (n != 0 && domain[n - 1] == '.')
		n--;
	return xasprintf("_acme-challenge.%.*s.", (int)n, domain);
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keeps the first DNS01_OUTPUT_MAX bytes, NUL bytes dropped (the output
 * is returned as a string); reads the rest to let the hook go on. */
static int
drain(int fd, char *buf, size_t *len)
{
	char	 tmp[1024];
	ssize_t	 n, i;

	n = read(fd, tmp, sizeof tmp);
	if (n == -1)
		return (errno == EINTR || errno == EAGAIN) ? 1 : 0;
	if (n == 0)
		return 0;
	for (i = 0; i < n && *len < DNS01_OUTPUT_MAX; i++)
		if (tmp[i] != '\0')
			buf[(*len)++] = tmp[i];
	return 1;
}

static char *
status_cause(int status)
{
	if (WIFEXITED(status))
		return xasprintf("the hook exited with status %d",
		    WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return xasprintf("the hook was killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	return xasprintf("the hook ended with wait status %d", status);
}

int
dns01_hook(const char *prog, const char *verb, const char *fqdn,
    const char *value, unsigned timeout_s, char **output, char **cause)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 none, dfl;
	struct pollfd			 pfd;
	char				*argv[5], *buf, *e;
	size_t				 len = 0;
	int64_t				 deadline, left;
	pid_t				 pid, w;
	int				 p[2], err, status = 0, open_ = 1;
	int				 exited = 0;

	*output = NULL;
	if (pipe2(p, O_CLOEXEC) == -1) {
		if (cause != NULL)
			*cause = xasprintf("cannot run the hook: pipe: %s",
			    strerror(errno));
		return -1;
	}
	argv[0] = (char *)prog;
	argv[1] = (char *)verb;
	argv[2] = (char *)fqdn;
	argv[3] = (char *)value;
	argv[4] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGCHLD);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	err = posix_spawn(&pid, prog, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(p[1]);
	if (err != 0) {
		close(p[0]);
		if (cause != NULL) {
			e = escape_str(prog, 0);
			*cause = xasprintf("cannot run the hook %s: %s", e,
			    strerror(err));
			free(e);
		}
		return -1;
	}

	buf = xmalloc(DNS01_OUTPUT_MAX + 1);
	deadline = now_ms() + (int64_t)timeout_s * 1000;
	/*
	 * Until the hook has exited and its pipe is closed, or the time is
	 * up. A hook may leave a child holding the pipe (it exited: done),
	 * or close the pipe and go on (not exited: wait on).
	 */
	for (;;) {
		if (!exited) {
			w = waitpid(pid, &status, WNOHANG);
			if (w == pid || (w == -1 && errno == ECHILD))
				exited = 1;
		}
		if (exited && !open_)
			break;
		if ((left = deadline - now_ms()) <= 0)
			break;
		if (left > DNS01_TICK_MS)
			left = DNS01_TICK_MS;
		if (!open_) {
			poll(NULL, 0, (int)left);
			continue;
		}
		pfd.fd = p[0];
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) > 0)
			open_ = drain(p[0], buf, &len);
		else if (exited) {
			/* Exited, pipe quiet: something it left holds it. */
			break;
		}
	}
	close(p[0]);
	buf[len] = '\0';
	*output = buf;

	if (!exited) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		if (cause != NULL)
			*cause = xasprintf("the hook did not return within %u "
			    "s; it was killed", timeout_s);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (cause != NULL)
		*cause = status_cause(status);
	return -1;
}
