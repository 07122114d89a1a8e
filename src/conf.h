/* Reading recscale's libconfig files with exact, checked values.
 *
 * libconfig 1.5 as Debian 12 ships it wraps integer literals beyond 32 bits
 * silently, rejects a UTF-8 byte-order mark with a bare syntax error and
 * resolves @include against the working directory.  rs_conf_open() reads the
 * file itself, rejects those cases with a message saying how to write the
 * value, and only then hands the text to libconfig.  The getters check type,
 * range and finiteness and fill err with "file:line: key: problem; fix".
 */
#ifndef RS_CONF_H
#define RS_CONF_H

#include <libconfig.h>
#include <stdint.h>

#include "error.h"

struct rs_conf {
	config_t cfg;
	char *path;		/* the file as the caller named it */
};

/* A number read from a file together with where it came from. */
struct rs_sourced {
	double value;
	char *source;		/* "published: ...", "assumption: ..." */
};

int rs_conf_open(struct rs_conf *conf, const char *path, struct rs_error *err);
void rs_conf_close(struct rs_conf *conf);

/* Scan configuration text for integer literals that libconfig 1.5 would
 * wrap (beyond 32 bits without an L suffix) and for a byte-order mark.
 * Returns 0 if the text is safe to parse, -1 with err filled otherwise. */
int rs_conf_check_text(const char *text, const char *path, struct rs_error *err);

/* The root group, or a member group that must exist. */
const config_setting_t *rs_conf_root(const struct rs_conf *conf);
const config_setting_t *rs_conf_group(const struct rs_conf *conf,
	const config_setting_t *parent, const char *key, struct rs_error *err);
/* A member list (or array) that must exist and hold at least one element. */
const config_setting_t *rs_conf_list(const struct rs_conf *conf,
	const config_setting_t *parent, const char *key, struct rs_error *err);

int rs_conf_has(const config_setting_t *group, const char *key);

/* Reject members of group not named in allowed (NULL-terminated).  A name
 * "x" also allows "x_source". */
int rs_conf_check_keys(const struct rs_conf *conf,
	const config_setting_t *group, const char *const *allowed,
	struct rs_error *err);

int rs_conf_string(const struct rs_conf *conf, const config_setting_t *group,
	const char *key, const char **out, struct rs_error *err);

/* A copy of the string, which the caller frees. */
int rs_conf_dup_string(const struct rs_conf *conf,
	const config_setting_t *group, const char *key, char **out,
	struct rs_error *err);

/* A finite number in [min, max]; integers are accepted. */
int rs_conf_double(const struct rs_conf *conf, const config_setting_t *group,
	const char *key, double min, double max, double *out,
	struct rs_error *err);
/* Same, but leaves *out unchanged when key is absent. */
int rs_conf_double_opt(const struct rs_conf *conf,
	const config_setting_t *group, const char *key, double min, double max,
	double *out, struct rs_error *err);

/* An exact integer in [min, max]: an integer literal, or a float that is
 * an integer exactly (so 4.0e10 is accepted for 40000000000L). */
int rs_conf_count(const struct rs_conf *conf, const config_setting_t *group,
	const char *key, int64_t min, int64_t max, int64_t *out,
	struct rs_error *err);
int rs_conf_count_opt(const struct rs_conf *conf,
	const config_setting_t *group, const char *key, int64_t min,
	int64_t max, int64_t *out, struct rs_error *err);

/* Element i of an array or list, as a count or a number. */
int rs_conf_count_elem(const struct rs_conf *conf,
	const config_setting_t *list, int i, int64_t min, int64_t max,
	int64_t *out, struct rs_error *err);

/* A number with its required companion "<key>_source" string. */
int rs_conf_sourced(const struct rs_conf *conf, const config_setting_t *group,
	const char *key, double min, double max, struct rs_sourced *out,
	struct rs_error *err);
void rs_sourced_free(struct rs_sourced *value);

/* Fill err with "file:line: key: problem; hint" for setting (or for the
 * member key of group when setting is NULL).  Returns -1. */
int rs_conf_fail(const struct rs_conf *conf, const config_setting_t *setting,
	const config_setting_t *group, const char *key, struct rs_error *err,
	const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
