// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's executable parsing under hostile files (issue 10, section
 * 5): ELF files and function tables crafted here at run time, each shaped
 * like an attack that was reproduced against earlier code. Timing checks
 * compare with a baseline measured in the same run (ratios), so a slow or
 * loaded machine does not fail them; super-linear cost does.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <dirent.h>
#include <elf.h>

#include "discover.h"
#include "gobin.h"
#include "govars.h"
#include "symbolize.h"

/* ASan keeps freed memory in quarantine: RSS bounds only without it. */
#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#else
#define ASAN 0
#endif

#define TEXT 0x401000ull	/* runtime.text of the crafted tables */
#define PCLN_ADDR 0x500000ull	/* where .gopclntab "loads" */

static char tmpdir[] = "/tmp/hostile-exe.XXXXXX";

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void w32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void w64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- crafting function tables (runtime/symtab.go layouts) ---- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static size_t put(struct buf *b, const void *data, size_t len)
{
	size_t at = b->n;

	if (b->n + len > b->cap) {
		b->cap = (b->n + len) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (data)
		memcpy(b->p + b->n, data, len);
	else
		memset(b->p + b->n, 0, len);
	b->n += len;
	return at;
}

static void align8(struct buf *b)
{
	while (b->n % 8)
		put(b, NULL, 1);
}

/*
 * A pcHeader and its tables. Go 1.18 (magic 0xfffffff0, textStart in
 * the header) unless @go120. @nfunc functions at entries 16*i, each with
 * the _func at @funcoff[i] of pclntable (all the same if @shared).
 */
struct pcln {
	int go120;
	uint32_t nfunc;
	const uint8_t *names;	/* funcnametab */
	size_t nnames;
	const uint8_t *pctab;
	size_t npctab;
	/* One _func for all functions: nameoff, pcfile/pcln, pcdata, funcdata. */
	uint32_t nameoff, pcfile, pcln;
	uint32_t npcdata, pcdata[4];
	uint32_t nfuncdata, funcdata[4];
	const uint8_t *tail;	/* bytes after pclntable (an inline tree) */
	size_t ntail;
	/* Optional: entry offsets (nfunc + 1) and one name per function. */
	const uint32_t *entries, *nameoffs;
};

/* Returns the table; *@tail_off: where @c->tail starts in it. */
static struct buf make_pcln(const struct pcln *c, size_t *tail_off)
{
	struct buf b = { 0 };
	uint8_t h[72] = { 0 }, f[64] = { 0 };
	size_t o_names, o_cu, o_pctab, o_pcln, fixed = c->go120 ? 44 : 40;
	uint32_t funcoff = (c->nfunc + 1) * 8;

	put(&b, NULL, sizeof(h));
	o_names = put(&b, c->names, c->nnames);
	o_cu = b.n;
	o_pctab = put(&b, c->pctab, c->npctab);
	align8(&b);
	o_pcln = b.n;
	w32(h, c->go120 ? 0xfffffff1u : 0xfffffff0u);
	h[6] = 1;	/* minLC */
	h[7] = 8;	/* ptrSize */
	w64(h + 8, c->nfunc);
	w64(h + 24, c->go120 ? 0 : TEXT);
	w64(h + 32, o_names);
	w64(h + 40, o_cu);
	w64(h + 48, o_cu);	/* filetab: empty */
	w64(h + 56, o_pctab);
	w64(h + 64, o_pcln);
	memcpy(b.p, h, sizeof(h));
	/* One _func each with @nameoffs, else one shared by all. */
	size_t fsize = fixed + 4 * ((size_t)c->npcdata + c->nfuncdata);
	uint32_t nrec = c->nameoffs ? c->nfunc : 1;

	for (uint32_t i = 0; i <= c->nfunc; i++) {
		uint8_t e[8];

		w32(e, c->entries ? c->entries[i] : 16 * i);
		w32(e + 4, i < c->nfunc ?
		    funcoff + (uint32_t)(c->nameoffs ? i * fsize : 0) : 0);
		put(&b, e, 8);
	}
	for (uint32_t r = 0; r < nrec; r++) {
		w32(f, c->entries ? c->entries[r] : 16 * r);
		w32(f + 4, c->nameoffs ? c->nameoffs[r] : c->nameoff);
		w32(f + 20, c->pcfile);
		w32(f + 24, c->pcln);
		w32(f + 28, c->npcdata);
		f[fixed - 1] = (uint8_t)c->nfuncdata;
		put(&b, f, fixed);
		for (uint32_t i = 0; i < c->npcdata; i++) {
			uint8_t v[4];

			w32(v, c->pcdata[i]);
			put(&b, v, 4);
		}
		for (uint32_t i = 0; i < c->nfuncdata; i++) {
			uint8_t v[4];

			w32(v, c->funcdata[i]);
			put(&b, v, 4);
		}
	}
	align8(&b);
	*tail_off = put(&b, c->tail, c->ntail);
	return b;
}

/* A one-function Go 1.18 table naming main.main: enough to be "Go". */
static struct buf small_pcln(void)
{
	static const uint8_t names[] = "\0main.main";	/* offset 0 is "" */
	struct pcln c = { .nfunc = 1, .names = names, .nnames = sizeof(names),
			  .nameoff = 1 };
	size_t t;

	return make_pcln(&c, &t);
}

/* ---- crafting ELF files ---- */

struct sec {
	const char *name;
	uint32_t type;
	uint64_t flags, addr;
	const void *data;	/* NULL: a hole of @size bytes (sparse) */
	uint64_t size;
	uint32_t link;
	uint64_t entsize;
	const void *head;	/* written at the start of a hole */
	size_t nhead;
};

/*
 * Write an ELF64 file: the sections (after a null one, plus .shstrtab
 * last), and one PT_LOAD (@load_size > 0: at @load_vaddr, from offset
 * 4096 over @load_size bytes, a hole unless sections lie there).
 */
static void write_elf(const char *path, const struct sec *secs, int n,
		      uint64_t load_vaddr, uint64_t load_size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	Elf64_Shdr *sh = calloc((size_t)n + 2, sizeof(*sh));
	char shstr[4096];
	size_t nstr = 1;
	uint64_t off = 4096;

	assert_true(fd >= 0);
	assert_non_null(sh);
	shstr[0] = 0;
	for (int i = 0; i < n; i++) {
		Elf64_Shdr *s = &sh[i + 1];

		s->sh_name = (uint32_t)nstr;
		nstr += (size_t)sprintf(shstr + nstr, "%s", secs[i].name) + 1;
		s->sh_type = secs[i].type;
		s->sh_flags = secs[i].flags;
		s->sh_addr = secs[i].addr;
		s->sh_offset = off;
		s->sh_size = secs[i].size;
		s->sh_link = secs[i].link;
		s->sh_entsize = secs[i].entsize;
		s->sh_addralign = 8;
		if (secs[i].data)
			assert_int_equal(pwrite(fd, secs[i].data, secs[i].size,
						(off_t)off), (ssize_t)secs[i].size);
		else if (secs[i].head)
			assert_int_equal(pwrite(fd, secs[i].head, secs[i].nhead,
						(off_t)off), (ssize_t)secs[i].nhead);
		if (secs[i].type != SHT_NOBITS)
			off = (off + secs[i].size + 15) & ~15ull;
	}
	sh[n + 1].sh_name = (uint32_t)nstr;
	nstr += (size_t)sprintf(shstr + nstr, ".shstrtab") + 1;
	sh[n + 1].sh_type = SHT_STRTAB;
	sh[n + 1].sh_offset = off;
	sh[n + 1].sh_size = nstr;
	assert_int_equal(pwrite(fd, shstr, nstr, (off_t)off), (ssize_t)nstr);
	off = (off + nstr + 15) & ~15ull;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = load_size ? 1 : 0;
	eh.e_shoff = off;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (uint16_t)(n + 2);
	eh.e_shstrndx = (uint16_t)(n + 1);
	assert_int_equal(pwrite(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
	if (load_size) {
		ph.p_type = PT_LOAD;
		ph.p_flags = PF_R;
		ph.p_offset = 4096;
		ph.p_vaddr = load_vaddr;
		ph.p_filesz = ph.p_memsz = load_size;
		ph.p_align = 4096;
		assert_int_equal(pwrite(fd, &ph, sizeof(ph), sizeof(eh)),
				 (ssize_t)sizeof(ph));
	}
	assert_int_equal(pwrite(fd, sh, ((size_t)n + 2) * sizeof(*sh), (off_t)off),
			 (ssize_t)(((size_t)n + 2) * sizeof(*sh)));
	close(fd);
	free(sh);
}

/*
 * A Go-looking executable: .gopclntab (@pcln), a .bss, and a symbol
 * table naming runtime.mbuckets and runtime.MemProfileRate (so govars
 * takes it for a Go program), plus any @extra sections.
 */
static void write_go_elf(const char *path, const struct buf *pcln,
			 const struct sec *extra, int nextra)
{
	static const char strtab[] = "\0runtime.mbuckets\0runtime.MemProfileRate";
	Elf64_Sym syms[3] = { { 0 } };
	struct sec s[8];
	int n = 0;

	syms[1].st_name = 1;
	syms[1].st_value = 0x600000;
	syms[1].st_size = 8;
	syms[2].st_name = 18;
	syms[2].st_value = 0x600008;
	syms[2].st_size = 8;
	s[n++] = (struct sec){ ".gopclntab", SHT_PROGBITS, SHF_ALLOC, PCLN_ADDR,
			       pcln->p, pcln->n, 0, 0, NULL, 0 };
	s[n++] = (struct sec){ ".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE,
			       0x600000, NULL, 64, 0, 0, NULL, 0 };
	s[n++] = (struct sec){ ".symtab", SHT_SYMTAB, 0, 0, syms, sizeof(syms),
			       4, sizeof(Elf64_Sym), NULL, 0 };
	s[n++] = (struct sec){ ".strtab", SHT_STRTAB, 0, 0, strtab,
			       sizeof(strtab), 0, 0, NULL, 0 };
	for (int i = 0; i < nextra && n < 8; i++)
		s[n++] = extra[i];
	write_elf(path, s, n, PCLN_ADDR, pcln->n);
}

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1;	/* the directory's own fd */
}

static void path_in_tmp(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmpdir, name);
}

/* ---- 1. notes ---- */

/* A GNU build-ID note in memory: id of @descsz bytes 0xab. */
static int open_with_build_id(uint32_t descsz, char *id, size_t idlen)
{
	struct buf pcln = small_pcln(), note = { 0 };
	uint8_t h[12];
	char path[256];
	struct gobin *g;
	char err[512];
	struct sec s;
	int rc;

	w32(h, 4);
	w32(h + 4, descsz);
	w32(h + 8, NT_GNU_BUILD_ID);
	put(&note, h, 12);
	put(&note, "GNU", 4);
	for (uint32_t i = 0; i < descsz; i++)
		put(&note, "\xab", 1);
	align8(&note);
	s = (struct sec){ ".note.gnu.build-id", SHT_NOTE, SHF_ALLOC, 0x400200,
			  note.p, note.n, 0, 0, NULL, 0 };
	path_in_tmp(path, sizeof(path), "note");
	write_go_elf(path, &pcln, &s, 1);
	rc = gobin_open(path, &g, err, sizeof(err));
	if (!rc) {
		snprintf(id, idlen, "%s", gobin_info(g)->gnu_build_id);
		gobin_close(g);
	}
	unlink(path);
	free(pcln.p);
	free(note.p);
	return rc;
}

static void build_id_lengths(void **state)
{
	char id[256], want[256] = "";

	(void)state;
	/* 64 bytes: 128 hex digits, the longest the buffer holds. */
	assert_int_equal(open_with_build_id(64, id, sizeof(id)), 0);
	for (int i = 0; i < 64; i++)
		strcat(want, "ab");
	assert_string_equal(id, want);
	/* 65 bytes would need 131: refused, not written past the buffer. */
	assert_int_equal(open_with_build_id(65, id, sizeof(id)), 0);
	assert_string_equal(id, "");
}

/*
 * The reproduced crash: a sparse 2 GiB SHT_NOTE section holding a GNU
 * note with descsz 0x80000000, whose "descsz * 2" wrapped to 0 in 32 bits.
 */
static void huge_note_section(void **state)
{
	struct buf pcln = small_pcln();
	uint8_t h[16];
	char path[256], err[512];
	struct gobin *g;
	struct sec s;
	struct stat st;
	long rss0 = rss_kb();
	double t0;

	(void)state;
	w32(h, 4);
	w32(h + 4, 0x80000000u);
	w32(h + 8, NT_GNU_BUILD_ID);
	memcpy(h + 12, "GNU", 4);
	s = (struct sec){ ".note.gnu.build-id", SHT_NOTE, 0, 0, NULL,
			  (2ull << 30) + 16, 0, 0, h, sizeof(h) };
	path_in_tmp(path, sizeof(path), "hugenote");
	write_go_elf(path, &pcln, &s, 1);
	assert_int_equal(stat(path, &st), 0);
	t0 = now_s();
	assert_int_equal(gobin_open(path, &g, err, sizeof(err)), 0);
	printf("    %lld-byte file with a 2 GiB note section: opened in %.1f ms, RSS +%ld kB, build ID \"%s\"\n",
	       (long long)st.st_size, (now_s() - t0) * 1e3, rss_kb() - rss0,
	       gobin_info(g)->gnu_build_id);
	assert_string_equal(gobin_info(g)->gnu_build_id, "");
	assert_true(g->bytes_read < (1u << 20));
	gobin_close(g);
	unlink(path);
	free(pcln.p);
}

/* ---- 2. name lookups: linear ---- */

/* @n functions all named by one NUL-less run of @n bytes. */
static double time_lookups(uint32_t n)
{
	struct pcln c = { .go120 = 1, .nfunc = n, .nnames = n };
	uint8_t *names = malloc(n);
	uint64_t e, end;
	struct gobin *g;
	struct buf b;
	size_t t;
	char err[256];
	double t0, dt;

	assert_non_null(names);
	memset(names, 'r', n);
	memcpy(names, "runtime.", 8);	/* passes the prefix test */
	c.names = names;
	b = make_pcln(&c, &t);
	t0 = now_s();
	assert_int_equal(gobin_open_pclntab(b.p, b.n, TEXT, UINT64_MAX, &g, err,
					    sizeof(err)), 0);
	assert_int_equal(gobin_func_by_name(g, "runtime.mbuckets", &e, &end), -1);
	assert_int_equal(gobin_func_by_name(g, "runtime.MemProfile", &e, &end), -1);
	dt = now_s() - t0;
	gobin_close(g);
	free(b.p);
	free(names);
	return dt;
}

static void names_without_nul_linear(void **state)
{
	double base = 1e9, big = 1e9;

	(void)state;
	for (int i = 0; i < 3; i++) {	/* best of 3: noise only adds */
		double t = time_lookups(1u << 16);

		base = t < base ? t : base;
	}
	for (int i = 0; i < 2; i++) {
		double t = time_lookups(1u << 20);

		big = t < big ? t : big;
	}
	printf("    names without NUL: 64k functions %.1f ms, 1M functions %.1f ms (x%.1f for x16 the functions)\n",
	       base * 1e3, big * 1e3, big / base);
	/*
	 * Linear: 16x, up to ~45x under ASan with a loaded machine (a 9 MB
	 * table falls out of the caches). Quadratic is 256x and more (>15 min
	 * at 1M).
	 */
	assert_true(big <= 128 * base + 0.1);
}

/* ---- 3. symbolization: bounded per profile ---- */

/*
 * One Go 1.20 function whose every pc-value table is a 1 MB run of
 * zero-advance steps, with an inline tree whose only record is its own
 * parent (a cycle), marked as a wrapper so that no frame ends the walk
 * before MAX_INLINE_DEPTH.
 */
static struct buf hostile_symtab(size_t *gofunc_off)
{
	struct buf pct = { 0 }, b;
	uint8_t rec[16] = { 0 };
	struct pcln c = { .go120 = 1, .nfunc = 1 };
	static const uint8_t names[] = "main.f";

	put(&pct, "\x00", 1);	/* offset 0 means "no table" */
	for (int i = 0; i < (1 << 18); i++)
		put(&pct, "\x02\x00\x01\x00", 4);	/* +1, -1, no pc advance */
	put(&pct, "\x02\x00\x00\x7f", 4);	/* value 0, then pc += 127 */
	rec[0] = 23;	/* funcID: FuncIDWrapper with go1.26 defaults (22 + 1) */
	c.names = names;
	c.nnames = sizeof(names);
	c.pctab = pct.p;
	c.npctab = pct.n;
	c.pcfile = c.pcln = 1;
	c.npcdata = 3;
	c.pcdata[0] = c.pcdata[1] = c.pcdata[2] = 1;	/* inline index: 1 */
	c.nfuncdata = 4;
	c.funcdata[3] = 0;	/* the inline tree at go:func.* + 0 */
	c.tail = rec;
	c.ntail = sizeof(rec);
	b = make_pcln(&c, gofunc_off);
	free(pct.p);
	return b;
}

static double symbolize_pcs(struct gobin *g, int npcs, int *spent)
{
	struct go_frame fr[64];
	double t0 = now_s();

	gobin_set_budget(g, GOBIN_PROFILE_BUDGET);
	for (int i = 0; i < npcs; i++)
		gobin_frames(g, TEXT + 1 + (uint64_t)(i % 15), fr, 64);
	*spent = gobin_budget_spent(g);
	return now_s() - t0;
}

static void forged_pclntab_budget(void **state)
{
	size_t gofunc;
	struct buf b = hostile_symtab(&gofunc);
	struct go_frame fr[64];
	struct gobin *g;
	char err[256];
	double t10, t1000;
	int s10, s1000;

	(void)state;
	assert_int_equal(gobin_open_pclntab(b.p, b.n, TEXT, gofunc, &g, err,
					    sizeof(err)), 0);
	/* Not the cost of 10 PCs times 100: one budget, then addresses. */
	t10 = symbolize_pcs(g, 10, &s10);
	t1000 = symbolize_pcs(g, 1000, &s1000);
	printf("    forged pclntab (1 MB zero-advance runs, cyclic inline tree): 10 PCs %.0f ms, 1000 PCs %.0f ms\n",
	       t10 * 1e3, t1000 * 1e3);
	assert_true(s10 && s1000);
	assert_true(t1000 <= 3 * t10 + 0.05);
	assert_int_equal(gobin_frames(g, TEXT + 1, fr, 64), -1);
	/* A new profile gets a new budget. */
	gobin_set_budget(g, GOBIN_PROFILE_BUDGET);
	assert_int_equal(gobin_budget_spent(g), 0);
	gobin_close(g);
	free(b.p);
}

/* ---- 4. the executable cache ---- */

static void cache_bounded(void **state)
{
	enum { N = 10000 };
	struct discover d;
	struct buf pcln = small_pcln();
	struct goexe *pinned = NULL;
	int fds0 = count_fds(), go = 0, notgo = 0, kept = 0;
	long rss0, rss1;
	double t0 = now_s();
	char path[256];

	(void)state;
	discover_init(&d, -1, 1);
	rss0 = rss_kb();
	for (int i = 0; i < N; i++) {
		struct goexe *e;
		struct stat st;

		/* Distinct inodes: created, inspected, deleted, like /dev/shm. */
		path_in_tmp(path, sizeof(path), "exe");
		if (i % 2) {
			write_go_elf(path, &pcln, NULL, 0);
		} else {
			FILE *f = fopen(path, "w");

			assert_non_null(f);
			fprintf(f, "#!/bin/sh\n# %d\n", i);
			fclose(f);
		}
		assert_int_equal(stat(path, &st), 0);
		e = discover_exe(&d, path, path, &st);
		assert_non_null(e);
		if (e->bin && !pinned) {
			/* A tracked process runs it: it must outlive eviction. */
			pinned = e;
			d.procs = calloc(1, sizeof(*d.procs));
			assert_non_null(d.procs);
			d.nprocs = d.cap = 1;
			d.procs[0].pid = 1;
			d.procs[0].exe = e;
		}
		if (e->bin)
			go++;
		else
			notgo++;
		unlink(path);
	}
	rss1 = rss_kb();
	printf("    %d distinct binaries (%d Go, %d not): %zu cached, fds %d -> %d, RSS %ld -> %ld kB%s, %.1f s\n",
	       N, go, notgo, d.nexes, fds0, count_fds(), rss0, rss1,
	       ASAN ? " (ASan quarantine included: bound checked without ASan)" : "",
	       now_s() - t0);
	assert_int_equal(go, N / 2);
	assert_true(d.nexes <= 1024);
	for (size_t i = 0; i < d.nexes; i++)
		kept += d.exes[i] == pinned;
	assert_int_equal(kept, 1);
	assert_non_null(pinned->bin);
	assert_int_equal(pinned->mbuckets, 0x600000);
	assert_int_equal(count_fds(), fds0);
	/* 1024 entries of ~9 KB and their tables; unbounded was 10000. */
	if (!ASAN)
		assert_true(rss1 - rss0 < 32 * 1024);
	discover_free(&d);
	free(pcln.p);
}

static void cache_key_and_failures(void **state)
{
	struct discover d;
	struct buf pcln = small_pcln();
	struct rlimit rl, low;
	struct goexe *e;
	struct stat st, st2;
	char path[256];
	FILE *f;

	(void)state;
	discover_init(&d, -1, 1);
	path_in_tmp(path, sizeof(path), "reused");
	write_go_elf(path, &pcln, NULL, 0);
	assert_int_equal(stat(path, &st), 0);

	/* Out of fds: NULL, and nothing cached ("not Go" forever before). */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = rl;
	low.rlim_cur = (rlim_t)dup(0);	/* the lowest free fd: none left */
	close((int)low.rlim_cur);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	e = discover_exe(&d, path, path, &st);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_null(e);
	assert_int_equal(d.nexes, 0);
	e = discover_exe(&d, path, path, &st);
	assert_non_null(e);
	assert_non_null(e->bin);
	assert_int_equal(e->mbuckets, 0x600000);

	/* Same inode, other contents: another file, another verdict. */
	f = fopen(path, "w");	/* truncates in place: same inode */
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n");
	fclose(f);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st2.st_ino, st.st_ino);
	e = discover_exe(&d, path, path, &st2);
	assert_non_null(e);
	assert_null(e->bin);
	assert_int_equal(d.nexes, 2);

	/* A stat that no longer matches the file: not cached either. */
	e = discover_exe(&d, path, path, &st);
	assert_non_null(e);	/* the old entry, still keyed on the old file */
	st.st_size += 1;
	assert_null(discover_exe(&d, path, path, &st));
	discover_free(&d);
	unlink(path);
	free(pcln.p);
}


