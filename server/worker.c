/*
 * Worker threads: each runs its own epoll loop over the shared listening
 * sockets and the connections it accepted (conn.c). A connection belongs
 * to the worker that accepted it for its whole life, so nothing in struct
 * conn is shared between threads and none of it is locked.
 *
 * Timers: two lists per worker, one for handshakes (and backend connects)
 * ordered by accept time, one for established connections ordered by last
 * activity (a connection moves to the tail when bytes move). Each list is
 * in deadline order as long as its timeout does not change, so expiry
 * looks only at the heads; after a reload that shortens a timeout, a
 * connection may outlive the new deadline until those ahead of it expire.
 *
 * Listeners come and go on reload: a worker acknowledges every earlier
 * request (seq_req) once it is back at epoll_wait, which is when the main
 * thread may close a listener it removed.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/xmalloc.h"
#include "server/certbindd.h"
#include "server/conn.h"

#define MAX_EVENTS	64
#define ACCEPT_BATCH	32

static struct worker	*workers;
static unsigned		 nworkers;
static atomic_int	 stopping;
static atomic_llong	 stop_deadline;

int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long
workers_connections(void)
{
	return conn_total();
}


static void
worker_accept(struct worker *w, struct listener *l)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		len = sizeof ss;
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			conn_new(w, l, fd, &ss, len);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if ((errno == EMFILE || errno == ENFILE) && w->sparefd != -1) {
			/*
			 * Out of descriptors: the pending connection would
			 * wake us forever. Give up the spare descriptor to
			 * take it and close it, then take the spare back.
			 */
			if (now_ms() - w->last_accept_log >= 1000) {
				w->last_accept_log = now_ms();
				log_warn("accept: %s", strerror(errno));
			}
			close(w->sparefd);
			if ((fd = accept(l->fd, NULL, NULL)) != -1)
				close(fd);
			w->sparefd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		}
		break;
	}
}

static void
worker_expire(struct clist *l, int64_t now)
{
	while (l->head != NULL && l->head->deadline <= now)
		conn_expire(l->head);
}

static int
worker_timeout(struct worker *w, int64_t now)
{
	int64_t	t = 1000, d;

	if (w->hs_list.head != NULL && (d = w->hs_list.head->deadline - now) < t)
		t = d;
	if (w->idle_list.head != NULL &&
	    (d = w->idle_list.head->deadline - now) < t)
		t = d;
	if (atomic_load(&stopping) &&
	    (d = atomic_load(&stop_deadline) - now) < t)
		t = d;
	return t < 0 ? 0 : (int)t;
}

static void
worker_close_all(struct worker *w)
{
	while (w->hs_list.head != NULL)
		conn_end(w->hs_list.head, END_SHUTDOWN, 0);
	while (w->idle_list.head != NULL)
		conn_end(w->idle_list.head, END_SHUTDOWN, 0);
}

static void
worker_reap(struct worker *w)
{
	struct conn	*c;

	while ((c = w->zombies) != NULL) {
		w->zombies = c->next;
		free(c);
	}
}

static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct epoll_event	 evs[MAX_EVENTS];
	struct evh		*h;
	void			*p;
	uint64_t		 v;
	int64_t			 now;
	int			 n, i;

	for (;;) {
		/*
		 * Everything from earlier waits is done with: a listener
		 * removed before seq_req was raised can be closed now.
		 */
		atomic_store(&w->seq_seen, atomic_load(&w->seq_req));
		if (atomic_load(&stopping) && w->nconns == 0)
			break;
		n = epoll_wait(w->epfd, evs, MAX_EVENTS,
		    worker_timeout(w, now_ms()));
		if (n == -1 && errno != EINTR) {
			log_warn("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			h = evs[i].data.ptr;
			switch (h->ev) {
			case EV_LISTENER:
				if (!atomic_load(&stopping))
					worker_accept(w,
					    (struct listener *)evs[i].data.ptr);
				break;
			case EV_WAKE:
				if (read(w->wakefd, &v, sizeof v) == -1)
					break;
				break;
			case EV_CLIENT:
			case EV_BACKEND:
				conn_event(h->c, h->ev, evs[i].events);
				break;
			}
		}
		now = now_ms();
		worker_expire(&w->hs_list, now);
		worker_expire(&w->idle_list, now);
		if (atomic_load(&stopping) &&
		    now >= atomic_load(&stop_deadline))
			worker_close_all(w);
		worker_reap(w);
	}
	worker_close_all(w);
	worker_reap(w);
	while ((p = w->pool) != NULL) {
		memcpy(&w->pool, p, sizeof w->pool);
		free(p);
	}
	atomic_store(&w->seq_seen, ~0UL);
	return NULL;
}

