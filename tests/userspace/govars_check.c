// SPDX-License-Identifier: GPL-2.0
/*
 * Oracle check for user/govars.c: where are runtime.mbuckets and
 * runtime.MemProfileRate in a Go binary.
 *
 *   govars_check --dump <go binary> <function> <file>
 *
 * writes a fuzz_govars.c seed: byte 0, the function's entry address
 * (8 bytes, little-endian) and its code.
 *
 *   govars_check <label> <go binary> [--oracle <unstripped binary>]
 *                [--pid <pid of the running binary>] [--insns <file>]
 *
 * Prints one line, "PASS govars <label>: ..." or "FAIL govars <label>: ...".
 * - With a symbol table: govars_find must say "symbol table", and
 *   govars_from_code (the code alone) must give the same two addresses.
 * - Without: govars_find must read the code, and --oracle (the same source
 *   built unstripped with the same toolchain and mode) must hold the
 *   symbols at the same offsets into the same sections, of the same sizes
 *   (stripping changes .go.buildinfo and so may move whole sections).
 * - --pid: the running program's MemProfileRate must read 524288 through
 *   /proc/PID/mem, and its mbuckets must point at a bucket whose type
 *   word (runtime/mprof.go: bucket.typ, the third word) is 1 (memProfile).
 * - --insns: instruction addresses from GNU objdump -d of the binary: the
 *   decoder must start an instruction at exactly the addresses objdump
 *   does, all through the functions of the function table.
 * - A copy with one load moved by 8 bytes (in runtime.mProf_FlushLocked,
 *   then in runtime.allocmcache) must make govars_from_code refuse.
 * - Every function in the binary's function table is decoded; the count
 *   of those that do not decode exactly to their end is reported (Go's
 *   hand-written assembly may hold data), and none of the functions
 *   govars.c relies on may be among them.
 */
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gobin.h"
#include "govars.h"

static char label[128];

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL govars %s: ", label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return 0;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Section holding @addr in the ELF file @path: name, start, size. */
static int section_of(const char *path, uint64_t addr, char *name, size_t namelen,
		      uint64_t *start, uint64_t *size)
{
	int fd = open(path, O_RDONLY), ret = -1;
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && !elf_getshdrstrndx(elf, &shstrndx)) {
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *n;

			if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
			    (sh.sh_flags & SHF_TLS) || addr < sh.sh_addr ||
			    addr - sh.sh_addr >= sh.sh_size)
				continue;
			n = elf_strptr(elf, shstrndx, sh.sh_name);
			snprintf(name, namelen, "%s", n ? n : "?");
			*start = sh.sh_addr;
			*size = sh.sh_size;
			ret = 0;
			break;
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

/* Same section, same offset, same section size in @oracle as in @bin. */
static int same_place(const char *bin, uint64_t got, const char *oracle,
		      uint64_t want, char *msg, size_t len)
{
	char n1[64], n2[64];
	uint64_t s1, z1, s2, z2;

	if (section_of(bin, got, n1, sizeof(n1), &s1, &z1)) {
		snprintf(msg, len, "0x%" PRIx64 " is in no section", got);
		return 0;
	}
	if (section_of(oracle, want, n2, sizeof(n2), &s2, &z2)) {
		snprintf(msg, len, "oracle 0x%" PRIx64 " is in no section", want);
		return 0;
	}
	if (strcmp(n1, n2) || got - s1 != want - s2 || z1 != z2) {
		snprintf(msg, len, "0x%" PRIx64 " = %s+0x%" PRIx64 " (size 0x%" PRIx64
			 "), the oracle has %s+0x%" PRIx64 " (size 0x%" PRIx64 ")",
			 got, n1, got - s1, z1, n2, want - s2, z2);
		return 0;
	}
	snprintf(msg, len, "%s+0x%" PRIx64, n1, got - s1);
	return 1;
}

/* Load bias of @pid's executable: where its first PT_LOAD was mapped. */
static int load_bias(int pid, const char *bin, uint64_t *bias)
{
	char path[64], line[512], exe[4096];
	uint64_t lo = UINT64_MAX;
	ssize_t n;
	FILE *f;
	int fd = open(bin, O_RDONLY);
	Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	GElf_Ehdr eh;
	size_t nph = 0;

	if (elf && gelf_getehdr(elf, &eh) && !elf_getphdrnum(elf, &nph)) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
			    ph.p_vaddr < lo)
				lo = ph.p_vaddr & ~0xfffull;
		}
	}
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	if (lo == UINT64_MAX)
		return -1;
	if (eh.e_type == ET_EXEC) {
		*bias = 0;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off;
		char perms[8], file[4096];

		file[0] = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %4095s", &start, &end,
			   perms, &off, file) >= 4 && off == 0 && !strcmp(file, exe)) {
			*bias = start - lo;
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -1;
}

