/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * oomprof: the records the oomprof module hands to userspace through
 * /dev/oomprof, and the ioctls of that device.
 *
 * This file is the one definition of the format. The module and
 * oomprof-read both include it; a change to any structure below bumps
 * OOMPROF_RECORD_VERSION (layout) or OOMPROF_ABI_VERSION (ioctls).
 *
 * Stream: read() returns one or more whole records. Every record starts
 * with struct oomprof_record_header; hdr.size is the whole record's size,
 * always a multiple of 8, so the next header is naturally aligned. A reader
 * skips types it does not know by hdr.size.
 */
#ifndef _UAPI_LINUX_OOMPROF_H
#define _UAPI_LINUX_OOMPROF_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define OOMPROF_DEVICE_PATH	"/dev/oomprof"

#define OOMPROF_RECORD_MAGIC	0x504d4f4fU	/* "OOMP" little-endian */
#define OOMPROF_RECORD_VERSION	5
#define OOMPROF_ABI_VERSION	5

/*
 * A read() buffer of this size always holds an OOM kill, lost or process
 * event record. A Go heap record (OOMPROF_REC_GO_HEAP) can be as large as
 * a capture buffer (oomprof_stats.capture_buffer_size): a buffer smaller
 * than the next record gets EINVAL.
 */
#define OOMPROF_READ_MIN	16384

enum oomprof_record_type {
	/* One OOM kill, of any program: struct oomprof_oom_kill. */
	OOMPROF_REC_OOM_KILL = 1,
	/*
	 * Records were lost because the buffer was full or no kill slot was
	 * free: header only, the count is in hdr.lost. Emitted when the
	 * reader has drained everything queued before the loss, so the
	 * count arrives in stream order even if no later record does.
	 */
	OOMPROF_REC_LOST = 2,
	/*
	 * A Go process's heap-profile buckets: struct oomprof_oom_kill,
	 * struct oomprof_go_capture, bucket entries. See below.
	 */
	OOMPROF_REC_GO_HEAP = 3,
	/*
	 * A process called execve(): struct oomprof_proc_event. Queued only
	 * while a reader has the device open, and only into the first half
	 * of the buffer, so a burst of execs never takes the room OOM
	 * records need: one that does not fit is dropped and counted in
	 * oomprof_stats.proc_events_lost (not in hdr.lost), and the reader
	 * rescans /proc when that grows. Process events are not part of the
	 * numbered stream: their hdr.seq and hdr.lost are 0, so seq still
	 * counts OOM records and a gap still means a lost kill.
	 */
	OOMPROF_REC_PROC_EXEC = 4,
	/*
	 * The last thread of a registered process exited: its registration
	 * is gone. struct oomprof_proc_event, same rules as PROC_EXEC.
	 */
	OOMPROF_REC_PROC_EXIT = 5,
};

struct oomprof_record_header {
	__u32 magic;		/* OOMPROF_RECORD_MAGIC */
	__u16 version;		/* OOMPROF_RECORD_VERSION */
	__u16 type;		/* enum oomprof_record_type */
	__u32 size;		/* whole record in bytes, multiple of 8 */
	__u32 flags;		/* type-specific, see below */
	__u64 seq;		/* 1, 2, ...: lost records use numbers too */
	__u64 lost;		/* records lost just before this one */
};

#define OOMPROF_COMM_LEN	16
#define OOMPROF_CGROUP_LEN	256
#define OOMPROF_MAX_PARENTS	8

/* A task as the kernel saw it; pids are in the initial pid namespace. */
struct oomprof_task_ident {
	__u32 pid;
	__u32 tgid;
	char comm[OOMPROF_COMM_LEN];	/* NUL-terminated */
};

/* Why memory ran out: mirrors the kernel's enum oom_constraint. */
enum oomprof_constraint {
	OOMPROF_CONSTRAINT_UNKNOWN = 0,	/* see OOMPROF_KILL_NO_CONSTRAINT */
	OOMPROF_CONSTRAINT_GLOBAL = 1,
	OOMPROF_CONSTRAINT_CPUSET = 2,
	OOMPROF_CONSTRAINT_MEMORY_POLICY = 3,
	OOMPROF_CONSTRAINT_MEMCG = 4,
};

/* hdr.flags of OOMPROF_REC_OOM_KILL */
/* sigkill_boottime_ns is valid: the victim dequeued its SIGKILL. */
#define OOMPROF_KILL_SIGKILL_SEEN	(1U << 0)
/* The victim had an address space: the *_kb fields are valid. */
#define OOMPROF_KILL_MM_FACTS		(1U << 1)
/*
 * victim_cgroup or oom_cgroup filled its OOMPROF_CGROUP_LEN - 1 bytes: it
 * may have been cut there (the kernel does not always say).
 */
#define OOMPROF_KILL_CGROUP_TRUNCATED	(1U << 2)
/* The parent chain goes on above parents[OOMPROF_MAX_PARENTS - 1]. */
#define OOMPROF_KILL_PARENTS_TRUNCATED	(1U << 3)
/*
 * The module could not learn the OOM's constraint (its probe on
 * out_of_memory() is not attached on this kernel): constraint is UNKNOWN.
 */
#define OOMPROF_KILL_NO_CONSTRAINT	(1U << 4)

