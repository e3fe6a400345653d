// SPDX-License-Identifier: GPL-2.0
/*
 * The bounded DWARF reader of godwarf.h. References: the DWARF 5 standard
 * (unit headers 7.5.1, abbreviations 7.5.3, attribute forms 7.5.6 and
 * table 7.6, DW_OP_addr/DW_OP_plus_uconst 7.7.1) and Go's writer
 * (cmd/internal/dwarf/dwarf.go: every name inline as DW_FORM_string, types
 * as children of the compile units, refs as DW_FORM_ref_addr, array
 * lengths in a DW_TAG_subrange_type child's DW_AT_count).
 *
 * .debug_info is read once, front to back, through a small window
 * (struct src): never whole, so a 100 MiB section costs 256 KiB here and
 * the pass can stop early. Forward and backward type references are
 * resolved afterwards from the table of kept types, which is sorted by
 * construction (DIE offsets only grow).
 */
#include <errno.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "godwarf.h"

#define WINDOW (256u << 10)	/* decompressed bytes held at once */
#define INCHUNK (64u << 10)	/* compressed bytes read from the file at once */
#define ABTAB_CACHE 4		/* parsed abbreviation tables kept */

/* DW_TAG, DW_AT, DW_FORM and DW_OP values (DWARF 5, 7.5 and 7.7). */
enum {
	TAG_MEMBER = 0x0d, TAG_SUBRANGE = 0x21, TAG_VARIABLE = 0x34,
	AT_LOCATION = 0x02, AT_NAME = 0x03, AT_BYTE_SIZE = 0x0b,
	AT_UPPER_BOUND = 0x2f, AT_COUNT = 0x37, AT_MEMBER_LOCATION = 0x38,
	AT_TYPE = 0x49, AT_STR_OFFSETS_BASE = 0x72,
	OP_ADDR = 0x03, OP_PLUS_UCONST = 0x23,
};

struct godwarf {
	struct godwarf_struct structs[GODWARF_MAX_WANT];
	unsigned nstructs;
	struct godwarf_var vars[GODWARF_MAX_WANT];
	unsigned nvars;
	struct godwarf_type *types;	/* sorted by die */
	size_t ntypes, captypes;
	uint64_t bytes, work;
};

/* A section's bytes as a stream: plain, or inflated as it is read. */
struct src {
	/* the stored bytes: in memory (@mem) or in the file @fd at @foff */
	const uint8_t *mem;
	int fd;
	uint64_t foff, inlen, inpos;
	uint8_t *inbuf;
	int zlib;
	z_stream zs;
	int zinit, zend;
	uint64_t total;		/* decompressed size: the stream ends there */
	uint64_t produced;
	/* the window: decompressed bytes [base, base + len) */
	uint8_t *win;
	size_t len;
	uint64_t base;
	const char *bad;	/* why the stream failed, NULL if it did not */
};

struct spec {
	uint32_t name, form;
	int64_t implicit;
};

struct abbrev {
	uint64_t code;
	uint32_t tag;
	uint8_t children;
	uint32_t first, nspecs;
};

struct abtab {
	uint64_t off;
	int used;
	int dense;		/* a[i].code == i + 1 for all i */
	struct abbrev *a;
	size_t n;
	struct spec *s;
	size_t ns;
};

/* A whole string section, read on first use. */
struct strsec {
	const struct godwarf_section *mem;	/* in memory, or */
	uint64_t foff, flen;			/* in the file */
	int fcompressed, fzdebug, present, loaded, failed;
	uint8_t *p;
	uint64_t len;
};

struct ctx {
	struct godwarf *d;
	char *err;
	size_t errlen;
	int fd;
	const uint8_t *img;	/* the whole file in memory, or NULL */
	uint64_t imgsz;
	uint64_t max_info, max_work, max_abwork;
	uint64_t abwork;
	uint8_t *abbrev;	/* .debug_abbrev, whole */
	uint64_t abbrevlen;
	struct abtab tabs[ABTAB_CACHE];
	unsigned tabnext;
	struct strsec str, line_str, str_offsets;
	struct src info;
	unsigned found;		/* structs + vars found so far */
	/* per DIE depth: the kept type index of an array, or -2 - the index
	 * of a struct asked for, or -1 */
	long parent[GODWARF_MAX_DEPTH + 1];
};

