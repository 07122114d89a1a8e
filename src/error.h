/* Error reporting for the library.
 *
 * Library functions never print and never exit: they return 0 on success or
 * -1 on failure and fill a struct rs_error with one line that names the
 * file, line, key and value, and what to do.  The command layer prints it.
 */
#ifndef RS_ERROR_H
#define RS_ERROR_H

#define RS_ERROR_MAX 1024

struct rs_error {
	char msg[RS_ERROR_MAX];
};

/* Format a message into err (which may be NULL) and return -1. */
int rs_fail(struct rs_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
