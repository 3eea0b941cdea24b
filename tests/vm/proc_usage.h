/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

#ifndef VFT_TESTS_PROC_USAGE_H
#define VFT_TESTS_PROC_USAGE_H

/*
 * What a process holds, read from /proc/self: open fds, mappings and
 * resident memory. The VM fault helpers compare it before and after a
 * thousand refused opens. Each reader opens one fd and, for stdio, mallocs
 * a buffer; measured the same way each time, their own cost cancels out in
 * a comparison.
 */
struct proc_usage {
	long fds;
	long maps;
	long rss_kb;
};

void proc_usage_read(struct proc_usage *u);

#endif