static int peek(int fd, uint64_t addr, uint64_t *v)
{
	return pread(fd, v, 8, (off_t)addr) == 8 ? 0 : -1;
}

static int check_live(int pid, const char *bin, uint64_t mb, uint64_t rate,
		      char *msg, size_t len)
{
	char path[64];
	uint64_t bias, head, typ, r;
	int fd;

	if (load_bias(pid, bin, &bias)) {
		snprintf(msg, len, "cannot find the load bias of pid %d", pid);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(msg, len, "cannot open %s", path);
		return 0;
	}
	if (peek(fd, rate + bias, &r) || peek(fd, mb + bias, &head) ||
	    !head || peek(fd, head + 16, &typ)) {
		snprintf(msg, len, "cannot read the variables through %s (mbuckets=0x%" PRIx64 ")",
			 path, head);
		close(fd);
		return 0;
	}
	close(fd);
	if (r != 524288 || typ != 1) {
		snprintf(msg, len, "live: MemProfileRate reads %" PRIu64 " (want 524288), *mbuckets->typ %" PRIu64 " (want 1)",
			 r, typ);
		return 0;
	}
	snprintf(msg, len, "live (bias 0x%" PRIx64 "): MemProfileRate=524288, mbuckets->typ=1",
		 bias);
	return 1;
}

/* Decode every function; count those that do not land at their end. */
static void decode_all(struct gobin *g, uint32_t *nbad, uint32_t *nall,
		       char *badnames, size_t len)
{
	const uint8_t *ft = g->pclntable.p;
	const struct gobin_info *in = gobin_info(g);
	static const char *const used[] = { "runtime.mProf_FlushLocked",
		"runtime.stkbucket", "runtime.profilealloc", "runtime.allocmcache",
		"runtime.MemProfile", "runtime.memProfileInternal" };

	*nbad = *nall = 0;
	badnames[0] = 0;
	for (uint32_t i = 0; i < in->nfunc; i++) {
		uint64_t e0 = in->text_start + rd32(ft + 8 * (uint64_t)i);
		uint64_t e1 = in->text_start + rd32(ft + 8 * ((uint64_t)i + 1));
		uint32_t funcoff = rd32(ft + 8 * (uint64_t)i + 4);
		const uint8_t *code = e1 > e0 ? gobin_at(g, e0, e1 - e0) : NULL;
		const char *name = "?";
		size_t bad;

		if (funcoff + 8ull <= g->pclntable.len &&
		    rd32(g->pclntable.p + funcoff + 4) < g->funcnametab.len)
			name = (const char *)g->funcnametab.p +
			       rd32(g->pclntable.p + funcoff + 4);
		if (!code)
			continue;
		(*nall)++;
		if (govars_scan(code, e1 - e0, e0, NULL, 0, &bad) >= 0)
			continue;
		(*nbad)++;
		for (size_t k = 0; k < sizeof(used) / sizeof(used[0]); k++)
			if (!strcmp(name, used[k]))
				fprintf(stderr, "relied-on function %s does not decode\n", name);
		if (strlen(badnames) + strlen(name) + 2 < len) {
			strcat(badnames, " ");
			strcat(badnames, name);
		}
	}
}

/*
 * The decoder's instruction starts against GNU objdump's linear sweep of
 * the text (@file: one hex address a line, ascending): in [min_pc, max_pc)
 * of the function table both must list the same addresses. (Go's own
 * `go tool objdump` does not know VEX instructions: not an oracle.)
 */
