// SPDX-License-Identifier: GPL-2.0
/*
 * fusehang MOUNTPOINT: a FUSE file system, spoken raw on /dev/fuse, whose
 * one file ("x") can be opened but whose reads are never answered. A
 * process that reads it waits in the kernel for the answer; once it has
 * a SIGKILL it waits uninterruptibly (fuse's request_wait_answer: the
 * request already reached the server), so it never returns to user mode
 * until this server goes away. Killing fusehang (closing /dev/fuse) aborts
 * the connection and frees it.
 *
 * Prints "ready" once mounted, and "read pid N" for each read it holds.
 *
 * fusehang MOUNTPOINT FILE PID: "x" is FILE's bytes (mode 0755: it can
 * be exec'd), and reads are answered, except those of process PID, which
 * are held as above: a server that stalls one reader (oomprof-read) and
 * serves everyone else.
 *
 * fusehang -s DELAY_MS MOUNTPOINT: a slow server of a page-cache file
 * (not direct I/O: it can be mmap'd shared or private), with readahead
 * off (max_readahead 0: each page a process faults in is one READ). Each
 * page of "x" starts with a valid Go heap-profile bucket that ends its
 * list (allnext 0, typ 1, one PC: 0x401000 + the page's index). Each READ
 * is printed ("read off OFFSET size SIZE pid PID") when it arrives, then
 * answered DELAY_MS later, or never if DELAY_MS is negative: the count of
 * those lines is what the server was asked (progs/dumpdl.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#define FILE_NODE	2

static int fuse_fd;
static int serve_fd = -1;	/* FILE, when serving */
static off_t serve_size = 1 << 20;
static unsigned int hang_pid;	/* 0: hold every read */
static int slow;		/* -s: page-cache file, reads delayed */
static long delay_ms;		/* -s: < 0: never answered */

static void reply(uint64_t unique, int error, const void *arg, size_t size)
{
	struct fuse_out_header out = {
		.len = sizeof(out) + size,
		.error = error,
		.unique = unique,
	};
	struct iovec iov[2] = {
		{ &out, sizeof(out) },
		{ (void *)arg, size },
	};

	if (writev(fuse_fd, iov, size ? 2 : 1) < 0)
		fprintf(stderr, "fusehang: reply: %s\n", strerror(errno));
}

static void fill_attr(struct fuse_attr *a, uint64_t node)
{
	memset(a, 0, sizeof(*a));
	a->ino = node;
	a->nlink = 1;
	if (node == FUSE_ROOT_ID) {
		a->mode = S_IFDIR | 0755;
	} else {
		a->mode = S_IFREG | (serve_fd >= 0 ? 0755 : 0644);
		a->size = serve_size;
		a->blocks = (serve_size + 511) / 512;
	}
}

/* -s: the bytes of "x" at @off, @len of them, into @data. */
static void slow_fill(uint64_t off, char *data, size_t len)
{
	size_t i;

	memset(data, 0, len);
	for (i = 0; i < len; i++) {
		uint64_t at = off + i;
		uint64_t word = (at % 4096) / 8;
		uint64_t v;

		switch (word) {
		case 2: v = 1; break;			/* typ: memory */
		case 3: v = 0x5a5a5a5a; break;		/* hash */
		case 4: v = 64; break;			/* size */
		case 5: v = 1; break;			/* nstk */
		case 6: v = 0x401000 + at / 4096; break;	/* the PC */
		case 7: v = 1; break;			/* active.allocs */
		case 9: v = 64; break;			/* active.alloc_bytes */
		default: v = 0; break;			/* next, allnext, ... */
		}
		data[i] = (char)(v >> (8 * (at % 8)));
	}
}

