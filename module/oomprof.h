/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oomprof: declarations shared by the module's parts.
 *
 *   main.c     load/unload order, module parameters
 *   device.c   /dev/oomprof: open, read, poll, ioctl
 *   events.c   the preallocated record buffer between probes and reader
 *   kill.c     one OOM kill: facts taken at mark_victim, its SIGKILL,
 *              publication as a record
 *   context.c  a kill's context: the OOM domain's memory, its processes
 *              ranked as the OOM killer ranks them; record sections
 *   maps.c     the victim's memory by mapping, from its page tables
 *   registry.c the Go processes oomprof-read registered
 *   proc.c     exec and exit of processes: told to the reader, and
 *              registrations of exited or exec'd processes dropped
 *   capture.c  capture buffers; reading a victim's buckets through its mm
 *   walker.c   the bounded, validating walk over runtime.mbuckets
 *   dump.c     on-demand captures of live Go processes
 *   probes.c   finding and attaching the tracepoints and the kretprobe
 *   compat.c   the only code that knows kernel API differences
 */
#ifndef OOMPROF_H
#define OOMPROF_H

#include <linux/types.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/oomprof.h>

#define OOMPROF_VERSION "0.1.0"

struct file;
struct oom_control;
struct mm_struct;

/* Kernel-only record type in the ring: a reference to a capture buffer. */
#define OOMPROF_REC_INTERNAL_CAPTURE 0x7fff
struct oomprof_capture_ref {
	struct oomprof_record_header hdr;
	u32 idx;
	u32 reserved;
};

/* What a registration says about a Go process. */
struct oomprof_reg_info {
	u64 id;
	u64 cookie;
	u64 mbuckets_addr;
	u64 rate_addr;
	u64 load_bias;
	char exe_path[OOMPROF_EXE_PATH_LEN];
	char build_id[OOMPROF_BUILD_ID_LEN];
	/*
	 * The reader's learned prefix (OOMPROF_IOC_LEARNED): the list from
	 * known_head on, known_count buckets, is copied as count entries.
	 * 0, 0: none.
	 */
	u64 known_head;
	u64 known_count;
	/* Copied before the buckets; validated at registration. */
	struct oomprof_go_region regions[OOMPROF_GO_MAX_REGIONS];
};

/* events.c */
int oomprof_events_init(size_t bytes);
void oomprof_events_exit(void);
void oomprof_events_queue(struct oomprof_record_header *rec);
void oomprof_events_note_lost(void);
ssize_t oomprof_events_read(char __user *buf, size_t count, bool nonblock);
__poll_t oomprof_events_poll(struct file *file, poll_table *wait);
void oomprof_events_stats(struct oomprof_stats *st);
void oomprof_events_init_header(struct oomprof_record_header *hdr, u16 type,
				u32 size);
bool oomprof_events_queue_capture(int idx);
bool oomprof_events_proc_wanted(u32 size);
bool oomprof_events_queue_proc(struct oomprof_record_header *rec);
void oomprof_events_set_reader(bool attached);
bool oomprof_events_reader_open(void);
void oomprof_events_set_detaching(bool on);

struct oomprof_events_left {
	u64 numbered;		/* seq numbers given: records and losses */
	u64 unread;		/* numbered records still in the ring */
	u64 lost_unreported;	/* losses no record or LOST told yet */
};

void oomprof_events_left(struct oomprof_events_left *left);

/* registry.c */
int oomprof_registry_init(unsigned int max, u64 max_buckets);
void oomprof_registry_exit(void);
int oomprof_registry_register(struct oomprof_register *req);
int oomprof_registry_add(struct oomprof_register *req, struct mm_struct *mm);
int oomprof_registry_remove(u64 id);
int oomprof_registry_learned(const struct oomprof_learned *req,
			     const struct file *owner);
void oomprof_registry_forget_owner(const struct file *owner);
bool oomprof_registry_lookup(struct task_struct *task,
			     struct oomprof_reg_info *info, bool *exec);
unsigned int oomprof_registry_count(void);
void oomprof_registry_stats(struct oomprof_stats *st);
enum oomprof_forget { OOMPROF_FORGET_EXIT, OOMPROF_FORGET_EXEC };
u64 oomprof_registry_forget(struct pid *tgid, enum oomprof_forget why);
u64 oomprof_task_start_ticks(struct task_struct *t);
int oomprof_proc_mem_learn(void);
int oomprof_mem_file_check(struct file *f, bool write, struct mm_struct **mm);
int oomprof_task_bind(u32 nr, u64 start_ticks, struct mm_struct *mm,
		      struct task_struct **taskp);
void oomprof_task_unbind(struct task_struct *task);

/* dump.c */
void oomprof_dump_init(unsigned int max_mb, unsigned int timeout_ms);
int oomprof_dump(struct oomprof_dump *req);
int oomprof_dump_mm(struct oomprof_dump *req, struct mm_struct *mm);

/* capture.c */
int oomprof_capture_init(unsigned int buffers, unsigned int buffer_mb,
			 unsigned int bucket_limit, unsigned int timeout_ms);
void oomprof_capture_exit(void);
int oomprof_capture_claim(void);
int oomprof_capture_claim_try(void);
int oomprof_capture_claim_wait(u64 until_ns);
void oomprof_capture_release(int idx);
void oomprof_capture_note_dropped(void);
void oomprof_capture_run(int idx, struct mm_struct *mm,
			 const struct oomprof_reg_info *reg, u64 end_ns,
			 struct oomprof_go_capture *cap);
