/*
 * sink: the plain TCP backend of the benchmark. Reads and discards what
 * each connection sends until EOF, then closes it. One thread per
 * connection; the proxies, not the sink, are what is measured.
 *
 *   sink HOST PORT
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *
drain(void *arg)
{
	static __thread char	buf[65536];
	int			fd = (int)(intptr_t)arg;

	while (read(fd, buf, sizeof buf) > 0)
		;
	close(fd);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	sin = { 0 };
	pthread_attr_t		attr;
	pthread_t		t;
	int			s, fd, on = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: sink HOST PORT\n");
		return 2;
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
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (;;) {
		if ((fd = accept(s, NULL, NULL)) == -1)
			continue;
		if (pthread_create(&t, &attr, drain, (void *)(intptr_t)fd) != 0)
			close(fd);
	}
}