int main(int argc, char **argv)
{
	static char buf[FUSE_MIN_READ_BUFFER + 65536];
	char opts[128];

	if (argc == 4 && !strcmp(argv[1], "-s")) {
		slow = 1;
		delay_ms = atol(argv[2]);
		argv += 2;
		argc = 2;
	}
	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: fusehang MOUNTPOINT [FILE PID] | fusehang -s DELAY_MS MOUNTPOINT\n");
		return 2;
	}
	if (argc == 4) {
		struct stat st;

		serve_fd = open(argv[2], O_RDONLY);
		if (serve_fd < 0 || fstat(serve_fd, &st)) {
			fprintf(stderr, "fusehang: %s: %s\n", argv[2],
				strerror(errno));
			return 1;
		}
		serve_size = st.st_size;
		hang_pid = (unsigned int)atoi(argv[3]);
	}
	fuse_fd = open("/dev/fuse", O_RDWR);
	if (fuse_fd < 0 && errno == ENOENT &&
	    mknod("/dev/fuse", S_IFCHR | 0666, makedev(10, 229)) == 0)
		fuse_fd = open("/dev/fuse", O_RDWR);
	if (fuse_fd < 0) {
		fprintf(stderr, "fusehang: /dev/fuse: %s (is fuse loaded?)\n",
			strerror(errno));
		return 1;
	}
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0", fuse_fd);
	if (mount("fusehang", argv[1], "fuse", MS_NOSUID | MS_NODEV, opts)) {
		fprintf(stderr, "fusehang: mount %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	for (;;) {
		struct fuse_in_header *in = (void *)buf;
		void *arg = in + 1;
		ssize_t n = read(fuse_fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			fprintf(stderr, "fusehang: read: %s\n", strerror(errno));
			return 1;
		}
		if ((size_t)n < sizeof(*in))
			continue;
		switch (in->opcode) {
		case FUSE_INIT: {
			const struct fuse_init_in *ii = arg;
			struct fuse_init_out o = {
				.major = FUSE_KERNEL_VERSION,
				.minor = FUSE_KERNEL_MINOR_VERSION,
				/* -s: no readahead: a READ per page faulted. */
				.max_readahead = slow ? 0 : ii->max_readahead,
				.max_write = 4096,
			};

			reply(in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_LOOKUP: {
			struct fuse_entry_out o = { .nodeid = FILE_NODE };

			if (strcmp(arg, "x")) {
				reply(in->unique, -ENOENT, NULL, 0);
				break;
			}
			o.entry_valid = 3600;
			o.attr_valid = 3600;
			fill_attr(&o.attr, FILE_NODE);
			reply(in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out o = { .attr_valid = 3600 };

			fill_attr(&o.attr, in->nodeid);
			reply(in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_OPEN: {
			/* Direct I/O: every read reaches us, none the cache. */
			struct fuse_open_out o = { .fh = 1,
						   .open_flags = FOPEN_DIRECT_IO };

			if (slow)	/* page cache: mmap'able, shared too */
				o.open_flags = 0;

			reply(in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_READ: {
			const struct fuse_read_in *ri = arg;
			static char data[1 << 20];	/* more than any read asks */
			size_t want = ri->size < sizeof(data) ? ri->size :
				      sizeof(data);
			ssize_t got;

			if (slow) {
				printf("read off %llu size %u pid %u\n",
				       (unsigned long long)ri->offset, ri->size,
				       in->pid);
				fflush(stdout);
				if (delay_ms < 0)
					break;	/* never answered */
				usleep((useconds_t)delay_ms * 1000);
				slow_fill(ri->offset, data, want);
				reply(in->unique, 0, data, want);
				break;
			}
			if (serve_fd >= 0 && in->pid != hang_pid) {
				got = pread(serve_fd, data, want,
					    (off_t)ri->offset);
				reply(in->unique, got < 0 ? -EIO : 0, data,
				      got < 0 ? 0 : (size_t)got);
				break;
			}
			/* Never answered: the reader waits until we die. */
			printf("read pid %u\n", in->pid);
			fflush(stdout);
			break;
		}
		case FUSE_INTERRUPT:
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
			break;	/* no reply expected (or none given) */
		default:
			reply(in->unique, -ENOSYS, NULL, 0);
			break;
		}
	}
}
