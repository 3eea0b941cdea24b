/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Where a device's start-up goes: the phases the bus times with the
 * monotonic clock (struct sriov_timing, doc/guides/bus_sriov.rst
 * "Start-up timings"), their names in telemetry and their one-line form
 * in the log. No EAL here: tests/unit/test_bus_timing.c compiles it
 * alone.
 */

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "sriov_private.h"

uint64_t
sriov_time_now(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer (clock_gettime(2)) */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

const char *
sriov_phase_name(enum sriov_phase ph)
{
	switch (ph) {
	case SRIOV_PHASE_OPEN:
		return "open";
	case SRIOV_PHASE_SETUP:
		return "setup";
	case SRIOV_PHASE_PREPARE:
		return "prepare";
	case SRIOV_PHASE_PROBE:
		return "probe";
	case SRIOV_PHASE_RELEASE:
		return "release";
	default:
		return "unknown";
	}
}

const char *
sriov_reset_name(enum sriov_reset r)
{
	switch (r) {
	case SRIOV_RESET_NONE:
		return "none";
	case SRIOV_RESET_AT_OPEN:
		return "at-open";
	case SRIOV_RESET_EXPLICIT:
		return "explicit";
	default:
		return "unknown";
	}
}

/* Record @p ph as taking @p ns; @return @p ns (0: no such phase). */
uint64_t
sriov_timing_set(struct sriov_timing *t, enum sriov_phase ph, uint64_t ns)
{
	if ((unsigned int)ph >= SRIOV_PHASE_COUNT)
		return 0;
	t->ns[ph] = ns;
	t->done |= 1u << ph;
	return ns;
}

/* Record @p ph as taking from @p start to now; @return its nanoseconds. */
uint64_t
sriov_timing_end(struct sriov_timing *t, enum sriov_phase ph, uint64_t start)
{
	uint64_t now = sriov_time_now();

	return sriov_timing_set(t, ph, now > start ? now - start : 0);
}

/*
 * "open 212.345 ms, setup 104.200 ms, prepare 104.100 ms, probe 31.000
 * ms; reset: explicit": the phases measured, in order, in milliseconds
 * with microseconds. @return snprintf()'s count (>= @p len: cut short).
 */
int
sriov_timing_format(const struct sriov_timing *t, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int ph;
	int w;

	if (len > 0)
		buf[0] = '\0';
	for (ph = 0; ph < SRIOV_PHASE_COUNT; ph++) {
		uint64_t us;

		if (!(t->done & (1u << ph)))
			continue;
		us = t->ns[ph] / 1000;
		w = snprintf(buf + (n < len ? n : len), n < len ? len - n : 0,
			     "%s%s %" PRIu64 ".%03" PRIu64 " ms",
			     n > 0 ? ", " : "", sriov_phase_name(ph), us / 1000,
			     us % 1000);
		if (w < 0)
			return w;
		n += (size_t)w;
	}
	if (n == 0) {
		w = snprintf(buf, len, "nothing measured");
		return w;
	}
	w = snprintf(buf + (n < len ? n : len), n < len ? len - n : 0,
		     "; reset: %s", sriov_reset_name(t->reset));
	if (w < 0)
		return w;
	return (int)(n + (size_t)w);
}
