// SPDX-License-Identifier: GPL-2.0
#include "memstats.h"
#include "record.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int region_used(const struct oomprof_go_region *r)
{
	return r->addr || r->bytes;
}

int memstats_from_capture(const struct oomprof_go_capture *cap,
			  const struct gomemstats_layout *l,
			  struct gomemstats *out, char *why, size_t whylen)
{
	const uint8_t *data[GOMEMSTATS_MAX_REGIONS] = { 0 };
	uint32_t len[GOMEMSTATS_MAX_REGIONS] = { 0 };
	unsigned int i, used = 0, copied = 0;
	int first_err = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < OOMPROF_GO_MAX_REGIONS; i++)
		used += region_used(&cap->regions[i]);
	if (!used) {
		snprintf(why, whylen, "its registration named no memory-statistics regions");
		return -1;
	}
	/*
	 * The layout's regions, in order, at the capture's load bias: the
	 * registration was made from this layout, or it is not the one to
	 * read the bytes with.
	 */
	if (l->nregions > GOMEMSTATS_MAX_REGIONS ||
	    l->nregions > OOMPROF_GO_MAX_REGIONS || used != l->nregions) {
		snprintf(why, whylen, "the capture's %u regions are not the %u of its executable's layout",
			 used, l->nregions);
		return -1;
	}
	for (i = 0; i < l->nregions; i++) {
		const struct oomprof_go_region *r = &cap->regions[i];

		if (r->bytes != l->region[i].bytes ||
		    r->addr - cap->load_bias != l->region[i].addr) {
			snprintf(why, whylen, "the capture's region %u (0x%llx, %u bytes) is not its executable's layout (0x%llx + load bias 0x%llx, %u bytes)",
				 i, (unsigned long long)r->addr, r->bytes,
				 (unsigned long long)l->region[i].addr,
				 (unsigned long long)cap->load_bias,
				 l->region[i].bytes);
			return -1;
		}
		data[i] = record_go_region(cap, i, &len[i]);
		if (data[i])
			copied++;
		else if (!first_err)
			first_err = cap->region_error[i];
	}
	if (!copied) {
		snprintf(why, whylen, "the module could not read the runtime's statistics at the kill (%s)",
			 first_err == -EBUSY ? "its address space stayed write-locked" :
			 first_err == -ETIME ? "no time was left" :
			 first_err == -ENXIO ? "device memory" :
			 first_err ? "not mapped or not resident" : "not copied");
		return -1;
	}
	return gomemstats_compute(l, data, len, out, why, whylen);
}

void memstats_comment(const struct gomemstats *s, const char *when,
		      char *buf, size_t len)
{
	static const enum gomemstats_stat bytes[] = {
		GOMS_HEAP_INUSE, GOMS_HEAP_IDLE, GOMS_HEAP_RELEASED,
		GOMS_HEAP_ALLOC, GOMS_STACK_INUSE, GOMS_MSPAN_INUSE,
		GOMS_GC_SYS, GOMS_OTHER_SYS, GOMS_SYS, GOMS_NEXT_GC,
	};
	size_t n = 0, i;
	int w;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		if (!(s->valid & (1u << bytes[i])))
			continue;
		w = snprintf(buf + n, len - n, "%s%s%s%s %.1f MiB",
			     n ? ", " : "go memstats ", n ? "" : when,
			     n ? "" : ": ",
			     gomemstats_names[bytes[i]],
			     (double)s->v[bytes[i]] / (1024.0 * 1024.0));
		if (w < 0 || (size_t)w >= len - n)
			return;
		n += (size_t)w;
	}
	if (n && (s->valid & (1u << GOMS_NUM_GC)))
		snprintf(buf + n, len - n, ", NumGC %llu",
			 (unsigned long long)s->v[GOMS_NUM_GC]);
}

void memstats_json_field(struct sbuf *line, const struct gomemstats *s,
			 const char *why)
{
	char obj[2048];

	if (line->failed || !line->len || line->p[line->len - 1] != '}')
		return;
	line->len--;
	if (s && gomemstats_json(s, obj, sizeof(obj)) >= 0) {
		sbuf_printf(line, ",\"go_memstats\":%s}", obj);
		return;
	}
	sbuf_printf(line, ",\"go_memstats_error\":");
	sbuf_json_string(line, why ? why : "the statistics do not fit a line");
	sbuf_printf(line, "}");
}
