// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a Go executable: ELF (libelf), its notes, .go.buildinfo and the
 * location of the runtime's function table. Layouts come from the Go
 * sources named at each use ($(go env GOROOT)/src).
 *
 * Where things are, as measured (go1.19.8 and go1.26.8, linux/amd64,
 * internal linking unless said otherwise):
 * - pclntab: section .gopclntab, or .data.rel.ro.gopclntab in Go 1.19 PIE
 *   builds; symbol runtime.pclntab unless stripped (-s). A Go 1.19 PIE
 *   linked externally has it inside .data.rel.ro with no section of its
 *   own: symbol, or a scan for the pcHeader when stripped too.
 * - go:func.* (base of funcdata, hence of inline trees): inside .gopclntab
 *   in Go 1.26, in .rodata in Go 1.19 ("go.func.*"). Its address is only
 *   in moduledata (and the symbol table), so stripped binaries need
 *   moduledata.
 * - moduledata (runtime.firstmoduledata): section .go.module in Go 1.26,
 *   in .noptrdata in Go 1.19. PIE binaries (Go's linker, GNU ld) carry its
 *   pointers in the file too; a linker that leaves them 0 (lld) has them
 *   as R_X86_64_RELATIVE addends, which md_word() reads.
 * - pcHeader.textStart is 0 since Go 1.20 (runtime/symtab.go: "no longer
 *   stored"): function entries are relative to moduledata.text.
 */
#include "gobin.h"
#include "symbolize.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCLN_MAGIC_118 0xfffffff0u	/* internal/abi/symtab.go */
#define PCLN_MAGIC_120 0xfffffff1u
#define PCHEADER_SIZE 72	/* runtime/symtab.go: pcHeader on 64-bit */
#define RAW_BASE 0x10000000ull	/* where gobin_open_pclntab "loads" */
/*
 * Bounds on what one file may cost to read (it is anyone's): section and
 * program header counts, any one table libelf reads whole, the notes.
 */
#define GOBIN_MAX_HEADERS 65536
/*
 * Real executables have tens of sections; lookups by address (govars.c
 * where_is, once per candidate reference) walk them all.
 */
#define GOBIN_MAX_SECTIONS 4096
#define GOBIN_MAX_TABLE (64ull << 20)
#define GOBIN_MAX_TABLES (128ull << 20)	/* all of them together */
#define GOBIN_MAX_NOTES (64u << 10)

/* moduledata field indexes in 8-byte words (runtime/symtab.go). */
#define MD_MINPC 20
#define MD_TEXT 22
#define MD_GOFUNC_118 38	/* 1.18-1.19: no covctrs/ecovctrs */
#define MD_GOFUNC_120 40
#define MD_WORDS 42

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

void gobin_seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

const uint8_t *gobin_at(const struct gobin *g, uint64_t addr, uint64_t len)
{
	for (int i = 0; i < g->nsegs; i++) {
		const struct gobin_seg *s = &g->segs[i];

		if (addr >= s->vaddr && addr - s->vaddr <= s->filesz &&
		    len <= s->filesz - (addr - s->vaddr))
			return s->data + (addr - s->vaddr);
	}
	return NULL;
}

/* Bytes from @addr to the end of its segment. */
static struct gobin_span span_to_end(const struct gobin *g, uint64_t addr)
{
	for (int i = 0; i < g->nsegs; i++) {
		const struct gobin_seg *s = &g->segs[i];

		if (addr >= s->vaddr && addr - s->vaddr < s->filesz)
			return (struct gobin_span){ s->data + (addr - s->vaddr),
						    s->filesz - (addr - s->vaddr) };
	}
	return (struct gobin_span){ NULL, 0 };
}

static Elf_Scn *find_section(struct gobin *g, const char *name, GElf_Shdr *sh)
{
	Elf *elf = g->elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

/*
 * @len bytes at file offset @off (fewer if @clip and the file ends
 * first): a window onto the in-memory image, or read with pread into a
 * buffer owned by @g, charged to its read budget. NULL if they are not
 * in the file, or do not fit the budget, or the file shrank under us.
 */
static const uint8_t *file_bytes(struct gobin *g, uint64_t off, uint64_t *len,
				 int clip)
{
	struct gobin_buf *b;
	uint64_t n = *len, done = 0;

	if (off >= g->imgsz || !n)
		return NULL;
	if (n > g->imgsz - off) {
		if (!clip)
			return NULL;
		n = g->imgsz - off;
	}
	*len = n;
	if (g->img)
		return g->img + off;
	if (n > g->budget || n > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + n);
	if (!b)
		return NULL;
	while (done < n) {
		ssize_t r = pread(g->fd, b->data + done, n - done,
				  (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {	/* truncated since fstat, or an I/O error */
			free(b);
			return NULL;
		}
		done += (uint64_t)r;
	}
	g->budget -= n;
	g->bytes_read += n;
	b->len = n;
	b->next = g->bufs;
	g->bufs = b;
	return b->data;
}

/* A section's file bytes, at most @max of them (0: all). */
static struct gobin_span section_bytes(struct gobin *g, const GElf_Shdr *sh,
				       uint64_t max)
{
	uint64_t len = sh->sh_size;
	const uint8_t *p;

	if (sh->sh_type == SHT_NOBITS)
		return (struct gobin_span){ NULL, 0 };
	if (max && len > max)
		len = max;
	p = file_bytes(g, sh->sh_offset, &len, 0);
	return (struct gobin_span){ p, p ? len : 0 };
}

/*
 * libelf reads a table it is asked about (symbols, relocations, section
 * names) whole, with no limit: ask only about tables of sane size, and
 * only about those before the index where their sizes add up to more
 * than GOBIN_MAX_TABLES (g->table_ndx_end, set by limit_tables).
 */
static int table_ok(const struct gobin *g, Elf_Scn *scn, const GElf_Shdr *sh)
{
	return elf_ndxscn(scn) < g->table_ndx_end &&
	       (sh->sh_type == SHT_NOBITS ||
		(sh->sh_size <= GOBIN_MAX_TABLE && sh->sh_offset <= g->imgsz &&
		 sh->sh_size <= g->imgsz - sh->sh_offset));
}

static int link_ok(struct gobin *g, size_t link)
{
	Elf_Scn *scn = elf_getscn(g->elf, link);
	GElf_Shdr sh;

	return scn && gelf_getshdr(scn, &sh) && table_ok(g, scn, &sh);
}

static void limit_tables(struct gobin *g)
{
	Elf_Scn *scn = NULL;
	uint64_t total = 0;
	GElf_Shdr sh;

	g->table_ndx_end = SIZE_MAX;
	while ((scn = elf_nextscn(g->elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_STRTAB &&
		     sh.sh_type != SHT_RELA))
			continue;
		total += sh.sh_size < GOBIN_MAX_TABLE ? sh.sh_size : GOBIN_MAX_TABLE;
		if (total > GOBIN_MAX_TABLES) {
			g->table_ndx_end = elf_ndxscn(scn);
			return;
		}
	}
}

int gobin_symbol(struct gobin *g, const char *name, uint64_t *addr,
		 uint64_t *size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (!g->elf)
		return -1;
	while ((scn = elf_nextscn(g->elf, scn))) {
		Elf_Data *d;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize || !table_ok(g, scn, &sh) ||
		    !link_ok(g, sh.sh_link))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		n = d->d_size / sizeof(Elf64_Sym);
		for (size_t i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *s;

			if (!gelf_getsym(d, (int)i, &sym))
				break;
			s = elf_strptr(g->elf, sh.sh_link, sym.st_name);
			if (s && !strcmp(s, name)) {
				*addr = sym.st_value;
				if (size)
					*size = sym.st_size;
				return 0;
			}
		}
	}
	return -1;
}

/*
 * ELF notes: Go's build ID (name "Go", type 4: cmd/internal/buildid) and
 * the GNU build ID (name "GNU", type NT_GNU_BUILD_ID), in whichever
 * SHT_NOTE section holds them.
 */
static void read_notes(struct gobin *g)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(g->elf, scn))) {
		struct gobin_span s;
		uint64_t off = 0;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		/* Build IDs are tiny: a huge note section is read in part. */
		s = section_bytes(g, &sh, GOBIN_MAX_NOTES);
		while (s.p && s.len - off >= 12) {
			uint32_t namesz = rd32(s.p + off), descsz = rd32(s.p + off + 4);
			uint32_t type = rd32(s.p + off + 8);
			uint64_t name = off + 12;
			uint64_t desc = name + (((uint64_t)namesz + 3) & ~3ull);
			uint64_t end = desc + (((uint64_t)descsz + 3) & ~3ull);

			if (end > s.len)
				break;
			/* cmd/link writes the name "Go\0\0" with namesz 4. */
			if ((namesz == 3 || namesz == 4) && !memcmp(s.p + name, "Go", 3) &&
			    type == 4 &&
			    descsz < sizeof(g->info.go_build_id)) {
				memcpy(g->info.go_build_id, s.p + desc, descsz);
				g->info.go_build_id[descsz] = 0;
			} else if (namesz == 4 && !memcmp(s.p + name, "GNU", 4) &&
				   type == NT_GNU_BUILD_ID &&
				   /* 64-bit: descsz 0x80000000 must not wrap to 0. */
				   (uint64_t)descsz * 2 < sizeof(g->info.gnu_build_id)) {
				for (uint32_t i = 0; i < descsz; i++)
					sprintf(g->info.gnu_build_id + 2 * i, "%02x",
						s.p[desc + i]);
			}
			off = end;
		}
	}
}

/*
 * .go.buildinfo (src/debug/buildinfo/buildinfo.go): a 32-byte header,
 * "\xff Go buildinf:", ptrSize, flags; since Go 1.18 (flags & 2) the
 * version follows as a uvarint length and the bytes.
 */
static void read_buildinfo(struct gobin *g)
{
	static const char magic[14] = "\xff Go buildinf:";
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(g, ".go.buildinfo", &sh);
	struct gobin_span s = scn ? section_bytes(g, &sh, 4096) :
				     (struct gobin_span){ 0 };
	uint64_t len = 0, off = 32;
	unsigned int shift = 0;

	if (s.len < 33 || memcmp(s.p, magic, sizeof(magic)) || !(s.p[15] & 2))
		return;
	for (;; shift += 7) {
		if (off >= s.len || shift > 28)
			return;
		len |= (uint64_t)(s.p[off] & 0x7f) << shift;
		if (!(s.p[off++] & 0x80))
			break;
	}
	if (len >= sizeof(g->info.go_version) || len > s.len - off)
		return;
	memcpy(g->info.go_version, s.p + off, len);
	g->info.go_version[len] = 0;
}

static int valid_header(const uint8_t *p, uint64_t len)
{
	uint32_t magic;
	uint64_t nfunc, o[5];

	if (len < PCHEADER_SIZE)
		return 0;
	magic = rd32(p);
	if ((magic != PCLN_MAGIC_118 && magic != PCLN_MAGIC_120) || p[4] || p[5] ||
	    (p[6] != 1 && p[6] != 2 && p[6] != 4) || p[7] != 8)
		return 0;
	nfunc = rd64(p + 8);
	for (int i = 0; i < 5; i++)
		o[i] = rd64(p + 32 + 8 * i);
	if (o[0] < PCHEADER_SIZE || o[4] > len || !nfunc || nfunc > (1u << 28))
		return 0;
	for (int i = 0; i < 4; i++)
		if (o[i] > o[i + 1])
			return 0;
	return (nfunc + 1) * 8 <= len - o[4];
}

/* Last resort: a pcHeader anywhere in the loaded segments (8-aligned). */
static int scan_for_pclntab(struct gobin *g, uint64_t *addr)
{
	for (int i = 0; i < g->nsegs; i++) {
		const struct gobin_seg *s = &g->segs[i];

		for (uint64_t off = (8 - s->vaddr % 8) % 8; off + PCHEADER_SIZE <= s->filesz;
		     off += 8) {
			const uint8_t *p = s->data + off;

			if (p[1] == 0xff && p[2] == 0xff && p[3] == 0xff &&
			    (p[0] == 0xf0 || p[0] == 0xf1) &&
			    valid_header(p, s->filesz - off)) {
				*addr = s->vaddr + off;
				return 0;
			}
		}
	}
	return -1;
}

/* Where is the pclntab? Sets info.pclntab_{addr,size,from}. */
static int locate_pclntab(struct gobin *g, char *err, size_t errlen)
{
	static const char *const sections[] = { ".gopclntab",
						".data.rel.ro.gopclntab" };
	static const char *const from[] = { "section .gopclntab",
					    "section .data.rel.ro.gopclntab" };
	struct gobin_info *in = &g->info;
	uint64_t addr, end;
	GElf_Shdr sh;

	for (int i = 0; i < 2; i++) {
		if (find_section(g, sections[i], &sh) && sh.sh_type != SHT_NOBITS) {
			in->pclntab_addr = sh.sh_addr;
			in->pclntab_size = sh.sh_size;
			in->pclntab_from = from[i];
			return 0;
		}
	}
	if (!gobin_symbol(g, "runtime.pclntab", &addr, NULL)) {
		in->pclntab_from = "symbol runtime.pclntab";
	} else if (!scan_for_pclntab(g, &addr)) {
		in->pclntab_from = "scan of loaded segments for a pcHeader";
	} else {
		gobin_seterr(err, errlen, "%s: not a Go binary (no .gopclntab and no pclntab found)",
		       g->name);
		return -1;
	}
	in->pclntab_addr = addr;
	in->pclntab_size = span_to_end(g, addr).len;
	if (!gobin_symbol(g, "runtime.epclntab", &end, NULL) && end > addr &&
	    end - addr <= in->pclntab_size)
		in->pclntab_size = end - addr;
	return 0;
}

/* pcHeader (runtime/symtab.go) and the tables it points at. */
static int parse_pclntab(struct gobin *g, char *err, size_t errlen)
{
	struct gobin_info *in = &g->info;
	const uint8_t *p = gobin_at(g, in->pclntab_addr, in->pclntab_size);
	uint64_t o[5], len = in->pclntab_size;
	uint32_t magic;

	if (!p || len < PCHEADER_SIZE) {
		gobin_seterr(err, errlen, "%s: pclntab at 0x%llx (%llu bytes) is not inside the file",
		       g->name, (unsigned long long)in->pclntab_addr,
		       (unsigned long long)len);
		return -1;
	}
	magic = rd32(p);
	in->pclntab_magic = magic;
	if (magic != PCLN_MAGIC_118 && magic != PCLN_MAGIC_120) {
		gobin_seterr(err, errlen, "%s: .gopclntab magic 0x%x is not a Go 1.18+ layout%s",
		       g->name, magic,
		       magic == 0xfffffffbu || magic == 0xfffffffau ?
		       " (this is Go 1.2-1.17, not supported)" : "");
		return -1;
	}
	if (!valid_header(p, len)) {
		gobin_seterr(err, errlen, "%s: pclntab header is malformed (minLC %u, pointer size %u, or table offsets out of range)",
		       g->name, p[6], p[7]);
		return -1;
	}
	g->go120 = magic == PCLN_MAGIC_120;
	g->minlc = p[6];
	in->nfunc = (uint32_t)rd64(p + 8);
	for (int i = 0; i < 5; i++)
		o[i] = rd64(p + 32 + 8 * i);
	g->pcln = (struct gobin_span){ p, len };
	g->funcnametab = (struct gobin_span){ p + o[0], o[1] - o[0] };
	g->cutab = (struct gobin_span){ p + o[1], o[2] - o[1] };
	g->filetab = (struct gobin_span){ p + o[2], o[3] - o[2] };
	g->pctab = (struct gobin_span){ p + o[3], o[4] - o[3] };
	g->pclntable = (struct gobin_span){ p + o[4], len - o[4] };
	/* Go 1.18-1.19 store runtime.text in the header; 1.20+ write 0. */
	if (rd64(p + 24)) {
		in->text_start = rd64(p + 24);
		in->text_from = "pcHeader.textStart";
	}
	return 0;
}

/*
 * Relocations: an externally linked PIE leaves moduledata's pointers 0 in
 * the file and puts them in R_*_RELATIVE addends (.rela.dyn). Sorted by
 * address for md_word().
 */
struct rel {
	uint64_t off, addend;
};

static int rel_cmp(const void *a, const void *b)
{
	const struct rel *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static void load_relocs(struct gobin *g, struct rel **out, size_t *n)
{
	unsigned int relative = g->machine == EM_AARCH64 ? 1027 : 8;
	size_t cap = 0;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	*out = NULL;
	*n = 0;
	while ((scn = elf_nextscn(g->elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA ||
		    !table_ok(g, scn, &sh))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		for (size_t i = 0; i < d->d_size / sizeof(Elf64_Rela); i++) {
			GElf_Rela r;

			if (!gelf_getrela(d, (int)i, &r))
				break;
			if (GELF_R_TYPE(r.r_info) != relative)
				continue;
			if (*n == cap) {
				struct rel *m = realloc(*out, (cap = cap ? 2 * cap : 256) *
							sizeof(**out));

				if (!m)
					return;
				*out = m;
			}
			(*out)[(*n)++] = (struct rel){ r.r_offset, (uint64_t)r.r_addend };
		}
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), rel_cmp);
}

/* moduledata word @i at @md as the loader leaves it (bias aside); 0 if none. */
static uint64_t md_word(const struct gobin *g, const struct rel *rel, size_t nrel,
			uint64_t md, unsigned int i)
{
	const uint8_t *p = gobin_at(g, md + 8 * i, 8);
	uint64_t v = p ? rd64(p) : 0;
	size_t lo = 0, hi = nrel;

	while (!v && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rel[mid].off == md + 8 * i)
			return rel[mid].addend;
		if (rel[mid].off < md + 8 * i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return v;
}

static int moduledata_ok(const struct gobin *g, const struct rel *rel, size_t nrel,
			 uint64_t md)
{
	const struct gobin_info *in = &g->info;

	return gobin_at(g, md, MD_WORDS * 8) &&
	       md_word(g, rel, nrel, md, 0) == in->pclntab_addr &&
	       md_word(g, rel, nrel, md, 1) == in->pclntab_addr +
	       (uint64_t)(g->funcnametab.p - g->pcln.p) &&
	       md_word(g, rel, nrel, md, 2) <= g->funcnametab.len &&	/* len; */
	       md_word(g, rel, nrel, md, 2) == md_word(g, rel, nrel, md, 3);	/* cap */
}

/*
 * runtime.firstmoduledata: its first word points at the pcHeader and the
 * next slice at funcnametab, which makes it easy to recognise even in a
 * stripped binary. (The slice may be shorter than the space up to cutab:
 * externally linked Go 1.19 binaries pad it.)
 */
static int find_moduledata(struct gobin *g, const struct rel *rel, size_t nrel)
{
	struct gobin_info *in = &g->info;
	uint64_t addr;
	GElf_Shdr sh;

	if (!gobin_symbol(g, "runtime.firstmoduledata", &addr, NULL) &&
	    moduledata_ok(g, rel, nrel, addr)) {
		in->moduledata_from = "symbol runtime.firstmoduledata";
		in->moduledata_addr = addr;
		return 1;
	}
	if (find_section(g, ".go.module", &sh) && moduledata_ok(g, rel, nrel, sh.sh_addr)) {
		in->moduledata_from = "section .go.module";
		in->moduledata_addr = sh.sh_addr;
		return 1;
	}
	for (int i = 0; i < g->nsegs; i++) {
		const struct gobin_seg *s = &g->segs[i];

		for (uint64_t off = (8 - s->vaddr % 8) % 8; off + MD_WORDS * 8 <= s->filesz;
		     off += 8) {
			if (rd64(s->data + off) == in->pclntab_addr &&
			    moduledata_ok(g, rel, nrel, s->vaddr + off)) {
				in->moduledata_from = "scan of loaded segments";
				in->moduledata_addr = s->vaddr + off;
				return 1;
			}
		}
	}
	for (size_t i = 0; i < nrel; i++) {
		if (rel[i].addend == in->pclntab_addr &&
		    moduledata_ok(g, rel, nrel, rel[i].off)) {
			in->moduledata_from = "scan of relocations";
			in->moduledata_addr = rel[i].off;
			return 1;
		}
	}
	return 0;
}

/* runtime.text and go:func.*, from moduledata or the symbol table. */
static void locate_text_gofunc(struct gobin *g)
{
	struct gobin_info *in = &g->info;
	uint32_t entry0 = rd32(g->pclntable.p);
	uint64_t v, md = 0;
	struct rel *rel;
	size_t nrel;
	GElf_Shdr sh;

	load_relocs(g, &rel, &nrel);
	if (find_moduledata(g, rel, nrel))
		md = in->moduledata_addr;
	if (!in->text_start && md &&
	    md_word(g, rel, nrel, md, MD_MINPC) == md_word(g, rel, nrel, md, MD_TEXT) + entry0) {
		in->text_start = md_word(g, rel, nrel, md, MD_TEXT);
		in->text_from = "moduledata.text";
	}
	if (md) {
		v = md_word(g, rel, nrel, md, g->go120 ? MD_GOFUNC_120 : MD_GOFUNC_118);
		if (gobin_at(g, v, 1)) {
			in->gofunc_addr = v;
			in->gofunc_from = "moduledata.gofunc";
		}
	}
	free(rel);
	if (!in->text_start && !gobin_symbol(g, "runtime.text", &v, NULL)) {
		in->text_start = v;
		in->text_from = "symbol runtime.text";
	}
	if (!in->text_start && find_section(g, ".text", &sh)) {
		/* Right for internal linking; external linkers may put C first. */
		in->text_start = sh.sh_addr;
		in->text_from = "section .text";
	}
	if (in->gofunc_addr)
		return;
	if (!gobin_symbol(g, "go:func.*", &v, NULL) && gobin_at(g, v, 1)) {
		in->gofunc_addr = v;
		in->gofunc_from = "symbol go:func.*";
	} else if (!gobin_symbol(g, "go.func.*", &v, NULL) && gobin_at(g, v, 1)) {
		in->gofunc_addr = v;
		in->gofunc_from = "symbol go.func.*";
	}
}

/*
 * Is the string at @off of @t exactly @name? Compares at most
 * strlen(@name) + 1 bytes, so a table without NULs costs no more than one
 * with them: looking names up is linear in the number of functions.
 */
static int name_is(struct gobin_span t, uint64_t off, const char *name,
		   size_t namelen)
{
	return off < t.len && t.len - off > namelen &&
	       !memcmp(t.p + off, name, namelen + 1);
}

/*
 * FuncIDs are an enum renumbered between releases (internal/abi/symtab.go
 * in 1.26 vs runtime/symtab.go in 1.19), so read the ones CallersFrames
 * cares about from the functions that carry them. FuncIDWrapper is always
 * the last value, right after systemstack_switch.
 */
static void read_funcids(struct gobin *g)
{
	static const char *const names[] = { "runtime.gopanic", "runtime.sigpanic",
					     "runtime.panicwrap",
					     "runtime.systemstack_switch" };
	uint8_t *dst[] = { &g->fid_gopanic, &g->fid_sigpanic, &g->fid_panicwrap,
			   &g->fid_wrapper };
	uint32_t idoff = g->go120 ? 40 : 36;

	if (g->go120) {		/* go1.26 values as defaults */
		g->fid_gopanic = 10, g->fid_panicwrap = 15, g->fid_sigpanic = 20;
		g->fid_wrapper = 22;
	} else {		/* go1.19 */
		g->fid_gopanic = 9, g->fid_panicwrap = 14, g->fid_sigpanic = 18;
		g->fid_wrapper = 20;
	}
	for (uint32_t i = 0; i < g->info.nfunc; i++) {
		uint32_t funcoff = rd32(g->pclntable.p + 8 * (uint64_t)i + 4);
		uint32_t nameoff;

		if (funcoff > g->pclntable.len || g->pclntable.len - funcoff < 44)
			continue;
		nameoff = rd32(g->pclntable.p + funcoff + 4);
		if (nameoff >= g->funcnametab.len ||
		    g->funcnametab.len - nameoff < 8 ||
		    memcmp(g->funcnametab.p + nameoff, "runtime.", 8))
			continue;
		for (int k = 0; k < 4; k++)
			if (name_is(g->funcnametab, nameoff, names[k],
				    strlen(names[k])))
				*dst[k] = g->pclntable.p[funcoff + idoff];
	}
	g->fid_wrapper++;
}

int gobin_func_by_name(struct gobin *g, const char *name, uint64_t *entry,
		       uint64_t *end)
{
	const uint8_t *ft = g->pclntable.p;
	size_t namelen = strlen(name);

	for (uint32_t i = 0; i < g->info.nfunc; i++) {
		uint32_t funcoff = rd32(ft + 8 * (uint64_t)i + 4);
		uint32_t e0 = rd32(ft + 8 * (uint64_t)i), e1;

		if (funcoff > g->pclntable.len || g->pclntable.len - funcoff < 8)
			continue;
		if (!name_is(g->funcnametab, rd32(g->pclntable.p + funcoff + 4),
			     name, namelen))
			continue;
		e1 = rd32(ft + 8 * ((uint64_t)i + 1));
		if (e1 < e0)
			return -1;
		*entry = g->info.text_start + e0;
		*end = g->info.text_start + e1;
		return 0;
	}
	return -1;
}

/* After the pclntab is known: everything that derives from it. */
static int finish_open(struct gobin *g, char *err, size_t errlen)
{
	struct gobin_info *in = &g->info;
	const uint8_t *ft;
	int minor = 0;

	if (parse_pclntab(g, err, errlen))
		return -1;
	if (g->elf)
		locate_text_gofunc(g);
	if (!in->text_start) {
		gobin_seterr(err, errlen, "%s: cannot tell where Go's text starts (no moduledata, no runtime.text, no .text)",
		       g->name);
		return -1;
	}
	ft = g->pclntable.p;
	in->min_pc = in->text_start + rd32(ft);
	in->max_pc = in->text_start + rd32(ft + 8 * (uint64_t)in->nfunc);
	read_funcids(g);
	if (sscanf(in->go_version, "go1.%d", &minor) == 1 && minor > 0)
		in->go_minor = minor;
	/* Unknown version (e.g. "devel"): the newest layout the magic allows. */
	g->new_frames = in->go_minor ? in->go_minor >= 21 : g->go120;
	if (!in->go_minor)
		in->go_minor = g->go120 ? 20 : 18;
	return 0;
}

static struct gobin *gobin_new(const char *name)
{
	struct gobin *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->fd = -1;
	g->budget = GOBIN_READ_BUDGET;
	g->work_left = GOBIN_PROFILE_BUDGET;
	g->name = strdup(name ? name : "(memory)");
	if (!g->name) {
		free(g);
		return NULL;
	}
	return g;
}

/* One loaded region: @len bytes at file offset @off, link address @vaddr. */
static void add_region(struct gobin *g, uint64_t vaddr, uint64_t off,
		       uint64_t len)
{
	const uint8_t *p;

	if (g->nsegs >= GOBIN_MAXSEGS || vaddr + len < vaddr)
		return;
	/* A truncated file keeps what it has. */
	p = file_bytes(g, off, &len, 1);
	if (p)
		g->segs[g->nsegs++] = (struct gobin_seg){ vaddr, len, p };
}

/*
 * What the loader maps, read region by region: each allocated section
 * with file contents (so a huge PT_LOAD, or a section we do not need,
 * such as DWARF, is never read whole), or the PT_LOAD segments of a file
 * without section headers. Within the read budget: sections that do not
 * fit are left out, as if absent.
 */
/*
 * Sections read first, so that a binary whose code alone exceeds the
 * budget is still known as Go and symbolized: the function table, the
 * build info, moduledata and (Go 1.19) the inline trees in .rodata.
 */
static int first_section(struct gobin *g, const GElf_Shdr *sh)
{
	static const char *const names[] = {
		".gopclntab", ".data.rel.ro.gopclntab", ".go.buildinfo",
		".go.module", ".noptrdata", ".data.rel.ro", ".data", ".rodata",
	};
	size_t shstrndx;
	const char *n;

	if (elf_getshdrstrndx(g->elf, &shstrndx))
		return 0;
	n = elf_strptr(g->elf, shstrndx, sh->sh_name);
	for (size_t i = 0; n && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(n, names[i]))
			return 1;
	return 0;
}

static void load_regions(struct gobin *g, size_t nph)
{
	Elf_Scn *scn;
	GElf_Shdr sh;

	for (int pass = 0; pass < 2; pass++) {
		scn = NULL;
		while ((scn = elf_nextscn(g->elf, scn))) {
			if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
			    sh.sh_type == SHT_NOBITS || sh.sh_type == SHT_NULL ||
			    !sh.sh_size || (sh.sh_flags & SHF_TLS) ||
			    first_section(g, &sh) != !pass)
				continue;
			g->nsecs++;
			add_region(g, sh.sh_addr, sh.sh_offset, sh.sh_size);
		}
	}
	if (g->nsecs)
		return;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(g->elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			add_region(g, ph.p_vaddr, ph.p_offset, ph.p_filesz);
	}
}

/* Shared by gobin_open_fd and gobin_open_mem once libelf has the file. */
static int open_elf(struct gobin *g, char *err, size_t errlen)
{
	Elf *elf = g->elf;
	GElf_Ehdr eh;
	size_t nph, nsh, shstrndx;

	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		gobin_seterr(err, errlen, "%s: not an ELF file", g->name);
		return -1;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		gobin_seterr(err, errlen, "%s: only 64-bit little-endian ELF files are supported",
		       g->name);
		return -1;
	}
	g->info.elf_type = eh.e_type;
	g->machine = eh.e_machine;
	/*
	 * libelf reads all program and section headers, and the section
	 * name table, whole on first use: refuse counts no real file has.
	 */
	if (elf_getphdrnum(elf, &nph))
		nph = 0;
	if (elf_getshdrnum(elf, &nsh))
		nsh = 0;
	if (nph > GOBIN_MAX_HEADERS || nsh > GOBIN_MAX_SECTIONS) {
		gobin_seterr(err, errlen, "%s: implausible ELF file (%zu program headers, %zu section headers)",
			     g->name, nph, nsh);
		return -1;
	}
	limit_tables(g);
	if (nsh && !elf_getshdrstrndx(elf, &shstrndx) && !link_ok(g, shstrndx)) {
		gobin_seterr(err, errlen, "%s: implausible ELF file (section name table out of the file, or over %llu MiB, or past %llu MiB of symbol, string and relocation tables)",
			     g->name, (unsigned long long)(GOBIN_MAX_TABLE >> 20),
			     (unsigned long long)(GOBIN_MAX_TABLES >> 20));
		return -1;
	}
	g->info.load_vaddr = UINT64_MAX;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    ph.p_vaddr < g->info.load_vaddr)
			g->info.load_vaddr = ph.p_vaddr;
	}
	if (g->info.load_vaddr == UINT64_MAX)
		g->info.load_vaddr = 0;
	load_regions(g, nph);
	read_notes(g);
	read_buildinfo(g);
	if (locate_pclntab(g, err, errlen))
		return -1;
	return finish_open(g, err, errlen);
}

