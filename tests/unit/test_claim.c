/*
 * Claims (op/claim.c, issue 12): the abstract socket names of a config and
 * a listener, a path too long for a name hashed, a claim nobody holds,
 * and a holder's answer read back with its pid from the kernel.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/endpoint.h"
#include "op/claim.h"
#include "tests/unit/unit.h"

static void
test_names(void **state)
{
	struct claim_addr	 a;
	struct endpoint		 ep;
	char			*longp;

	unit_ep_of("*:8443", &ep);
	claim_listen_addr(&ep, &a);
	assert_string_equal(a.name, "certbindd/listen/*:8443");
	assert_int_equal(a.sun.sun_path[0], '\0');
	assert_memory_equal(a.sun.sun_path + 1, a.name, strlen(a.name));
	assert_int_equal(a.len, offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(a.name));

	unit_ep_of("[::1]:443", &ep);
	claim_listen_addr(&ep, &a);
	assert_string_equal(a.name, "certbindd/listen/[::1]:443");

	/* A path that does not exist is taken as given. */
	assert_int_equal(claim_config_addr("/nonexistent/certbind.conf", &a),
	    0);
	assert_string_equal(a.name,
	    "certbindd/config//nonexistent/certbind.conf");

	/* Too long for a socket name: its SHA-256. */
	longp = unit_repeat('x', 300);
	longp[0] = '/';
	assert_int_equal(claim_config_addr(longp, &a), 0);
	assert_int_equal(strlen(a.name), strlen(CLAIM_CONFIG "sha256:") + 64);
	assert_memory_equal(a.name, CLAIM_CONFIG "sha256:",
	    strlen(CLAIM_CONFIG "sha256:"));
	assert_true(a.len <= sizeof a.sun);
	free(longp);
}

static void
test_query(void **state)
{
	struct claim_addr	 a;
	struct claim_holder	 h;
	struct endpoint		 ep;
	char			*text, name[64];
	pid_t			 pid;
	int			 fd, c, st;

	snprintf(name, sizeof name, "127.0.0.%d:%d", 2 + getpid() % 200,
	    1024 + getpid() % 60000);
	unit_ep_of(name, &ep);
	claim_listen_addr(&ep, &a);
	assert_int_equal(claim_query(&a, 500, &h), 0);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&a.sun, a.len), 0);
	assert_int_equal(listen(fd, 4), 0);
	/* A second one cannot take the name. */
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(c, (struct sockaddr *)&a.sun, a.len), -1);
	close(c);

	if ((pid = fork()) == 0) {
		if ((c = accept(fd, NULL, NULL)) == -1)
			_exit(1);
		text = claim_answer("/etc/x y.conf", "not-listening", 1,
		    "Cannot assign requested address");
		if (write(c, text, strlen(text)) != (ssize_t)strlen(text))
			_exit(1);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(claim_query(&a, 5000, &h), 1);
	/* The kernel names the process that listened: this one. */
	assert_int_equal(h.pid, getpid());
	assert_int_equal(h.uid, geteuid());
	assert_string_equal(h.config, "/etc/x y.conf");
	assert_string_equal(h.state, "not-listening");
	assert_int_equal(h.freebind, 1);
	assert_string_equal(h.error, "Cannot assign requested address");
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fd);
	/* Released with the socket. */
	assert_int_equal(claim_query(&a, 500, &h), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