static int check_insns(struct gobin *g, const char *file, char *msg, size_t len)
{
	const struct gobin_info *in = gobin_info(g);
	const uint8_t *ft = g->pclntable.p;
	FILE *f = fopen(file, "r");
	unsigned long long addr;
	uint32_t fn = 0;
	uint64_t pos = in->min_pc, end = in->min_pc;
	long n = 0;

	if (!f) {
		snprintf(msg, len, "cannot open %s", file);
		return 0;
	}
	for (;;) {
		int more = fscanf(f, " %llx", &addr) == 1;
		struct govars_insn insn;
		const uint8_t *p;
		int l;

		if (more && (addr < in->min_pc || addr >= in->max_pc))
			continue;
		while (pos == end && fn < in->nfunc)	/* next function */
			end = in->text_start + rd32(ft + 8 * ((uint64_t)++fn));
		if (!more || pos >= in->max_pc)
			break;
		if (addr != pos) {
			snprintf(msg, len, "objdump has an instruction at 0x%llx, the decoder at 0x%" PRIx64,
				 addr, pos);
			goto bad;
		}
		p = pos < end ? gobin_at(g, pos, end - pos) : NULL;
		l = p ? govars_decode(p, end - pos, &insn) : -1;
		if (l <= 0) {
			snprintf(msg, len, "no instruction decodes at 0x%" PRIx64, pos);
			goto bad;
		}
		pos += (uint64_t)l;
		n++;
	}
	fclose(f);
	if (pos < in->max_pc) {
		snprintf(msg, len, "objdump's listing ends at 0x%" PRIx64 ", the text at 0x%" PRIx64,
			 pos, in->max_pc);
		return 0;
	}
	snprintf(msg, len, "all %ld instruction starts in the text = GNU objdump's", n);
	return 1;
bad:
	fclose(f);
	return 0;
}

/*
 * Negative check: in a copy of @bin, move the disp32 of the first 64-bit
 * load of @target in @fn by 8 bytes (to a neighbouring variable), as a
 * misdecoded instruction would; govars_from_code must then refuse, not
 * answer. Returns 1 if it did, with its reason in @msg.
 */
static int refuses_corrupt(const char *bin, const char *fn, uint64_t target,
			   char *msg, size_t len)
{
	FILE *f = fopen(bin, "rb");
	static struct govars_ref refs[4096];
	uint64_t entry, end, mb, rate;
	const char *how;
	struct gobin *g = NULL;
	uint8_t *img = NULL, *p;
	long size, n;
	int ok = 0;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) || !(img = malloc((size_t)size)) ||
	    fread(img, 1, (size_t)size, f) != (size_t)size) {
		snprintf(msg, len, "cannot read %s", bin);
		goto out;
	}
	if (gobin_open_mem(img, (size_t)size, bin, &g, msg, len))
		goto out;
	if (gobin_func_by_name(g, fn, &entry, &end) ||
	    !(p = (uint8_t *)gobin_at(g, entry, end - entry))) {
		snprintf(msg, len, "no %s", fn);
		goto out;
	}
	n = govars_scan(p, end - entry, entry, refs, 4096, NULL);
	for (long i = 0; i < n && i < 4096; i++) {
		struct govars_insn in;
		uint8_t *ip = p + (refs[i].insn - entry);
		int32_t d;

		if (refs[i].target != target || refs[i].kind != GOVARS_REF_LOAD64 ||
		    govars_decode(ip, end - refs[i].insn, &in) <= 0)
			continue;
		/* MOV r64, [rip+disp32] has no immediate: disp32 ends it. */
		memcpy(&d, ip + in.len - 4, 4);
		d += 8;
		memcpy(ip + in.len - 4, &d, 4);	/* the gobin's own copy */
		if (govars_from_code(g, &mb, &rate, &how, msg, len) == 0) {
			snprintf(msg, len, "%s with a load moved by 8: answered mbuckets 0x%" PRIx64
				 " MemProfileRate 0x%" PRIx64 " instead of refusing",
				 fn, mb, rate);
			goto out;
		}
		ok = 1;
		goto out;
	}
	snprintf(msg, len, "%s has no 64-bit load of 0x%" PRIx64, fn, target);
out:
	if (f)
		fclose(f);
	gobin_close(g);
	free(img);
	return ok;
}

