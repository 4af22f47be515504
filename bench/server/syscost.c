/*
 * syscost: the kernel's share of what the access log and a PROXY v2
 * header add to a connection, one system call each, measured alone so
 * that other work on the machine does not drown it (bench/README.md).
 *
 *   syscost FILE N
 *
 * Prints the CPU time (user + system, this process only, getrusage) per
 * call of: write(2) of a 260-byte line appended to FILE (an access log
 * line to a file), and send(2) of a 110-byte block on a loopback TCP
 * connection whose reader is another process (a PROXY v2 header to a
 * backend on this host, TCP_NODELAY as certbindd sets it; the loopback
 * receive work that the kernel does in the sender's context is
 * included, as it is for certbindd).
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double
cpu(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	char			line[260], hdr[110], sink[65536];
	double			t0;
	long			n, i;
	pid_t			pid;
	int			fd, ls, s, c, on = 1;

	if (argc != 3)
		return 2;
	n = atol(argv[2]);
	memset(line, 'x', sizeof line);
	line[sizeof line - 1] = '\n';
	memset(hdr, 'h', sizeof hdr);
	if ((fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_TRUNC,
	    0600)) == -1)
		return 1;
	t0 = cpu();
	for (i = 0; i < n; i++)
		if (write(fd, line, sizeof line) != sizeof line)
			return 1;
	printf("write(2) of %zu bytes to a file: %.2f us\n", sizeof line,
	    (cpu() - t0) / n * 1e6);
	close(fd);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(ls, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(ls, 1) == -1 ||
	    getsockname(ls, (struct sockaddr *)&sin, &len) == -1)
		return 1;
	if ((pid = fork()) == 0) {
		if ((c = accept(ls, NULL, NULL)) == -1)
			_exit(1);
		while (read(c, sink, sizeof sink) > 0)
			;
		_exit(0);
	}
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sin, sizeof sin) == -1)
		return 1;
	/* Each send its own segment, as on certbindd's backend sockets. */
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	t0 = cpu();
	for (i = 0; i < n; i++)
		if (send(s, hdr, sizeof hdr, 0) != sizeof hdr)
			return 1;
	printf("send(2) of %zu bytes on loopback TCP: %.2f us\n", sizeof hdr,
	    (cpu() - t0) / n * 1e6);
	close(s);
	waitpid(pid, NULL, 0);
	return 0;
}
