/*
 * What the command line reads that the library may not: passwords typed on
 * the terminal and standard input given as "-".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "op/lifecycle.h"
#include "util/fileio.h"
#include "util/xmalloc.h"

static struct termios	password_saved;

/* Interrupted at the prompt: give the terminal its echo back, then die. */
static void
password_signal(int sig)
{
	tcsetattr(STDIN_FILENO, TCSANOW, &password_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
password_tty(const char *prompt, char *buf, size_t size)
{
	struct termios	 old, noecho;
	struct sigaction sa, oint, oterm, ohup;
	size_t		 len;
	int		 ok;

	if (tcgetattr(STDIN_FILENO, &old) == -1)
		return (-1);
	password_saved = old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = password_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &oint);
	sigaction(SIGTERM, &sa, &oterm);
	sigaction(SIGHUP, &sa, &ohup);
	noecho = old;
	noecho.c_lflag &= ~(ECHO | ECHONL);
	noecho.c_lflag |= ICANON;
	/*
	 * Echo goes off before the prompt shows, so nothing typed ahead of
	 * it is echoed; and input is not flushed, so nothing typed is lost.
	 */
	ok = tcsetattr(STDIN_FILENO, TCSANOW, &noecho) == 0;
	if (ok) {
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
		ok = (fgets(buf, size, stdin) != NULL);
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stderr);
	}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGTERM, &oterm, NULL);
	sigaction(SIGHUP, &ohup, NULL);
	if (!ok)
		return (-1);
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	return (0);
}

/*
 * The descriptor a password source names: "-" is standard input, and
 * /dev/fd/N (what a shell's <(...) gives) or /dev/stdin an open one; -1
 * for a file to open.
 */
static int
password_source_fd(const char *file)
{
	char	*end;
	long	 n;

	if (strcmp(file, "-") == 0 || strcmp(file, "/dev/stdin") == 0)
		return (STDIN_FILENO);
	if (strncmp(file, "/dev/fd/", 8) != 0)
		return (-1);
	errno = 0;
	n = strtol(file + 8, &end, 10);
	if (errno != 0 || end == file + 8 || *end != '\0' || n < 0 ||
	    n > 65535)
		return (-1);
	return ((int)n);
}

/*
 * The first line of what fd holds, read a byte at a time so that nothing
 * after the line is taken from a descriptor somebody else reads next.
 */
static int
password_from_fd(int fd, const char *file, char **pw, char **cause)
{
	char	*buf;
	size_t	 len = 0;
	ssize_t	 r;

	buf = xcalloc(1, LIFECYCLE_PASSWORD_MAX + 1);
	for (;;) {
		r = read(fd, buf + len, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			*cause = xasprintf("%s: cannot read the password: %s",
			    file, strerror(errno));
			goto fail;
		}
		if (r == 0 || buf[len] == '\n')
			break;
		if (++len == LIFECYCLE_PASSWORD_MAX) {
			*cause = xasprintf("%s: the password is longer than "
			    "%d bytes", file, LIFECYCLE_PASSWORD_MAX);
			goto fail;
		}
	}
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (len == 0) {
		*cause = xasprintf("%s: the password is empty", file);
		goto fail;
	}
	*pw = xstrdup(buf);
	freezero(buf, LIFECYCLE_PASSWORD_MAX + 1);
	return (0);
fail:
	freezero(buf, LIFECYCLE_PASSWORD_MAX + 1);
	return (-1);
}

int
cmd_password_source(const struct args *args, char *buf, size_t size,
    const char **src)
{
	long	fd;

	*src = args_get(args, "password-file");
	if (!args_has(args, "password-fd"))
		return (0);
	if (*src != NULL) {
		cmd_error("give --password-file or --password-fd, not both");
		return (-1);
	}
	if (args_number(args, "password-fd", 0, 65535, &fd) != 0) {
		cmd_error("--password-fd '%s' is not a file descriptor: give "
		    "a number such as 3", args_get(args, "password-fd"));
		return (-1);
	}
	snprintf(buf, size, "/dev/fd/%ld", fd);
	*src = buf;
	return (0);
}

int
cmd_password(const char *file, const char *prompt, int confirm,
    char **pw, char **cause)
{
	char	*again;
	int	 fd;

	*pw = NULL;
	if (file != NULL && (fd = password_source_fd(file)) != -1)
		return (password_from_fd(fd, file, pw, cause));
	if (file != NULL)
		return (lifecycle_password_file(file, pw, cause));
	if (!isatty(STDIN_FILENO)) {
		*cause = xstrdup("a password is needed: give --password-file "
		    "FILE, or run certbind on a terminal to be asked");
		return (-1);
	}
	*pw = xcalloc(1, LIFECYCLE_PASSWORD_MAX);
	if (password_tty(prompt, *pw, LIFECYCLE_PASSWORD_MAX) == -1) {
		*cause = xstrdup("could not read the password from the "
		    "terminal");
		goto fail;
	}
	if (confirm) {
		again = xcalloc(1, LIFECYCLE_PASSWORD_MAX);
		if (password_tty("Again: ", again, LIFECYCLE_PASSWORD_MAX) == -1 ||
		    strcmp(again, *pw) != 0) {
			freezero(again, LIFECYCLE_PASSWORD_MAX);
			*cause = xstrdup("the two passwords differ");
			goto fail;
		}
		freezero(again, LIFECYCLE_PASSWORD_MAX);
	}
	return (0);
fail:
	freezero(*pw, LIFECYCLE_PASSWORD_MAX);
	*pw = NULL;
	return (-1);
}

/* Standard input, for "-": a CA's answer pasted into a here-document. */
static int
read_stdin(char **data, size_t *len, char **cause)
{
	size_t	n, cap = 16384;

	*data = xmalloc(cap + 1);
	*len = 0;
	while ((n = fread(*data + *len, 1, cap - *len, stdin)) > 0) {
		*len += n;
		if (*len == cap) {
			if (cap >= FILEIO_MAX_CERT) {
				*cause = xstrdup("standard input: more than a "
				    "certificate file can hold");
				goto fail;
			}
			cap *= 2;
			*data = xreallocarray(*data, cap + 1, 1);
		}
	}
	if (ferror(stdin)) {
		*cause = xasprintf("standard input: %s", strerror(errno));
		goto fail;
	}
	(*data)[*len] = '\0';
	return (0);
fail:
	freezero(*data, cap + 1);
	*data = NULL;
	return (-1);
}

int
cmd_read(const char *path, char **data, size_t *len, char **cause)
{
	if (strcmp(path, "-") == 0)
		return (read_stdin(data, len, cause));
	return (lifecycle_read(path, data, len, cause));
}
