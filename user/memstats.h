/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Go victim's memory statistics at its kill: the region data of its
 * GO_HEAP capture (the uapi's struct oomprof_go_region) turned into the
 * numbers runtime.ReadMemStats reports (gomemstats_compute) with the
 * layout its registration was made from, and those numbers for people
 * (the profile's comment, --show) and for events.jsonl.
 */
#ifndef OOMPROF_USER_MEMSTATS_H
#define OOMPROF_USER_MEMSTATS_H

#include <stddef.h>
#include <linux/oomprof.h>

#include "gomemstats.h"
#include "sbuf.h"

/*
 * Fill @out from @cap (a GO_HEAP capture validated by record_next) and
 * @l, the layout of the executable it was registered for (its regions,
 * load bias added, are the capture's). 0, or -1 with a sentence for
 * people in @why: no regions registered, not this layout's, none copied
 * (and why), or nothing computable.
 */
int memstats_from_capture(const struct oomprof_go_capture *cap,
			  const struct gomemstats_layout *l,
			  struct gomemstats *out, char *why, size_t whylen);

/*
 * "go memstats @when: HeapInuse 812.0 MiB, HeapIdle ..., Sys ..." (@when
 * "at kill", say): the valid ones of the statistics that explain a
 * process's memory, sizes in MiB; "" if none is valid.
 */
void memstats_comment(const struct gomemstats *s, const char *when,
		      char *buf, size_t len);

/*
 * Append to @line, an events.jsonl object ending in '}', the field
 * "go_memstats":{...} (@s, if not NULL) or else "go_memstats_error":@why.
 */
void memstats_json_field(struct sbuf *line, const struct gomemstats *s,
			 const char *why);

#endif
