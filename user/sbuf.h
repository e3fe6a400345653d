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

/*
 * Length (2-4) of the valid UTF-8 sequence of a code point past U+007F at
 * @s, or 0 if the bytes there are not one (overlong, surrogate, truncated
 * by a NUL, ...). utf8_decode gives its code point.
 */
size_t utf8_seq_len(const unsigned char *s);
unsigned int utf8_decode(const unsigned char *s, size_t n);

#endif