static void seterr(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* --- the stream ------------------------------------------------------- */

/*
 * Open a stream over a stored section: @mem (or the file from @foff),
 * @inlen bytes. @compressed: an Elf64_Chdr first; @zdebug: "ZLIB" and a
 * big-endian size first. The header is read here, so that errors name it.
 */
static int src_open(struct src *s, const uint8_t *mem, int fd, uint64_t foff,
		    uint64_t inlen, int compressed, int zdebug, uint64_t cap)
{
	uint8_t hdr[24];
	size_t hl = compressed ? 24 : zdebug ? 12 : 0;

	memset(s, 0, sizeof(*s));
	s->mem = mem;
	s->fd = fd;
	s->foff = foff;
	s->inlen = inlen;
	s->win = malloc(WINDOW);
	if (!s->win) {
		s->bad = "out of memory";
		return -1;
	}
	if (hl) {
		if (inlen < hl) {
			s->bad = "compressed section shorter than its header";
			return -1;
		}
		if (mem) {
			memcpy(hdr, mem, hl);
		} else {
			ssize_t r = pread(fd, hdr, hl, (off_t)foff);

			if (r != (ssize_t)hl) {
				s->bad = "cannot read the compressed section's header";
				return -1;
			}
		}
		s->inpos = hl;
	}
	if (compressed) {
		uint32_t type;
		uint64_t size;

		memcpy(&type, hdr, 4);		/* Elf64_Chdr: ch_type */
		memcpy(&size, hdr + 8, 8);	/* ch_size */
		if (type == 2) {
			s->bad = "compressed with zstd (ELFCOMPRESS_ZSTD), which this reader does not inflate: rebuild without that compression";
			return -1;
		}
		if (type != 1) {
			s->bad = "compressed with an unknown algorithm";
			return -1;
		}
		s->total = size;
		s->zlib = 1;
	} else if (zdebug) {
		if (memcmp(hdr, "ZLIB", 4)) {
			s->bad = ".zdebug section without its \"ZLIB\" header";
			return -1;
		}
		s->total = 0;
		for (int i = 4; i < 12; i++)
			s->total = s->total << 8 | hdr[i];
		s->zlib = 1;
	} else {
		s->total = inlen;
	}
	if (s->total > cap) {
		s->bad = "larger than this reader's bound";
		return -1;
	}
	if (s->zlib) {
		if (!mem) {
			s->inbuf = malloc(INCHUNK);
			if (!s->inbuf) {
				s->bad = "out of memory";
				return -1;
			}
		}
		if (inflateInit(&s->zs) != Z_OK) {
			s->bad = "zlib cannot start";
			return -1;
		}
		s->zinit = 1;
	}
	return 0;
}

static void src_close(struct src *s)
{
	if (s->zinit)
		inflateEnd(&s->zs);
	free(s->inbuf);
	free(s->win);
	memset(s, 0, sizeof(*s));
}

/* Read up to @n stored bytes at the input position into @dst (file). */
static size_t src_read_in(struct src *s, uint8_t *dst, size_t n)
{
	ssize_t r;

	if (n > s->inlen - s->inpos)
		n = (size_t)(s->inlen - s->inpos);
	if (!n)
		return 0;
	do {
		r = pread(s->fd, dst, n, (off_t)(s->foff + s->inpos));
	} while (r < 0 && errno == EINTR);
	if (r <= 0) {
		s->bad = "the file shrank or cannot be read";
		return 0;
	}
	s->inpos += (uint64_t)r;
	return (size_t)r;
}

/* Append decompressed bytes to the window; 0 at the end of the stream. */
static size_t src_fill(struct src *s)
{
	size_t room = WINDOW - s->len, got;

	if (s->bad || !room || s->produced >= s->total)
		return 0;
	if (room > s->total - s->produced)
		room = (size_t)(s->total - s->produced);
	if (!s->zlib) {
		if (s->mem) {
			memcpy(s->win + s->len, s->mem + s->inpos, room);
			s->inpos += room;
			got = room;
		} else {
			got = src_read_in(s, s->win + s->len, room);
		}
	} else {
		s->zs.next_out = s->win + s->len;
		s->zs.avail_out = (uInt)room;
		while (s->zs.avail_out && !s->zend) {
			int rc;

			if (!s->zs.avail_in) {
				if (s->inpos >= s->inlen)
					break;
				if (s->mem) {
					uint64_t n = s->inlen - s->inpos;

					if (n > UINT32_MAX)
						n = UINT32_MAX;
					s->zs.next_in = (Bytef *)(uintptr_t)(s->mem + s->inpos);
					s->zs.avail_in = (uInt)n;
					s->inpos += n;
				} else {
					size_t n = src_read_in(s, s->inbuf, INCHUNK);

					if (!n)
						break;
					s->zs.next_in = s->inbuf;
					s->zs.avail_in = (uInt)n;
				}
			}
			rc = inflate(&s->zs, Z_NO_FLUSH);
			if (rc == Z_STREAM_END) {
				s->zend = 1;
			} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
				s->bad = "corrupt zlib stream";
				break;
			} else if (rc == Z_BUF_ERROR && s->zs.avail_in) {
				s->bad = "corrupt zlib stream";
				break;
			}
		}
		got = room - s->zs.avail_out;
	}
	s->len += got;
	s->produced += got;
	if (!got && !s->bad && s->produced < s->total)
		s->bad = "ends before its stated size";
	return got;
}

/*
 * At least @n (<= 64) bytes at stream offset @pos, which never goes
 * backwards past what an earlier call asked for. NULL past the end.
 */
static const uint8_t *src_get(struct src *s, uint64_t pos, size_t n)
{
	if (pos < s->base) {
		s->bad = "read backwards (a bug)";
		return NULL;
	}
	if (pos - s->base <= s->len && s->len - (pos - s->base) >= n)
		return s->win + (pos - s->base);
	/* Drop what lies before @pos, then read on until @n bytes are in. */
	if (pos - s->base < s->len) {
		size_t keep = s->len - (size_t)(pos - s->base);

		memmove(s->win, s->win + (pos - s->base), keep);
		s->len = keep;
	} else {
		uint64_t skip = pos - s->base - s->len;

		s->base += s->len;
		s->len = 0;
		while (skip) {
			size_t got = src_fill(s);

			if (!got)
				return NULL;
			if (got > skip) {
				memmove(s->win, s->win + skip, got - (size_t)skip);
				s->len = got - (size_t)skip;
				s->base += skip;
				break;
			}
			s->base += got;
			s->len = 0;
			skip -= got;
		}
	}
	s->base = pos;
	while (s->len < n)
		if (!src_fill(s))
			return NULL;
	return s->win;
}

/* Bytes available in the window from @pos on (at least 1), or NULL. */
static const uint8_t *src_span(struct src *s, uint64_t pos, size_t *avail)
{
	const uint8_t *p = src_get(s, pos, 1);

	if (p)
		*avail = s->len - (size_t)(pos - s->base);
	return p;
}

/* A whole stored section into a new buffer, at most @cap bytes. */
static uint8_t *src_slurp(const uint8_t *mem, int fd, uint64_t foff,
			  uint64_t inlen, int compressed, int zdebug,
			  uint64_t cap, uint64_t *len, const char **why)
{
	struct src s;
	uint8_t *buf = NULL;
	uint64_t done = 0;

	*why = NULL;
	if (src_open(&s, mem, fd, foff, inlen, compressed, zdebug, cap)) {
		*why = s.bad;
		src_close(&s);
		return NULL;
	}
	buf = malloc(s.total ? s.total : 1);
	if (!buf) {
		*why = "out of memory";
		src_close(&s);
		return NULL;
	}
	while (done < s.total) {
		size_t got = src_fill(&s);

		if (!got)
			break;
		memcpy(buf + done, s.win, got);
		done += got;
		s.len = 0;
	}
	if (done < s.total) {
		*why = s.bad ? s.bad : "ends early";
		free(buf);
		buf = NULL;
	}
	*len = done;
	src_close(&s);
	return buf;
}

