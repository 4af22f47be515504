/*
 * The systemd notification protocol (sd_notify(3)) spoken directly: one
 * datagram on the AF_UNIX socket named by $NOTIFY_SOCKET, where a leading
 * '@' names an abstract socket. certbindd does not link libsystemd for
 * these few lines. Without $NOTIFY_SOCKET nothing is sent.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/xmalloc.h"
#include "server/certbindd.h"

void
notify_send(const char *state)
{
	struct sockaddr_un	 sun;
	struct timespec		 ts;
	const char		*path;
	char			*msg;
	size_t			 len;
	socklen_t		 slen;
	int			 fd;

	if ((path = getenv("NOTIFY_SOCKET")) == NULL || *path == '\0')
		return;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof sun.sun_path) {
		log_warn("NOTIFY_SOCKET is not a socket path; not notifying");
		return;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	slen = offsetof(struct sockaddr_un, sun_path) + len +
	    (path[0] == '@' ? 0 : 1);

	/* systemd 253 and later want the time of a reload request. */
	if (strcmp(state, "RELOADING=1") == 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		msg = xasprintf("%s\nMONOTONIC_USEC=%lld", state,
		    (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	} else
		msg = xstrdup(state);

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("notify: socket: %s", strerror(errno));
		free(msg);
		return;
	}
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, slen) == -1)
		log_warn("notify: %s", strerror(errno));
	close(fd);
	free(msg);
}