struct oomprof_oom_kill {
	struct oomprof_record_header hdr;
	__u64 kill_realtime_ns;		/* CLOCK_REALTIME at mark_victim */
	__u64 kill_boottime_ns;		/* CLOCK_BOOTTIME at mark_victim */
	__u64 sigkill_boottime_ns;	/* CLOCK_BOOTTIME at signal_deliver */
	struct oomprof_task_ident victim;
	__u32 victim_ns_pid;		/* victim's tgid in its own pid ns */
	__u32 uid;			/* real uid, initial user ns */
	__s16 oom_score_adj;
	__u16 constraint;		/* enum oomprof_constraint */
	__s32 order;			/* allocation order, -1 for sysrq */
	__u32 gfp_mask;
	__u32 nparents;			/* valid entries of parents[] */
	/*
	 * With OOMPROF_KILL_GO_PROCESS in an OOM_KILL record: why there is
	 * no capture (enum oomprof_capture_stop).
	 */
	__u32 capture_stop;
	/*
	 * With OOMPROF_KILL_GO_PROCESS: where the capture ran (enum
	 * oomprof_capture_path); 0 in records of other kills.
	 */
	__u32 capture_path;
	__u64 total_vm_kb;
	__u64 anon_rss_kb;
	__u64 file_rss_kb;
	__u64 shmem_rss_kb;
	__u64 pgtables_kb;
	__u64 victim_cgroup_id;		/* victim's memory cgroup, 0 if none */
	__u64 oom_cgroup_id;		/* cgroup at its limit, 0 if global */
	/* The task whose allocation ran the OOM killer. */
	struct oomprof_task_ident trigger;
	/* The victim's parent, grandparent, ... (real_parent chain). */
	struct oomprof_task_ident parents[OOMPROF_MAX_PARENTS];
	char victim_cgroup[OOMPROF_CGROUP_LEN];	/* path in cgroup v2 */
	char oom_cgroup[OOMPROF_CGROUP_LEN];	/* "" for a global OOM */
	/*
	 * The record's sections (struct oomprof_section, below): ext_bytes
	 * of them from byte ext_offset of the record to its end (ext_offset
	 * + ext_bytes == hdr.size). 0, 0: none. In an OOM_KILL record they
	 * follow this structure; in a GO_HEAP record the count entries
	 * (ext_offset is their end rounded up to 8).
	 */
	__u32 ext_offset;
	__u32 ext_bytes;
};

/*
 * Sections: facts of a kill that come in variable number or only on some
 * kills, after the fixed structures so that each record type keeps its
 * layout. Each starts with this header; bytes (header included) is a
 * multiple of 8, so the next one is aligned. A reader skips a type it
 * does not know by bytes, and a section bytes says is longer than the
 * structure it knows (a later version may append fields). At most one
 * section of each type.
 */
struct oomprof_section {
	__u16 type;		/* enum oomprof_section_type */
	__u16 flags;		/* type-specific */
	__u32 bytes;		/* whole section, header included */
};

enum oomprof_section_type {
	OOMPROF_SEC_MEMCG = 1,	/* struct oomprof_sec_memcg */
	OOMPROF_SEC_SYSTEM = 2,	/* struct oomprof_sec_system */
	OOMPROF_SEC_TASKS = 3,	/* struct oomprof_sec_tasks */
	OOMPROF_SEC_MAPS = 4,	/* struct oomprof_sec_maps */
};

/* A limit that is not set ("max" in memory.max): */
#define OOMPROF_UNLIMITED	(~0ULL)

/* memory.events counters, in the file's order */
enum oomprof_memcg_event {
	OOMPROF_MEMCG_LOW,
	OOMPROF_MEMCG_HIGH,
	OOMPROF_MEMCG_MAX,
	OOMPROF_MEMCG_OOM,
	OOMPROF_MEMCG_OOM_KILL,
	OOMPROF_MEMCG_OOM_GROUP_KILL,
	OOMPROF_MEMCG_NR_EVENTS,
};

/* sec.flags of OOMPROF_SEC_MEMCG */
#define OOMPROF_MEMCG_SWAP	(1U << 0)	/* swap_* valid (cgroup v2) */

/*
 * A memcg OOM: the memory cgroup at its limit (oom_cgroup), at the kill
 * (mark_victim), as its memory.current, memory.max, memory.high,
 * memory.peak, memory.swap.current, memory.swap.max and memory.events
 * (hierarchical) files would have shown it. The OOM kill is counted in
 * events[OOMPROF_MEMCG_OOM_KILL] before the victim is marked.
 */
struct oomprof_sec_memcg {
	struct oomprof_section sec;
	__u64 usage_bytes;
	__u64 max_bytes;		/* or OOMPROF_UNLIMITED */
	__u64 high_bytes;		/* or OOMPROF_UNLIMITED */
	__u64 peak_bytes;		/* high watermark since creation/reset */
	__u64 swap_bytes;
	__u64 swap_max_bytes;		/* or OOMPROF_UNLIMITED */
	__u64 events[OOMPROF_MEMCG_NR_EVENTS];
};

/* sec.flags of OOMPROF_SEC_SYSTEM */
/* swap_total_bytes is valid (the OOM killer's own total: global OOMs). */
#define OOMPROF_SYSTEM_SWAP_TOTAL	(1U << 0)

