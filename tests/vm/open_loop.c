/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * VM fault test helper (devtools/vm/scenarios/faults.sh), libvftoken only.
 *
 *   open_loop loop ADDR TOKEN_FILE N
 *     N vft_open() of ADDR with the token of TOKEN_FILE, each expected to
 *     fail (a wrong token). Prints the count of each verdict and, before
 *     the first and after the last attempt, the open fds (/proc/self/fd),
 *     mappings (/proc/self/maps lines) and VmRSS: a refused open must leave
 *     nothing behind.
 *
 *   open_loop hold ADDR TOKEN_FILE SECS GO_FILE
 *     Wait until GO_FILE exists (polled every 100 us, so two holders
 *     started together open at nearly the same moment), open ADDR, print
 *     the result and verdict, keep the device open SECS seconds if it
 *     opened, close it.
 *
 * Output is "key=value" lines for the scenario, plus the explainer's reason
 * of the first failure. Exit 0 when the program ran to the end (whatever
 * the opens gave), 2 on bad usage, 1 on other errors.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc_usage.h"
#include "vftoken.h"

static void
ol_usage_print(const char *when, const struct proc_usage *u)
{
	printf("fds_%s=%ld\nmaps_%s=%ld\nrss_kb_%s=%ld\n", when, u->fds, when,
	       u->maps, when, u->rss_kb);
}

static int
ol_args(const char *addr, const char *file, struct vft_pci_addr *a,
	struct vft_token *tok)
{
	struct vft_err err;

	if (vft_pci_addr_parse(addr, a) != 0) {
		fprintf(stderr, "open_loop: %s is not a PCI address\n", addr);
		return -1;
	}
	vft_err_clear(&err);
	if (vft_token_from_file(file, tok, &err) != 0) {
		fprintf(stderr, "open_loop: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
ol_loop(const struct vft_pci_addr *a, const struct vft_token *tok, long n)
{
	unsigned int count[VFT_V_OTHER + 1];
	struct vft_explanation why;
	struct vft_handle h;
	struct proc_usage before, after;
	long i, opened = 0;
	int v;

	memset(count, 0, sizeof(count));
	proc_usage_read(&before);
	for (i = 0; i < n; i++) {
		memset(&why, 0, sizeof(why));
		if (vft_open(NULL, a, tok, &h, &why) == 0) {
			opened++;
			vft_close(&h);
			continue;
		}
		if (why.verdict >= 0 && why.verdict <= VFT_V_OTHER)
			count[why.verdict]++;
		if (i == 0)
			printf("first_reason=[%s] %s\n",
			       vft_verdict_name(why.verdict), why.reason);
	}
	proc_usage_read(&after);
	printf("attempts=%ld\nopened=%ld\n", n, opened);
	for (v = 0; v <= VFT_V_OTHER; v++)
		if (count[v] > 0)
			printf("verdict_%s=%u\n",
			       vft_verdict_name((enum vft_verdict)v), count[v]);
	ol_usage_print("before", &before);
	ol_usage_print("after", &after);
	return 0;
}

static int
ol_wait_go(const char *go)
{
	const struct timespec step = { 0, 100000 };
	long i;

	/* at most 60 s */
	for (i = 0; i < 600000; i++) {
		if (access(go, F_OK) == 0)
			return 0;
		nanosleep(&step, NULL);
	}
	fprintf(stderr, "open_loop: %s did not appear in 60 s\n", go);
	return -1;
}

static int
ol_hold(const struct vft_pci_addr *a, const struct vft_token *tok,
	unsigned int secs, const char *go)
{
	struct vft_explanation why;
	struct vft_handle h;
	int ret;

	if (ol_wait_go(go) < 0)
		return 1;
	memset(&why, 0, sizeof(why));
	ret = vft_open(NULL, a, tok, &h, &why);
	printf("result=%s\nerrno=%d\nverdict=%s\nreason=%s\n",
	       ret == 0 ? "opened" : "refused", -ret,
	       vft_verdict_name(why.verdict), why.reason);
	if (ret != 0 && why.fix[0] != '\0')
		printf("fix=%s\n", why.fix);
	fflush(stdout);
	if (ret == 0) {
		sleep(secs);
		vft_close(&h);
		printf("closed=1\n");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct vft_pci_addr a;
	struct vft_token tok;
	int ret = 2;

	if (argc == 5 && strcmp(argv[1], "loop") == 0) {
		long n = strtol(argv[4], NULL, 10);

		if (n <= 0 || ol_args(argv[2], argv[3], &a, &tok) < 0)
			return 2;
		ret = ol_loop(&a, &tok, n);
	} else if (argc == 6 && strcmp(argv[1], "hold") == 0) {
		if (ol_args(argv[2], argv[3], &a, &tok) < 0)
			return 2;
		ret = ol_hold(&a, &tok, (unsigned int)atoi(argv[4]), argv[5]);
	} else {
		fprintf(stderr,
			"usage: open_loop loop ADDR TOKEN_FILE N\n"
			"       open_loop hold ADDR TOKEN_FILE SECS GO_FILE\n");
		return 2;
	}
	vft_token_wipe(&tok);
	return ret;
}