/* A PROC_EXEC record of @pid naming the file @st describes. */
static struct oomprof_proc_event exec_record(pid_t pid, const struct stat *st)
{
	struct oomprof_proc_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = OOMPROF_REC_PROC_EXEC;
	ev.hdr.size = sizeof(ev);
	ev.pid = (uint32_t)pid;
	ev.exe_valid = 1;
	ev.exe_dev = st->st_dev;
	ev.exe_ino = st->st_ino;
	ev.exe_size = (uint64_t)st->st_size;
	ev.exe_mtime_sec = st->st_mtim.tv_sec;
	ev.exe_mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	ev.exe_ctime_sec = st->st_ctim.tv_sec;
	ev.exe_ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
	return ev;
}

/*
 * An exec record of a program inspected before and found not Go is known
 * from the record alone; a record that does not describe what the process
 * runs is never learned (it would blind the reader to the real file); an
 * evicted executable is looked at again.
 */
static void exec_records_known(void **state)
{
	struct oomprof_proc_event ev, other;
	char exe[64], link[4096], path[256];
	unsigned long long known;
	struct discover d;
	struct stat st;
	double t0, fast, slow;
	pid_t child;
	int i;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)child);
	for (i = 0; i < 2000; i++) {
		ssize_t n = readlink(exe, link, sizeof(link) - 1);

		link[n > 0 ? n : 0] = '\0';
		if (strstr(link, "sleep"))
			break;
		usleep(1000);
	}
	assert_non_null(strstr(link, "sleep"));
	/*
	 * /proc/PID/exe names the new file before exec has mapped it; the
	 * module's record comes after (sched_process_exec): wait for that.
	 */
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)child);
	for (i = 0; i < 2000; i++) {
		char line[8192];
		int mapped = 0;
		FILE *f = fopen(path, "r");

		assert_non_null(f);
		while (!mapped && fgets(line, sizeof(line), f))
			mapped = strstr(line, link) != NULL;
		fclose(f);
		if (mapped)
			break;
		usleep(1000);
	}
	assert_true(i < 2000);
	assert_int_equal(stat(exe, &st), 0);
	ev = exec_record(child, &st);
	other = ev;
	other.exe_ctime_nsec = (other.exe_ctime_nsec + 1) % 1000000000u;

	discover_init(&d, -1, 1);
	/* A record that is not the process's file: inspected, not learned. */
	discover_exec(&d, &other);
	assert_int_equal(d.nexes, 1);
	assert_int_equal(d.exes[0]->kid_set, 0);
	discover_exec(&d, &other);
	assert_int_equal(d.execs_known, 0);
	/* The real one: inspected once, then known. */
	discover_exec(&d, &ev);
	assert_int_equal(d.execs_known, 0);
	assert_int_equal(d.nexes, 1);
	assert_int_equal(d.exes[0]->kid_set, 1);
	assert_null(d.exes[0]->bin);
	discover_exec(&d, &ev);
	assert_int_equal(d.execs_known, 1);
	/* The mismatched record still goes the slow way. */
	discover_exec(&d, &other);
	assert_int_equal(d.execs_known, 1);

	/* Evicted by newer executables: looked at again, then known again. */
	discover_cache_limits(8, 512u << 20);
	for (i = 0; i < 12; i++) {
		struct stat fst;
		FILE *f;

		snprintf(path, sizeof(path), "%s/evict%d", tmpdir, i);
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "#!/bin/sh\n# %d\n", i);
		fclose(f);
		assert_int_equal(stat(path, &fst), 0);
		assert_non_null(discover_exe(&d, path, path, &fst));
		unlink(path);
	}
	assert_true(d.nexes <= 8);
	known = d.execs_known;
	discover_exec(&d, &ev);
	assert_int_equal(d.execs_known, known);
	discover_exec(&d, &ev);
	assert_int_equal(d.execs_known, known + 1);
	discover_cache_limits(1024, 512u << 20);

	/* What the record saves, per exec (a figure, not judged). */
	t0 = now_s();
	for (i = 0; i < 20000; i++)
		discover_exec(&d, &ev);
	fast = (now_s() - t0) / 20000;
	t0 = now_s();
	for (i = 0; i < 500; i++)
		discover_exec(&d, &other);
	slow = (now_s() - t0) / 500;
	assert_int_equal(d.execs_known, known + 1 + 20000);
	printf("    an exec of a known non-Go program: %.2f us from its record, %.1f us looking at /proc (%.0fx)\n",
	       fast * 1e6, slow * 1e6, slow / fast);
	discover_free(&d);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/* The bytes bound: Go binaries with large tables, the cache at 4 MiB. */