/*
 * Any OOM: the machine's memory at the kill, as /proc/meminfo's MemTotal,
 * MemFree, MemAvailable, SwapFree and SwapTotal would have shown it.
 */
struct oomprof_sec_system {
	struct oomprof_section sec;
	__u64 ram_total_bytes;
	__u64 ram_free_bytes;
	__u64 ram_available_bytes;
	__u64 swap_total_bytes;		/* see OOMPROF_SYSTEM_SWAP_TOTAL */
	__u64 swap_free_bytes;
};

/* Most entries an OOMPROF_SEC_TASKS section holds (module's top_tasks). */
#define OOMPROF_MAX_TASKS	32

/* flags of struct oomprof_task_mem */
#define OOMPROF_TASK_VICTIM	(1U << 0)	/* the process killed */
/*
 * The OOM killer would not pick it (oom_score_adj -1000, its memory
 * already reaped, or in vfork()): badness is INT64_MIN, as the kernel's
 * LONG_MIN.
 */
#define OOMPROF_TASK_UNKILLABLE	(1U << 1)

/*
 * One process of the OOM's domain, sizes in kB. The victim's are taken at
 * mark_victim, the others' when the record is published (at the victim's
 * SIGKILL, within sigkill_wait_ms of the kill).
 */
struct oomprof_task_mem {
	__u32 pid;			/* the thread whose mm was read */
	__u32 tgid;
	char comm[OOMPROF_COMM_LEN];	/* NUL-terminated */
	__u32 uid;			/* real uid, initial user ns */
	__s16 oom_score_adj;
	__u16 flags;			/* OOMPROF_TASK_* */
	__u64 total_vm_kb;
	__u64 anon_rss_kb;
	__u64 file_rss_kb;
	__u64 shmem_rss_kb;
	__u64 swap_kb;
	__u64 pgtables_kb;
	/*
	 * The OOM killer's oom_badness(): rss + swap + page tables, in
	 * pages, plus oom_score_adj * (totalpages / 1000).
	 */
	__s64 badness;
};

/* sec.flags of OOMPROF_SEC_TASKS */
/* The walk stopped at its bound of processes or time: ranks may miss some. */
#define OOMPROF_TASKS_TRUNCATED	(1U << 0)

/*
 * The processes of the OOM's domain (the memcg at its limit and its
 * descendants, or the whole machine) with the highest badness, highest
 * first, the victim among them (ranked by its badness at the kill):
 * ntasks entries, at most OOMPROF_MAX_TASKS. Kernel threads and init are
 * not in the domain, as for the OOM killer.
 */
struct oomprof_sec_tasks {
	struct oomprof_section sec;
	__u32 ntasks;			/* entries below */
	__u32 walked;			/* processes looked at */
	__u64 totalpages;		/* the OOM killer's, for badness */
	__u64 walk_ns;			/* how long the walk took */
	struct oomprof_task_mem tasks[];
};

/* Most entries an OOMPROF_SEC_MAPS section holds (module's top_maps). */
#define OOMPROF_MAX_MAPS	32
/* Bytes of a mapping's name, NUL included. */
#define OOMPROF_MAP_NAME_LEN	128

/* What a mapping is (struct oomprof_map.kind, index of totals[]). */
enum oomprof_map_kind {
	/* Private anonymous memory that is neither heap nor stack. */
	OOMPROF_MAP_ANON = 0,
	OOMPROF_MAP_HEAP,	/* [heap]: the brk area */
	OOMPROF_MAP_STACK,	/* [stack]: holds the main thread's stack */
	OOMPROF_MAP_FILE,	/* a file; name: its path */
	/*
	 * Shared memory (tmpfs, memfd, shared anonymous, SysV shm); name:
	 * its file's path ("/memfd:NAME (deleted)", "/dev/zero (deleted)").
	 */
	OOMPROF_MAP_SHMEM,
	OOMPROF_MAP_HUGETLB,	/* hugetlbfs pages; name: its path */
	/*
	 * Anything else: the kernel's special mappings ([vdso], [vvar]: the
	 * name they give), device memory (VM_IO, VM_PFNMAP: size only).
	 */
	OOMPROF_MAP_OTHER,
	OOMPROF_MAP_NR_KINDS,
};

/* flags of struct oomprof_map */
/* name is the tail of a longer name: its first bytes were cut. */
#define OOMPROF_MAP_NAME_TRUNCATED	(1U << 0)
/*
 * resident_bytes and swap_bytes were not counted (device memory, or the
 * walk's bound came first): 0 means unknown, not empty.
 */
#define OOMPROF_MAP_SIZE_ONLY		(1U << 1)

/*
 * One mapping of the victim (a VMA, as a line of /proc/PID/maps). Its
 * resident bytes are the pages its page tables map (smaps' Rss: a page
 * shared with another process counts in both); a huge page counts whole.
 * swap_bytes: page-table entries that hold a swap (or migration) entry.
 */
struct oomprof_map {
	__u64 start;			/* address of its first byte */
	__u64 size_bytes;
	__u64 resident_bytes;
	__u64 swap_bytes;
	__u16 kind;			/* enum oomprof_map_kind */
	__u16 flags;			/* OOMPROF_MAP_* */
	__u32 reserved;			/* 0 */
	/*
	 * NUL-terminated; "" for anonymous memory. Bytes the victim chose
	 * (file and memfd names), copied as they are: escape them.
	 */
	char name[OOMPROF_MAP_NAME_LEN];
};