/* --- a reader bounded by its unit ---------------------------------------- */

struct rd {
	struct src *s;
	uint64_t pos, end;
	int bad;
};

static const uint8_t *rd_take(struct rd *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || n > r->end - r->pos || r->pos > r->end) {
		r->bad = 1;
		return NULL;
	}
	p = src_get(r->s, r->pos, n);
	if (!p) {
		r->bad = 1;
		return NULL;
	}
	r->pos += n;
	return p;
}

static uint64_t rd_u(struct rd *r, size_t n)
{
	const uint8_t *p = rd_take(r, n);
	uint64_t v = 0;

	if (!p)
		return 0;
	for (size_t i = n; i > 0; i--)
		v = v << 8 | p[i - 1];
	return v;
}

/* An unsigned LEB128; bits past 64 are dropped (the bytes are consumed). */
static uint64_t rd_uleb(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;

	for (;;) {
		const uint8_t *p = rd_take(r, 1);

		if (!p)
			return 0;
		if (shift < 64)
			v |= (uint64_t)(*p & 0x7f) << shift;
		shift += 7;
		if (!(*p & 0x80))
			return v;
	}
}

static int64_t rd_sleb(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		const uint8_t *p = rd_take(r, 1);

		if (!p)
			return 0;
		b = *p;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return (int64_t)v;
}

static void rd_skip(struct rd *r, uint64_t n)
{
	if (r->bad || r->pos > r->end || n > r->end - r->pos) {
		r->bad = 1;
		return;
	}
	r->pos += n;
}

/*
 * A NUL-terminated string: copied into @buf if it fits (returns 1), else
 * consumed and 0 (too long: it never matches a name asked for).
 */
static int rd_cstr(struct rd *r, char *buf, size_t cap)
{
	size_t have = 0;
	int fits = 1;

	for (;;) {
		size_t avail;
		const uint8_t *p;
		const uint8_t *nul;
		size_t n;

		if (r->bad || r->pos >= r->end) {
			r->bad = 1;
			return 0;
		}
		p = src_span(r->s, r->pos, &avail);
		if (!p) {
			r->bad = 1;
			return 0;
		}
		if (avail > r->end - r->pos)
			avail = (size_t)(r->end - r->pos);
		nul = memchr(p, 0, avail);
		n = nul ? (size_t)(nul - p) : avail;
		if (fits && have + n < cap) {
			memcpy(buf + have, p, n);
			have += n;
		} else {
			fits = 0;
		}
		r->pos += n + (nul ? 1 : 0);
		if (nul)
			break;
	}
	if (cap)
		buf[fits ? have : 0] = 0;
	return fits;
}

/* --- abbreviations ------------------------------------------------------ */

static int abbrev_cmp(const void *a, const void *b)
{
	const struct abbrev *x = a, *y = b;

	return x->code < y->code ? -1 : x->code > y->code;
}

static void abtab_free(struct abtab *t)
{
	free(t->a);
	free(t->s);
	memset(t, 0, sizeof(*t));
}

static uint64_t leb(const uint8_t *p, uint64_t len, uint64_t *pos, int sign,
		    int *bad)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		if (*pos >= len) {
			*bad = 1;
			return 0;
		}
		b = p[(*pos)++];
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (sign && shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return v;
}

/* The table at @off of .debug_abbrev, parsed (or from the cache). */
static struct abtab *abtab_get(struct ctx *c, uint64_t off, const char **why)
{
	struct abtab *t;
	uint64_t pos = off;
	size_t capa = 0, caps = 0;
	int bad = 0, dense = 1;

	for (unsigned i = 0; i < ABTAB_CACHE; i++)
		if (c->tabs[i].used && c->tabs[i].off == off)
			return &c->tabs[i];
	if (off >= c->abbrevlen) {
		*why = "abbreviation table outside .debug_abbrev";
		return NULL;
	}
	t = &c->tabs[c->tabnext++ % ABTAB_CACHE];
	abtab_free(t);
	t->off = off;
	for (;;) {
		struct abbrev a = { 0 };
		uint64_t code = leb(c->abbrev, c->abbrevlen, &pos, 0, &bad);

		if (bad || !code)
			break;
		if (++c->abwork > c->max_abwork ||
		    t->n >= GODWARF_MAX_ABBREVS) {
			*why = "too many abbreviations";
			abtab_free(t);
			return NULL;
		}
		a.code = code;
		a.tag = (uint32_t)leb(c->abbrev, c->abbrevlen, &pos, 0, &bad);
		if (pos >= c->abbrevlen) {
			bad = 1;
			break;
		}
		a.children = c->abbrev[pos++];
		a.first = (uint32_t)t->ns;
		for (;;) {
			struct spec s = { 0 };
			uint64_t name = leb(c->abbrev, c->abbrevlen, &pos, 0, &bad);
			uint64_t form = leb(c->abbrev, c->abbrevlen, &pos, 0, &bad);

			if (bad || (!name && !form))
				break;
			if (++c->abwork > c->max_abwork ||
			    a.nspecs >= GODWARF_MAX_SPECS) {
				*why = "an abbreviation with too many attributes, or too many in all";
				abtab_free(t);
				return NULL;
			}
			s.name = name > UINT32_MAX ? UINT32_MAX : (uint32_t)name;
			s.form = form > UINT32_MAX ? UINT32_MAX : (uint32_t)form;
			if (form == 0x21)	/* DW_FORM_implicit_const */
				s.implicit = (int64_t)leb(c->abbrev, c->abbrevlen, &pos, 1, &bad);
			if (t->ns == caps) {
				size_t nc = caps ? caps * 2 : 64;
				struct spec *ns = realloc(t->s, nc * sizeof(*ns));

				if (!ns) {
					*why = "out of memory";
					abtab_free(t);
					return NULL;
				}
				t->s = ns;
				caps = nc;
			}
			t->s[t->ns++] = s;
			a.nspecs++;
		}
		if (bad)
			break;
		if (t->n == capa) {
			size_t nc = capa ? capa * 2 : 64;
			struct abbrev *na = realloc(t->a, nc * sizeof(*na));

			if (!na) {
				*why = "out of memory";
				abtab_free(t);
				return NULL;
			}
			t->a = na;
			capa = nc;
		}
		if (code != t->n + 1)
			dense = 0;
		t->a[t->n++] = a;
	}
	if (bad) {
		*why = "abbreviation table runs past .debug_abbrev";
		abtab_free(t);
		return NULL;
	}
	if (!dense && t->n)
		qsort(t->a, t->n, sizeof(*t->a), abbrev_cmp);
	t->dense = dense;
	t->used = 1;
	return t;
}