static void cache_bytes_bounded(void **state)
{
	enum { N = 64 };
	struct pcln c = { .nfunc = 1, .nameoff = 1 };
	uint8_t *names = calloc(1, 256 << 10);
	struct discover d;
	struct buf pcln;
	size_t t, bytes = 0, biggest = 0;
	char path[256];

	(void)state;
	memcpy(names + 1, "main.main", 10);
	c.names = names;
	c.nnames = 256 << 10;	/* a 256 KiB function name table */
	pcln = make_pcln(&c, &t);
	discover_cache_limits(1024, 4u << 20);
	discover_init(&d, -1, 1);
	for (int i = 0; i < N; i++) {
		struct goexe *e;
		struct stat st;

		path_in_tmp(path, sizeof(path), "big");
		write_go_elf(path, &pcln, NULL, 0);
		assert_int_equal(stat(path, &st), 0);
		e = discover_exe(&d, path, path, &st);
		assert_non_null(e);
		assert_non_null(e->bin);
		biggest = e->bytes > biggest ? e->bytes : biggest;
		unlink(path);
	}
	for (size_t i = 0; i < d.nexes; i++)
		bytes += d.exes[i]->bytes;
	printf("    %d Go binaries of %zu-byte tables, cache bound 4 MiB: %zu cached, %zu bytes held\n",
	       N, pcln.n, d.nexes, bytes);
	assert_true(biggest > pcln.n);
	assert_true(bytes <= (4u << 20) + biggest);
	assert_true(d.nexes < N);
	discover_free(&d);
	discover_cache_limits(1024, 512u << 20);
	free(pcln.p);
	free(names);
}