/* All the mappings of one kind, those not listed included. */
struct oomprof_map_total {
	__u64 count;
	__u64 size_bytes;
	__u64 resident_bytes;
	__u64 swap_bytes;
};

/* Why the walk over the victim's mappings stopped (sec_maps.stop). */
enum oomprof_maps_stop {
	OOMPROF_MAPS_COMPLETE = 0,	/* every mapping, every entry */
	/* The bound on mappings visited: those after it are not counted. */
	OOMPROF_MAPS_STOP_VMAS,
	/*
	 * The bound on page-table entries examined (in all): the mappings
	 * after it are counted by size only.
	 */
	OOMPROF_MAPS_STOP_PTES,
	OOMPROF_MAPS_STOP_TIME,		/* the time bound, likewise */
	/* Its mmap_lock stayed write-locked: no mapping was read. */
	OOMPROF_MAPS_STOP_MM_BUSY,
	/*
	 * No walk: the victim was exiting at its kill, so it could not run
	 * the walk before freeing its memory.
	 */
	OOMPROF_MAPS_STOP_EXITING,
};

/* sec.flags of OOMPROF_SEC_MAPS */
/*
 * Some mapping of memory (hugetlb, or one the walk's bound left) was
 * counted by size only; device mappings are so without this flag.
 */
#define OOMPROF_MAPS_SIZE_ONLY		(1U << 0)
/* Some listed mapping's name was cut (OOMPROF_MAP_NAME_TRUNCATED). */
#define OOMPROF_MAPS_NAME_TRUNCATED	(1U << 1)

/*
 * Any victim that had an address space: its mappings, read after the kill
 * and before it freed anything, in its own context or a worker's (path,
 * as a Go capture's). The nmaps with the most resident bytes (then the
 * largest), most first, at most OOMPROF_MAX_MAPS, and the totals of every
 * kind, over the mappings visited. The walk is bounded in mappings,
 * page-table entries and time (50 ms once it has the victim's mmap_lock,
 * which it waits for at most 200 ms); stop says which bound, if any, cut
 * it.
 */
struct oomprof_sec_maps {
	struct oomprof_section sec;
	__u32 nmaps;			/* entries of maps[] */
	__u32 stop;			/* enum oomprof_maps_stop */
	__u32 path;			/* enum oomprof_capture_path */
	/* Waited for the mmap_lock before the walk (at most 200 ms). */
	__u32 lock_wait_us;
	__u64 vmas;			/* mappings visited */
	__u64 ptes;			/* page-table entries examined */
	__u64 walk_after_ns;		/* from the kill to the walk's start */
	__u64 walk_ns;			/* how long it took, lock wait included */
	struct oomprof_map_total totals[OOMPROF_MAP_NR_KINDS];
	struct oomprof_map maps[];
};

/*
 * The victim was a registered Go process (OOMPROF_IOC_REGISTER): its heap
 * profile was captured (the record is OOMPROF_REC_GO_HEAP) or, in an
 * OOMPROF_REC_OOM_KILL record, could not be: capture_stop says why.
 */
#define OOMPROF_KILL_GO_PROCESS		(1U << 5)

/*
 * OOMPROF_REC_GO_HEAP: a Go process's heap-profile buckets, captured at its
 * OOM kill (kill.hdr.flags has OOMPROF_KILL_GO_PROCESS). Layout:
 *
 *   struct oomprof_oom_kill   kill facts; kill.hdr is the record's header,
 *                             kill.hdr.size the whole record
 *   struct oomprof_go_capture how the capture went
 *   region data, regions_bytes of them (see struct oomprof_go_region)
 *   full entries, bucket_bytes of them (nbuckets - nbuckets_counted),
 *                             each: __u64 address of the bucket in the
 *                             process, then the runtime's bucket exactly
 *                             as it was in memory (runtime/mprof.go): six
 *                             words next, allnext, typ, hash, size, nstk;
 *                             nstk return PCs; the memRecord: active,
 *                             future[0], future[1], future[2], each four
 *                             words allocs, frees, alloc_bytes, free_bytes.
 *   count entries, counts_bytes of them (nbuckets_counted), see below,
 *                             then zeros up to hdr.size, a multiple of 8
 *                             like every record's.
 *
 * Full entries are the buckets from the list's head down to the reader's
 * learned prefix (OOMPROF_IOC_LEARNED), or all of them if it has none.
 * From the prefix's first bucket (known_head) on, the reader already holds
 * each bucket's header and stack (they never change once the runtime made
 * the bucket), so the capture copies only what changes, the memRecord, as
 * a count entry:
 *
 *   varint  zigzag(address - previous count entry's address; the first
 *           entry's previous address is 0)
 *   varint  mask: bit i set if memRecord word i (0..15, in the order
 *           above: active.allocs is 0, future[2].free_bytes 15) is not 0
 *   varint  each word whose bit is set, in increasing i
 *
 * varint: unsigned LEB128, at most 10 bytes; zigzag(d) = (d << 1) ^
 * (d >> 63) for d taken as a signed 64-bit difference. The address lets
 * the reader check that each count entry is the bucket it learned there.
 * Count entries go on for at most known_count buckets; a list that ends
 * before that, or goes on after it, stops the capture with
 * OOMPROF_STOP_LEARNED_MISMATCH.
 *
 * The kernel validates what it copies (typ, nstk, pointers) and interprets
 * nothing else.
 */
