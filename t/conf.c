/* Configuration-text checks that libconfig 1.5 does not make, and the data
 * search path. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "searchpath.h"
#include "tap.h"

static int text_ok(const char *text, struct rs_error *err)
{
	return rs_conf_check_text(text, "test.cfg", err) == 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

int main(void)
{
	struct rs_error err;
	char dir[] = "/tmp/recscale-conf-XXXXXX", path[RS_PATH_MAX];
	char sub[RS_PATH_MAX + 32], file[RS_PATH_MAX + 64];

	tap_plan(18);

	tap_ok(!text_ok("a = 1;\nrows = 40000000000;\n", &err),
		"a 35-bit literal without L is rejected");
	tap_ok(strstr(err.msg, "test.cfg:2:") != NULL,
		"the wrapped-literal message names the line");
	tap_ok(strstr(err.msg, "40000000000L") != NULL,
		"the message shows how to write the literal");
	tap_ok(text_ok("rows = 40000000000L;\n", &err),
		"a 64-bit literal with L is accepted");
	tap_ok(text_ok("rows = 4.0e10;\nx = 2147483647;\n", &err),
		"floats and the largest 32-bit integer are accepted");
	tap_ok(!text_ok("x = 0x1FFFFFFFF;\n", &err),
		"a hex literal beyond 32 bits is rejected");
	tap_ok(!text_ok("x = 0xFFFFFFFF;\n", &err),
		"a hex literal libconfig reads as negative is rejected");
	tap_ok(text_ok("x = -2147483648;\n", &err),
		"the smallest 32-bit integer is accepted");
	tap_ok(!text_ok("x = -2147483649;\n", &err),
		"one below the 32-bit range is rejected");
	tap_ok(!text_ok("t = ( { rows = 40000000000; } );\n", &err)
		&& strstr(err.msg, ": rows: ") != NULL,
		"the wrapped-literal message names the key");
	tap_ok(text_ok("s = \"40000000000\"; # 40000000000\n"
		"/* 40000000000 */ fp32 = 1;\n", &err),
		"digits in strings, comments and names are ignored");
	tap_ok(!text_ok("\xEF\xBB\xBFx = 1;\n", &err)
		&& strstr(err.msg, "byte-order mark") != NULL,
		"a UTF-8 byte-order mark is rejected by name");

	/* Search order: current directory, then RECSCALE_PATH. */
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sub, sizeof sub, "%s/hwprofiles", dir);
	mkdir(sub, 0755);
	snprintf(file, sizeof file, "%s/only-here.cfg", sub);
	write_file(file, "x = 1;\n");
	setenv("RECSCALE_PATH", dir, 1);
	tap_ok(rs_find_data("hwprofiles", "only-here", path, sizeof path,
		&err) == 0, "a name is found through RECSCALE_PATH");
	tap_ok(strcmp(path, file) == 0, "the path found is the file in "
		"RECSCALE_PATH");
	setenv("RECSCALE_PATH", "/nonexistent:", 1);
	tap_ok(rs_find_data("hwprofiles", "only-here", path, sizeof path,
		&err) == -1, "a name on no search root is not found");
	tap_ok(strstr(err.msg, "RECSCALE_PATH") != NULL,
		"the not-found message names RECSCALE_PATH");
	tap_ok(rs_find_data("hwprofiles", file, path, sizeof path,
		&err) == 0 && strcmp(path, file) == 0,
		"a path is used as given");
	tap_ok(rs_find_data("hwprofiles", "/nonexistent/x.cfg", path,
		sizeof path, &err) == -1, "a missing path is reported");

	unlink(file);
	rmdir(sub);
	rmdir(dir);
	return tap_done();
}
