// SPDX-License-Identifier: GPL-2.0
/*
 * runtime.mbuckets and runtime.MemProfileRate in a Go binary with or
 * without a symbol table (see govars.h).
 *
 * Without symbols, the addresses come from the RIP-relative operands of
 * runtime functions that exist in every release from Go 1.19 to 1.26 and
 * whose source makes the reference unambiguous (checked against each
 * toolchain's $(go env GOROOT)/src/runtime and `go tool objdump`):
 *
 * runtime.mbuckets, an 8-byte pointer word in .bss:
 *   - runtime.mProf_FlushLocked (mprof.go): `head := mbuckets.Load()`;
 *     its only 64-bit load from a global: MOVQ runtime.mbuckets(SB), reg.
 *   - runtime.stkbucket (mprof.go): `allnext = &mbuckets` (and &bbuckets,
 *     &xbuckets): LEAQ runtime.mbuckets(SB), reg.
 *   - if linked (a program that can write heap profiles): runtime.MemProfile
 *     (Go 1.19-1.22) or runtime.memProfileInternal (Go 1.23+): `head :=
 *     mbuckets.Load()`: MOVQ again.
 *   The address must be a MOVQ source in the first, a LEAQ operand in the
 *   second and (if linked) a MOVQ source in the third, and lie in .bss.
 *
 * runtime.MemProfileRate, an int: in .noptrbss in Go 1.19 (initialised at
 * run time by defaultMemProfileRate), in .noptrdata holding 524288 in the
 * file since the initialiser became the constant 512*1024:
 *   - runtime.profilealloc (malloc.go): `c.memProfRate = MemProfileRate`
 *     (1.26) and the inlined nextSample(): MOVQ runtime.MemProfileRate(SB).
 *     Its other 64-bit global load is runtime.mcache0 (a pointer, .bss).
 *   - runtime.allocmcache (mcache.go): `c.nextSample = nextSample()`,
 *     inlined: its only 64-bit load from a global is MemProfileRate.
 *   The address must be a MOVQ source in both and lie in .noptrdata (with
 *   524288 there) or .noptrbss.
 *
 * Each function is decoded from its entry to the next function's entry,
 * instruction by instruction (a length decoder for the whole x86-64
 * encoding space Go emits: legacy, 0F, 0F38, 0F3A, VEX, EVEX); a function
 * that does not decode exactly to its end gives no evidence.
 */
#include "govars.h"

#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_RATE 524288	/* runtime/mprof.go: 512 * 1024 */
#define MAX_FUNC_BYTES (1u << 20)
#define MAX_REFS 8192

/* ---- x86-64 instruction lengths ---------------------------------------- */

enum {
	F_M = 1,	/* ModRM follows */
	F_I8 = 2,	/* imm8 (adds) */
	F_I16 = 4,	/* imm16 (adds) */
	F_IZ = 8,	/* imm16/imm32 by operand size */
	F_IV = 16,	/* imm16/32/64 by operand size (MOV r, imm) */
	F_I32 = 32,	/* rel32 */
	F_MOFFS = 64,	/* 8-byte (4 with 0x67) absolute address */
	F_GRP3 = 128,	/* F6/F7: immediate only for /0 and /1 (TEST) */
	F_BAD = 256,
};