#define OOMPROF_GO_BUCKET_HEADER_WORDS	6
#define OOMPROF_GO_MEMRECORD_WORDS	16
#define OOMPROF_GO_MAX_STACK		1024	/* runtime's maxProfStackDepth */

enum oomprof_capture_stop {
	OOMPROF_STOP_NONE = 0,		/* complete: reached the end */
	OOMPROF_STOP_MAX_BUCKETS,	/* the max_buckets bound */
	OOMPROF_STOP_BUFFER_FULL,	/* the capture buffer is full */
	OOMPROF_STOP_TIMEOUT,		/* the time bound */
	OOMPROF_STOP_CYCLE,		/* the list loops: cut at the repeat */
	OOMPROF_STOP_BAD_POINTER,	/* misaligned or not a user address */
	OOMPROF_STOP_BAD_TYPE,		/* a bucket whose typ is not memory */
	OOMPROF_STOP_BAD_NSTK,		/* nstk over OOMPROF_GO_MAX_STACK */
	OOMPROF_STOP_READ_FAULT,	/* not resident, unmapped or reaped */
	OOMPROF_STOP_NO_MM,		/* the address space was already gone */
	OOMPROF_STOP_NO_BUFFER,		/* no capture buffer was free */
	OOMPROF_STOP_EXEC,		/* exec'd since registered */
	/* Exiting at its kill: its memory is freed before a capture runs. */
	OOMPROF_STOP_EXITING,
	OOMPROF_STOP_NOT_64BIT,		/* a 32-bit process: another layout */
	OOMPROF_STOP_IO_MAPPING,	/* a pointer into VM_IO/VM_PFNMAP memory */
	OOMPROF_STOP_MM_BUSY,		/* its mmap_lock stayed write-locked */
	/* Below known_head the list is not the learned one (see above). */
	OOMPROF_STOP_LEARNED_MISMATCH,
};

/*
 * Where a registered victim's capture ran. The victim's own context is the
 * rule: it runs (a task_work) before the victim takes its SIGKILL, while it
 * still counts as the OOM killer's victim in progress, so no second OOM can
 * pick another task while its memory is being read, and its memory is
 * freed as soon as it exits. A victim that has not returned from the
 * kernel by capture_wait_ms after its kill (say, asleep uninterruptibly)
 * is captured by a worker instead: the fallback.
 */
enum oomprof_capture_path {
	OOMPROF_CAPTURE_PATH_NONE = 0,	/* no capture: capture_stop says why */
	OOMPROF_CAPTURE_PATH_VICTIM,	/* in the victim, before its SIGKILL */
	OOMPROF_CAPTURE_PATH_FALLBACK,	/* by a worker at capture_wait_ms */
	/*
	 * By a worker at once, while the victim waited for it in its exit
	 * (still in its cgroup): it had taken its SIGKILL before the kill
	 * was armed and could run the capture only after exit_mm.
	 */
	OOMPROF_CAPTURE_PATH_HANDOVER,
};

#define OOMPROF_EXE_PATH_LEN	256
#define OOMPROF_BUILD_ID_LEN	128

/*
 * Regions: pieces of a Go process's memory a registration names, copied
 * at each capture (and each dump) before its buckets, so that a walk cut
 * short by a bound still has them. oomprof-read names the runtime's
 * memory statistics there (the parts of runtime.memstats,
 * runtime.gcController and runtime.mheap_ that ReadMemStats reads, located
 * from the executable's DWARF); the module interprets nothing in them.
 *
 * In a registration (and a dump request) a slot is unused when all its
 * fields are 0; a used one has addr a user address, 1 <= bytes <=
 * OOMPROF_GO_REGION_MAX, addr + bytes neither overflowing nor past the
 * user address space, and reserved 0 (else EINVAL).
 *
 * In a capture: regions[] as registered; the data, regions_bytes of it,
 * follows struct oomprof_go_capture, each used region at the sum of the
 * earlier used regions' bytes, each rounded up to 8, from the data's
 * start (so each region starts 8-byte aligned, and the entries after the
 * data too). A region whose bit in regions_copied is clear is zeros
 * there; region_error[i] says why (-EFAULT: not mapped or not resident,
 * -ENXIO: device memory, -ETIME: no time was left, -EBUSY: the address
 * space's lock stayed taken; 0 for copied and unused slots). A failed
 * region never stops the rest of the capture.
 */
#define OOMPROF_GO_MAX_REGIONS	4
#define OOMPROF_GO_REGION_MAX	4096

struct oomprof_go_region {
	__u64 addr;			/* load bias applied */
	__u32 bytes;
	__u32 reserved;			/* 0 */
};

