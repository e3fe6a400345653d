/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-line escaping. Process names, cgroup names and executable paths are
 * chosen by whoever runs the process: printed raw, a newline in one forges
 * a whole log line, and ESC, CR or BEL rewrite a terminal. Every string a
 * log line takes from outside goes through here: control bytes (C0, DEL),
 * backslash, bytes that are not valid UTF-8 and the code points that break
 * or reorder a line on display (C1 controls, U+2028/U+2029, bidi controls)
 * are written as \xNN, one per byte. Everything else passes unchanged.
 */
#ifndef OOMPROF_USER_ESC_H
#define OOMPROF_USER_ESC_H

#include <stddef.h>

#include "sbuf.h"

/* Long enough for a PATH_MAX path escaped in full (4 bytes per byte). */
#define ESC_MAX (4 * 4096 + 4)

/*
 * @s escaped into @out (@cap > 4 bytes), NUL-terminated; a string that does
 * not fit ends in "...". Returns @out.
 */
char *esc_into(char *out, size_t cap, const char *s);

/*
 * @s escaped, in one of ESC_SLOTS static buffers used in turn: valid until
 * ESC_SLOTS more calls, so at most that many esc() in one printf. Not for
 * use from more than one thread (oomprof-read has one).
 */
#define ESC_SLOTS 8
const char *esc(const char *s);

/*
 * Bytes at @s that can go into a log line as they are: 1 for printable
 * ASCII but backslash, the length of a valid UTF-8 sequence that neither
 * breaks nor reorders a line, 0 for a byte that must be escaped.
 */
size_t esc_safe_len(const unsigned char *s);

/* @s escaped, appended to @b. */
void sbuf_escaped(struct sbuf *b, const char *s);

#endif