int gobin_open(const char *path, struct gobin **out, char *err, size_t errlen)
{
	/*
	 * The path may be anyone's: no symlink followed at its end, and no
	 * wait on a FIFO or device there (gobin_open_fd wants a regular file).
	 */
	int fd;

	*out = NULL;
	/*
	 * Not even opened if it lies on FUSE: open, stat and every read of
	 * it would wait on a server any user may run (see gobin.h).
	 */
	if (path[0] != '/' ||
	    gobin_mounted_on_fuse("/proc/self/mountinfo", 0, 0, path)) {
		gobin_seterr(err, errlen, "%s: on a FUSE file system, or on no mount oomprof-read can see: not read (its server could stall oomprof-read)",
			     path);
		errno = EREMOTE;
		return -1;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		gobin_seterr(err, errlen, "%s: %s%s", path, strerror(errno),
			     errno == ELOOP ? " (a symbolic link: not followed)" : "");
		return -1;
	}
	return gobin_open_fd(fd, path, out, err, errlen);
}

/* Is the type field at @type (mountinfo, after " - ") FUSE's? */
static int type_is_fuse(const char *type)
{
	return !strncmp(type, "fuse ", 5) || !strncmp(type, "fuseblk ", 8) ||
	       !strncmp(type, "fuse.", 5);
}