static const struct abbrev *abbrev_find(const struct abtab *t, uint64_t code)
{
	size_t lo = 0, hi = t->n;

	if (t->dense)
		return code && code <= t->n ? &t->a[code - 1] : NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->a[mid].code == code)
			return &t->a[mid];
		if (t->a[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* --- string sections ------------------------------------------------------ */

static const uint8_t *strsec_get(struct ctx *c, struct strsec *s, uint64_t *len)
{
	if (!s->present || s->failed)
		return NULL;
	if (!s->loaded) {
		const char *why;

		if (s->mem)
			s->p = src_slurp(s->mem->p, -1, 0, s->mem->len,
					 s->mem->compressed, s->mem->zdebug,
					 GODWARF_MAX_STR, &s->len, &why);
		else
			s->p = src_slurp(c->img ? c->img + s->foff : NULL, c->fd,
					 s->foff, s->flen, s->fcompressed,
					 s->fzdebug, GODWARF_MAX_STR, &s->len, &why);
		s->loaded = 1;
		if (!s->p) {
			s->failed = 1;
			return NULL;
		}
	}
	*len = s->len;
	return s->p;
}

/* The NUL-terminated string at @off of @s into @buf; 0 if none or too long. */
static int strsec_str(struct ctx *c, struct strsec *s, uint64_t off, char *buf,
		      size_t cap)
{
	uint64_t len;
	const uint8_t *p = strsec_get(c, s, &len);
	const uint8_t *nul;
	size_t n;

	if (!p || off >= len)
		return 0;
	n = len - off > cap ? cap : (size_t)(len - off);
	nul = memchr(p + off, 0, n);
	if (!nul)
		return 0;
	memcpy(buf, p + off, (size_t)(nul - (p + off)) + 1);
	return 1;
}

/* --- the DIE walk --------------------------------------------------------- */

struct unit {
	uint64_t off;		/* of its header */
	unsigned version, osz, asz;
	uint64_t str_offsets_base;
};

enum namekind { NAME_NONE, NAME_INLINE, NAME_STRP, NAME_LINE_STRP, NAME_STRX };

struct die {
	uint64_t off;
	uint32_t tag;
	int namekind;
	uint64_t nameval;
	char name[GODWARF_NAME_MAX];
	int has_size, has_type, has_mloc, has_count, has_ub, has_addr, has_sob;
	uint64_t size, type, mloc, count, ub, addr, sob;
};

/* A block's leading bytes, for DW_AT_location and member locations. */
static void block_attr(struct rd *r, uint64_t n, const struct unit *u,
		       uint32_t at, struct die *die)
{
	uint8_t b[16];
	uint64_t pos = 0, v;
	int bad = 0;

	if ((at != AT_LOCATION && at != AT_MEMBER_LOCATION) || n > sizeof(b)) {
		rd_skip(r, n);
		return;
	}
	for (uint64_t i = 0; i < n; i++)
		b[i] = (uint8_t)rd_u(r, 1);
	if (r->bad || !n)
		return;
	if (at == AT_LOCATION && b[0] == OP_ADDR && n == 1 + u->asz) {
		die->addr = 0;
		for (unsigned i = u->asz; i > 0; i--)
			die->addr = die->addr << 8 | b[i];
		die->has_addr = 1;
	} else if (at == AT_MEMBER_LOCATION && b[0] == OP_PLUS_UCONST) {
		pos = 1;
		v = leb(b, n, &pos, 0, &bad);
		if (!bad && pos == n) {
			die->mloc = v;
			die->has_mloc = 1;
		}
	}
}

/*
 * Read one attribute of form @form into @die (if it is one we keep) or
 * skip it. -1 (with @why) on a form this reader cannot skip.
 */
static int attr(struct rd *r, const struct unit *u,
		uint32_t at, uint64_t form, int64_t implicit, struct die *die,
		const char **why)
{
	uint64_t v = 0;
	int isconst = 0, isref = 0;

	if (form == 0x16) {	/* DW_FORM_indirect: the form comes first */
		form = rd_uleb(r);
		if (form == 0x16 || form == 0x21) {
			*why = "DW_FORM_indirect to indirect or implicit_const";
			return -1;
		}
	}
	switch (form) {
	case 0x01:	/* addr */
		v = rd_u(r, u->asz);
		break;
	case 0x0b: case 0x0c:	/* data1, flag */
	case 0x11: case 0x25: case 0x29:	/* ref1, strx1, addrx1 */
		v = rd_u(r, 1);
		isconst = form == 0x0b;
		isref = form == 0x11;
		break;
	case 0x05: case 0x12: case 0x26: case 0x2a:	/* data2, ref2, strx2, addrx2 */
		v = rd_u(r, 2);
		isconst = form == 0x05;
		isref = form == 0x12;
		break;
	case 0x27: case 0x2b:	/* strx3, addrx3 */
		v = rd_u(r, 3);
		break;
	case 0x06: case 0x13: case 0x28: case 0x2c: case 0x1c:
		/* data4, ref4, strx4, addrx4, ref_sup4 */
		v = rd_u(r, 4);
		isconst = form == 0x06;
		isref = form == 0x13;
		break;
	case 0x07: case 0x14: case 0x20: case 0x24:
		/* data8, ref8, ref_sig8, ref_sup8 */
		v = rd_u(r, 8);
		isconst = form == 0x07;
		isref = form == 0x14;
		break;
	case 0x1e:	/* data16 */
		rd_skip(r, 16);
		break;
	case 0x0d:	/* sdata */
		v = (uint64_t)rd_sleb(r);
		isconst = (int64_t)v >= 0;
		break;
	case 0x0f: case 0x15:	/* udata, ref_udata */
		v = rd_uleb(r);
		isconst = form == 0x0f;
		isref = form == 0x15;
		break;
	case 0x1a: case 0x1b: case 0x22: case 0x23:	/* strx, addrx, loclistx, rnglistx */
	case 0x1f01: case 0x1f02:	/* GNU_addr_index, GNU_str_index */
		v = rd_uleb(r);
		break;
	case 0x21:	/* implicit_const */
		v = (uint64_t)implicit;
		isconst = implicit >= 0;
		break;
	case 0x19:	/* flag_present */
		break;
	case 0x08:	/* string */
		if (at == AT_NAME) {
			die->namekind = rd_cstr(r, die->name, sizeof(die->name)) ?
					NAME_INLINE : NAME_NONE;
			return 0;
		}
		rd_cstr(r, NULL, 0);
		return 0;
	case 0x0e: case 0x1f: case 0x1d: case 0x17: case 0x1f20: case 0x1f21:
		/* strp, line_strp, strp_sup, sec_offset, GNU_ref_alt, GNU_strp_alt */
		v = rd_u(r, u->osz);
		break;
	case 0x10:	/* ref_addr: address-sized in DWARF 2 */
		v = rd_u(r, u->version == 2 ? u->asz : u->osz);
		if (at == AT_TYPE) {
			die->type = v;
			die->has_type = 1;
		}
		return 0;
	case 0x0a:	/* block1 */
		block_attr(r, rd_u(r, 1), u, at, die);
		return 0;
	case 0x03:	/* block2 */
		block_attr(r, rd_u(r, 2), u, at, die);
		return 0;
	case 0x04:	/* block4 */
		block_attr(r, rd_u(r, 4), u, at, die);
		return 0;
	case 0x09: case 0x18:	/* block, exprloc */
		block_attr(r, rd_uleb(r), u, at, die);
		return 0;
	default:
		*why = "an attribute form this reader does not know";
		return -1;
	}
	if (r->bad)
		return 0;
	switch (at) {
	case AT_NAME:
		if (form == 0x0e) {
			die->namekind = NAME_STRP;
			die->nameval = v;
		} else if (form == 0x1f) {
			die->namekind = NAME_LINE_STRP;
			die->nameval = v;
		} else if (form == 0x1a || (form >= 0x25 && form <= 0x28) ||
			   form == 0x1f02) {
			die->namekind = NAME_STRX;
			die->nameval = v;
		}
		break;
	case AT_TYPE:
		if (isref && v <= UINT64_MAX - u->off) {
			die->type = u->off + v;
			die->has_type = 1;
		}
		break;
	case AT_BYTE_SIZE:
		die->size = v;
		die->has_size = isconst;
		break;
	case AT_MEMBER_LOCATION:
		die->mloc = v;
		die->has_mloc = isconst;
		break;
	case AT_COUNT:
		die->count = v;
		die->has_count = isconst;
		break;
	case AT_UPPER_BOUND:
		die->ub = v;
		die->has_ub = isconst;
		break;
	case AT_STR_OFFSETS_BASE:
		if (form == 0x17) {
			die->sob = v;
			die->has_sob = 1;
		}
		break;
	}
	return 0;
}

/* The DIE's name, whatever its form; 0 if it has none we can read. */
static int die_name(struct ctx *c, const struct unit *u, struct die *die)
{
	uint64_t off, len;
	const uint8_t *p;

	switch (die->namekind) {
	case NAME_INLINE:
		return 1;
	case NAME_STRP:
		return strsec_str(c, &c->str, die->nameval, die->name,
				  sizeof(die->name));
	case NAME_LINE_STRP:
		return strsec_str(c, &c->line_str, die->nameval, die->name,
				  sizeof(die->name));
	case NAME_STRX:
		p = strsec_get(c, &c->str_offsets, &len);
		if (!p || die->nameval > (UINT64_MAX - u->str_offsets_base) / u->osz)
			return 0;
		off = u->str_offsets_base + die->nameval * u->osz;
		if (off > len || len - off < u->osz)
			return 0;
		{
			uint64_t so = 0;

			for (unsigned i = u->osz; i > 0; i--)
				so = so << 8 | p[off + i - 1];
			return strsec_str(c, &c->str, so, die->name, sizeof(die->name));
		}
	}
	return 0;
}

static int is_type_tag(uint32_t tag)
{
	switch (tag) {
	case 0x01: case 0x04: case 0x0f: case 0x10: case 0x13: case 0x15:
	case 0x16: case 0x17: case 0x24: case 0x26: case 0x35: case 0x3b:
		return 1;
	}
	return 0;
}

static int keep_type(struct godwarf *d, const struct die *die)
{
	struct godwarf_type *t;

	if (d->ntypes && d->types[d->ntypes - 1].die >= die->off)
		return 0;	/* cannot happen: offsets grow */
	if (d->ntypes == d->captypes) {
		size_t nc = d->captypes ? d->captypes * 2 : 4096;

		if (nc > GODWARF_MAX_TYPES)
			nc = GODWARF_MAX_TYPES;
		if (d->ntypes >= nc)
			return -1;
		t = realloc(d->types, nc * sizeof(*t));
		if (!t)
			return -1;
		d->types = t;
		d->captypes = nc;
	}
	t = &d->types[d->ntypes++];
	t->die = die->off;
	t->tag = (uint8_t)die->tag;
	t->byte_size = die->has_size ? die->size : UINT64_MAX;
	t->type = die->has_type ? die->type : 0;
	t->count = UINT64_MAX;
	return 0;
}

/* Everything asked for found, and every member's type chain complete. */
static int all_found(const struct godwarf *d)
{
	for (unsigned i = 0; i < d->nstructs; i++) {
		const struct godwarf_struct *s = &d->structs[i];

		if (!s->found)
			return 0;
		for (unsigned m = 0; m < s->nmembers; m++)
			if (s->members[m].type &&
			    !godwarf_resolve(d, s->members[m].type))
				return 0;
	}
	for (unsigned i = 0; i < d->nvars; i++)
		if (!d->vars[i].found)
			return 0;
	return 1;
}

/*
 * One unit starting at @pos (its unit_length). Returns the offset of the
 * next unit, 0 when the section ends, or UINT64_MAX on an error (@why).
 */
static uint64_t walk_unit(struct ctx *c, uint64_t pos, const char **why)
{
	struct godwarf *d = c->d;
	struct rd r = { &c->info, pos, UINT64_MAX, 0 };
	struct unit u = { .off = pos };
	uint64_t len, abbrev_off, next;
	struct abtab *tab;
	long *parent = c->parent;
	unsigned depth = 0;

	if (!src_get(&c->info, pos, 1))
		return c->info.bad ? UINT64_MAX : 0;
	/*
	 * A unit is work however empty: a bomb of empty (or skipped) units
	 * must reach the bound as a stream of DIEs does.
	 */
	if (++d->work > c->max_work) {
		*why = "more units, DIEs and attributes than this reader's bound";
		return UINT64_MAX;
	}
	len = rd_u(&r, 4);
	u.osz = 4;
	if (len >= 0xfffffff0) {
		if (len != 0xffffffff) {
			*why = "reserved unit length";
			return UINT64_MAX;
		}
		len = rd_u(&r, 8);
		u.osz = 8;
	}
	if (r.bad || len > UINT64_MAX - r.pos) {
		*why = "unit header past the end";
		return UINT64_MAX;
	}
	next = r.pos + len;
	r.end = next;
	u.version = (unsigned)rd_u(&r, 2);
	if (r.bad) {
		*why = "unit header past the end";
		return UINT64_MAX;
	}
	if (u.version < 2 || u.version > 5)
		return next;	/* a unit of another version: skipped whole */
	if (u.version == 5) {
		unsigned ut = (unsigned)rd_u(&r, 1);

		u.asz = (unsigned)rd_u(&r, 1);
		abbrev_off = rd_u(&r, u.osz);
		if (ut == 4 || ut == 5)		/* skeleton, split_compile */
			rd_skip(&r, 8);
		else if (ut == 2 || ut == 6)	/* type, split_type */
			rd_skip(&r, 8 + u.osz);
		else if (ut != 1 && ut != 3)	/* compile, partial */
			return next;
	} else {
		abbrev_off = rd_u(&r, u.osz);
		u.asz = (unsigned)rd_u(&r, 1);
	}
	if (r.bad) {
		*why = "unit header past the end";
		return UINT64_MAX;
	}
	if (u.asz != 4 && u.asz != 8)
		return next;
	u.str_offsets_base = u.osz == 8 ? 16 : 8;
	tab = abtab_get(c, abbrev_off, why);
	if (!tab)
		return UINT64_MAX;
	parent[0] = -1;
	while (r.pos < r.end) {
		struct die die;
		const struct abbrev *a;
		uint64_t code;
		long ctxi = parent[depth];
		uint64_t start = r.pos;

		code = rd_uleb(&r);
		if (r.bad)
			break;
		/* null entries cost too: a stream of zeros is no free ride */
		if (++d->work > c->max_work) {
			*why = "more DIEs and attributes than this reader's bound";
			return UINT64_MAX;
		}
		if (!code) {
			if (depth)
				depth--;
			continue;
		}
		a = abbrev_find(tab, code);
		if (!a) {
			*why = "a DIE with an abbreviation code its table lacks";
			return UINT64_MAX;
		}
		d->work += a->nspecs;
		if (d->work > c->max_work) {
			*why = "more DIEs and attributes than this reader's bound";
			return UINT64_MAX;
		}
		memset(&die, 0, sizeof(die));
		die.off = start;
		die.tag = a->tag;
		for (uint32_t i = 0; i < a->nspecs && !r.bad; i++) {
			const struct spec *s = &tab->s[a->first + i];

			if (attr(&r, &u, s->name, s->form, s->implicit, &die,
				 why))
				return UINT64_MAX;
		}
		if (r.bad)
			break;
		if (die.has_sob)
			u.str_offsets_base = die.sob;
		if (is_type_tag(die.tag) && keep_type(d, &die)) {
			*why = "more types than this reader's bound";
			return UINT64_MAX;
		}
		if (die.tag == GODWARF_STRUCT) {
			ctxi = -1;
			if (die_name(c, &u, &die)) {
				for (unsigned i = 0; i < d->nstructs; i++) {
					struct godwarf_struct *s = &d->structs[i];

					if (s->found || strcmp(s->name, die.name))
						continue;
					s->found = 1;
					s->die = die.off;
					s->byte_size = die.has_size ? die.size : UINT64_MAX;
					c->found++;
					ctxi = -2 - (long)i;
					break;
				}
			}
		} else if (die.tag == GODWARF_ARRAY) {
			ctxi = (long)d->ntypes - 1;
		} else if (die.tag == TAG_MEMBER && ctxi <= -2) {
			struct godwarf_struct *s = &d->structs[-2 - ctxi];

			if (s->nmembers < GODWARF_MAX_MEMBERS && die.has_mloc) {
				struct godwarf_member *m = &s->members[s->nmembers];

				if (!die_name(c, &u, &die))
					die.name[0] = 0;
				memcpy(m->name, die.name, sizeof(m->name));
				m->offset = die.mloc;
				m->type = die.has_type ? die.type : 0;
				s->nmembers++;
			}
			ctxi = -1;
		} else if (die.tag == TAG_SUBRANGE && ctxi >= 0 &&
			   (size_t)ctxi < d->ntypes) {
			struct godwarf_type *t = &d->types[ctxi];

			if (t->count == UINT64_MAX) {
				if (die.has_count)
					t->count = die.count;
				else if (die.has_ub && die.ub < UINT64_MAX)
					t->count = die.ub + 1;
			}
			ctxi = -1;
		} else if (die.tag == TAG_VARIABLE && die.has_addr &&
			   die_name(c, &u, &die)) {
			for (unsigned i = 0; i < d->nvars; i++) {
				struct godwarf_var *v = &d->vars[i];

				if (v->found || strcmp(v->name, die.name))
					continue;
				v->found = 1;
				v->addr = die.addr;
				c->found++;
				break;
			}
			ctxi = -1;
		} else {
			ctxi = -1;
		}
		if (a->children) {
			if (depth >= GODWARF_MAX_DEPTH) {
				*why = "DIEs nested deeper than this reader's bound";
				return UINT64_MAX;
			}
			parent[++depth] = ctxi;
		}
	}
	if (r.bad) {
		*why = c->info.bad ? c->info.bad : "a DIE runs past its unit";
		return UINT64_MAX;
	}
	return next;
}

static int walk(struct ctx *c)
{
	uint64_t pos = 0, next_check = 0;
	unsigned checked_found = UINT32_MAX;
	const char *why = NULL;

	for (;;) {
		uint64_t next = walk_unit(c, pos, &why);

		if (next == UINT64_MAX) {
			seterr(c->err, c->errlen,
			       "DWARF unit at .debug_info+0x%llx: %s",
			       (unsigned long long)pos, why ? why : "malformed");
			return -1;
		}
		if (!next || next >= c->info.total)
			break;
		pos = next;
		/* Stop early once everything is there (checked when
		 * something new turned up, or every 4 MiB, for the types). */
		if (c->found != checked_found || pos >= next_check) {
			checked_found = c->found;
			next_check = pos + (4u << 20);
			if (all_found(c->d))
				break;
		}
	}
	c->d->bytes = c->info.produced;
	return 0;
}

/* --- loading ---------------------------------------------------------- */

static int want(struct godwarf *d, const char *const *structs,
		unsigned nstructs, const char *const *vars, unsigned nvars,
		char *err, size_t errlen)
{
	if (nstructs > GODWARF_MAX_WANT || nvars > GODWARF_MAX_WANT) {
		seterr(err, errlen, "asked for more than %d names", GODWARF_MAX_WANT);
		return -1;
	}
	for (unsigned i = 0; i < nstructs; i++) {
		d->structs[i].name = structs[i];
		d->structs[i].members = calloc(GODWARF_MAX_MEMBERS,
					       sizeof(struct godwarf_member));
		if (!d->structs[i].members) {
			seterr(err, errlen, "out of memory");
			return -1;
		}
		d->nstructs = i + 1;
	}
	for (unsigned i = 0; i < nvars; i++)
		d->vars[i].name = vars[i];
	d->nvars = nvars;
	return 0;
}

static void ctx_free(struct ctx *c)
{
	for (unsigned i = 0; i < ABTAB_CACHE; i++)
		abtab_free(&c->tabs[i]);
	free(c->abbrev);
	free(c->str.p);
	free(c->line_str.p);
	free(c->str_offsets.p);
	src_close(&c->info);
}

void godwarf_free(struct godwarf *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->nstructs; i++)
		free(d->structs[i].members);
	free(d->types);
	free(d);
}

/*
 * What both loaders do first: the result to fill, the bounds (0: the
 * default), the names asked for. 0, or -1 with @err set.
 */
static int load_begin(struct ctx *c, uint64_t max_info, uint64_t max_work,
		      uint64_t max_abwork, const char *const *structs,
		      unsigned nstructs, const char *const *vars,
		      unsigned nvars, char *err, size_t errlen)
{
	c->d = calloc(1, sizeof(*c->d));
	if (!c->d) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	c->err = err;
	c->errlen = errlen;
	c->fd = -1;
	c->max_info = max_info ? max_info : GODWARF_MAX_INFO;
	c->max_work = max_work ? max_work : GODWARF_MAX_WORK;
	c->max_abwork = max_abwork ? max_abwork : GODWARF_MAX_ABBREV_WORK;
	return want(c->d, structs, nstructs, vars, nvars, err, errlen);
}

/* And last: the result handed out on success, freed otherwise. */
static int load_end(struct ctx *c, int rc, struct godwarf **out)
{
	ctx_free(c);
	if (rc)
		godwarf_free(c->d);
	else
		*out = c->d;
	return rc;
}

int godwarf_load_sections(const struct godwarf_sections *s,
			  const char *const *structs, unsigned nstructs,
			  const char *const *vars, unsigned nvars,
			  struct godwarf **out, char *err, size_t errlen)
{
	struct ctx c = { 0 };
	const char *why;
	int rc = -1;

	*out = NULL;
	if (load_begin(&c, s->max_info, s->max_work, s->max_abbrev_work,
		       structs, nstructs, vars, nvars, err, errlen))
		goto out;
	if (!s->info.p || !s->abbrev.p) {
		seterr(err, errlen, "no DWARF (.debug_info or .debug_abbrev missing)");
		goto out;
	}
	c.abbrev = src_slurp(s->abbrev.p, -1, 0, s->abbrev.len,
			     s->abbrev.compressed, s->abbrev.zdebug,
			     GODWARF_MAX_STR, &c.abbrevlen, &why);
	if (!c.abbrev) {
		seterr(err, errlen, ".debug_abbrev: %s", why);
		goto out;
	}
	c.str.mem = &s->str;
	c.str.present = !!s->str.p;
	c.line_str.mem = &s->line_str;
	c.line_str.present = !!s->line_str.p;
	c.str_offsets.mem = &s->str_offsets;
	c.str_offsets.present = !!s->str_offsets.p;
	if (src_open(&c.info, s->info.p, -1, 0, s->info.len, s->info.compressed,
		     s->info.zdebug, c.max_info)) {
		seterr(err, errlen, ".debug_info: %s", c.info.bad);
		goto out;
	}
	rc = walk(&c);
out:
	return load_end(&c, rc, out);
}

/* A section of @g by name (".debug_info", or its ".zdebug_info"). */
static int find_sec(struct gobin *g, const char *name, uint64_t *off,
		    uint64_t *len, int *compressed, int *zdebug)
{
	Elf *elf = g->elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return -1;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!n)
			continue;
		/* ".zdebug_info" for ".debug_info" */
		*zdebug = n[0] == '.' && n[1] == 'z' && !strcmp(n + 2, name + 1);
		if (!*zdebug && strcmp(n, name))
			continue;
		if (sh.sh_offset > g->imgsz || sh.sh_size > g->imgsz - sh.sh_offset)
			return -1;
		*off = sh.sh_offset;
		*len = sh.sh_size;
		*compressed = !*zdebug && (sh.sh_flags & SHF_COMPRESSED);
		return 0;
	}
	return -1;
}

