/* The command layer: one cmd-<verb>.c per subcommand, registered in the
 * table in recscale.c.  Only this layer prints to people and chooses exit
 * statuses: 0 success, 1 the run failed or the input is invalid, 2 usage.
 */
#ifndef RS_CMD_H
#define RS_CMD_H

#include "error.h"
#include "report.h"

#define RS_EXIT_OK 0
#define RS_EXIT_FAIL 1
#define RS_EXIT_USAGE 2

int cmd_plan(int argc, char **argv);
int cmd_hw(int argc, char **argv);
int cmd_law(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_optimize(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);

/* Print "recscale: <message>" to stderr and return RS_EXIT_FAIL. */
int rs_cmd_fail(const struct rs_error *err);
/* Print "recscale <command>: <message>" and a pointer to --help to
 * stderr, and return RS_EXIT_USAGE. */
int rs_cmd_usage(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse a --format value; prints the usage error itself. */
int rs_cmd_format(const char *command, const char *value,
	enum rs_format *format);

/* Parse a finite number in the C locale ("1e11", "0.99"). */
int rs_parse_double(const char *text, double *out);

#endif
