/*
 * sink: the plain TCP backend of the benchmark. Reads and discards what
 * each connection sends until EOF, then closes it. One thread per
 * connection; the proxies, not the sink, are what is measured.
 *
 *   sink HOST PORT [BANNER]
 *
 * With BANNER, the sink speaks first, as an SMTP or IMAP server does: it
 * writes BANNER and a newline on each new connection before reading, so a
 * client that waits for the banner makes every proxy connect to the
 * backend and relay it. SIGUSR1 prints the number of connections accepted
 * so far on standard output, which tells whether a proxy connected to the
 * backend for each client at all.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char			 banner[256];
static size_t			 bannerlen;
static atomic_ulong		 accepted;
static volatile sig_atomic_t	 report;

static void
on_usr1(int sig)
{
	(void)sig;
	report = 1;
}

static void *
drain(void *arg)
{
	static __thread char	buf[65536];
	int			fd = (int)(intptr_t)arg;

	if (bannerlen == 0 || write(fd, banner, bannerlen) == (ssize_t)bannerlen)
		while (read(fd, buf, sizeof buf) > 0)
			;
	close(fd);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	sin = { 0 };
	struct sigaction	sa = { 0 };
	pthread_attr_t		attr;
	pthread_t		t;
	struct pollfd		pfd;
	int			s, fd, on = 1;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: sink HOST PORT [BANNER]\n");
		return 2;
	}
	if (argc == 4) {
		bannerlen = (size_t)snprintf(banner, sizeof banner, "%s\n",
		    argv[3]);
		if (bannerlen >= sizeof banner) {
			fprintf(stderr, "sink: banner too long\n");
			return 2;
		}
	}
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &sin.sin_addr);
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(s, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(s, 1024) == -1) {
		perror("sink");
		return 1;
	}
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	pfd.fd = s;
	pfd.events = POLLIN;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (;;) {
		if (report) {
			report = 0;
			printf("%lu\n", atomic_load(&accepted));
			fflush(stdout);
		}
		/* A signal may hit any thread: look at the flag often. */
		if (poll(&pfd, 1, 100) != 1 ||
		    (fd = accept(s, NULL, NULL)) == -1)
			continue;
		atomic_fetch_add(&accepted, 1);
		if (pthread_create(&t, &attr, drain, (void *)(intptr_t)fd) != 0)
			close(fd);
	}
}
