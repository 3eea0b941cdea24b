/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * The broker's log: one line per event on stderr, under journald with the
 * line's priority first (doc/guides/broker.rst, "Log"). A leaf: the serving
 * path, the limits and the closer all log through it.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vftokend.h"

/* stderr is the journal: each line then starts with its priority. */
static bool vfd_journal;

/* sd-daemon(3): journald sets JOURNAL_STREAM to "DEV:INO" of the stream
 * it connected to stderr; a stderr redirected since is not the journal. */
void
vfd_log_init(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int n = 0;

	vfd_journal = false;
	if (e == NULL || sscanf(e, "%llu:%llu%n", &dev, &ino, &n) != 2 ||
	    e[n] != '\0' || fstat(STDERR_FILENO, &st) < 0)
		return;
	vfd_journal = (unsigned long long)st.st_dev == dev &&
		      (unsigned long long)st.st_ino == ino;
}

void
vfd_log(enum vfd_prio prio, const char *fmt, ...)
{
	va_list ap;

	if (vfd_journal)
		fprintf(stderr, "<%d>", (int)prio);
	fputs("vftokend: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