struct oomprof_go_capture {
	__u64 registration_id;
	__u64 cookie;			/* the registrant's, echoed */
	__u64 mbuckets_addr;
	__u64 mem_profile_rate_addr;
	__s64 mem_profile_rate;		/* runtime.MemProfileRate, read now */
	__u64 nbuckets;
	__u64 bucket_bytes;		/* bytes of entries after this */
	__u64 start_boottime_ns;
	__u64 duration_ns;
	__u64 stop_addr;		/* where the walk stopped, if it did */
	__u32 stop;			/* enum oomprof_capture_stop */
	__u32 flags;			/* OOMPROF_CAPTURE_* */
	/* As registered: lets a reader that did not register it symbolize. */
	__u64 load_bias;
	char exe_path[OOMPROF_EXE_PATH_LEN];
	char build_id[OOMPROF_BUILD_ID_LEN];
	/* The learned prefix the capture used (0, 0: none), see above. */
	__u64 known_head;
	__u64 known_count;
	__u64 nbuckets_counted;		/* count entries, of nbuckets */
	__u64 counts_bytes;		/* bytes of count entries */
	/* The registration's regions and how their copy went, see above. */
	struct oomprof_go_region regions[OOMPROF_GO_MAX_REGIONS];
	__s32 region_error[OOMPROF_GO_MAX_REGIONS];
	__u32 regions_copied;		/* bit i: regions[i] copied */
	__u32 regions_bytes;		/* bytes of region data after this */
};

/* A memory read that failed on MemProfileRate: mem_profile_rate is -1. */
#define OOMPROF_CAPTURE_NO_RATE		(1U << 0)
/*
 * Some bucket counts lay on pages with nothing mapped (the runtime's
 * persistentalloc chunks are zero pages until written, and the newest
 * bucket's memRecord often reaches into one): they were read as zeros
 * instead of ending the walk. Headers and stacks are never zero-filled.
 */
#define OOMPROF_CAPTURE_ZERO_FILLED	(1U << 1)

/*
 * Who may read or write which process: the rule of every ioctl below that
 * reads or writes another process (REGISTER, SET_RATE, DUMP).
 *
 * 1. /dev/oomprof was opened with CAP_SYS_ADMIN (checked at open(); the
 *    ioctl caller's own capabilities are not looked at), and
 * 2. the request carries mem_fd, an open /proc/PID/mem of the process.
 *    Opening it made the kernel itself check that its opener may ptrace
 *    (PTRACE_MODE_ATTACH_FSCREDS) the process: uids, capabilities in the
 *    process's user namespace, Yama's ptrace_scope, LSMs, dumpability.
 *    Whoever may not attach cannot open it, so cannot ask.
 *
 * The file is also bound to the address space the process had when it
 * was opened (an exec gives the process a new one), so the rule binds a
 * request to one program: open /proc/PID/mem first, then inspect the
 * executable (/proc/PID/exe, /proc/PID/maps) and compute the addresses,
 * then issue the ioctl. The module checks, holding the process's exec
 * lock so that no exec can come in between, that the process still runs
 * in that address space; if it exec'd since the file was opened the
 * request fails with ESTALE and nothing is read or written.
 *
 * Errors of that rule, for REGISTER and DUMP:
 *   EBADF   mem_fd is not an open file, or (SET_RATE) not opened for
 *           writing (O_RDWR): the write needs a file that may write
 *   EINVAL  mem_fd is not a /proc/PID/mem file
 *   ESRCH   no such process (in the caller's pid namespace), it exited,
 *           or its start time is not start_time_ticks (the pid was reused)
 *   ESTALE  the process exec'd since mem_fd was opened, or mem_fd is
 *           another process's: inspect it again
 */

/*
 * OOMPROF_IOC_REGISTER flags.
 *
 * OOMPROF_REGISTER_SET_RATE: turn on heap profiling in a Go program whose
 * runtime.MemProfileRate is 0 (it never references runtime.MemProfile, so
 * the linker turned profiling off): the module reads the word at
 * mem_profile_rate_addr and, only if it is 0, writes set_rate there. The
 * runtime samples the allocations made after that; nothing allocated
 * before is ever in the profile. mem_fd must be open for writing (O_RDWR;
 * else EBADF): the write is one its opener could make through it. Ask
 * only once the runtime has initialized (say, a second after exec):
 * before that the word holds the link-time value, and the runtime
 * overwrites whatever was written. The outcome is in set_rate_result; the
 * registration is made either way.
 */
#define OOMPROF_REGISTER_SET_RATE	(1U << 0)

/* Largest set_rate: the most a Go int holds on every platform. */
#define OOMPROF_SET_RATE_MAX		0x7fffffff

enum oomprof_set_rate_result {
	OOMPROF_SET_RATE_NONE = 0,	/* not asked */
	OOMPROF_SET_RATE_WRITTEN,	/* was 0, set_rate written */
	OOMPROF_SET_RATE_ALREADY,	/* not 0 (old_rate): left alone */
	OOMPROF_SET_RATE_FAILED,	/* set_rate_errno says why */
};

