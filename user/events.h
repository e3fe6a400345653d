/* SPDX-License-Identifier: GPL-2.0 */
/* Turning validated records into events.jsonl lines and log lines. */
#ifndef OOMPROF_USER_EVENTS_H
#define OOMPROF_USER_EVENTS_H

#include <linux/oomprof.h>
#include "sbuf.h"

/*
 * One JSON object (no newline) for a record of known type. @profile is the
 * path of a profile written for it, or NULL, and then @profile_error may
 * say why there is none. Returns 0, or -1 for a type that has no JSON form.
 */
int event_json(struct sbuf *out, const struct oomprof_record_header *hdr,
	       const char *profile, const char *profile_error);

/*
 * One line for people, no newline: names and cgroups from the record are
 * escaped (esc.h), so none can break or forge a log line.
 */
int event_summary(struct sbuf *out, const struct oomprof_record_header *hdr);

/* "2026-11-23T08:10:11.123456789Z" */
void format_rfc3339_ns(struct sbuf *out, unsigned long long realtime_ns);

#endif