/* mountinfo's mount point @p (octal escapes: \040 is a space) decoded. */
static void unescape(const char *p, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		if (p[i] == '\\' && i + 3 < n && p[i + 1] >= '0' &&
		    p[i + 1] <= '3' && p[i + 2] >= '0' && p[i + 2] <= '7' &&
		    p[i + 3] >= '0' && p[i + 3] <= '7') {
			out[o++] = (char)((p[i + 1] - '0') * 64 +
					  (p[i + 2] - '0') * 8 + (p[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = p[i];
		}
	}
	out[o] = '\0';
}

int gobin_mounted_on_fuse(const char *mountinfo, unsigned int major,
			  unsigned int minor, const char *path)
{
	char line[8192], point[4096];
	size_t best = 0;
	int found = -1;
	FILE *f = fopen(mountinfo, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned int ma, mi;
		const char *sep = strstr(line, " - ");
		char *fields[5];
		char *save = NULL, *tok, *copy;
		int n = 0;

		if (!sep)
			continue;
		copy = line;
		while (n < 5 && (tok = strtok_r(copy, " ", &save))) {
			fields[n++] = tok;
			copy = NULL;
		}
		if (n < 5 || sscanf(fields[2], "%u:%u", &ma, &mi) != 2)
			continue;
		if (!path) {
			if (ma == major && mi == minor) {
				found = type_is_fuse(sep + 3);
				break;
			}
			continue;
		}
		/* The longest mount point that is a prefix of @path. */
		unescape(fields[4], strlen(fields[4]), point, sizeof(point));
		{
			size_t len = strlen(point);

			if (len == 1)
				len = 0;	/* "/" */
			if (strncmp(path, point, len) ||
			    (path[len] && path[len] != '/') || len + 1 < best)
				continue;
			best = len + 1;
			found = type_is_fuse(sep + 3);
		}
	}
	fclose(f);
	return found;
}

int gobin_open_fd(int fd, const char *name, struct gobin **out, char *err,
		  size_t errlen)
{
	struct gobin *g;
	struct stat st;

	*out = NULL;
	if (fstat(fd, &st)) {
		gobin_seterr(err, errlen, "%s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		gobin_seterr(err, errlen, "%s: not a regular file", name);
		close(fd);
		return -1;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		gobin_seterr(err, errlen, "%s: libelf is too old", name);
		close(fd);
		return -1;
	}
	g = gobin_new(name);
	if (!g) {
		gobin_seterr(err, errlen, "%s: out of memory", name);
		close(fd);
		return -1;
	}
	g->fd = fd;
	g->imgsz = (size_t)st.st_size;
	/*
	 * ELF_C_READ: libelf reads with pread what it is asked for, so a
	 * file truncated under us gives errors, not SIGBUS as a mapping
	 * would.
	 */
	g->elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!g->elf) {
		gobin_seterr(err, errlen, "%s: not an ELF file (%s)", name, elf_errmsg(-1));
		goto fail;
	}
	if (open_elf(g, err, errlen))
		goto fail;
	*out = g;
	return 0;
fail:
	gobin_close(g);
	return -1;
}

int gobin_open_mem(const void *buf, size_t len, const char *name,
		   struct gobin **out, char *err, size_t errlen)
{
	struct gobin *g;

	*out = NULL;
	g = elf_version(EV_CURRENT) != EV_NONE ? gobin_new(name) : NULL;
	if (!g) {
		gobin_seterr(err, errlen, "%s: out of memory", name ? name : "(memory)");
		return -1;
	}
	/* Exactly @len bytes, so that ASan sees any read past the end. */
	g->copy = malloc(len ? len : 1);
	if (!g->copy) {
		gobin_seterr(err, errlen, "%s: out of memory", g->name);
		goto fail;
	}
	memcpy(g->copy, buf, len);
	g->img = g->copy;
	g->imgsz = len;
	g->elf = elf_memory((char *)g->copy, len);
	if (!g->elf) {
		gobin_seterr(err, errlen, "%s: not an ELF file", g->name);
		goto fail;
	}
	if (open_elf(g, err, errlen))
		goto fail;
	*out = g;
	return 0;
fail:
	gobin_close(g);
	return -1;
}

/* Is @p inside region @s? */
static int seg_holds(const struct gobin_seg *s, uint64_t addr)
{
	return s->data && addr >= s->vaddr && addr - s->vaddr < s->filesz;
}

size_t gobin_trim(struct gobin *g)
{
	struct gobin_buf **pb = &g->bufs;
	size_t kept = 0;
	int n = 0;

	for (int i = 0; i < g->nsegs; i++) {
		const struct gobin_seg *s = &g->segs[i];

		if (seg_holds(s, g->info.pclntab_addr) ||
		    (g->info.gofunc_addr && seg_holds(s, g->info.gofunc_addr)))
			g->segs[n++] = *s;
	}
	g->nsegs = n;
	/* Free the buffers no kept region lies in. */
	while (*pb) {
		struct gobin_buf *b = *pb;
		int used = 0;

		for (int i = 0; i < g->nsegs && !used; i++)
			used = g->segs[i].data >= b->data &&
			       g->segs[i].data < b->data + b->len;
		if (used) {
			kept += b->len;
			pb = &b->next;
		} else {
			*pb = b->next;
			free(b);
		}
	}
	if (g->elf)
		elf_end(g->elf);
	g->elf = NULL;
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	if (g->copy)
		kept = g->imgsz;
	return kept + sizeof(*g);
}

int gobin_open_pclntab(const void *buf, size_t len, uint64_t text_start,
		       uint64_t gofunc_off, struct gobin **out, char *err,
		       size_t errlen)
{
	struct gobin *g = gobin_new("(pclntab)");

	*out = NULL;
	if (g)
		g->copy = malloc(len ? len : 1);
	if (!g || !g->copy) {
		gobin_seterr(err, errlen, "(pclntab): out of memory");
		gobin_close(g);
		return -1;
	}
	memcpy(g->copy, buf, len);
	g->img = g->copy;
	g->imgsz = len;
	g->segs[0] = (struct gobin_seg){ RAW_BASE, len, g->copy };
	g->nsegs = 1;
	g->info.pclntab_addr = RAW_BASE;
	g->info.pclntab_size = len;
	g->info.pclntab_from = "memory";
	if (gofunc_off < len) {
		g->info.gofunc_addr = RAW_BASE + gofunc_off;
		g->info.gofunc_from = "caller";
	}
	g->info.text_start = text_start;
	g->info.text_from = "caller";
	if (finish_open(g, err, errlen)) {
		gobin_close(g);
		return -1;
	}
	*out = g;
	return 0;
}

/* @p moved from the old gobin's storage into the copy's. */
static const uint8_t *dup_rebase(const struct gobin *from, struct gobin *to,
				 const uint8_t *p)
{
	const struct gobin_buf *ob, *nb;

	if (!p)
		return NULL;
	if (from->copy && p >= from->copy && p <= from->copy + from->imgsz)
		return to->copy + (p - from->copy);
	for (ob = from->bufs, nb = to->bufs; ob && nb;
	     ob = ob->next, nb = nb->next)
		if (p >= ob->data && p <= ob->data + ob->len)
			return nb->data + (p - ob->data);
	return NULL;	/* not in storage the gobin owns: cannot happen */
}

size_t gobin_bytes(const struct gobin *g)
{
	size_t n = sizeof(*g);

	if (!g)
		return 0;
	if (g->copy)
		n += g->imgsz;
	for (const struct gobin_buf *b = g->bufs; b; b = b->next)
		n += sizeof(*b) + b->len;
	return n;
}

struct gobin *gobin_dup(const struct gobin *g)
{
	struct gobin *d = g->fd < 0 && !g->elf ? gobin_new(g->name) : NULL;
	const struct gobin_buf *ob;
	struct gobin_buf **tail;

	if (!d)
		return NULL;

	const struct gobin_span *ospans[] = {
		&g->pcln, &g->funcnametab, &g->cutab, &g->filetab, &g->pctab,
		&g->pclntable,
	};
	struct gobin_span *spans[] = {
		&d->pcln, &d->funcnametab, &d->cutab, &d->filetab, &d->pctab,
		&d->pclntable,
	};

	/* Everything by value first, then each pointer into new storage. */
	{
		char *name = d->name;

		*d = *g;
		d->name = name;
	}
	d->bufs = NULL;
	d->names = NULL;	/* a cache: refilled on use */
	d->copy = NULL;
	d->work_left = GOBIN_PROFILE_BUDGET;
	d->work_spent = 0;
	if (g->copy) {
		d->copy = malloc(g->imgsz ? g->imgsz : 1);
		if (!d->copy)
			goto fail;
		memcpy(d->copy, g->copy, g->imgsz);
		d->img = d->copy;
	}
	tail = &d->bufs;
	for (ob = g->bufs; ob; ob = ob->next) {
		struct gobin_buf *nb = malloc(sizeof(*nb) + ob->len);

		if (!nb)
			goto fail;
		nb->next = NULL;
		nb->len = ob->len;
		memcpy(nb->data, ob->data, ob->len);
		*tail = nb;
		tail = &nb->next;
	}
	for (int i = 0; i < d->nsegs; i++) {
		d->segs[i].data = dup_rebase(g, d, g->segs[i].data);
		if (!d->segs[i].data && g->segs[i].data)
			goto fail;
	}
	for (size_t i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		spans[i]->p = dup_rebase(g, d, ospans[i]->p);
		if (!spans[i]->p && ospans[i]->p)
			goto fail;
	}
	return d;
fail:
	d->elf = NULL;
	d->fd = -1;
	gobin_close(d);
	return NULL;
}

void gobin_close(struct gobin *g)
{
	if (!g)
		return;
	while (g->bufs) {
		struct gobin_buf *b = g->bufs;

		g->bufs = b->next;
		free(b);
	}
	while (g->names) {
		struct gobin_name *n = g->names;

		g->names = n->next;
		free(n);
	}
	if (g->elf)
		elf_end(g->elf);
	if (g->fd >= 0)
		close(g->fd);
	free(g->copy);
	free(g->name);
	free(g);
}

const struct gobin_info *gobin_info(const struct gobin *g)
{
	return &g->info;
}
