/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Go executable, read from disk (or memory) without DWARF or a symbol
 * table: the ELF notes that identify it, and the runtime's own function
 * table (.gopclntab) that symbolize.h turns PCs into frames with.
 *
 * Supported: Go 1.18 and later (pclntab magic 0xfffffff0 for 1.18-1.19,
 * 0xfffffff1 for 1.20+), 64-bit little-endian ELF. Every byte of the file
 * is treated as untrusted: a malformed file yields an error or "no frame",
 * never a read outside it.
 */
#ifndef OOMPROF_USER_GOBIN_H
#define OOMPROF_USER_GOBIN_H

#include <stddef.h>
#include <stdint.h>

struct gobin_info {
	char go_version[64];	/* "go1.26.8" from .go.buildinfo, or "" */
	char go_build_id[128];	/* .note.go.buildid, or "" */
	char gnu_build_id[129];	/* .note.gnu.build-id as hex, or "" */
	int elf_type;		/* ET_EXEC, or ET_DYN for PIE (0: raw pclntab) */
	uint32_t pclntab_magic;	/* 0xfffffff0 or 0xfffffff1 */
	uint64_t pclntab_addr, pclntab_size;	/* link-time address */
	const char *pclntab_from;	/* "section .gopclntab", "symbol ...", ... */
	uint64_t moduledata_addr;	/* runtime.firstmoduledata, 0 if not found */
	const char *moduledata_from;
	uint64_t text_start;	/* runtime.text: base of function entry offsets */
	const char *text_from;
	uint64_t gofunc_addr;	/* go:func.*: base of inline trees, 0 if unknown */
	const char *gofunc_from;
	uint64_t min_pc, max_pc;	/* [first function entry, end of last) */
	uint32_t nfunc;
	uint64_t load_vaddr;	/* lowest PT_LOAD address */
	int go_minor;		/* 26 for go1.26.x; from the version, else magic */
};

struct gobin;

/*
 * Open the Go executable at @path read-only. Returns 0, or -1 with a
 * sentence for people in @err ("<path>: not a Go binary (...)"). The path
 * may be a hostile user's: a symbolic link at its end is not followed
 * (ELOOP), anything but a regular file is refused without blocking.
 */
int gobin_open(const char *path, struct gobin **out, char *err, size_t errlen);

/*
 * Files on FUSE are never touched: open, stat and read all wait on the
 * file system's server, which any user may run, and one that never
 * answers would stall this single-threaded daemon and every record with
 * it. From @mountinfo (a /proc/PID/mountinfo, read without touching the
 * file): 1 if the mount with device @major:@minor (@path NULL), or the
 * mount @path lies on (longest mount point that is a prefix of it), is
 * FUSE; 0 if not; -1 if none is listed. gobin_open refuses such a path
 * (and any it cannot place) with EREMOTE.
 */
int gobin_mounted_on_fuse(const char *mountinfo, unsigned int major,
			  unsigned int minor, const char *path);

/*
 * The same from an open file (@name is for messages), which the gobin owns
 * from now on: it is closed by gobin_close or gobin_trim, or here on
 * failure. The file is read with pread, never mapped (a file truncated
 * under us cannot SIGBUS), region by region, at most GOBIN_READ_BUDGET
 * bytes in all: what does not fit is left out, as if absent.
 */
#define GOBIN_READ_BUDGET (256ull << 20)
int gobin_open_fd(int fd, const char *name, struct gobin **out, char *err,
		  size_t errlen);

/*
 * Keep only what symbolization needs (the pclntab and the inline trees),
 * close the file and drop libelf's state; gobin_symbol and the code of
 * functions are gone after. Returns the bytes the gobin still holds.
 */
size_t gobin_trim(struct gobin *g);

/* The same from an ELF image in memory (copied); @name is for messages. */
int gobin_open_mem(const void *buf, size_t len, const char *name,
		   struct gobin **out, char *err, size_t errlen);