static unsigned int op1_flags(uint8_t op)
{
	if (op < 0x40) {
		switch (op & 7) {
		case 0: case 1: case 2: case 3:
			return F_M;
		case 4:
			return F_I8;
		case 5:
			return F_IZ;
		default:	/* push/pop seg, daa, ...: invalid in 64-bit mode */
			return F_BAD;
		}
	}
	if (op >= 0x50 && op <= 0x5f)
		return 0;
	if (op >= 0x70 && op <= 0x7f)
		return F_I8;
	if (op >= 0x84 && op <= 0x8f)
		return F_M;
	if (op >= 0x90 && op <= 0x9f)
		return op == 0x9a ? F_BAD : 0;
	if (op >= 0xa0 && op <= 0xa3)
		return F_MOFFS;
	if (op >= 0xa4 && op <= 0xaf)
		return op == 0xa8 ? F_I8 : op == 0xa9 ? F_IZ : 0;
	if (op >= 0xb0 && op <= 0xb7)
		return F_I8;
	if (op >= 0xb8 && op <= 0xbf)
		return F_IV;
	if (op >= 0xd8 && op <= 0xdf)
		return F_M;	/* x87 */
	switch (op) {
	case 0x63: return F_M;
	case 0x68: return F_IZ;
	case 0x69: return F_M | F_IZ;
	case 0x6a: return F_I8;
	case 0x6b: return F_M | F_I8;
	case 0x6c: case 0x6d: case 0x6e: case 0x6f: return 0;
	case 0x80: return F_M | F_I8;
	case 0x81: return F_M | F_IZ;
	case 0x83: return F_M | F_I8;
	case 0xc0: case 0xc1: return F_M | F_I8;
	case 0xc2: return F_I16;
	case 0xc3: return 0;
	case 0xc6: return F_M | F_I8;
	case 0xc7: return F_M | F_IZ;
	case 0xc8: return F_I16 | F_I8;
	case 0xc9: return 0;
	case 0xca: return F_I16;
	case 0xcb: case 0xcc: return 0;
	case 0xcd: return F_I8;
	case 0xcf: return 0;
	case 0xd0: case 0xd1: case 0xd2: case 0xd3: return F_M;
	case 0xd7: return 0;
	case 0xe0: case 0xe1: case 0xe2: case 0xe3: return F_I8;
	case 0xe4: case 0xe5: case 0xe6: case 0xe7: return F_I8;
	case 0xe8: case 0xe9: return F_I32;
	case 0xeb: return F_I8;
	case 0xec: case 0xed: case 0xee: case 0xef: return 0;
	case 0xf1: case 0xf4: case 0xf5: return 0;
	case 0xf6: return F_M | F_GRP3;
	case 0xf7: return F_M | F_GRP3;
	case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc: case 0xfd: return 0;
	case 0xfe: case 0xff: return F_M;
	default:
		return F_BAD;
	}
}

static unsigned int op0f_flags(uint8_t op)
{
	if (op >= 0x10 && op <= 0x23)
		return F_M;
	if ((op >= 0x28 && op <= 0x2f) || (op >= 0x40 && op <= 0x6f))
		return F_M;
	if (op >= 0x70 && op <= 0x73)
		return F_M | F_I8;
	if (op >= 0x74 && op <= 0x7f)
		return op == 0x77 ? 0 : F_M;
	if (op >= 0x80 && op <= 0x8f)
		return F_I32;
	if (op >= 0x90 && op <= 0x9f)
		return F_M;
	if (op >= 0xc8 && op <= 0xcf)
		return 0;	/* bswap */
	if (op >= 0xd0)
		return F_M;
	switch (op) {
	case 0x00: case 0x01: case 0x02: case 0x03: case 0x0d: return F_M;
	case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0b:
	case 0x0e: return 0;
	case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35:
	case 0x37: return 0;
	case 0xa0: case 0xa1: case 0xa2: case 0xa8: case 0xa9: case 0xaa: return 0;
	case 0xa3: case 0xa5: case 0xab: case 0xad: case 0xae: case 0xaf: return F_M;
	case 0xa4: case 0xac: case 0xba: return F_M | F_I8;
	case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5:
	case 0xb6: case 0xb7: case 0xb8: case 0xb9: case 0xbb: case 0xbc:
	case 0xbd: case 0xbe: case 0xbf: return F_M;
	case 0xc0: case 0xc1: case 0xc3: case 0xc7: return F_M;
	case 0xc2: case 0xc4: case 0xc5: case 0xc6: return F_M | F_I8;
	default:
		return F_BAD;
	}
}

static int is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3: case 0x2e: case 0x36: case 0x3e:
	case 0x26: case 0x64: case 0x65: case 0x66: case 0x67:
		return 1;
	default:
		return 0;
	}
}

