/* SPDX-License-Identifier: GPL-2.0 */
/* A growable string: what the JSON and log writers build lines in. */
#ifndef OOMPROF_USER_SBUF_H
#define OOMPROF_USER_SBUF_H

#include <stddef.h>

struct sbuf {
	char *p;
	size_t len;
	size_t cap;
	int failed;		/* an allocation failed: contents are partial */
};

void sbuf_free(struct sbuf *b);
void sbuf_reset(struct sbuf *b);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A JSON string literal: quotes, escapes, invalid UTF-8 as U+FFFD. */
void sbuf_json_string(struct sbuf *b, const char *s);

#endif
