/* recscale: capacity planning for recommendation-model training.
 *
 * The program never calls setlocale(), so numbers are parsed and printed
 * in the C locale whatever LC_NUMERIC is set to, because a decimal comma
 * would corrupt CSV, JSON and configuration values.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "config.h"
#include "cmd.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "plan", cmd_plan, "project a roadmap scenario year by year" },
	{ "simulate", cmd_simulate, "time one training job on a given "
		"cluster" },
	{ "optimize", cmd_optimize, "choose each year's plan within a budget "
		"or for a target NE" },
	{ "hw", cmd_hw, "list hardware profiles or show one with sources" },
	{ "kernel", cmd_kernel, "measure the embedding-bag kernel's lookups "
		"per second on this machine" },
	{ "calibrate", cmd_calibrate, "measure this machine and write its "
		"hardware profile" },
	{ "law", cmd_law, "evaluate a scaling law or invert it for a "
		"target NE" },
	{ "fit", cmd_fit, "fit a scaling law to measured runs and write a "
		"law file" },
	{ "report", cmd_report, "write a report of scenarios side by side: "
		"HTML with charts, Markdown, CSV or JSON" },
};

static void usage(FILE *f)
{
	fputs("Usage: recscale <command> [options]\n"
		"       recscale --help | --version\n\n"
		"Capacity planning for recommendation-model (DLRM) training:\n"
		"predicted quality (normalized entropy) against cluster size and "
		"cost,\nyear by year.\n\nCommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-6s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun `recscale <command> --help` for a command's options.\n"
		"Data files (models/, hwprofiles/, scenarios/) are looked up in "
		"the current\ndirectory, then in each folder of RECSCALE_PATH, "
		"then in " PKGDATADIR ".\n\nExit status: 0 success, 1 the run "
		"failed or the input is invalid, 2 usage error.\n", f);
}

/* Flush standard output and turn a failed write (a full disk, a closed
 * pipe) into exit status 1. */
static int finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "recscale: writing to standard output failed: "
			"%s\n", strerror(errno));
		return RS_EXIT_FAIL;
	}
	return status;
}

int main(int argc, char **argv)
{
	gsl_set_error_handler_off();

	if (argc < 2) {
		usage(stderr);
		return RS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return finish(RS_EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("recscale %s\n", PACKAGE_VERSION);
		return finish(RS_EXIT_OK);
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return finish(commands[i].run(argc - 1, argv + 1));
	fprintf(stderr, "recscale: unknown %s \"%s\"; run `recscale --help` "
		"for the list\n", argv[1][0] == '-' ? "option" : "command",
		argv[1]);
	return RS_EXIT_USAGE;
}
