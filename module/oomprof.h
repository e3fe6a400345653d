/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oomprof: declarations shared by the module's parts.
 *
 *   main.c     load/unload order, module parameters
 *   device.c   /dev/oomprof: open, read, poll, ioctl
 *   events.c   the preallocated record buffer between probes and reader
 *   kill.c     one OOM kill: facts taken at mark_victim, its SIGKILL,
 *              publication as a record
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

struct oom_control;

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

/* kill.c */
int oomprof_kills_init(unsigned int slots, unsigned int sigkill_wait_ms);
void oomprof_kills_exit(void);
void oomprof_kill_begin(struct task_struct *victim);
void oomprof_kill_sigkill(void);
void oomprof_kills_stats(struct oomprof_stats *st);

/* probes.c */
int oomprof_probes_init(void);
void oomprof_probes_exit(void);
u32 oomprof_probes_attached(void);
struct oom_control *oomprof_current_oom_control(void);

/* device.c */
int oomprof_device_init(void);
void oomprof_device_exit(void);

#endif /* OOMPROF_H */
