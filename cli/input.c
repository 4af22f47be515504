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

int
cmd_password(const char *file, const char *prompt, int confirm,
    char **pw, char **cause)
{
	char	*again;

	*pw = NULL;
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