/* A fuzz_govars.c seed: byte 0 (code), 8 bytes of address, @fn's code. */
static int dump(const char *bin, const char *fn, const char *file)
{
	uint64_t entry, end;
	const uint8_t *p;
	struct gobin *g;
	char err[256];
	FILE *f;

	if (gobin_open(bin, &g, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (gobin_func_by_name(g, fn, &entry, &end) || end <= entry ||
	    !(p = gobin_at(g, entry, end - entry)) || !(f = fopen(file, "w"))) {
		fprintf(stderr, "%s: no %s\n", bin, fn);
		gobin_close(g);
		return 1;
	}
	fputc(0, f);
	fwrite(&entry, 8, 1, f);
	fwrite(p, 1, end - entry, f);
	fclose(f);
	gobin_close(g);
	return 0;
}

int main(int argc, char **argv)
{
	const char *bin, *oracle = NULL, *insns = NULL, *how, *how2;
	char err[512], msg[4][1200] = { "", "", "", "" }, bad[400];
	uint64_t mb, rate, mb2, rate2, smb, srate;
	struct gobin *g;
	uint32_t nbad, nall;
	int pid = 0, symbols;

	if (argc == 5 && !strcmp(argv[1], "--dump"))
		return dump(argv[2], argv[3], argv[4]);
	if (argc < 3) {
		fprintf(stderr, "usage: govars_check LABEL BIN [--oracle BIN] [--pid PID] [--insns FILE]\n");
		return 2;
	}
	snprintf(label, sizeof(label), "%s", argv[1]);
	bin = argv[2];
	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--oracle"))
			oracle = argv[i + 1];
		else if (!strcmp(argv[i], "--pid"))
			pid = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--insns"))
			insns = argv[i + 1];
	}
	if (gobin_open(bin, &g, err, sizeof(err)))
		return fail("gobin_open: %s", err);
	if (govars_find(g, &mb, &rate, &how, err, sizeof(err))) {
		fail("govars_find: %s", err);
		goto out;
	}
	symbols = !gobin_symbol(g, "runtime.mbuckets", &smb, NULL) &&
		  !gobin_symbol(g, "runtime.MemProfileRate", &srate, NULL);
	if (govars_from_code(g, &mb2, &rate2, &how2, err, sizeof(err))) {
		fail("govars_from_code: %s", err);
		goto out;
	}
	if (symbols) {
		if (strcmp(how, "symbol table")) {
			fail("has a symbol table but govars_find used the %s", how);
			goto out;
		}
		if (mb2 != smb || rate2 != srate) {
			fail("code gives mbuckets 0x%" PRIx64 " MemProfileRate 0x%" PRIx64
			     ", the symbol table 0x%" PRIx64 " 0x%" PRIx64, mb2, rate2, smb, srate);
			goto out;
		}
		snprintf(msg[0], sizeof(msg[0]), "code = symbols (mbuckets 0x%" PRIx64
			 ", MemProfileRate 0x%" PRIx64 ")", mb, rate);
	} else {
		uint64_t omb, orate;
		struct gobin *og;

		if (strncmp(how, "code of ", 8) || mb != mb2 || rate != rate2) {
			fail("no symbol table, but govars_find says \"%s\"", how);
			goto out;
		}
		if (!oracle) {
			fail("stripped and no --oracle given");
			goto out;
		}
		if (gobin_open(oracle, &og, err, sizeof(err))) {
			fail("oracle: %s", err);
			goto out;
		}
		if (gobin_symbol(og, "runtime.mbuckets", &omb, NULL) ||
		    gobin_symbol(og, "runtime.MemProfileRate", &orate, NULL)) {
			gobin_close(og);
			fail("the oracle %s has no symbols", oracle);
			goto out;
		}
		gobin_close(og);
		if (!same_place(bin, mb, oracle, omb, msg[1], sizeof(msg[1])) ||
		    !same_place(bin, rate, oracle, orate, msg[2], sizeof(msg[2]))) {
			fail("code disagrees with the unstripped build: %s%s", msg[1], msg[2]);
			goto out;
		}
		snprintf(msg[0], sizeof(msg[0]), "code = unstripped build's symbols (mbuckets %.500s, MemProfileRate %.500s)",
			 msg[1], msg[2]);
	}
	msg[1][0] = msg[2][0] = 0;
	if (pid && !check_live(pid, bin, mb, rate, msg[1], sizeof(msg[1]))) {
		fail("%s", msg[1]);
		goto out;
	}
	if (insns && !check_insns(g, insns, msg[2], sizeof(msg[2]))) {
		fail("decoder vs objdump: %s", msg[2]);
		goto out;
	}
	if (!refuses_corrupt(bin, "runtime.mProf_FlushLocked", mb, msg[3], sizeof(msg[3])) ||
	    !refuses_corrupt(bin, "runtime.allocmcache", rate, msg[3], sizeof(msg[3]))) {
		fail("corruption check: %s", msg[3]);
		goto out;
	}
	decode_all(g, &nbad, &nall, bad, sizeof(bad));
	snprintf(msg[3], sizeof(msg[3]), "%u/%u functions decode to their end%s%s",
		 nall - nbad, nall, nbad ? "; not:" : "", bad);
	printf("PASS govars %s: %s; %s; %s; %s; a moved load in mProf_FlushLocked or allocmcache is refused; via %s\n",
	       label, msg[0], msg[1][0] ? msg[1] : "not run",
	       msg[2][0] ? msg[2] : "no objdump", msg[3], how2);
out:
	gobin_close(g);
	return 0;
}
