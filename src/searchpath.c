/* The data search path: current directory, RECSCALE_PATH, installed copy. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "searchpath.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/recscale"
#endif

int rs_search_roots(char roots[][RS_PATH_MAX], int max_roots)
{
	int n = 0;
	const char *env = getenv("RECSCALE_PATH");

	if (n < max_roots)
		snprintf(roots[n++], RS_PATH_MAX, ".");
	while (env != NULL && *env != '\0' && n < max_roots) {
		const char *colon = strchr(env, ':');
		size_t len = colon ? (size_t)(colon - env) : strlen(env);

		if (len > 0 && len < RS_PATH_MAX)
			snprintf(roots[n++], RS_PATH_MAX, "%.*s", (int)len, env);
		env = colon ? colon + 1 : NULL;
	}
	if (n < max_roots)
		snprintf(roots[n++], RS_PATH_MAX, "%s", PKGDATADIR);
	return n;
}

/* The name of one file of a data folder, for messages. */
static const char *kind_noun(const char *kind)
{
	if (strcmp(kind, "hwprofiles") == 0)
		return "hardware profile";
	if (strcmp(kind, "models") == 0)
		return "law file";
	if (strcmp(kind, "scenarios") == 0)
		return "scenario";
	return kind;
}

static int names_a_path(const char *name)
{
	size_t len = strlen(name);

	return strchr(name, '/') != NULL
		|| (len > 4 && strcmp(name + len - 4, ".cfg") == 0);
}

int rs_find_data(const char *kind, const char *name, char *path, size_t size,
	struct rs_error *err)
{
	char roots[RS_MAX_ROOTS][RS_PATH_MAX];
	int n;

	if (name[0] == '\0')
		return rs_fail(err, "empty %s name; give a name or a path",
			kind_noun(kind));
	if (names_a_path(name)) {
		if (access(name, R_OK) != 0)
			return rs_fail(err, "%s: file not found or not "
				"readable; check the path", name);
		snprintf(path, size, "%s", name);
		return 0;
	}
	n = rs_search_roots(roots, RS_MAX_ROOTS);
	for (int i = 0; i < n; i++) {
		int len = snprintf(path, size, "%s/%s/%s.cfg", roots[i], kind,
			name);
		if (len > 0 && (size_t)len < size && access(path, R_OK) == 0)
			return 0;
	}
	return rs_fail(err, "%s \"%s\" not found in ./%s, RECSCALE_PATH or "
		"%s/%s; give a path, or set RECSCALE_PATH to the folder above "
		"%s/", kind_noun(kind), name, kind, PKGDATADIR, kind, kind);
}

char *rs_name_from_path(const char *path)
{
	char *copy = strdup(path), *base, *name;
	size_t len;

	if (copy == NULL)
		return NULL;
	base = basename(copy);
	len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".cfg") == 0)
		base[len - 4] = '\0';
	name = strdup(base);
	free(copy);
	return name;
}
