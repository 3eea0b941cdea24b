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
 *   open_loop time ADDR (--token-file F | --broker SOCK) N [--path P]
 *     N open and close cycles of ADDR (devtools/vm/scenarios/
 *     bench-broker.sh), each into a fresh IOMMU context on path P (group,
 *     the default, or cdev), so both ways do the same kernel work
 *     (container or iommufd, group, device): directly, reading the token
 *     from F and vft_iommu_open_device(), or through the VF token broker
 *     at SOCK, vft_iommu_open_brokered() (doc/guides/broker.rst). Each
 *     open is timed with CLOCK_MONOTONIC from vft_iommu_init() (and, when
 *     direct, the token file read) to the open's return; each close (the
 *     device, then the context) on its own. Prints the count of opens that
 *     worked, the median, mean, min and max in microseconds, and the fds,
 *     mappings and VmRSS before the first and after the last cycle.
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

/* ---- time: open and close cycles, direct or through the broker -------- */

/** How a time run opens: the token file (direct) or the broker's socket. */
struct ol_way {
	const char *token_file; /**< direct, else NULL */
	const char *sock;	/**< through the broker, else NULL */
	enum vft_path path;
};

static double
ol_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
ol_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median, mean, min and max of @p v (n > 0; sorts it) as key=value. */
static void
ol_stats_print(const char *key, double *v, long n)
{
	double sum = 0;
	long i;

	qsort(v, (size_t)n, sizeof(*v), ol_cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	printf("%s_median=%.1f\n%s_mean=%.1f\n%s_min=%.1f\n%s_max=%.1f\n", key,
	       n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, key,
	       sum / (double)n, key, v[0], key, v[n - 1]);
}

/* A step of our own failed before any open: verdict "other". */
static int
ol_time_failed(struct vft_explanation *why, const struct vft_err *err, int ret)
{
	why->verdict = VFT_V_OTHER;
	why->error = ret;
	snprintf(why->reason, sizeof(why->reason), "%s", err->msg);
	return ret;
}

/* One open the way @p w says, into @p io initialised here. */
static int
ol_time_open(const struct ol_way *w, const struct vft_pci_addr *a,
	     struct vft_iommu *io, struct vft_device *d,
	     struct vft_explanation *why)
{
	struct vft_token tok;
	struct vft_err err;
	int ret;

	memset(&tok, 0, sizeof(tok));
	vft_err_clear(&err);
	ret = vft_iommu_init(io, w->path, &err);
	if (ret < 0)
		return ol_time_failed(why, &err, ret);
	if (w->sock != NULL)
		return vft_iommu_open_brokered(io, NULL, a, w->sock, d, why);
	ret = vft_token_from_file(w->token_file, &tok, &err);
	if (ret < 0) {
		vft_token_wipe(&tok);
		return ol_time_failed(why, &err, ret);
	}
	ret = vft_iommu_open_device(io, NULL, a, &tok, d, why);
	vft_token_wipe(&tok);
	return ret;
}

/* One timed cycle: the open into @p open_us, the close into @p close_us. */
static int
ol_time_cycle(const struct ol_way *w, const struct vft_pci_addr *a,
	      double *open_us, double *close_us, struct vft_explanation *why)
{
	struct vft_iommu io;
	struct vft_device d;
	double t0, t1;
	int ret;

	memset(why, 0, sizeof(*why));
	t0 = ol_now_us();
	ret = ol_time_open(w, a, &io, &d, why);
	t1 = ol_now_us();
	*open_us = t1 - t0;
	if (ret == 0)
		vft_device_close(&d);
	vft_iommu_close(&io);
	*close_us = ol_now_us() - t1;
	return ret;
}

static int
ol_time(const struct ol_way *w, const struct vft_pci_addr *a, long n)
{
	double *open_us = calloc((size_t)n, sizeof(double));
	double *close_us = calloc((size_t)n, sizeof(double));
	struct proc_usage before, after;
	struct vft_explanation why;
	long i, opened = 0;

	if (open_us == NULL || close_us == NULL) {
		fprintf(stderr, "open_loop: no memory for %ld samples\n", n);
		free(open_us);
		free(close_us);
		return 1;
	}
	proc_usage_read(&before);
	for (i = 0; i < n; i++) {
		if (ol_time_cycle(w, a, &open_us[opened], &close_us[opened],
				  &why) == 0) {
			opened++;
			continue;
		}
		printf("failure_%ld=[%s] %s\n", i + 1,
		       vft_verdict_name(why.verdict), why.reason);
	}
	proc_usage_read(&after);
	printf("way=%s\npath=%s\nopens=%ld\nopened=%ld\n",
	       w->sock != NULL ? "broker" : "direct", vft_path_name(w->path), n,
	       opened);
	if (opened > 0) {
		ol_stats_print("open_us", open_us, opened);
		ol_stats_print("close_us", close_us, opened);
	}
	ol_usage_print("before", &before);
	ol_usage_print("after", &after);
	free(open_us);
	free(close_us);
	return 0;
}

/* A positive count: the whole of @p s, at most 1000000. */
static int
ol_count_parse(const char *s, long *n)
{
	char *end;

	errno = 0;
	*n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *n <= 0 || *n > 1000000) {
		fprintf(stderr,
			"open_loop: count '%s' is not a number from 1 to "
			"1000000\n",
			s);
		return -1;
	}
	return 0;
}

