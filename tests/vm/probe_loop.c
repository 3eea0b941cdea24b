/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * VM fault test helper (devtools/vm/scenarios/faults.sh): refused hot-plug
 * attempts through the sriov bus leave nothing behind.
 *
 *   probe_loop EAL-OPTIONS -- N DEVARGS
 *
 * After rte_eal_init() (with -d librte_bus_sriov.so), calls
 * rte_dev_probe(DEVARGS) N times, e.g. "sriov:0000:01:10.4,vf_token_file=
 * WRONG", each expected to fail. Prints, as "key=value" lines, the count
 * of results, and before the first attempt, after the first and after the
 * last: the open fds (/proc/self/fd), the mappings (/proc/self/maps lines),
 * VmRSS, and the bytes allocated in DPDK's heaps (hugepage memory is not in
 * VmRSS). The first attempt is reported apart: it is the bus's first
 * open in the process, which may set up state kept for later opens.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "proc_usage.h"

struct pl_usage {
	struct proc_usage proc;
	size_t heap;
};

static size_t
pl_heap(void)
{
	struct rte_malloc_socket_stats st;
	size_t sum = 0;
	unsigned int s;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats((int)s, &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

static void
pl_usage_read(struct pl_usage *u)
{
	proc_usage_read(&u->proc);
	u->heap = pl_heap();
}

static void
pl_usage_print(const char *when, const struct pl_usage *u)
{
	printf("fds_%s=%ld\nmaps_%s=%ld\nrss_kb_%s=%ld\nheap_%s=%zu\n", when,
	       u->proc.fds, when, u->proc.maps, when, u->proc.rss_kb, when,
	       u->heap);
}

int
main(int argc, char **argv)
{
	struct pl_usage before, first, after;
	long i, n, ok = 0, failed = 0;
	const char *devargs;
	int ret, first_ret = 0;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "probe_loop: rte_eal_init: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: probe_loop EAL-OPTIONS -- N DEVARGS\n");
		rte_eal_cleanup();
		return 2;
	}
	devargs = argv[2];
	pl_usage_read(&before);
	for (i = 0; i < n; i++) {
		ret = rte_dev_probe(devargs);
		if (ret == 0) {
			/* not expected: later attempts would find it probed */
			ok++;
			break;
		}
		failed++;
		if (i == 0) {
			first_ret = ret;
			pl_usage_read(&first);
			/* from here on, only the summary */
			fflush(stdout);
		}
	}
	pl_usage_read(&after);
	printf("attempts=%ld\nprobed=%ld\nrefused=%ld\nfirst_ret=%d\n",
	       ok + failed, ok, failed, first_ret);
	pl_usage_print("before", &before);
	pl_usage_print("first", &first);
	pl_usage_print("after", &after);
	rte_eal_cleanup();
	return 0;
}