/* OOMPROF_IOC_REGISTER: watch a Go process. */
struct oomprof_register {
	__u32 pid;			/* tgid, in the caller's pid namespace */
	__u32 flags;			/* OOMPROF_REGISTER_* */
	/*
	 * The process's start time, field 22 of /proc/PID/stat (clock ticks
	 * since boot, in the caller's time namespace), read before mem_fd
	 * was opened: a pid reused since gives ESRCH rather than ESTALE.
	 * 0: not checked (mem_fd alone binds the request to the process).
	 */
	__u64 start_time_ticks;
	__u64 mbuckets_addr;		/* runtime.mbuckets, load bias applied */
	__u64 mem_profile_rate_addr;	/* runtime.MemProfileRate, likewise */
	__u64 cookie;			/* anything; echoed in captures */
	__u64 registration_id;		/* out */
	/*
	 * The executable's path and Go build ID as the registrant saw them,
	 * NUL-terminated; echoed in captures so that a reader started after
	 * the victim died can still find the binary to symbolize with; the
	 * module does not use them, nor load_bias.
	 */
	__u64 load_bias;
	char exe_path[OOMPROF_EXE_PATH_LEN];
	char build_id[OOMPROF_BUILD_ID_LEN];
	/* With OOMPROF_REGISTER_SET_RATE: 1 to OOMPROF_SET_RATE_MAX. */
	__s64 set_rate;
	__u32 set_rate_result;		/* out: enum oomprof_set_rate_result */
	__s32 set_rate_errno;		/* out: with ..._FAILED, an errno */
	__s64 old_rate;			/* out: the value found, if read */
	/*
	 * /proc/PID/mem of the process, opened before its executable was
	 * inspected (see "Who may read or write which process" above).
	 */
	__s32 mem_fd;
	__u32 reserved;			/* 0 */
	/* Copied at each capture, before the buckets (see above). */
	struct oomprof_go_region regions[OOMPROF_GO_MAX_REGIONS];
};

/*
 * OOMPROF_IOC_UNREGISTER: by registration_id (the other fields are
 * ignored). Any opener may remove any registration: that reads and writes
 * no process. ENOENT: no such registration (it ended at an exit or exec).
 */

/*
 * OOMPROF_IOC_LEARNED: the reader tells the module which part of a
 * registered process's bucket list it holds: the buckets from known_head
 * (the newest it has read) to the end of the list, known_count of them,
 * each with its header and stack. The runtime only ever pushes new buckets
 * at the head and never changes a bucket's stack, so at the OOM kill the
 * capture copies whole only the buckets newer than known_head and, for
 * the rest, just their counts (count entries, see OOMPROF_REC_GO_HEAP):
 * a few bytes a bucket instead of hundreds, which is what lets a million
 * buckets fit in the capture buffer.
 *
 * The module reads and writes no process memory for it (the reader read
 * the list itself, through the /proc/PID/mem it registered with). What it
 * learned belongs to the open file that set it: when that file is closed,
 * the module forgets it, so a capture never refers to buckets its reader
 * no longer holds. known_head 0 forgets the prefix now. A later
 * OOMPROF_IOC_LEARNED replaces the earlier one.
 *
 * Errors: ENOENT no such registration (it ended at an exit or exec);
 * EINVAL known_head not a plausible bucket address (aligned user address),
 * known_count 0 or over the module's capture_max_buckets with a known_head,
 * or reserved not 0.
 */
struct oomprof_learned {
	__u64 registration_id;
	__u64 known_head;
	__u64 known_count;
	__u64 reserved;			/* 0 */
};

/*
 * OOMPROF_IOC_DUMP: capture a live Go process's buckets now, for the
 * caller. The regions' data (cap.regions_bytes), then entries (bucket_bytes;
 * the format of an OOMPROF_REC_GO_HEAP record's) go to buf, which must
 * hold at least the regions' data and 8 bytes more (else EINVAL); cap says
 * how it went, and cap.stop is OOMPROF_STOP_BUFFER_FULL if
 * buf_size was too small. The process's execve() waits while a dump runs
 * (at most the module's dump_timeout_ms). EBUSY: as many dumps as the
 * module runs at once are under way; try again.
 */
struct oomprof_dump {
	__u32 pid;			/* tgid, in the caller's pid namespace */
	__u32 flags;			/* 0 */
	__u64 start_time_ticks;		/* as in struct oomprof_register */
	__u64 mbuckets_addr;
	__u64 mem_profile_rate_addr;
	__u64 buf;			/* user pointer */
	__u64 buf_size;
	__s32 mem_fd;			/* as in struct oomprof_register */
	__u32 reserved;			/* 0 */
	struct oomprof_go_region regions[OOMPROF_GO_MAX_REGIONS];
	struct oomprof_go_capture cap;	/* out */
};

/*
 * OOMPROF_REC_PROC_EXEC and OOMPROF_REC_PROC_EXIT. Pids are in the initial
 * pid namespace; ns_pid is the process's pid in its own namespace.
 */
struct oomprof_proc_event {
	struct oomprof_record_header hdr;
	__u64 boottime_ns;		/* CLOCK_BOOTTIME of the event */
	__u64 start_time_ticks;		/* as /proc/PID/stat field 22 */
	__u64 registration_id;		/* removed registration, 0 if none */
	__u32 pid;			/* tgid */
	__u32 ns_pid;
	char comm[OOMPROF_COMM_LEN];	/* after exec: the new program's */
	/*
	 * PROC_EXEC: the file the process now executes, as the kernel
	 * holds it, so that a reader can tell a program it inspected before
	 * without looking at /proc. exe_dev is the device of the inode the
	 * kernel executes, in stat(2)'s st_dev encoding (on an overlay,
	 * stat() of the path can give another device and inode: sizes and
	 * times are the same). All 0 for PROC_EXIT, and exe_valid 0 if
	 * the module could not tell.
	 */
	__u64 exe_dev;
	__u64 exe_ino;
	__u64 exe_size;
	__s64 exe_mtime_sec;
	__s64 exe_ctime_sec;
	__u32 exe_mtime_nsec;
	__u32 exe_ctime_nsec;
	__u32 exe_valid;		/* 1: the exe_ fields are set */
	__u32 reserved;			/* 0 */
};

