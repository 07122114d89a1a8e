/* A minimal TAP producer for the C tests: one assertion per condition, a
 * name that says the behaviour, numeric checks with a stated tolerance. */
#ifndef RS_TAP_H
#define RS_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

static void tap_plan(int n)
{
	printf("1..%d\n", n);
}

static int __attribute__((format(printf, 2, 3)))
tap_ok(int pass, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return pass;
}

/* Pass when got is within rel_tol of want, relative to |want|. */
static int __attribute__((format(printf, 4, 5)))
tap_near(double got, double want, double rel_tol, const char *fmt, ...)
{
	char name[512];
	va_list ap;
	int pass = isfinite(got) && fabs(got - want) <= rel_tol * fabs(want);

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	tap_ok(pass, "%s", name);
	if (!pass)
		printf("# got %.17g, want %.17g (relative tolerance %g)\n", got,
			want, rel_tol);
	return pass;
}

static int tap_done(void)
{
	return tap_failed ? 1 : 0;
}

#endif
