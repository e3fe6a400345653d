/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded reader for the little of a Go executable's DWARF that
 * gomemstats.c needs: named struct types with their members (name, offset,
 * type), the types those members refer to (size, array length, what a
 * typedef names), and the addresses of named variables.
 *
 * One pass over .debug_info (DWARF 2 to 5, 32- and 64-bit units), read
 * straight from the file and decompressed as it goes (SHF_COMPRESSED zlib
 * sections, which Go 1.19 and 1.26 both write, or the older ".zdebug_*"
 * ones: "ZLIB" + 8-byte big-endian size). The pass stops as soon as every
 * struct and variable asked for, and every type their members lead to,
 * has been seen. Strings are inline (DW_FORM_string, all Go writes) or in
 * .debug_str / .debug_line_str / .debug_str_offsets, read whole when a
 * name needs them.
 *
 * Every byte is untrusted (anyone's executable): total work is bounded
 * (decompressed bytes, DIEs, abbreviations, attribute specs, nesting
 * depth, types kept), every offset is checked, nothing recurses. The
 * worst input found costs about 0.6 s of CPU here (a 500 KiB zlib stream
 * of null entries reaching GODWARF_MAX_WORK); a real one far less: Go
 * 1.26's cmd/go (5 MiB of .debug_info) is done after 2.5 MiB, 440K DIEs
 * and attributes, 20 ms. Read each executable once and keep the result.
 */
#ifndef OOMPROF_USER_GODWARF_H
#define OOMPROF_USER_GODWARF_H

#include <stddef.h>
#include <stdint.h>

#include "gobin.h"

/* Bounds on one executable's DWARF. */
#define GODWARF_MAX_INFO (512ull << 20)	/* decompressed .debug_info read */
/*
 * Each string section and .debug_abbrev, read whole: Go writes no string
 * sections (names are inline) and an abbreviation table of a few KiB, so
 * this bounds only a forged file's cost to a root daemon that runs at
 * OOMScoreAdjust=-1000 (the sections' memory with the types kept: under
 * 80 MiB at worst).
 */
#define GODWARF_MAX_STR (8ull << 20)
#define GODWARF_MAX_WORK (64u << 20)	/* DIEs + attributes visited */
#define GODWARF_MAX_ABBREV_WORK (4u << 20)	/* abbrev entries + specs parsed */
#define GODWARF_MAX_ABBREVS 65536	/* entries in one table */
#define GODWARF_MAX_SPECS 256	/* attributes of one abbreviation */
#define GODWARF_MAX_DEPTH 128	/* DIE nesting */
#define GODWARF_MAX_TYPES (1u << 20)	/* types kept (40 bytes each) */
#define GODWARF_MAX_MEMBERS 1024	/* members kept per struct */
#define GODWARF_MAX_WANT 32	/* structs, and variables, asked for */
#define GODWARF_NAME_MAX 128	/* longer names never match */

enum godwarf_tag {	/* some of the DW_TAG values of the types kept */
	GODWARF_ARRAY = 0x01,
	GODWARF_POINTER = 0x0f,
	GODWARF_STRUCT = 0x13,
	GODWARF_TYPEDEF = 0x16,
	GODWARF_BASE = 0x24,
};

struct godwarf_member {
	char name[GODWARF_NAME_MAX];
	uint64_t offset;	/* DW_AT_data_member_location */
	uint64_t type;		/* .debug_info offset of its type, 0 if none */
};

struct godwarf_struct {
	const char *name;	/* as asked */
	int found;
	uint64_t die;		/* its .debug_info offset */
	uint64_t byte_size;
	unsigned nmembers;
	struct godwarf_member *members;
};

struct godwarf_var {
	const char *name;
	int found;		/* with a DW_OP_addr location */
	uint64_t addr;
};

/*
 * A kept type: every DIE with a type's tag (base, typedef, pointer,
 * struct, union, array, enum, subroutine, const, volatile, unspecified).
 */
struct godwarf_type {
	uint64_t die;
	uint8_t tag;		/* enum godwarf_tag */
	uint64_t byte_size;	/* UINT64_MAX: none */
	uint64_t type;		/* typedef's or array element's type, 0 none */
	uint64_t count;		/* array: DW_AT_count or upper bound + 1; UINT64_MAX none */
};

struct godwarf;

/*
 * The raw sections, for godwarf_load_sections (tests, fuzzing). Each is
 * either plain or, if @compressed, an ELF compression header
 * (Elf64_Chdr, 24 bytes) followed by a zlib stream; @zdebug: "ZLIB" +
 * 8-byte big-endian size + zlib stream. NULL/0: absent.
 */
struct godwarf_section {
	const uint8_t *p;
	size_t len;
	int compressed, zdebug;
};

struct godwarf_sections {
	struct godwarf_section info, abbrev, str, line_str, str_offsets;
	/*
	 * Lower bounds for fuzzing; 0: GODWARF_MAX_INFO, GODWARF_MAX_WORK,
	 * GODWARF_MAX_ABBREV_WORK.
	 */
	uint64_t max_info, max_work, max_abbrev_work;
};

/*
 * Read @g's DWARF for the structs named @structs and the variables named
 * @vars (at most GODWARF_MAX_WANT each). 0, with what was found in
 * godwarf_struct/godwarf_var; -1 with a sentence for people in @err when
 * the DWARF cannot be read at all ("no DWARF: built with -ldflags=-w",
 * "DWARF past its bounds", a malformed unit, ...). What was not found is
 * not an error here. @g must not be trimmed yet (gobin_trim): the
 * sections are read from its file.
 */
int godwarf_load(struct gobin *g, const char *const *structs,
		 unsigned nstructs, const char *const *vars, unsigned nvars,
		 struct godwarf **out, char *err, size_t errlen);

/* The same from sections in memory. */
int godwarf_load_sections(const struct godwarf_sections *s,
			  const char *const *structs, unsigned nstructs,
			  const char *const *vars, unsigned nvars,
			  struct godwarf **out, char *err, size_t errlen);

void godwarf_free(struct godwarf *d);

/* The struct asked for as @name (found or not), NULL if not asked for. */
const struct godwarf_struct *godwarf_struct(const struct godwarf *d,
					    const char *name);
const struct godwarf_var *godwarf_var(const struct godwarf *d,
				      const char *name);

/* The kept type at .debug_info offset @die, NULL if none. */
const struct godwarf_type *godwarf_type(const struct godwarf *d,
					uint64_t die);

/*
 * The type at @die with typedefs followed (at most 8): NULL if it is not
 * kept or the chain does not end.
 */
const struct godwarf_type *godwarf_resolve(const struct godwarf *d,
					   uint64_t die);

/*
 * Offset and size of the member path @path ("spanalloc.inuse": members
 * of nested structs, which must be among those asked for) inside the
 * struct asked for as @name. The last member's type is returned in @type
 * (resolved through typedefs) if @type is not NULL. 0, or -1 with a
 * sentence in @err ("runtime.mheap has no member spanalloc", ...).
 */
int godwarf_member(const struct godwarf *d, const char *name,
		   const char *path, uint64_t *off, uint64_t *size,
		   const struct godwarf_type **type, char *err, size_t errlen);

/* Bytes of .debug_info decompressed and DIEs visited (for tests). */
void godwarf_stats(const struct godwarf *d, uint64_t *bytes, uint64_t *dies);

#endif
