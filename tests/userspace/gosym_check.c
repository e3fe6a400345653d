// SPDX-License-Identifier: GPL-2.0
/*
 * Oracle check for user/symbolize.c: compares, frame for frame, what the
 * C symbolizer makes of the PCs tests/userspace/gosym/main.go collected
 * with runtime.Callers against what runtime.CallersFrames said about them
 * inside that process.
 *
 *   gosym_check <label> <go binary> <its output>
 *
 * Prints one line: "PASS gosym <label>: ..." or "FAIL gosym <label>: ...".
 * For every stack: gobin_stack_frames(pcs) must equal CallersFrames(pcs),
 * both for the stack as recorded ("full") and for its physical PCs only
 * ("phys"); and gobin_expand_stack(phys) must equal CallersFrames(full).
 *
 *   gosym_check --seed <go binary> <file>
 *
 * writes a fuzz_gopclntab.c seed: byte 1, the offset of go:func.*, then
 * the binary's pclntab (followed by go:func.* when it lies elsewhere, as
 * in Go 1.19).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gobin.h"
#include "symbolize.h"

#define MAXPCS 2048
#define MAXFRAMES 4096

struct want {
	char *function, *file;
	unsigned long line;
};

struct stack {
	char label[64], kind[16];
	uint64_t pcs[MAXPCS];
	size_t npcs;
	struct want frames[MAXFRAMES];
	int nframes;
};

static void free_frames(struct stack *s)
{
	for (int i = 0; i < s->nframes; i++) {
		free(s->frames[i].function);
		free(s->frames[i].file);
	}
	s->nframes = 0;
}

/* First difference between @got and @want, in @msg; 0 if none. */
static int compare(const struct go_frame *got, int ngot, const struct stack *w,
		   const char *what, char *msg, size_t len)
{
	for (int i = 0; i < ngot && i < w->nframes; i++) {
		const struct want *e = &w->frames[i];

		if (strcmp(got[i].function, e->function) || strcmp(got[i].file, e->file) ||
		    got[i].line != e->line) {
			snprintf(msg, len, "%s %s/%s frame %d: want %s %s:%lu, got %s %s:%u",
				 what, w->label, w->kind, i, e->function, e->file,
				 e->line, got[i].function, got[i].file, got[i].line);
			return 1;
		}
	}
	if (ngot != w->nframes) {
		snprintf(msg, len, "%s %s/%s: want %d frames, got %d", what, w->label,
			 w->kind, w->nframes, ngot);
		return 1;
	}
	return 0;
}

/*
 * go_frame.start_line has no oracle in Go (Frame.startLine is unexported):
 * for frames in main.go, the line it names must hold the func keyword (a
 * declaration or a closure's func literal) at or before the frame's line.
 */
static int check_start_line(const struct go_frame *fr, int n, const struct stack *w,
			    char *msg, size_t len)
{
	for (int i = 0; i < n; i++) {
		char line[1024] = "";
		size_t fl = strlen(fr[i].file);
		FILE *f;

		if (fl < 8 || strcmp(fr[i].file + fl - 8, "/main.go"))
			continue;
		f = fopen(fr[i].file, "r");
		for (uint32_t k = 0; f && k < fr[i].start_line; k++)
			if (!fgets(line, sizeof(line), f))
				line[0] = 0;
		if (f)
			fclose(f);
		if (!f || !fr[i].start_line || fr[i].start_line > fr[i].line ||
		    !strstr(line, "func")) {
			snprintf(msg, len, "start_line %s/%s frame %d: %s starts at %s:%u, which reads \"%.60s\"",
				 w->label, w->kind, i, fr[i].function, fr[i].file,
				 fr[i].start_line, strtok(line, "\n") ? line : "");
			return 1;
		}
	}
	return 0;
}

