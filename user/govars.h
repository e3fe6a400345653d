/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the Go runtime keeps the two variables the heap-profile capture
 * needs, as link-time addresses: runtime.mbuckets (head of the memory
 * profile's bucket list, one word) and runtime.MemProfileRate (an int).
 *
 * From the ELF symbol table when the binary has one; otherwise (built with
 * -ldflags=-s) from the machine code of runtime functions that use them,
 * found through .gopclntab. x86-64 only; Go 1.19 to at least 1.26. Every
 * byte of the file is untrusted: a binary that does not look exactly as
 * expected gives "not found" with a reason, never a guess.
 */
#ifndef OOMPROF_USER_GOVARS_H
#define OOMPROF_USER_GOVARS_H

#include <stddef.h>
#include <stdint.h>

#include "gobin.h"

/*
 * Link-time addresses of runtime.mbuckets and runtime.MemProfileRate
 * (add the load bias of a PIE). Returns 0 and sets @how to a static
 * string: "symbol table", or "code of runtime.X and runtime.Y ...".
 * Returns -1 with a sentence for people in @err otherwise.
 */
int govars_find(struct gobin *g, uint64_t *mbuckets, uint64_t *rate,
		const char **how, char *err, size_t errlen);

/* The same, from the code only, even when a symbol table is present. */
int govars_from_code(struct gobin *g, uint64_t *mbuckets, uint64_t *rate,
		     const char **how, char *err, size_t errlen);

/*
 * The x86-64 instruction decoder underneath (exposed for tests and
 * fuzzing). It knows instruction lengths and RIP-relative memory operands,
 * nothing more.
 */
enum govars_ref_kind {
	GOVARS_REF_OTHER = 0,	/* any other instruction with a [rip+disp32] */
	GOVARS_REF_LOAD64,	/* MOV r64, [rip+disp32]   (REX.W 8B /r) */
	GOVARS_REF_LEA64,	/* LEA r64, [rip+disp32]   (REX.W 8D /r) */
};

struct govars_insn {
	uint8_t len;		/* 1..15 */
	uint8_t map;		/* 0: one-byte, 1: 0F, 2: 0F38, 3: 0F3A */
	uint8_t opcode;
	uint8_t riprel;		/* has a [rip+disp32] operand */
	uint8_t kind;		/* enum govars_ref_kind, if riprel */
	int32_t disp;		/* the disp32 of a riprel operand */
};

/*
 * Decode the instruction at @p (at most @n bytes readable). Returns its
 * length, or -1 if it is not a valid 64-bit-mode instruction or runs past
 * @n.
 */
int govars_decode(const uint8_t *p, size_t n, struct govars_insn *out);

struct govars_ref {
	uint64_t insn;		/* address of the instruction */
	uint64_t target;	/* next instruction's address + disp32 */
	uint8_t kind;
};

/*
 * Decode @len bytes of code loaded at @addr from the first byte to the
 * last and collect up to @max RIP-relative references into @refs.
 * Returns the number of references found (which may exceed @max: only
 * @max are stored), or -1 if the bytes do not decode exactly to @len
 * (an invalid instruction, or one that straddles the end); then
 * *@bad_off is the offset where decoding failed.
 */
long govars_scan(const uint8_t *code, size_t len, uint64_t addr,
		 struct govars_ref *refs, size_t max, size_t *bad_off);

#endif
