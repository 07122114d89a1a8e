/* Error messages filled by the library, printed by the command layer. */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

int rs_fail(struct rs_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}