static int write_seed(const char *bin, const char *path)
{
	const struct gobin_info *in;
	const uint8_t *pcln, *fn = NULL;
	uint64_t fnlen = 0;
	uint32_t off = UINT32_MAX;
	struct gobin *g;
	char err[512];
	FILE *f;

	if (gobin_open(bin, &g, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	in = gobin_info(g);
	pcln = gobin_at(g, in->pclntab_addr, in->pclntab_size);
	if (in->gofunc_addr >= in->pclntab_addr &&
	    in->gofunc_addr - in->pclntab_addr < in->pclntab_size) {
		off = (uint32_t)(in->gofunc_addr - in->pclntab_addr);
	} else if (in->gofunc_addr) {
		/* Up to 256 KiB of go:func.* after the table. */
		for (fnlen = 256 << 10; fnlen && !fn; fnlen /= 2)
			fn = gobin_at(g, in->gofunc_addr, fnlen);
		fnlen *= 2;
		off = (uint32_t)in->pclntab_size;
	}
	f = fopen(path, "wb");
	if (!f || !pcln || fputc(1, f) == EOF || fwrite(&off, 4, 1, f) != 1 ||
	    fwrite(pcln, 1, in->pclntab_size, f) != in->pclntab_size ||
	    (fn && fwrite(fn, 1, fnlen, f) != fnlen) || fclose(f)) {
		fprintf(stderr, "%s: cannot write a seed\n", path);
		gobin_close(g);
		return 1;
	}
	gobin_close(g);
	return 0;
}

static char *field(char **p)
{
	return strsep(p, "\t");
}

int main(int argc, char **argv)
{
	static struct stack cur, full;
	static struct go_frame got[MAXFRAMES];
	char err[512], msg[1024] = "", line[8192], version[64] = "";
	const struct gobin_info *in;
	uint64_t bias = 0;
	int nstacks = 0, nframes = 0, failed = 0, in_stack = 0;
	struct gobin *g;
	FILE *f;

	if (argc == 4 && !strcmp(argv[1], "--seed"))
		return write_seed(argv[2], argv[3]);
	if (argc != 4) {
		fprintf(stderr, "usage: %s label go-binary oracle-output\n", argv[0]);
		return 2;
	}
	if (gobin_open(argv[2], &g, err, sizeof(err))) {
		printf("FAIL gosym %s: %s\n", argv[1], err);
		return 0;
	}
	/* Symbolize from what the daemon's cache keeps: the trimmed gobin. */
	gobin_trim(g);
	in = gobin_info(g);
	f = fopen(argv[3], "r");
	if (!f) {
		printf("FAIL gosym %s: cannot read %s\n", argv[1], argv[3]);
		gobin_close(g);
		return 0;
	}
	while (!failed && fgets(line, sizeof(line), f)) {
		char *p = line, *tag;

		line[strcspn(line, "\n")] = 0;
		tag = field(&p);
		if (!strcmp(tag, "go")) {
			snprintf(version, sizeof(version), "%s", p ? p : "");
		} else if (!strcmp(tag, "bias")) {
			bias = strtoull(p ? p : "0", NULL, 16);
		} else if (!strcmp(tag, "stack")) {
			char *l = field(&p), *k = field(&p);

			free_frames(&cur);
			snprintf(cur.label, sizeof(cur.label), "%s", l ? l : "?");
			snprintf(cur.kind, sizeof(cur.kind), "%s", k ? k : "?");
			cur.npcs = 0;
			in_stack = 1;
		} else if (!strcmp(tag, "pc") && in_stack && cur.npcs < MAXPCS) {
			/* Runtime address to link-time address. */
			cur.pcs[cur.npcs++] = strtoull(p ? p : "0", NULL, 16) - bias;
		} else if (!strcmp(tag, "frame") && in_stack && cur.nframes < MAXFRAMES) {
			char *fn = field(&p), *file = field(&p), *ln = field(&p);
			struct want *w = &cur.frames[cur.nframes++];

			w->function = strdup(fn ? fn : "");
			w->file = strdup(file ? file : "");
			w->line = strtoul(ln ? ln : "0", NULL, 10);
		} else if (!strcmp(tag, "end") && in_stack) {
			int n = gobin_stack_frames(g, cur.pcs, cur.npcs, got, MAXFRAMES);

			in_stack = 0;
			nstacks++;
			nframes += n;
			failed = compare(got, n, &cur, "stack_frames", msg, sizeof(msg));
			if (!failed && in->pclntab_magic == 0xfffffff1u)
				failed = check_start_line(got, n, &cur, msg, sizeof(msg));
			if (!failed && !strcmp(cur.kind, "phys") &&
			    !strcmp(cur.label, full.label)) {
				n = gobin_expand_stack(g, cur.pcs, cur.npcs, got, MAXFRAMES);
				failed = compare(got, n, &full, "expand_stack(phys) vs full",
						 msg, sizeof(msg));
			}
			if (!strcmp(cur.kind, "full")) {
				free_frames(&full);
				full = cur;	/* takes the strings */
				cur.nframes = 0;
			}
		}
	}
	fclose(f);
	if (!failed && strcmp(version, in->go_version)) {
		snprintf(msg, sizeof(msg), "go version: process says %s, .go.buildinfo %s",
			 version, in->go_version);
		failed = 1;
	}
	if (!failed && nstacks < 10) {
		snprintf(msg, sizeof(msg), "only %d stacks in %s (did the program run?)",
			 nstacks, argv[3]);
		failed = 1;
	}
	if (failed)
		printf("FAIL gosym %s: first mismatch: %s\n", argv[1], msg);
	else
		printf("PASS gosym %s: %d stacks, %d frames agree with runtime.CallersFrames "
		       "(%s, %s; pclntab: %s; moduledata: %s; text: %s; go:func.*: %s)\n",
		       argv[1], nstacks, nframes, in->go_version,
		       in->elf_type == 3 ? "ET_DYN" : "ET_EXEC", in->pclntab_from,
		       in->moduledata_from ? in->moduledata_from : "not found",
		       in->text_from, in->gofunc_from ? in->gofunc_from : "none");
	free_frames(&cur);
	free_frames(&full);
	gobin_close(g);
	return 0;
}
