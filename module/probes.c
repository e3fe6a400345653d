// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching to the kernel.
 *
 * mark_victim and signal_deliver have no register_trace_* exported to
 * modules, so the tracepoints are found by name among the kernel's own
 * (for_each_kernel_tracepoint) and attached with
 * tracepoint_probe_register(). mark_victim is required: without it the
 * module has no purpose and refuses to load. The others are optional:
 * without signal_deliver records say their SIGKILL was not seen, without
 * sched_process_exec/exit (proc.c) oomprof-read falls back to polling
 * /proc; OOMPROF_PROBE_* bits in the stats tell the reader which it has.
 *
 * A kretprobe on out_of_memory() tells mark_victim which OOM it belongs to
 * (global, cpuset, mempolicy, or which memory cgroup): the tracepoint does
 * not say. Every caller of out_of_memory() holds oom_lock, and mark_victim
 * is called inside it by the same task, so remembering the oom_control of
 * the task currently inside out_of_memory() is enough. Without kprobes the
 * records carry OOMPROF_KILL_NO_CONSTRAINT.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/kprobes.h>
#include <linux/oom.h>
#include <linux/ptrace.h>
#include <linux/signal.h>
#include <linux/binfmts.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/sched.h>
#include <trace/events/signal.h>

#include "compat.h"
#include "oomprof.h"

struct tp_binding {
	const char *name;
	u32 bit;			/* OOMPROF_PROBE_* */
	void *probe;
	const char *without;		/* what is lost if it cannot attach */
	struct tracepoint *tp;
	bool attached;
};

static void signal_deliver_probe(void *data, int sig,
				 struct kernel_siginfo *info,
				 struct k_sigaction *ka)
{
	if (sig == SIGKILL)
		oomprof_kill_sigkill();
}

static void sched_exec_probe(void *data, struct task_struct *p,
			     pid_t old_pid, struct linux_binprm *bprm)
{
	oomprof_proc_exec(p, bprm ? bprm->file : NULL);
}

/* Optional ones say what is lost without them. */
static struct tp_binding bindings[] = {
	{ .name = "mark_victim", .bit = OOMPROF_PROBE_MARK_VICTIM },
	{ .name = "signal_deliver", .bit = OOMPROF_PROBE_SIGNAL_DELIVER,
	  .probe = signal_deliver_probe,
	  .without = "records will not carry the time of the victim's SIGKILL" },
	{ .name = "sched_process_exec", .bit = OOMPROF_PROBE_SCHED_EXEC,
	  .probe = sched_exec_probe,
	  .without = "oomprof-read finds new Go programs by scanning /proc every second" },
	{ .name = "sched_process_exit", .bit = OOMPROF_PROBE_SCHED_EXIT,
	  .without = "registrations of exited processes linger until the registry fills up" },
};

/*
 * The probes registered here through a void * have the prototype the
 * target's headers give the tracepoint's callbacks, or the build fails
 * (see compat.c, which does the same for the probes whose prototype
 * differs between kernels).
 */
static void __maybe_unused probes_typecheck(void)
{
	check_trace_callback_type_signal_deliver(signal_deliver_probe);
	check_trace_callback_type_sched_process_exec(sched_exec_probe);
}

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bindings); i++)
		if (!strcmp(tp->name, bindings[i].name))
			bindings[i].tp = tp;
}

/* The task inside out_of_memory() and its oom_control (see above). */
static struct {
	struct task_struct *task;
	struct oom_control *oc;
} oom_ctx;
static DEFINE_RAW_SPINLOCK(oom_ctx_lock);
static bool oom_kretprobe_attached;

static int out_of_memory_entry(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&oom_ctx_lock, flags);
	oom_ctx.task = current;
	oom_ctx.oc = (struct oom_control *)regs_get_kernel_argument(regs, 0);
	raw_spin_unlock_irqrestore(&oom_ctx_lock, flags);
	return 0;
}

static int out_of_memory_return(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&oom_ctx_lock, flags);
	if (oom_ctx.task == current) {
		oom_ctx.task = NULL;
		oom_ctx.oc = NULL;
	}
	raw_spin_unlock_irqrestore(&oom_ctx_lock, flags);
	return 0;
}

static struct kretprobe oom_kretprobe = {
	.kp.symbol_name = "out_of_memory",
	.entry_handler = out_of_memory_entry,
	.handler = out_of_memory_return,
	/* oom_lock serializes callers; a few spare for safety. */
	.maxactive = 4,
};

/*
 * The oom_control of the OOM that current is handling, or NULL when
 * unknown. Valid only while current is inside out_of_memory(), which is
 * the case for every mark_victim call.
 */
struct oom_control *oomprof_current_oom_control(void)
{
	struct oom_control *oc = NULL;
	unsigned long flags;

	if (!oom_kretprobe_attached)
		return NULL;
	raw_spin_lock_irqsave(&oom_ctx_lock, flags);
	if (oom_ctx.task == current)
		oc = oom_ctx.oc;
	raw_spin_unlock_irqrestore(&oom_ctx_lock, flags);
	return oc;
}

u32 oomprof_probes_attached(void)
{
	u32 bits = oom_kretprobe_attached ? OOMPROF_PROBE_OUT_OF_MEMORY : 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bindings); i++)
		if (bindings[i].attached)
			bits |= bindings[i].bit;
	return bits;
}

static void detach_tracepoints(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bindings); i++) {
		if (!bindings[i].attached)
			continue;
		tracepoint_probe_unregister(bindings[i].tp, bindings[i].probe,
					    NULL);
		bindings[i].attached = false;
	}
	/* No probe of ours runs, or will run, once this returns. */
	tracepoint_synchronize_unregister();
}

int oomprof_probes_init(void)
{
	unsigned int i;
	int err;

	/* The probes whose prototype differs between kernels. */
	for (i = 0; i < ARRAY_SIZE(bindings); i++) {
		if (bindings[i].bit == OOMPROF_PROBE_MARK_VICTIM)
			bindings[i].probe = oomprof_compat_mark_victim_probe();
		if (bindings[i].bit == OOMPROF_PROBE_SCHED_EXIT)
			bindings[i].probe = oomprof_compat_sched_exit_probe();
	}

	/* First, so that no mark_victim sees a half-known constraint. */
	err = register_kretprobe(&oom_kretprobe);
	if (err)
		pr_warn("no kretprobe on out_of_memory (%d): records will not say which cgroup ran out of memory\n",
			err);
	else
		oom_kretprobe_attached = true;

	for_each_kernel_tracepoint(find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(bindings); i++) {
		struct tp_binding *b = &bindings[i];

		if (!b->tp) {
			err = -ENOENT;
		} else {
			err = tracepoint_probe_register(b->tp, b->probe, NULL);
			b->attached = !err;
		}
		if (err && b->bit == OOMPROF_PROBE_MARK_VICTIM) {
			pr_err("cannot attach to tracepoint %s (%d): this kernel cannot tell the module about OOM kills\n",
			       b->name, err);
			goto fail;
		}
		if (err)
			pr_warn("cannot attach to tracepoint %s (%d): %s\n",
				b->name, err, b->without);
	}
	return 0;

fail:
	detach_tracepoints();
	if (oom_kretprobe_attached)
		unregister_kretprobe(&oom_kretprobe);
	oom_kretprobe_attached = false;
	return err;
}

void oomprof_probes_exit(void)
{
	detach_tracepoints();
	if (oom_kretprobe_attached) {
		unregister_kretprobe(&oom_kretprobe);
		oom_kretprobe_attached = false;
	}
}