int
workers_start(unsigned n, char **cause)
{
	struct epoll_event	 ev;
	struct worker		*w;
	unsigned		 i;
	int			 err;

	workers = xcalloc(n, sizeof *workers);
	for (i = 0; i < n; i++) {
		w = &workers[i];
		w->idx = i;
		w->wake_h.ev = EV_WAKE;
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		w->sparefd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (w->epfd == -1 || w->wakefd == -1) {
			*cause = xasprintf("worker %u: %s", i, strerror(errno));
			return -1;
		}
		memset(&ev, 0, sizeof ev);
		ev.events = EPOLLIN;
		ev.data.ptr = &w->wake_h;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev) == -1) {
			*cause = xasprintf("worker %u: %s", i, strerror(errno));
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		if ((err = pthread_create(&workers[i].th, NULL, worker_main,
		    &workers[i])) != 0) {
			*cause = xasprintf("starting worker %u: %s", i,
			    strerror(err));
			/* The ones started run until workers_stop(). */
			nworkers = i;
			return -1;
		}
	}
	nworkers = n;
	return 0;
}

void
workers_add_listener(int fd, void *ptr)
{
	struct epoll_event	ev;
	unsigned		i;

	for (i = 0; i < nworkers; i++) {
		memset(&ev, 0, sizeof ev);
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = ptr;
		if (epoll_ctl(workers[i].epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
			log_warn("worker %u: adding a listener: %s", i,
			    strerror(errno));
	}
}

static void
worker_wake(struct worker *w)
{
	uint64_t	one = 1;

	if (write(w->wakefd, &one, sizeof one) == -1 && errno != EAGAIN)
		log_warn("waking worker %u: %s", w->idx, strerror(errno));
}

void
workers_remove_listener(int fd)
{
	struct timespec	 ts = { 0, 1000000 };
	unsigned long	 want;
	unsigned	 i;

	for (i = 0; i < nworkers; i++)
		epoll_ctl(workers[i].epfd, EPOLL_CTL_DEL, fd, NULL);
	/*
	 * A worker may hold an event for fd from a wait that began before
	 * the removal. Once it starts a new wait it cannot, so wait for each
	 * to go round its loop. Workers never block except in epoll_wait,
	 * which the wake-up ends.
	 */
	for (i = 0; i < nworkers; i++) {
		want = atomic_fetch_add(&workers[i].seq_req, 1) + 1;
		worker_wake(&workers[i]);
		while (atomic_load(&workers[i].seq_seen) < want)
			nanosleep(&ts, NULL);
	}
}

void
workers_stop(int64_t deadline_ms)
{
	unsigned	i;

	atomic_store(&stop_deadline, now_ms() + deadline_ms);
	atomic_store(&stopping, 1);
	for (i = 0; i < nworkers; i++)
		worker_wake(&workers[i]);
	for (i = 0; i < nworkers; i++) {
		pthread_join(workers[i].th, NULL);
		close(workers[i].epfd);
		close(workers[i].wakefd);
		if (workers[i].sparefd != -1)
			close(workers[i].sparefd);
	}
	free(workers);
	workers = NULL;
	nworkers = 0;
}
