// SPDX-License-Identifier: GPL-2.0
#include "esc.h"

#include <string.h>

size_t esc_safe_len(const unsigned char *s)
{
	unsigned int cp;
	size_t n;

	if (*s >= 0x20 && *s < 0x7f)
		return *s == '\\' ? 0 : 1;
	if (*s < 0x80)
		return 0;	/* C0 controls, DEL */
	n = utf8_seq_len(s);
	if (!n)
		return 0;
	cp = utf8_decode(s, n);
	if (cp < 0xa0 ||			/* C1 controls (NEL, CSI, ...) */
	    cp == 0x2028 || cp == 0x2029 ||	/* line/paragraph separator */
	    (cp >= 0x200e && cp <= 0x200f) ||	/* LRM, RLM */
	    (cp >= 0x202a && cp <= 0x202e) ||	/* bidi embeddings, overrides */
	    (cp >= 0x2066 && cp <= 0x2069) ||	/* bidi isolates */
	    cp == 0xfeff)			/* BOM, zero-width */
		return 0;
	return n;
}

/* Bytes @s takes escaped. */
static size_t escaped_len(const unsigned char *s)
{
	size_t len = 0, n;

	for (; *s; s += n ? n : 1)
		len += (n = esc_safe_len(s)) ? n : 4;
	return len;
}

char *esc_into(char *out, size_t cap, const char *str)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)(str ? str : "(null)");
	size_t len = 0, room;

	if (cap < 5) {
		if (cap)
			out[0] = '\0';
		return out;
	}
	/* What does not fit whole is cut at a piece, and ends in "...". */
	room = escaped_len(s) < cap ? cap - 1 : cap - 4;
	while (*s) {
		size_t n = esc_safe_len(s);

		if (len + (n ? n : 4) > room) {
			memcpy(out + len, "...", 3);
			len += 3;
			break;
		}
		if (n) {
			memcpy(out + len, s, n);
			len += n;
			s += n;
		} else {
			out[len++] = '\\';
			out[len++] = 'x';
			out[len++] = hex[*s >> 4];
			out[len++] = hex[*s & 15];
			s++;
		}
	}
	out[len] = '\0';
	return out;
}

const char *esc(const char *s)
{
	static char slots[ESC_SLOTS][ESC_MAX];
	static unsigned int next;
	char *out = slots[next++ % ESC_SLOTS];

	return esc_into(out, ESC_MAX, s);
}

void sbuf_escaped(struct sbuf *b, const char *s)
{
	sbuf_printf(b, "%s", esc(s));
}