/* OOMPROF_IOC_GET_VERSION */
struct oomprof_version {
	__u32 abi_version;		/* OOMPROF_ABI_VERSION */
	__u32 record_version;		/* OOMPROF_RECORD_VERSION */
	char module_version[32];
};

/* OOMPROF_IOC_GET_STATS: counters since the module was loaded. */
struct oomprof_stats {
	__u64 kills_seen;		/* OOM kills (mark_victim, not dying) */
	__u64 records_queued;
	__u64 records_lost;		/* buffer full or no kill slot */
	__u64 records_read;
	__u64 sigkills_matched;		/* signal_deliver matched a kill */
	__u64 buffer_size;		/* bytes of the event buffer */
	__u64 buffer_used;		/* bytes queued, unread */
	__u32 kill_slots;		/* module parameter kill_slots */
	__u32 kill_slots_busy;		/* kills waiting for their SIGKILL */
	__u32 probes;			/* OOMPROF_PROBE_* attached */
	__u32 registered;		/* Go processes registered now */
	__u64 captures;			/* Go heap captures published */
	__u64 captures_dropped;		/* registered victims not captured */
	__u32 capture_buffers;		/* module parameter capture_buffers */
	__u32 capture_buffers_busy;
	__u64 capture_buffer_size;	/* bytes each */
	/* mark_victim of a task already dying, not a kill: no record */
	__u64 dying_marked;
	/* execve() calls seen, and PROC_EXEC records for them queued */
	__u64 execs_seen;
	/* PROC_EXEC/PROC_EXIT records dropped: the reader should rescan */
	__u64 proc_events_lost;
	/* registrations removed because their process exited or exec'd */
	__u64 registrations_exited;
	__u64 registrations_execd;
	/* registrations made since load */
	__u64 registrations_added;
	/* bytes the module allocated at load (buffers, tables) */
	__u64 reserved_bytes;
	/* captures published that used a learned prefix (count entries) */
	__u64 captures_counted;
};

#define OOMPROF_PROBE_MARK_VICTIM	(1U << 0)
#define OOMPROF_PROBE_SIGNAL_DELIVER	(1U << 1)
#define OOMPROF_PROBE_OUT_OF_MEMORY	(1U << 2)
#define OOMPROF_PROBE_SCHED_EXEC	(1U << 3)
#define OOMPROF_PROBE_SCHED_EXIT	(1U << 4)

/*
 * Each ioctl number encodes the size of its structure (_IOR/_IOW/_IOWR), so
 * a reader built against another layout gets ENOTTY, never a misread
 * structure; OOMPROF_IOC_GET_VERSION, whose structure never changes, names
 * the layouts, and oomprof-read refuses a module of other versions with a
 * message saying which. Structures are not size-prefixed for in-place
 * extension (copy_struct_from_user): module and reader ship together, and
 * a version that says exactly what it is beats a layout that is partly
 * understood.
 *
 * Unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst.
 */
#define OOMPROF_IOC_MAGIC	0xA7
#define OOMPROF_IOC_GET_VERSION	_IOR(OOMPROF_IOC_MAGIC, 1, struct oomprof_version)
#define OOMPROF_IOC_GET_STATS	_IOR(OOMPROF_IOC_MAGIC, 2, struct oomprof_stats)
#define OOMPROF_IOC_REGISTER	_IOWR(OOMPROF_IOC_MAGIC, 3, struct oomprof_register)
#define OOMPROF_IOC_UNREGISTER	_IOW(OOMPROF_IOC_MAGIC, 4, struct oomprof_register)
#define OOMPROF_IOC_DUMP	_IOWR(OOMPROF_IOC_MAGIC, 5, struct oomprof_dump)
#define OOMPROF_IOC_LEARNED	_IOW(OOMPROF_IOC_MAGIC, 7, struct oomprof_learned)

/*
 * OOMPROF_IOC_DETACH: let the module be unloaded while a reader runs,
 * losing nothing already captured. Issued on a write-only open (EINVAL on
 * a read-mode one). It waits until the kills in flight are published,
 * then the reader's read() hands out every queued record and, once none
 * is left, fails with ENODEV (poll() reports EPOLLIN | EPOLLHUP), and the
 * reader is expected to close the device. The call returns 1 when the
 * reader has closed it, 0 at once if none had it open; read-mode opens fail
 * with ENODEV from the call until OOMPROF_DETACH_HOLD_MS after it, time
 * for the caller to unload the module. It waits at most
 * OOMPROF_DETACH_TIMEOUT_MS (ETIMEDOUT) and can be interrupted; either
 * way the reader is then free to read on. EBUSY: another detach is under
 * way. Added without a version bump (no structure changed): a module
 * from before it answers ENOTTY.
 */
#define OOMPROF_DETACH_TIMEOUT_MS	10000
#define OOMPROF_DETACH_HOLD_MS		10000
#define OOMPROF_IOC_DETACH	_IO(OOMPROF_IOC_MAGIC, 6)

#endif /* _UAPI_LINUX_OOMPROF_H */