/*
 * A bare pclntab (starting at its pcHeader) with no ELF around it, as if
 * loaded at a fixed address; @text_start is runtime.text (ignored for Go
 * 1.18-1.19, whose header carries it) and @gofunc_off the offset of
 * go:func.* inside @buf (UINT64_MAX: no inline trees). For fuzzing.
 */
int gobin_open_pclntab(const void *buf, size_t len, uint64_t text_start,
		       uint64_t gofunc_off, struct gobin **out, char *err,
		       size_t errlen);

void gobin_close(struct gobin *g);

/*
 * A private copy of a trimmed gobin (gobin_trim, or a _mem/_pclntab one),
 * for symbolizing on another thread while the original stays in use (or
 * is closed): symbolization writes to its gobin (the work budget, a name
 * cache), so a gobin serves one thread at a time. NULL if @g still holds
 * its file or on allocation failure.
 */
struct gobin *gobin_dup(const struct gobin *g);
/*
 * The bytes a trimmed gobin holds (its image or kept regions), which is
 * what gobin_dup copies; its name cache grows on use, within the profile's
 * work budget.
 */
size_t gobin_bytes(const struct gobin *g);

/* printf into @err (if any): the error convention of gobin and govars. */
void gobin_seterr(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

const struct gobin_info *gobin_info(const struct gobin *g);

/* Address and size of @name in .symtab; -1 if absent or stripped. */
int gobin_symbol(struct gobin *g, const char *name, uint64_t *addr,
		 uint64_t *size);

/*
 * The function named exactly @name in the function table (.gopclntab):
 * its entry and the entry of the next function (its end, padding
 * included), as link-time addresses. 0, or -1 if there is none. The
 * first match wins when a corrupt table names several.
 */
int gobin_func_by_name(struct gobin *g, const char *name, uint64_t *entry,
		       uint64_t *end);

/*
 * @len bytes of file-backed data at link-time address @addr, or NULL if
 * they are not all inside one loaded segment of the file.
 */
const uint8_t *gobin_at(const struct gobin *g, uint64_t addr, uint64_t len);

/*
 * Private to gobin.c and symbolize.c. A span is a bounds-checked window
 * onto the file image.
 */
struct gobin_span {
	const uint8_t *p;
	uint64_t len;
};

/* A loaded region: an allocated section (or a PT_LOAD without sections). */
struct gobin_seg {
	uint64_t vaddr, filesz;
	const uint8_t *data;
};

struct gobin_buf {	/* bytes read from the file */
	struct gobin_buf *next;
	size_t len;
	uint8_t data[];
};

struct gobin_name {	/* funcNameForPrint results that differ from the table */
	struct gobin_name *next;
	int32_t nameoff;
	char s[];
};

struct gobin {
	struct gobin_info info;
	char *name;
	void *elf;		/* Elf *, NULL for a raw pclntab */
	int machine;		/* e_machine */
	int fd;			/* the file, until gobin_trim; -1 for _mem */
	uint8_t *copy;		/* owned image for the _mem variants */
	const uint8_t *img;	/* = copy; NULL for a file: read with pread */
	size_t imgsz;		/* the image's or the file's size */
#define GOBIN_MAXSEGS 64
	struct gobin_seg segs[GOBIN_MAXSEGS];
	int nsegs;
	int nsecs;		/* allocated sections with contents */
	size_t table_ndx_end;	/* gobin.c: table_ok */
	struct gobin_buf *bufs;
	uint64_t budget;	/* bytes it may still read */
	uint64_t bytes_read;
	/* Tables inside the pclntab, from its pcHeader (runtime/symtab.go). */
	struct gobin_span pcln, funcnametab, cutab, filetab, pctab, pclntable;
	int go120;		/* 1.20+ _func and inlinedCall layouts */
	int new_frames;		/* 1.21+ CallersFrames (runtime/symtabinl.go) */
	uint8_t minlc;
	/* FuncIDs differ between releases: read from the functions' own. */
	uint8_t fid_wrapper, fid_gopanic, fid_sigpanic, fid_panicwrap;
	struct gobin_name *names;
	uint64_t work_left;	/* symbolize.h: gobin_set_budget */
	int work_spent;
};

#endif