int godwarf_load(struct gobin *g, const char *const *structs,
		 unsigned nstructs, const char *const *vars, unsigned nvars,
		 struct godwarf **out, char *err, size_t errlen)
{
	struct ctx c = { 0 };
	uint64_t ioff, ilen, aoff, alen;
	int icomp, iz, acomp, az;
	const char *why;
	int rc = -1;

	*out = NULL;
	if (!g->elf || (g->fd < 0 && !g->img)) {
		seterr(err, errlen, "%s: the executable's file is no longer open (read DWARF before gobin_trim)",
		       g->name);
		return -1;
	}
	if (find_sec(g, ".debug_info", &ioff, &ilen, &icomp, &iz) ||
	    find_sec(g, ".debug_abbrev", &aoff, &alen, &acomp, &az)) {
		seterr(err, errlen, "%s: no DWARF: built with -ldflags=-w (or -s, or stripped); rebuild without them to have the Go runtime's memory statistics at a kill",
		       g->name);
		return -1;
	}
	if (load_begin(&c, 0, 0, 0, structs, nstructs, vars, nvars, err,
		       errlen))
		goto out;
	c.fd = g->fd;
	c.img = g->img;
	c.imgsz = g->imgsz;
	c.abbrev = src_slurp(c.img ? c.img + aoff : NULL, c.fd, aoff, alen,
			     acomp, az, GODWARF_MAX_STR, &c.abbrevlen, &why);
	if (!c.abbrev) {
		seterr(err, errlen, "%s: .debug_abbrev: %s", g->name, why);
		goto out;
	}
	{
		struct strsec *ss[] = { &c.str, &c.line_str, &c.str_offsets };
		const char *names[] = { ".debug_str", ".debug_line_str",
					".debug_str_offsets" };

		for (int i = 0; i < 3; i++)
			ss[i]->present = !find_sec(g, names[i], &ss[i]->foff,
						   &ss[i]->flen,
						   &ss[i]->fcompressed,
						   &ss[i]->fzdebug);
	}
	if (src_open(&c.info, c.img ? c.img + ioff : NULL, c.fd, ioff, ilen,
		     icomp, iz, c.max_info)) {
		seterr(err, errlen, "%s: .debug_info: %s", g->name, c.info.bad);
		goto out;
	}
	rc = walk(&c);
	if (rc) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", err ? err : "");
		seterr(err, errlen, "%s: %s", g->name, tmp);
	}