/*
 * Code larger than the read budget left after it: the function table is
 * read first all the same (a big binary stays symbolizable), and the
 * code, over the budget, is not read at all.
 */
static void big_code_section_first(void **state)
{
	struct pcln c = { .nfunc = 1, .nameoff = 1 };
	uint8_t *names = calloc(1, 8u << 20);
	struct buf pcln;
	struct sec s[2];
	char path[256], err[512];
	struct gobin *g;
	size_t t;
	long rss0 = rss_kb();

	(void)state;
	memcpy(names + 1, "main.main", 10);
	c.names = names;
	c.nnames = 8u << 20;
	pcln = make_pcln(&c, &t);
	s[0] = (struct sec){ ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
			     TEXT, NULL, GOBIN_READ_BUDGET - (4u << 20), 0, 0,
			     NULL, 0 };
	s[1] = (struct sec){ ".gopclntab", SHT_PROGBITS, SHF_ALLOC,
			     TEXT + GOBIN_READ_BUDGET, pcln.p, pcln.n, 0, 0,
			     NULL, 0 };
	path_in_tmp(path, sizeof(path), "bigcode");
	write_elf(path, s, 2, TEXT, GOBIN_READ_BUDGET);
	assert_int_equal(gobin_open(path, &g, err, sizeof(err)), 0);
	printf("    %llu MiB of code before an 8 MiB function table: %llu bytes read, RSS +%ld kB\n",
	       (unsigned long long)(GOBIN_READ_BUDGET >> 20) - 4,
	       (unsigned long long)g->bytes_read, rss_kb() - rss0);
	assert_true(g->bytes_read < (9u << 20));
	assert_null(gobin_at(g, TEXT, 1));
	gobin_close(g);
	unlink(path);
	free(pcln.p);
	free(names);
}

