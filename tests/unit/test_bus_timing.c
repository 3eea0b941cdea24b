/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Unit tests of the sriov bus's start-up timings
 * (drivers/bus/sriov/sriov_timing.c, compiled into this program without
 * the rest of the bus and without an EAL): the phases' names (telemetry
 * keys), the one-line form in the log, in phase order and only of what was
 * measured, and a cut-short buffer. Durations are set by hand: no
 * assertion here depends on how long anything takes.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sriov_private.h"

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(sriov_phase_name(SRIOV_PHASE_OPEN), "open");
	assert_string_equal(sriov_phase_name(SRIOV_PHASE_SETUP), "setup");
	assert_string_equal(sriov_phase_name(SRIOV_PHASE_PREPARE), "prepare");
	assert_string_equal(sriov_phase_name(SRIOV_PHASE_PROBE), "probe");
	assert_string_equal(sriov_phase_name(SRIOV_PHASE_RELEASE), "release");
	assert_string_equal(sriov_phase_name(SRIOV_PHASE_COUNT), "unknown");
	assert_string_equal(sriov_reset_name(SRIOV_RESET_NONE), "none");
	assert_string_equal(sriov_reset_name(SRIOV_RESET_AT_OPEN), "at-open");
	assert_string_equal(sriov_reset_name(SRIOV_RESET_EXPLICIT), "explicit");
	assert_string_equal(sriov_reset_name(SRIOV_RESET_UNKNOWN), "unknown");
}

static void
test_format(void **state)
{
	struct sriov_timing t;
	char buf[256];
	int n;

	(void)state;
	memset(&t, 0, sizeof(t));
	n = sriov_timing_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "nothing measured");
	assert_int_equal(n, (int)strlen(buf));
	/* phases in order whatever order they were set in; ms.us */
	t.ns[SRIOV_PHASE_PROBE] = 31000000;	   /* 31 ms */
	t.ns[SRIOV_PHASE_OPEN] = 212345678;	   /* 212.345 ms */
	t.ns[SRIOV_PHASE_SETUP] = 4999;		   /* 0.004 ms */
	t.ns[SRIOV_PHASE_RELEASE] = 7000000000ULL; /* not measured */
	t.done = 1u << SRIOV_PHASE_PROBE | 1u << SRIOV_PHASE_OPEN |
		 1u << SRIOV_PHASE_SETUP;
	t.reset = SRIOV_RESET_AT_OPEN;
	n = sriov_timing_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "open 212.345 ms, setup 0.004 ms, "
				 "probe 31.000 ms; reset: at-open");
	assert_int_equal(n, (int)strlen(buf));
	/* cut short: terminated, and the full length is returned */
	n = sriov_timing_format(&t, buf, 10);
	assert_string_equal(buf, "open 212.");
	assert_true(n > 10);
	n = sriov_timing_format(&t, buf, 1);
	assert_string_equal(buf, "");
}

/* sriov_timing_end() records a phase; a clock read before now counts. */
static void
test_end(void **state)
{
	struct sriov_timing t;
	uint64_t start;

	(void)state;
	memset(&t, 0, sizeof(t));
	start = sriov_time_now();
	assert_true(start > 0);
	sriov_timing_end(&t, SRIOV_PHASE_RELEASE, start);
	assert_int_equal(t.done, 1u << SRIOV_PHASE_RELEASE);
	/* a start after now (it cannot be) is 0, not a wrapped number */
	assert_int_equal(sriov_timing_end(&t, SRIOV_PHASE_OPEN, UINT64_MAX), 0);
	assert_int_equal(t.done,
			 1u << SRIOV_PHASE_RELEASE | 1u << SRIOV_PHASE_OPEN);
	/* no such phase: nothing recorded */
	assert_int_equal(sriov_timing_end(&t, SRIOV_PHASE_COUNT, start), 0);
	assert_int_equal(t.done,
			 1u << SRIOV_PHASE_RELEASE | 1u << SRIOV_PHASE_OPEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_end),
	};

	return cmocka_run_group_tests_name("bus_timing", tests, NULL, NULL);
}