/* time ADDR (--token-file F | --broker SOCK) N [--path P] */
static int
ol_time_args(int argc, char **argv, struct ol_way *w, struct vft_pci_addr *a,
	     long *n)
{
	memset(w, 0, sizeof(*w));
	w->path = VFT_PATH_GROUP;
	if (argc != 5 && !(argc == 7 && strcmp(argv[5], "--path") == 0))
		return -1;
	if (vft_pci_addr_parse(argv[1], a) != 0) {
		fprintf(stderr, "open_loop: '%s' is not a PCI address\n",
			argv[1]);
		return -1;
	}
	if (strcmp(argv[2], "--token-file") == 0) {
		w->token_file = argv[3];
	} else if (strcmp(argv[2], "--broker") == 0) {
		w->sock = argv[3];
	} else {
		fprintf(stderr,
			"open_loop: '%s': expected --token-file F or "
			"--broker SOCK\n",
			argv[2]);
		return -1;
	}
	if (ol_count_parse(argv[4], n) < 0)
		return -1;
	if (argc == 7 && (vft_path_parse(argv[6], &w->path) != 0 ||
			  strcmp(argv[6], "auto") == 0)) {
		fprintf(stderr, "open_loop: --path '%s' is not group or cdev\n",
			argv[6]);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct vft_pci_addr a;
	struct vft_token tok;
	struct ol_way w;
	int ret = 2;
	long n;

	memset(&tok, 0, sizeof(tok));
	if (argc >= 2 && strcmp(argv[1], "time") == 0) {
		if (ol_time_args(argc - 1, argv + 1, &w, &a, &n) < 0)
			goto usage;
		return ol_time(&w, &a, n);
	}
	if (argc == 5 && strcmp(argv[1], "loop") == 0) {
		n = strtol(argv[4], NULL, 10);
		if (n <= 0 || ol_args(argv[2], argv[3], &a, &tok) < 0)
			return 2;
		ret = ol_loop(&a, &tok, n);
	} else if (argc == 6 && strcmp(argv[1], "hold") == 0) {
		if (ol_args(argv[2], argv[3], &a, &tok) < 0)
			return 2;
		ret = ol_hold(&a, &tok, (unsigned int)atoi(argv[4]), argv[5]);
	} else {
		goto usage;
	}
	vft_token_wipe(&tok);
	return ret;
usage:
	fprintf(stderr,
		"usage: open_loop loop ADDR TOKEN_FILE N\n"
		"       open_loop hold ADDR TOKEN_FILE SECS GO_FILE\n"
		"       open_loop time ADDR (--token-file F | --broker SOCK) N "
		"[--path group|cdev]\n");
	return 2;
}