/* A sparse 2 GiB PT_LOAD without sections: nothing like 2 GiB read. */
static void huge_load_segment(void **state)
{
	struct discover d;
	char path[256];
	struct stat st;
	struct goexe *e;
	long rss0 = rss_kb();
	double t0;

	(void)state;
	path_in_tmp(path, sizeof(path), "hugeload");
	write_elf(path, NULL, 0, 0x400000, 2ull << 30);
	assert_int_equal(truncate(path, (4096 + (2ll << 30))), 0);
	assert_int_equal(stat(path, &st), 0);
	discover_init(&d, -1, 1);
	t0 = now_s();
	e = discover_exe(&d, path, path, &st);
	printf("    sparse 2 GiB PT_LOAD: inspected in %.1f ms, RSS +%ld kB\n",
	       (now_s() - t0) * 1e3, rss_kb() - rss0);
	assert_non_null(e);
	assert_null(e->bin);
	assert_true(rss_kb() - rss0 < 64 * 1024);
	discover_free(&d);
	unlink(path);
}

/* ---- govars: the code of forged runtime functions ---- */

/*
 * A stripped-looking binary whose runtime.mProf_FlushLocked loads @n
 * distinct globals and runtime.stkbucket takes their addresses: every one
 * a candidate for mbuckets, none in .bss. Returns the time
 * govars_from_code takes to refuse them all.
 */
