/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The closer: where fds a client sent that are not proven to be VFIO
 * nodes are closed, away from the serving loop.
 *
 * Closing an fd can block without limit: close(2) calls the file's flush
 * (filp_close(), fs/open.c), and a FUSE file's flush waits for its server,
 * uninterruptibly (fuse_flush() sends FUSE_FLUSH as a forced request). Any
 * local user can mount FUSE in a user namespace of its own. So the broker
 * never closes such an fd itself: it writes the fd's number to the closer,
 * a process that shares the broker's fd table (clone(2) with CLONE_FILES
 * and no CLONE_THREAD) and closes it there. If that close blocks, only the
 * closer waits; the broker serves on, and because the closer is another
 * process, not a thread of the broker, the broker still exits at SIGTERM
 * (a thread stuck in the flush would hold the whole process). The closer
 * dies with the broker (PR_SET_PDEATHSIG), or when its close returns if
 * it was blocked then.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vftokend.h"

/* The closer's whole life: read an fd number, close it, until the broker
 * is gone. Only system calls: it runs on a copy of the broker's memory. */
static void __attribute__((noreturn)) vfd_closer_run(int queue, pid_t broker)
{
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != broker)
		_exit(0);
	for (;;) {
		ssize_t n = read(queue, &fd, sizeof(fd));

		if (n == (ssize_t)sizeof(fd))
			close(fd);
		else if (n == 0 || (n < 0 && errno != EINTR))
			_exit(0);
	}
}

int
vfd_closer_start(struct vfd *b)
{
	pid_t self = getpid();
	int q[2];
	long pid;

	if (pipe2(q, O_CLOEXEC) < 0)
		return -errno;
	/* fork(2)'s semantics but one fd table: no new stack is given, the
	 * child runs on its copy of this one. */
	pid = syscall(SYS_clone, CLONE_FILES | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0) {
		int ret = -errno;

		close(q[0]);
		close(q[1]);
		return ret;
	}
	if (pid == 0)
		vfd_closer_run(q[0], self);
	/* The table is shared: the read end stays open for the closer. */
	if (fcntl(q[1], F_SETFL, O_NONBLOCK) < 0) {
		vfd_log(VFD_ERR,
			"closer: cannot make its queue non-blocking: %s",
			strerror(errno));
		kill((pid_t)pid, SIGKILL);
		return -EIO;
	}
	b->closer_fd = q[1];
	b->closer_pid = (pid_t)pid;
	return 0;
}

void
vfd_closer_give(struct vfd *b, int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		/* A full queue means the closer is stuck: the fd stays open
		 * (a leak bounded by the suspects' refusal), never closed
		 * here. */
		if (b->closer_fd >= 0 &&
		    write(b->closer_fd, &fds[i], sizeof(fds[i])) ==
			    (ssize_t)sizeof(fds[i]))
			b->stats.closer_fds++;
		else
			vfd_log(VFD_ERR,
				"closer: fd %d not queued (%s): left open",
				fds[i],
				b->closer_fd < 0 ? "no closer"
						 : strerror(errno));
		fds[i] = -1;
	}
}
