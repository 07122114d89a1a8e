/* Atomic output files and number formatting; see output.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

int rs_out_check(const char *path, int force, struct rs_error *err)
{
	struct stat sb;

	if (path[0] == '\0')
		return rs_fail(err, "empty output file name; give a file name "
			"after -o");
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return rs_fail(err, "%s: is a directory; give a file name",
			path);
	if (!force && stat(path, &sb) == 0)
		return rs_fail(err, "%s: file exists; pass --force to replace "
			"it or choose another name", path);
	return 0;
}

int rs_out_open(struct rs_out *out, const char *path, int force,
	struct rs_error *err)
{
	int fd;

	memset(out, 0, sizeof *out);
	if (path == NULL || strcmp(path, "-") == 0) {
		out->f = stdout;
		return 0;
	}
	if (rs_out_check(path, force, err) < 0)
		return -1;
	out->path = strdup(path);
	out->tmp_path = malloc(strlen(path) + 16);
	if (out->path == NULL || out->tmp_path == NULL) {
		rs_out_abort(out);
		return rs_fail(err, "out of memory");
	}
	sprintf(out->tmp_path, "%s.tmp.XXXXXX", path);
	fd = mkstemp(out->tmp_path);
	if (fd < 0) {
		int e = errno;
		free(out->tmp_path);
		out->tmp_path = NULL;
		rs_out_abort(out);
		return rs_fail(err, "%s: cannot create: %s; check that the "
			"folder exists and is writable", path, strerror(e));
	}
	out->f = fdopen(fd, "w");
	if (out->f == NULL) {
		close(fd);
		rs_out_abort(out);
		return rs_fail(err, "%s: cannot open for writing", path);
	}
	return 0;
}

int rs_out_commit(struct rs_out *out, struct rs_error *err)
{
	int failed;

	if (out->path == NULL) {
		if (fflush(stdout) != 0 || ferror(stdout))
			return rs_fail(err, "writing to standard output "
				"failed: %s", strerror(errno));
		return 0;
	}
	failed = fflush(out->f) != 0 || ferror(out->f);
	failed |= fclose(out->f) != 0;
	out->f = NULL;
	if (failed) {
		int e = errno;
		rs_fail(err, "%s: writing failed: %s; nothing was written",
			out->path, strerror(e));
		rs_out_abort(out);
		return -1;
	}
	/* Keep the permissions an ordinary new file would get. */
	mode_t mask = umask(0);
	umask(mask);
	chmod(out->tmp_path, 0666 & ~mask);
	if (rename(out->tmp_path, out->path) != 0) {
		int e = errno;
		rs_fail(err, "%s: cannot rename into place: %s", out->path,
			strerror(e));
		rs_out_abort(out);
		return -1;
	}
	free(out->tmp_path);
	free(out->path);
	memset(out, 0, sizeof *out);
	return 0;
}

void rs_out_abort(struct rs_out *out)
{
	if (out->f != NULL && out->f != stdout)
		fclose(out->f);
	if (out->tmp_path != NULL)
		unlink(out->tmp_path);
	free(out->tmp_path);
	free(out->path);
	memset(out, 0, sizeof *out);
}

int rs_utf8_length(const unsigned char *p)
{
	int n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4;
	else
		return 0;
	for (int i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

void rs_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		int n = rs_utf8_length(p);

		if (n == 0) {
			/* Invalid UTF-8 would make the document unreadable:
			 * write U+FFFD in its place. */
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fwrite(p, 1, (size_t)n, f);
		p += n;
	}
	fputc('"', f);
}

/* The shortest of %.15g, %.16g and %.17g that reads back as v. */
static const char *shortest(double v)
{
	static char buf[40];

	for (int digits = 15; digits < 17; digits++) {
		snprintf(buf, sizeof buf, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			return buf;
	}
	snprintf(buf, sizeof buf, "%.17g", v);
	return buf;
}

void rs_json_number(FILE *f, double v)
{
	if (!isfinite(v))
		fputs("null", f);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%.0f", v);
	else
		fputs(shortest(v), f);
}

char *rs_fmt_sci(char *buf, size_t size, double v)
{
	char mantissa[32];
	int exponent;

	if (!isfinite(v)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (v == 0.0) {
		snprintf(buf, size, "0");
		return buf;
	}
	exponent = (int)floor(log10(fabs(v)));
	if (exponent >= -2 && exponent < 4) {
		snprintf(buf, size, "%.4g", v);
		return buf;
	}
	snprintf(mantissa, sizeof mantissa, "%.2f", v / pow(10.0, exponent));
	if (strcmp(mantissa, "10.00") == 0 || strcmp(mantissa, "-10.00") == 0) {
		exponent++;
		snprintf(mantissa, sizeof mantissa, "%.2f",
			v / pow(10.0, exponent));
	}
	snprintf(buf, size, "%se%d", mantissa, exponent);
	return buf;
}

char *rs_fmt_count(char *buf, size_t size, double v)
{
	char digits[64];
	int len, out = 0, neg = v < 0;

	if (!isfinite(v)) {
		snprintf(buf, size, "-");
		return buf;
	}
	snprintf(digits, sizeof digits, "%.0f", fabs(v));
	len = (int)strlen(digits);
	if (neg && (size_t)out + 1 < size)
		buf[out++] = '-';
	for (int i = 0; i < len && (size_t)out + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[out++] = ',';
		buf[out++] = digits[i];
	}
	buf[out] = '\0';
	return buf;
}