out:
	return load_end(&c, rc, out);
}

/* --- queries ------------------------------------------------------------ */

const struct godwarf_struct *godwarf_struct(const struct godwarf *d,
					    const char *name)
{
	for (unsigned i = 0; i < d->nstructs; i++)
		if (!strcmp(d->structs[i].name, name))
			return &d->structs[i];
	return NULL;
}

const struct godwarf_var *godwarf_var(const struct godwarf *d,
				      const char *name)
{
	for (unsigned i = 0; i < d->nvars; i++)
		if (!strcmp(d->vars[i].name, name))
			return &d->vars[i];
	return NULL;
}

const struct godwarf_type *godwarf_type(const struct godwarf *d, uint64_t die)
{
	size_t lo = 0, hi = d->ntypes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->types[mid].die == die)
			return &d->types[mid];
		if (d->types[mid].die < die)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct godwarf_type *godwarf_resolve(const struct godwarf *d,
					   uint64_t die)
{
	for (int hops = 0; hops < 8; hops++) {
		const struct godwarf_type *t = godwarf_type(d, die);

		if (!t)
			return NULL;
		if (t->tag != GODWARF_TYPEDEF)
			return t;
		die = t->type;
	}
	return NULL;
}

int godwarf_member(const struct godwarf *d, const char *name,
		   const char *path, uint64_t *off, uint64_t *size,
		   const struct godwarf_type **type, char *err, size_t errlen)
{
	const struct godwarf_struct *s = godwarf_struct(d, name);
	const struct godwarf_type *t = NULL;
	uint64_t at = 0;
	const char *p = path;

	if (!s || !s->found) {
		seterr(err, errlen, "the DWARF has no struct %s", name);
		return -1;
	}
	for (int depth = 0; depth < 8; depth++) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		const struct godwarf_member *m = NULL;

		for (unsigned i = 0; i < s->nmembers; i++)
			if (strlen(s->members[i].name) == n &&
			    !memcmp(s->members[i].name, p, n)) {
				m = &s->members[i];
				break;
			}
		if (!m) {
			seterr(err, errlen, "%s has no member %.*s in this Go version",
			       s->name, (int)n, p);
			return -1;
		}
		t = godwarf_resolve(d, m->type);
		if (!t || t->byte_size == UINT64_MAX) {
			seterr(err, errlen, "%s.%.*s: its type's size is not in the DWARF",
			       s->name, (int)n, p);
			return -1;
		}
		if (m->offset > UINT64_MAX - at ||
		    (s->byte_size != UINT64_MAX &&
		     (m->offset > s->byte_size ||
		      t->byte_size > s->byte_size - m->offset))) {
			seterr(err, errlen, "%s.%.*s lies outside %s",
			       s->name, (int)n, p, s->name);
			return -1;
		}
		at += m->offset;
		if (!dot)
			break;
		p = dot + 1;
		/* the next component is a member of this member's struct */
		s = NULL;
		for (unsigned i = 0; i < d->nstructs; i++)
			if (d->structs[i].found && d->structs[i].die == t->die)
				s = &d->structs[i];
		if (!s) {
			seterr(err, errlen, "%s: the type of %.*s is not a struct asked for",
			       name, (int)(dot - path), path);
			return -1;
		}
		if (depth == 7) {
			seterr(err, errlen, "%s.%s: path too deep", name, path);
			return -1;
		}
	}
	*off = at;
	*size = t->byte_size;
	if (type)
		*type = t;
	return 0;
}

void godwarf_stats(const struct godwarf *d, uint64_t *bytes, uint64_t *dies)
{
	*bytes = d->bytes;
	*dies = d->work;
}