static void write_govars_elf(const char *path, uint32_t n)
{
	static const char names[] = "\0runtime.mProf_FlushLocked\0runtime.stkbucket\0runtime.profilealloc\0runtime.allocmcache";
	uint32_t nameoffs[4] = { 1, 27, 45, 66 }, entries[5];
	struct pcln c = { .nfunc = 4, .names = (const uint8_t *)names,
			  .nnames = sizeof(names), .entries = entries,
			  .nameoffs = nameoffs };
	struct buf code = { 0 }, pcln;
	struct sec text;
	size_t t;

	for (int k = 0; k < 2; k++) {	/* MOVQ x(RIP), AX; then LEAQ */
		for (uint32_t j = 0; j < n; j++) {
			uint8_t insn[7] = { 0x48, k ? 0x8d : 0x8b, 0x05 };
			uint64_t at = TEXT + code.n + 7;

			w32(insn + 3, (uint32_t)(0x900000 + 8 * (uint64_t)j - at));
			put(&code, insn, 7);
		}
	}
	put(&code, "\xc3\xc3", 2);	/* two one-byte functions: RET */
	entries[0] = 0;
	entries[1] = 7 * n;
	entries[2] = 14 * n;
	entries[3] = 14 * n + 1;
	entries[4] = 14 * n + 2;
	pcln = make_pcln(&c, &t);
	text = (struct sec){ ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
			     TEXT, code.p, code.n, 0, 0, NULL, 0 };
	write_go_elf(path, &pcln, &text, 1);
	free(code.p);
	free(pcln.p);
}

