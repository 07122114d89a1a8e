/* Large buffers in transparent huge pages; see hugepage.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "hugepage.h"

int rs_huge_alloc(struct rs_huge_buf *buf, size_t bytes, int huge)
{
	size_t align = RS_HUGE_PAGE_BYTES;
	size_t rounded = (bytes + align - 1) / align * align;
	uintptr_t start;

	memset(buf, 0, sizeof *buf);
	if (bytes == 0) {
		errno = EINVAL;
		return -1;
	}
	/* Map one extra huge page so that an aligned start exists. */
	buf->map_bytes = rounded + align;
	buf->map = mmap(NULL, buf->map_bytes, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (buf->map == MAP_FAILED) {
		buf->map = NULL;
		return -1;
	}
	start = ((uintptr_t)buf->map + align - 1) / align * align;
	buf->data = (void *)start;
	buf->bytes = bytes;
#if defined(MADV_HUGEPAGE) && defined(MADV_NOHUGEPAGE)
	buf->advised = madvise(buf->data, rounded, huge ? MADV_HUGEPAGE
		: MADV_NOHUGEPAGE) == 0 && huge;
#else
	(void)huge;
#endif
	return 0;
}

void rs_huge_free(struct rs_huge_buf *buf)
{
	if (buf->map != NULL)
		munmap(buf->map, buf->map_bytes);
	memset(buf, 0, sizeof *buf);
}

void rs_huge_touch(struct rs_huge_buf *buf)
{
	volatile unsigned char *p = buf->data;

	for (size_t i = 0; i < buf->bytes; i += 4096)
		p[i] = p[i];
}

double rs_huge_frac(const struct rs_huge_buf *buf)
{
	uintptr_t want = (uintptr_t)buf->data;
	unsigned long long lo, hi, kib;
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int inside = 0;
	double frac = -1.0;

	if (f == NULL)
		return -1.0;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%llx-%llx ", &lo, &hi) == 2
		    && strchr(line, '-') < strchr(line, ' ')) {
			inside = lo <= want && want < hi;
			continue;
		}
		if (inside && sscanf(line, "AnonHugePages: %llu kB", &kib)
				== 1) {
			frac = (double)kib * 1024.0 / (double)buf->bytes;
			break;
		}
	}
	fclose(f);
	return frac > 1.0 ? 1.0 : frac;
}
