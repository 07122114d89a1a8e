/* Large buffers for measurements, in transparent huge pages where the
 * system allows them.
 *
 * With 4 KiB pages every random access to a table beyond the TLB's reach
 * pays a page walk, which on a virtual machine is a two-level walk, and
 * 2 MiB pages remove most of them.  Linux gives huge pages to an anonymous
 * mapping aligned to 2 MiB when transparent huge pages are "always" on, or
 * when they are "madvise" and the mapping requested them.  rs_huge_frac()
 * reports how much of a buffer actually got them.
 */
#ifndef RS_HUGEPAGE_H
#define RS_HUGEPAGE_H

#include <stddef.h>

#define RS_HUGE_PAGE_BYTES ((size_t)2 << 20)

struct rs_huge_buf {
	void *data;		/* aligned to RS_HUGE_PAGE_BYTES */
	size_t bytes;		/* as requested */
	void *map;		/* the mapping, for munmap */
	size_t map_bytes;
	int advised;		/* the kernel accepted MADV_HUGEPAGE */
};

/* Map bytes (> 0) of zeroed memory, with huge pages requested (huge = 1,
 * MADV_HUGEPAGE) or ruled out (huge = 0, MADV_NOHUGEPAGE).  Returns 0, or
 * -1 when the mapping fails (errno set). */
int rs_huge_alloc(struct rs_huge_buf *buf, size_t bytes, int huge);
/* Accepts a buffer that was never allocated (data NULL). */
void rs_huge_free(struct rs_huge_buf *buf);

/* Write one byte in every 4 KiB page, so that every page is mapped before
 * anything is timed. */
void rs_huge_touch(struct rs_huge_buf *buf);

/* The fraction of the buffer's mapping backed by huge pages now, from
 * AnonHugePages in /proc/self/smaps; -1 when that cannot be read. */
double rs_huge_frac(const struct rs_huge_buf *buf);

#endif