void oomprof_capture_run_current(int idx, const struct oomprof_reg_info *reg,
				 u64 end_ns, struct oomprof_go_capture *cap);
struct oomprof_record_header *
oomprof_capture_finish(int idx, const struct oomprof_oom_kill *kill,
		       const struct oomprof_go_capture *cap, const void *ext,
		       u32 ext_bytes);
struct oomprof_record_header *oomprof_capture_record(int idx);
void oomprof_capture_delivered(int idx);
void oomprof_capture_stats(struct oomprof_stats *st);

/* kill.c */
/*
 * A capture in the victim or by the fallback ends this long after the kill
 * at the latest (capture_timeout_ms bounds it further): the OOM reaper
 * unmaps the victim's memory OOM_REAPER_DELAY (2 s) after the kill, and a
 * victim in its task_work holds up a second OOM of its cgroup until then.
 */
#define OOMPROF_CAPTURE_END_MS	1500
/* Longest a capture waits for a buffer another capture holds. */
#define OOMPROF_BUFFER_WAIT_MS	500
int oomprof_kills_init(unsigned int slots, unsigned int sigkill_wait_ms);
void oomprof_kills_exit(void);
void oomprof_kill_begin(struct task_struct *victim);
void oomprof_kill_sigkill(void);
void oomprof_kills_stats(struct oomprof_stats *st);

/* context.c */
/*
 * Room for a kill record's sections (include/uapi/linux/oomprof.h): each
 * type at most once, the task list at its largest. A new section type
 * adds its largest size here.
 */
#define OOMPROF_EXT_MAX \
	(sizeof(struct oomprof_sec_memcg) + sizeof(struct oomprof_sec_system) + \
	 sizeof(struct oomprof_sec_tasks) + \
	 OOMPROF_MAX_TASKS * sizeof(struct oomprof_task_mem) + \
	 sizeof(struct oomprof_sec_maps) + \
	 OOMPROF_MAX_MAPS * sizeof(struct oomprof_map))

/* Appends sections to a buffer of @size bytes: see oomprof_ext_add(). */
struct oomprof_ext {
	u8 *buf;
	u32 size;
	u32 used;
};

/* Processes ranked by badness, highest first: e[0..n), at most max. */
struct oomprof_rank {
	struct oomprof_task_mem *e;
	u32 n;
	u32 max;
};

struct mem_cgroup;
struct cgroup_subsys_state;

int oomprof_context_check(void);
void oomprof_ext_init(struct oomprof_ext *x, void *buf, u32 size);
void *oomprof_ext_add(struct oomprof_ext *x, u16 type, u32 bytes);
void oomprof_ext_trim(struct oomprof_ext *x, struct oomprof_section *sec,
		      u32 bytes);
int oomprof_top_insert(void *top, u32 *n, u32 max, size_t size,
		       const void *e,
		       bool (*before)(const void *a, const void *b));
bool oomprof_rank_insert(struct oomprof_rank *r,
			 const struct oomprof_task_mem *e);
s64 oomprof_badness(u64 pages, short adj, unsigned long totalpages);
void oomprof_context_task(struct oomprof_task_mem *e, struct task_struct *t,
			  struct mm_struct *mm, unsigned long totalpages);
void oomprof_context_domain(struct oomprof_ext *x, struct mem_cgroup *memcg,
			    bool swap_total_known, unsigned long totalpages);
void oomprof_context_tasks(struct oomprof_ext *x,
			   const struct oomprof_task_mem *victim,
			   struct cgroup_subsys_state *oom_css,
			   unsigned long totalpages);

/* maps.c */
/* Bytes of a kill slot's buffer for a mapping's path (maps.c). */
#define OOMPROF_MAPS_SCRATCH	512

/* What classifies a mapping (oomprof_map_kind). */
struct oomprof_map_facts {
	unsigned long vm_flags;
	unsigned long start, end;
	bool file;			/* vm_file set */
	bool shmem;			/* that file is tmpfs's */
	bool special;			/* no file, but vm_ops */
	unsigned long start_brk, brk, start_stack;	/* the mm's */
};

int oomprof_maps_check(void);
u16 oomprof_map_kind(const struct oomprof_map_facts *f);
enum oomprof_pte_use {
	OOMPROF_PTE_NONE,
	OOMPROF_PTE_RESIDENT,
	OOMPROF_PTE_SWAP,
};

enum oomprof_pte_use oomprof_pte_use(pte_t pte);
int oomprof_maps_rank(struct oomprof_map *top, u32 *n, u32 max,
		      const struct oomprof_map *e);
void oomprof_maps_walk(struct oomprof_ext *x, struct mm_struct *mm, u32 path,
		       u64 kill_boottime_ns, u64 end_ns, char *scratch);
void oomprof_maps_none(struct oomprof_ext *x, u32 stop);

/* proc.c */
struct file;
void oomprof_proc_exec(struct task_struct *p, struct file *exe);
void oomprof_proc_exit(struct task_struct *p, bool group_dead);
void oomprof_proc_stats(struct oomprof_stats *st);
void oomprof_proc_init(void);

/* probes.c */
int oomprof_probes_init(void);
void oomprof_probes_exit(void);
u32 oomprof_probes_attached(void);
struct oom_control *oomprof_current_oom_control(void);

/* device.c */
int oomprof_device_init(void);
void oomprof_device_exit(void);
/*
 * kill.c calls it each time a kill slot is released (kill published or
 * dropped): a detach waiting for kills in flight re-checks at once.
 */
void oomprof_device_kill_done(void);
void oomprof_stats_fill(struct oomprof_stats *st);

#endif /* OOMPROF_H */
