/* Output files written atomically, and number formatting in the C locale.
 *
 * Results go to a temporary file beside the target, which is renamed into
 * place only when everything was written, so a failed run leaves no
 * half-written report.  An existing file is replaced only when the caller
 * passes force.
 */
#ifndef RS_OUTPUT_H
#define RS_OUTPUT_H

#include <stdio.h>

#include "error.h"

struct rs_out {
	FILE *f;
	char *path;		/* NULL: standard output */
	char *tmp_path;
};

/* Check that path can be written: a non-empty name, not a directory, and
 * not an existing file unless force. */
int rs_out_check(const char *path, int force, struct rs_error *err);
int rs_out_open(struct rs_out *out, const char *path, int force,
	struct rs_error *err);
/* Flush, close and rename into place. */
int rs_out_commit(struct rs_out *out, struct rs_error *err);
/* Close and remove the temporary file. */
void rs_out_abort(struct rs_out *out);

/* Length of the valid UTF-8 sequence at p, or 0 when it is invalid. */
int rs_utf8_length(const unsigned char *p);

/* JSON value writers; non-finite numbers become null. */
void rs_json_string(FILE *f, const char *s);
void rs_json_number(FILE *f, double v);

/* "1.46e11": three significant digits, compact exponent. */
char *rs_fmt_sci(char *buf, size_t size, double v);
/* "12,345,678": whole number with thousands separators. */
char *rs_fmt_count(char *buf, size_t size, double v);

#endif
