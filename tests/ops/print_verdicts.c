/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vftoken authors
 */

/*
 * Print the name of every explainer verdict, one a line, as
 * vft_verdict_name() gives them: the docs test checks each is documented
 * in doc/guides/troubleshooting.rst.
 */

#include <stdio.h>
#include <string.h>

#include "vftoken.h"

/* Far more than the enum holds; the walk stops at the first "unknown". */
#define PV_MAX_VERDICTS 256

int
main(void)
{
	int v;

	for (v = 0; v < PV_MAX_VERDICTS; v++) {
		const char *name = vft_verdict_name((enum vft_verdict)v);

		if (strcmp(name, "unknown") == 0)
			break;
		printf("%s\n", name);
	}
	if (v == 0 || v == PV_MAX_VERDICTS) {
		fprintf(stderr, "print_verdicts: %d verdicts, expected 1..%d\n",
			v, PV_MAX_VERDICTS - 1);
		return 1;
	}
	return 0;
}
