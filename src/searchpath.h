/* Finding data files by name.
 *
 * A scenario names a profile as "h100-hgx" rather than a path.  Names are
 * looked up in the folder of their kind (models, hwprofiles, scenarios)
 * under each root in order: the current directory, each folder listed in
 * RECSCALE_PATH (colon-separated), then the installed copy in PKGDATADIR.
 * An argument that contains a '/' or ends in ".cfg" is taken as a path.
 */
#ifndef RS_SEARCHPATH_H
#define RS_SEARCHPATH_H

#include <stddef.h>

#include "error.h"

#define RS_PATH_MAX 4096
#define RS_MAX_ROOTS 32

/* Fill roots with the search roots in order; returns how many. */
int rs_search_roots(char roots[][RS_PATH_MAX], int max_roots);

/* Resolve name of the given kind ("hwprofiles", ...) into path.  Returns 0
 * on success, -1 with err saying where it looked otherwise. */
int rs_find_data(const char *kind, const char *name, char *path, size_t size,
	struct rs_error *err);

/* The data name of a file: its base name without ".cfg", newly allocated
 * (NULL when out of memory). */
char *rs_name_from_path(const char *path);

#endif
