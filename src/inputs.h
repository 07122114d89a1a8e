/* Every input behind a plan, with its value and where it comes from, for
 * the assumptions section of a report.
 *
 * Three kinds of file feed a plan.  Law files and hardware profiles carry
 * a "<key>_source" string beside each number.  Scenario files carry their
 * sources as comments, so a scenario setting takes as its source the
 * comment on its own line, else the comment lines directly above it, else
 * the comment of the group or list that contains it.
 */
#ifndef RS_INPUTS_H
#define RS_INPUTS_H

#include "error.h"
#include "scenario.h"

enum rs_input_kind {
	RS_INPUT_SOURCED,	/* a source is given */
	RS_INPUT_ASSUMPTION,	/* the source marks the value an assumption */
	RS_INPUT_UNSTATED	/* no source is given */
};

struct rs_input_group {
	char *title;		/* "scenario default", "hardware h100-hgx" */
	char *path;		/* the file the values are read from */
	char *note;		/* the law's source and fit, or NULL */
};

struct rs_input {
	int group;		/* index into rs_inputs.groups */
	char *key;		/* "data.retention_days", "data.exponent" */
	char *value;		/* as text */
	char *unit;		/* "" when the key has none */
	char *source;
	enum rs_input_kind kind;
	int numeric;
};

struct rs_inputs {
	int n_groups, n;
	struct rs_input_group *groups;
	struct rs_input *items;
};

/* Append the inputs of scenario sc: its own settings, then its law's
 * scheme and each hardware profile, each once even when several
 * scenarios share them.  Fails when the scenario file cannot be read. */
int rs_inputs_add_scenario(struct rs_inputs *in, const struct rs_scenario *sc,
	struct rs_error *err);
void rs_inputs_free(struct rs_inputs *in);

/* "sourced", "assumption" or "no source given". */
const char *rs_input_kind_name(enum rs_input_kind kind);

#endif