int govars_decode(const uint8_t *p, size_t n, struct govars_insn *out)
{
	size_t i = 0, max = n < 15 ? n : 15;
	int p66 = 0, p67 = 0, rexw = 0, vex = 0;
	unsigned int fl;
	uint8_t op, map = 0;

	memset(out, 0, sizeof(*out));
	while (i < max && is_legacy_prefix(p[i])) {
		p66 |= p[i] == 0x66;
		p67 |= p[i] == 0x67;
		i++;
	}
	if (i < max && (p[i] & 0xf0) == 0x40) {
		rexw = p[i] & 8;
		i++;
		if (i < max && is_legacy_prefix(p[i]))
			return -1;	/* a REX not right before the opcode */
	}
	if (i >= max)
		return -1;
	if (p[i] == 0xc5 || p[i] == 0xc4 || p[i] == 0x62) {
		/* VEX (2 or 3 bytes) or EVEX (4): never LES/LDS/BOUND in 64-bit mode. */
		if (rexw || p66)
			return -1;	/* #UD with REX or 66 before VEX/EVEX */
		vex = 1;
		if (p[i] == 0xc5) {
			map = 1;
			i += 2;
		} else if (p[i] == 0xc4) {
			if (i + 1 >= max)
				return -1;
			map = p[i + 1] & 0x1f;
			i += 3;
		} else {
			if (i + 1 >= max)
				return -1;
			map = p[i + 1] & 7;
			i += 4;
		}
		if (i >= max)
			return -1;
		op = p[i++];
		if (map == 1)
			fl = op == 0x77 ? 0 : F_M | (op0f_flags(op) & F_I8);
		else if (map == 2 || map == 5 || map == 6)
			fl = F_M;
		else if (map == 3)
			fl = F_M | F_I8;
		else
			return -1;
	} else if (p[i] == 0x0f) {
		if (++i >= max)
			return -1;
		if (p[i] == 0x38 || p[i] == 0x3a) {
			map = p[i] == 0x38 ? 2 : 3;
			if (++i >= max)
				return -1;
			op = p[i++];
			fl = map == 2 ? F_M : F_M | F_I8;
		} else {
			map = 1;
			op = p[i++];
			fl = op0f_flags(op);
		}
	} else {
		op = p[i++];
		fl = op1_flags(op);
	}
	if (fl & F_BAD)
		return -1;
	out->map = map;
	out->opcode = op;
	if (fl & F_M) {
		uint8_t modrm, mod, rm;

		if (i >= max)
			return -1;
		modrm = p[i++];
		mod = modrm >> 6;
		rm = modrm & 7;
		if (mod != 3 && rm == 4) {	/* SIB */
			if (i >= max)
				return -1;
			if ((p[i++] & 7) == 5 && mod == 0)
				i += 4;
		}
		if (mod == 0 && rm == 5) {
			if (i + 4 > max)
				return -1;
			out->riprel = 1;
			out->disp = (int32_t)((uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
					      (uint32_t)p[i + 2] << 16 |
					      (uint32_t)p[i + 3] << 24);
			i += 4;
		} else if (mod == 1) {
			i += 1;
		} else if (mod == 2) {
			i += 4;
		}
		if ((fl & F_GRP3) && ((modrm >> 3) & 7) <= 1)
			fl |= op == 0xf6 ? F_I8 : F_IZ;
		if (!vex && map == 0 && rexw && out->riprel)
			out->kind = op == 0x8b ? GOVARS_REF_LOAD64 :
				    op == 0x8d ? GOVARS_REF_LEA64 : GOVARS_REF_OTHER;
	}
	if (fl & F_I8)
		i += 1;
	if (fl & F_I16)
		i += 2;
	if (fl & F_IZ)
		i += p66 && !rexw ? 2 : 4;
	if (fl & F_IV)
		i += rexw ? 8 : p66 ? 2 : 4;
	if (fl & F_I32)
		i += 4;
	if (fl & F_MOFFS)
		i += p67 ? 4 : 8;
	if (i > max)
		return -1;
	out->len = (uint8_t)i;
	return (int)i;
}

long govars_scan(const uint8_t *code, size_t len, uint64_t addr,
		 struct govars_ref *refs, size_t max, size_t *bad_off)
{
	size_t off = 0;
	long nref = 0;

	while (off < len) {
		struct govars_insn in;
		int l = govars_decode(code + off, len - off, &in);

		if (l <= 0) {
			if (bad_off)
				*bad_off = off;
			return -1;
		}
		if (in.riprel) {
			if ((size_t)nref < max)
				refs[nref] = (struct govars_ref){
					addr + off,
					addr + off + (uint64_t)l + (uint64_t)(int64_t)in.disp,
					in.kind };
			nref++;
		}
		off += (size_t)l;
	}
	return nref;
}

/* ---- where an address lies ---------------------------------------------- */

enum where {
	W_NONE, W_NOPTRDATA, W_DATA, W_BSS, W_NOPTRBSS, W_OTHER,
	W_SEG_FILE, W_SEG_ZERO,	/* no section headers: a segment's file/bss part */
};

static enum where where_is(struct gobin *g, uint64_t addr, uint64_t size)
{
	Elf *elf = g->elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx, nsec = 0;
	GElf_Shdr sh;

	if (!elf)
		return W_NONE;
	if (elf_getshdrstrndx(elf, &shstrndx) == 0) {
		while ((scn = elf_nextscn(elf, scn))) {
			const char *n;

			if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
			    sh.sh_type == SHT_NULL)
				continue;
			nsec++;
			if (addr < sh.sh_addr || addr - sh.sh_addr >= sh.sh_size ||
			    size > sh.sh_size - (addr - sh.sh_addr))
				continue;
			if (sh.sh_flags & SHF_TLS)
				continue;	/* .tbss overlaps address 0.. */
			n = elf_strptr(elf, shstrndx, sh.sh_name);
			if (!n)
				return W_OTHER;
			if (!strcmp(n, ".noptrdata") && sh.sh_type == SHT_PROGBITS)
				return W_NOPTRDATA;
			if (!strcmp(n, ".data") && sh.sh_type == SHT_PROGBITS)
				return W_DATA;
			if (!strcmp(n, ".bss") && sh.sh_type == SHT_NOBITS)
				return W_BSS;
			if (!strcmp(n, ".noptrbss") && sh.sh_type == SHT_NOBITS)
				return W_NOPTRBSS;
			return W_OTHER;
		}
		if (nsec)
			return W_NONE;
	}
	/* No section headers (stripped with sstrip or similar): segments. */
	{
		size_t nph;

		if (elf_getphdrnum(elf, &nph))
			return W_NONE;
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
			    !(ph.p_flags & PF_W) || addr < ph.p_vaddr ||
			    addr - ph.p_vaddr >= ph.p_memsz ||
			    size > ph.p_memsz - (addr - ph.p_vaddr))
				continue;
			if (addr - ph.p_vaddr >= ph.p_filesz)
				return W_SEG_ZERO;
			if (size <= ph.p_filesz - (addr - ph.p_vaddr))
				return W_SEG_FILE;
			return W_OTHER;
		}
	}
	return W_NONE;
}