static double time_govars(uint32_t n)
{
	char path[256], err[1024];
	const char *how;
	struct gobin *g;
	uint64_t mb, rate;
	double t0, dt;

	path_in_tmp(path, sizeof(path), "govars");
	write_govars_elf(path, n);
	assert_int_equal(gobin_open(path, &g, err, sizeof(err)), 0);
	t0 = now_s();
	assert_int_equal(govars_from_code(g, &mb, &rate, &how, err, sizeof(err)), -1);
	dt = now_s() - t0;
	assert_non_null(strstr(err, "mbuckets: no address used by runtime.mProf_FlushLocked"));
	gobin_close(g);
	unlink(path);
	return dt;
}

static void govars_many_references_linear(void **state)
{
	double base = 1e9, big = 1e9;

	(void)state;
	for (int i = 0; i < 3; i++) {	/* best of 3: noise only adds */
		double t = time_govars(512), u = time_govars(8192);

		base = t < base ? t : base;
		big = u < big ? u : big;
	}
	printf("    forged runtime code: 512 candidate references %.2f ms, 8192 %.2f ms (x%.1f for x16)\n",
	       base * 1e3, big * 1e3, big / base);
	/*
	 * n log n: ~20x (up to ~35x under ASan, loaded). Pairwise checks
	 * were 257x (220 ms under ASan).
	 */
	assert_true(big <= 128 * base + 0.05);
}

/* ---- 5. what lies at a path ---- */

static void on_alarm(int sig)
{
	(void)sig;
	fprintf(stderr, "hung opening a FIFO\n");
	_exit(3);
}

