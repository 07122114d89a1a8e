/* Helpers shared by the subcommands: messages and argument parsing. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int rs_cmd_fail(const struct rs_error *err)
{
	fprintf(stderr, "recscale: %s\n", err->msg);
	return RS_EXIT_FAIL;
}

int rs_cmd_usage(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "recscale %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see `recscale %s --help`\n", command);
	return RS_EXIT_USAGE;
}

int rs_cmd_format(const char *command, const char *value,
	enum rs_format *format)
{
	if (rs_format_parse(value, format) < 0)
		return rs_cmd_usage(command, "--format %s is not known; use "
			"text, csv or json", value);
	return 0;
}

int rs_parse_double(const char *text, double *out)
{
	char *end;

	/* Decimal notation only: strtod would also take hex, "inf" and
	 * "nan". */
	if (strspn(text, "0123456789+-.eE") != strlen(text))
		return -1;
	errno = 0;
	*out = strtod(text, &end);
	if (end == text || *end != '\0' || errno == ERANGE || !isfinite(*out))
		return -1;
	return 0;
}