static const char *where_name(enum where w)
{
	static const char *const names[] = {
		"outside the binary's data", ".noptrdata", ".data", ".bss",
		".noptrbss", "another section", "a segment's file data",
		"a segment's zero-filled part" };

	return names[w];
}

static int64_t file_word(struct gobin *g, uint64_t addr, int *ok)
{
	const uint8_t *p = gobin_at(g, addr, 8);
	uint64_t v = 0;

	*ok = p != NULL;
	for (int i = 7; p && i >= 0; i--)
		v = v << 8 | p[i];
	return (int64_t)v;
}

/* ---- evidence ------------------------------------------------------------ */

struct fnrefs {
	const char *name;
	int present;
	struct govars_ref *refs;
	long n;
};

/*
 * Decode function @name. Returns 1 with its references, 0 if the binary
 * has no such function, -1 (with @err) if it cannot be decoded.
 */
static int load_fn(struct gobin *g, const char *name, struct fnrefs *f,
		   char *err, size_t errlen)
{
	uint64_t entry, end;
	const uint8_t *code;
	size_t bad = 0;

	f->name = name;
	f->present = 0;
	f->n = 0;
	if (gobin_func_by_name(g, name, &entry, &end))
		return 0;
	if (end <= entry || end - entry > MAX_FUNC_BYTES) {
		gobin_seterr(err, errlen, "%s has an implausible size (0x%llx to 0x%llx)", name,
		       (unsigned long long)entry, (unsigned long long)end);
		return -1;
	}
	code = gobin_at(g, entry, end - entry);
	if (!code) {
		gobin_seterr(err, errlen, "the code of %s (0x%llx) is not in the file", name,
		       (unsigned long long)entry);
		return -1;
	}
	f->refs = calloc(MAX_REFS, sizeof(*f->refs));
	if (!f->refs) {
		gobin_seterr(err, errlen, "out of memory");
		return -1;
	}
	f->n = govars_scan(code, end - entry, entry, f->refs, MAX_REFS, &bad);
	if (f->n < 0) {
		gobin_seterr(err, errlen, "%s does not decode as x86-64 at 0x%llx", name,
		       (unsigned long long)(entry + bad));
		return -1;
	}
	if (f->n > MAX_REFS) {
		gobin_seterr(err, errlen, "%s has too many memory operands", name);
		return -1;
	}
	f->present = 1;
	return 1;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct govars_ref *x = a, *y = b;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

/* @f's references sorted by target (then kind), for has_ref. */
static void sort_refs(struct fnrefs *f)
{
	if (f->n > 1)
		qsort(f->refs, (size_t)f->n, sizeof(*f->refs), ref_cmp);
}

/* Binary search: a function has up to MAX_REFS references, all forged. */
static int has_ref(const struct fnrefs *f, uint64_t target, uint8_t kind)
{
	struct govars_ref key = { 0, target, kind };
	long lo = 0, hi = f->n;

	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;
		int c = ref_cmp(&f->refs[mid], &key);

		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

typedef int (*accept_fn)(struct gobin *g, uint64_t addr, char *why, size_t whylen);

static int accept_mbuckets(struct gobin *g, uint64_t addr, char *why, size_t whylen)
{
	enum where w = where_is(g, addr, 8);

	if (addr % 8 || (w != W_BSS && w != W_SEG_ZERO)) {
		snprintf(why, whylen, "0x%llx is in %s%s, not .bss",
			 (unsigned long long)addr, where_name(w),
			 addr % 8 ? " and misaligned" : "");
		return 0;
	}
	return 1;
}

static int accept_rate(struct gobin *g, uint64_t addr, char *why, size_t whylen)
{
	enum where w = where_is(g, addr, 8);
	int64_t v;
	int ok;

	if (addr % 8) {
		snprintf(why, whylen, "0x%llx is misaligned", (unsigned long long)addr);
		return 0;
	}
	if (w == W_NOPTRBSS || w == W_SEG_ZERO)
		return 1;
	if (w == W_NOPTRDATA || w == W_SEG_FILE) {
		v = file_word(g, addr, &ok);
		if (ok && v == DEFAULT_RATE)
			return 1;
		snprintf(why, whylen, "0x%llx in %s holds %lld, not %d",
			 (unsigned long long)addr, where_name(w), (long long)v,
			 DEFAULT_RATE);
		return 0;
	}
	snprintf(why, whylen, "0x%llx is in %s, not .noptrdata or .noptrbss",
		 (unsigned long long)addr, where_name(w));
	return 0;
}

/*
 * The one address that is a @kinds[0] reference in @fns[0], a @kinds[i]
 * reference in every other present function (all but the last optional
 * ones are required) and passes @accept. @what names the variable.
 */
static int pick(struct gobin *g, const char *what, struct fnrefs *fns,
		const uint8_t *kinds, int nfn, accept_fn accept, uint64_t *out,
		char *err, size_t errlen)
{
	uint64_t found = 0;
	int nfound = 0;
	char why[160] = "";

	/*
	 * Sorted, so that duplicates are neighbours and lookups are
	 * logarithmic: linear-time checks over all pairs of references cost
	 * 10^8 steps in a function forged to hold MAX_REFS of them.
	 */
	for (int k = 0; k < nfn; k++)
		sort_refs(&fns[k]);
	for (long i = 0; i < fns[0].n; i++) {
		uint64_t t = fns[0].refs[i].target;
		int all = 1;

		if (fns[0].refs[i].kind != kinds[0])
			continue;
		if (i && !ref_cmp(&fns[0].refs[i - 1], &fns[0].refs[i]))
			continue;	/* the same target again */
		for (int k = 1; k < nfn && all; k++)
			all = !fns[k].present || has_ref(&fns[k], t, kinds[k]);
		if (!all || !accept(g, t, why, sizeof(why)))
			continue;
		if (nfound++ == 0)
			found = t;
	}
	if (nfound == 1) {
		*out = found;
		return 0;
	}
	if (nfound > 1)
		gobin_seterr(err, errlen, "%s: the code of %s and %s leaves %d candidates, refusing to guess",
		       what, fns[0].name, fns[1].name, nfound);
	else
		gobin_seterr(err, errlen, "%s: no address used by %s%s%s%s%s%s",
		       what, fns[0].name, nfn > 1 ? " and " : "",
		       nfn > 1 ? fns[1].name : "",
		       nfn > 2 && fns[2].present ? " and " : "",
		       nfn > 2 && fns[2].present ? fns[2].name : "",
		       why[0] ? " passes the checks" : " fits");
	if (nfound == 0 && why[0]) {
		size_t l = strlen(err);

		if (l < errlen)
			gobin_seterr(err + l, errlen - l, " (last rejected: %s)", why);
	}
	return -1;
}

int govars_from_code(struct gobin *g, uint64_t *mbuckets, uint64_t *rate,
		     const char **how, char *err, size_t errlen)
{
	static const char *const mb3[] = { "runtime.memProfileInternal",
					   "runtime.MemProfile" };
	static const char *const hows[] = {
		"code of runtime.mProf_FlushLocked and runtime.stkbucket (mbuckets), runtime.profilealloc and runtime.allocmcache (MemProfileRate)",
		"code of runtime.mProf_FlushLocked, runtime.stkbucket and runtime.memProfileInternal (mbuckets), runtime.profilealloc and runtime.allocmcache (MemProfileRate)",
		"code of runtime.mProf_FlushLocked, runtime.stkbucket and runtime.MemProfile (mbuckets), runtime.profilealloc and runtime.allocmcache (MemProfileRate)",
	};
	static const uint8_t mbk[] = { GOVARS_REF_LOAD64, GOVARS_REF_LEA64,
				       GOVARS_REF_LOAD64 };
	static const uint8_t rk[] = { GOVARS_REF_LOAD64, GOVARS_REF_LOAD64 };
	struct fnrefs mb[3] = { { 0 } }, r[2] = { { 0 } };
	const char *need[] = { "runtime.mProf_FlushLocked", "runtime.stkbucket",
			       "runtime.profilealloc", "runtime.allocmcache" };
	struct fnrefs *needf[] = { &mb[0], &mb[1], &r[0], &r[1] };
	int ret = -1, third = 0;

	if (g->machine != EM_X86_64) {
		gobin_seterr(err, errlen, "no symbol table, and reading the code is only implemented for x86-64");
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		int rc = load_fn(g, need[i], needf[i], err, errlen);

		if (rc < 0)
			goto out;
		if (rc == 0) {
			gobin_seterr(err, errlen, "the function table has no %s", need[i]);
			goto out;
		}
	}
	for (int i = 0; i < 2 && !third; i++) {
		int rc = load_fn(g, mb3[i], &mb[2], err, errlen);

		if (rc < 0)
			goto out;
		if (rc > 0)
			third = i + 1;
	}
	if (pick(g, "runtime.mbuckets", mb, mbk, 3, accept_mbuckets, mbuckets,
		 err, errlen) ||
	    pick(g, "runtime.MemProfileRate", r, rk, 2, accept_rate, rate, err,
		 errlen))
		goto out;
	if (*mbuckets == *rate) {
		gobin_seterr(err, errlen, "runtime.mbuckets and runtime.MemProfileRate came out the same (0x%llx)",
		       (unsigned long long)*rate);
		goto out;
	}
	*how = hows[third];
	ret = 0;
out:
	for (int i = 0; i < 3; i++)
		free(mb[i].refs);
	for (int i = 0; i < 2; i++)
		free(r[i].refs);
	return ret;
}

int govars_find(struct gobin *g, uint64_t *mbuckets, uint64_t *rate,
		const char **how, char *err, size_t errlen)
{
	uint64_t m, r;

	if (!gobin_symbol(g, "runtime.mbuckets", &m, NULL) &&
	    !gobin_symbol(g, "runtime.MemProfileRate", &r, NULL)) {
		*mbuckets = m;
		*rate = r;
		*how = "symbol table";
		return 0;
	}
	return govars_from_code(g, mbuckets, rate, how, err, errlen);
}