static void fifo_and_symlink(void **state)
{
	char path[256], link[256], err[512];
	struct gobin *g;
	struct buf pcln = small_pcln();

	(void)state;
	path_in_tmp(path, sizeof(path), "fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	signal(SIGALRM, on_alarm);
	alarm(10);
	assert_int_equal(gobin_open(path, &g, err, sizeof(err)), -1);
	alarm(0);
	printf("    FIFO: \"%s\"\n", err);
	assert_non_null(strstr(err, "not a regular file"));
	unlink(path);

	path_in_tmp(path, sizeof(path), "target");
	write_go_elf(path, &pcln, NULL, 0);
	path_in_tmp(link, sizeof(link), "link");
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(gobin_open(link, &g, err, sizeof(err)), -1);
	printf("    symlink: \"%s\"\n", err);
	assert_non_null(strstr(err, "not followed"));
	assert_int_equal(gobin_open(path, &g, err, sizeof(err)), 0);
	gobin_close(g);
	unlink(link);
	unlink(path);
	free(pcln.p);
}

/*
 * Executables on FUSE are never touched (a user's server could stall the
 * daemon): the mount is placed from a mountinfo, by device or by path.
 */
static void fuse_mounts_placed(void **state)
{
	char mi[256];
	FILE *f;

	(void)state;
	path_in_tmp(mi, sizeof(mi), "mountinfo");
	f = fopen(mi, "w");
	assert_non_null(f);
	fputs("22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
	      "30 22 0:45 / /mnt/fuse rw,nosuid - fuse.sshfs host: rw\n"
	      "31 30 0:46 / /mnt/fuse/in rw - tmpfs tmpfs rw\n"
	      "32 22 0:47 / /mnt/with\\040space rw master:2 - fuse /dev/fuse rw\n"
	      "33 22 0:48 / /mnt/fusex rw - tmpfs tmpfs rw\n"
	      "34 22 0:49 / /mnt/blk rw - fuseblk /dev/sdb1 rw\n", f);
	fclose(f);
	/* By device (an executable's mapping in /proc/PID/maps). */
	assert_int_equal(gobin_mounted_on_fuse(mi, 0, 45, NULL), 1);
	assert_int_equal(gobin_mounted_on_fuse(mi, 0, 46, NULL), 0);
	assert_int_equal(gobin_mounted_on_fuse(mi, 0, 49, NULL), 1);
	assert_int_equal(gobin_mounted_on_fuse(mi, 0, 21, NULL), 0);
	assert_int_equal(gobin_mounted_on_fuse(mi, 0, 99, NULL), -1);
	/* By path: the longest mount point that is a prefix of it. */
	assert_int_equal(gobin_mounted_on_fuse(mi, 0, 0, "/usr/bin/go"), 0);
	assert_int_equal(gobin_mounted_on_fuse(mi, 0, 0, "/mnt/fuse/x"), 1);
	assert_int_equal(gobin_mounted_on_fuse(mi, 0, 0, "/mnt/fuse"), 1);
	assert_int_equal(gobin_mounted_on_fuse(mi, 0, 0, "/mnt/fuse/in/x"), 0);
	assert_int_equal(gobin_mounted_on_fuse(mi, 0, 0, "/mnt/fusex/x"), 0);
	assert_int_equal(gobin_mounted_on_fuse(mi, 0, 0, "/mnt/with space/x"), 1);
	assert_int_equal(gobin_mounted_on_fuse("/nonexistent", 0, 0, "/x"), -1);
	unlink(mi);
}

/* Truncated while in use (was SIGBUS through the mapping). */
static void truncated_after_open(void **state)
{
	struct buf b = small_pcln();
	struct go_frame fr[64];
	char path[256], err[512];
	struct gobin *g;
	uint64_t e, end;

	(void)state;
	path_in_tmp(path, sizeof(path), "trunc");
	write_go_elf(path, &b, NULL, 0);
	assert_int_equal(gobin_open(path, &g, err, sizeof(err)), 0);
	assert_int_equal(gobin_frames(g, TEXT + 1, fr, 64), 1);
	assert_string_equal(fr[0].function, "main.main");
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(gobin_frames(g, TEXT + 1, fr, 64), 1);
	assert_string_equal(fr[0].function, "main.main");
	assert_int_equal(gobin_func_by_name(g, "main.main", &e, &end), 0);
	assert_int_equal(e, TEXT);
	gobin_close(g);
	unlink(path);
	free(b.p);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

/* Fuzzer seeds of the hostile shapes (tests/userspace/fuzz_gopclntab.c). */
static int write_seed(const char *dir, const char *name, uint8_t kind,
		      uint32_t gofunc, const void *data, size_t len)
{
	char path[4096];
	FILE *f;
	uint8_t h[5];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	h[0] = kind;
	w32(h + 1, gofunc);
	fwrite(h, 1, kind & 1 ? 5 : 1, f);
	fwrite(data, 1, len, f);
	return fclose(f);
}

static int write_seeds(const char *dir)
{
	enum { NFUNC = 1 << 18 };
	struct pcln c = { .go120 = 1, .nfunc = NFUNC, .nnames = NFUNC };
	uint8_t *names = malloc(NFUNC), *elf;
	struct buf b, pcln = small_pcln(), note = { 0 };
	size_t t, len;
	uint8_t h[16];
	char path[4096];
	struct sec sec;
	FILE *f;
	int rc = 0;

	/* 256k functions named by one NUL-less run (quadratic before). */
	memset(names, 'r', NFUNC);
	memcpy(names, "runtime.", 8);
	c.names = names;
	b = make_pcln(&c, &t);
	rc |= write_seed(dir, "hostile-names.pcln", 1, UINT32_MAX, b.p, b.n);
	free(b.p);
	free(names);
	/* Zero-advance pc-value runs and a cyclic inline tree. */
	b = hostile_symtab(&t);
	rc |= write_seed(dir, "hostile-pcvalue.pcln", 1, (uint32_t)t, b.p, b.n);
	free(b.p);
	/* ELF files with build-ID notes of 65 bytes and of 2 GiB. */
	for (int k = 0; k < 2; k++) {
		uint32_t descsz = k ? 0x80000000u : 65;

		note.n = 0;
		w32(h, 4);
		w32(h + 4, descsz);
		w32(h + 8, NT_GNU_BUILD_ID);
		memcpy(h + 12, "GNU", 4);
		put(&note, h, sizeof(h));
		put(&note, NULL, 72);
		sec = (struct sec){ ".note.gnu.build-id", SHT_NOTE, 0, 0,
				    note.p, note.n, 0, 0, NULL, 0 };
		snprintf(path, sizeof(path), "%s/.elf", dir);
		write_go_elf(path, &pcln, &sec, 1);
		f = fopen(path, "rb");
		elf = malloc(1 << 20);
		len = f ? fread(elf, 1, 1 << 20, f) : 0;
		if (f)
			fclose(f);
		unlink(path);
		rc |= write_seed(dir, k ? "hostile-note-2g.elf" : "hostile-note-65.elf",
				 0, 0, elf, len);
		free(elf);
	}
	free(note.p);
	free(pcln.p);
	return rc ? 1 : 0;
}

/* A seed for fuzz_govars (byte 0 odd: an ELF): 8192 forged references. */
static int write_govars_seed(const char *file)
{
	char path[4096];
	uint8_t *elf = malloc(1 << 20);
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s.tmp", file);
	write_govars_elf(path, 8192);
	f = fopen(path, "rb");
	if (f) {
		len = fread(elf, 1, 1 << 20, f);
		fclose(f);
	}
	unlink(path);
	f = fopen(file, "wb");
	if (!f || !len) {
		free(elf);
		return 1;
	}
	fputc(1, f);
	fwrite(elf, 1, len, f);
	free(elf);
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_id_lengths),
		cmocka_unit_test(huge_note_section),
		cmocka_unit_test(names_without_nul_linear),
		cmocka_unit_test(forged_pclntab_budget),
		cmocka_unit_test(cache_bounded),
		cmocka_unit_test(cache_key_and_failures),
		cmocka_unit_test(exec_records_known),
		cmocka_unit_test(cache_bytes_bounded),
		cmocka_unit_test(huge_load_segment),
		cmocka_unit_test(big_code_section_first),
		cmocka_unit_test(govars_many_references_linear),
		cmocka_unit_test(fifo_and_symlink),
		cmocka_unit_test(fuse_mounts_placed),
		cmocka_unit_test(truncated_after_open),
	};

	if (argc == 3 && !strcmp(argv[1], "--seeds"))
		return write_seeds(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--govars-seed"))
		return write_govars_seed(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, setup, teardown);
}
