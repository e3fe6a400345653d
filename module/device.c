// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/oomprof.
 *
 * Opening needs CAP_SYS_ADMIN: records name processes, users and cgroups
 * of the whole machine. One opener at a time may read (an open with read
 * access); a second such open fails with EBUSY, because two readers would
 * each see part of the stream. Write-only opens are for ioctls only and
 * are always allowed.
 *
 * The module cannot be unloaded while the device is open (the file holds a
 * module reference through fops.owner): rmmod fails with "in use" until
 * the reader closes it, which is the safe answer to unloading under a
 * reader. OOMPROF_IOC_DETACH asks the reader to close it: the reader gets
 * every queued record, then ENODEV; the ioctl returns once the reader has
 * closed, and read-mode opens are refused for a while so that the module
 * can then be unloaded before the reader comes back.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "oomprof.h"

static DEFINE_MUTEX(reader_lock);	/* the three below */
static bool reader_open;
static bool detaching;			/* OOMPROF_IOC_DETACH under way */
static bool detach_hold;		/* refuse readers until hold_until */
static unsigned long hold_until;	/* jiffies */
static DECLARE_WAIT_QUEUE_HEAD(reader_closed);
/* Woken when a kill slot is released: a detach waits for none in flight. */
static DECLARE_WAIT_QUEUE_HEAD(kills_done);

static int claim_reader(void)
{
	int err = 0;

	mutex_lock(&reader_lock);
	if (detach_hold && time_after_eq(jiffies, hold_until))
		detach_hold = false;
	if (detaching || detach_hold)
		err = -ENODEV;
	else if (reader_open)
		err = -EBUSY;
	else
		WRITE_ONCE(reader_open, true);
	if (!err)
		oomprof_events_set_reader(true);
	mutex_unlock(&reader_lock);
	return err;
}

static int oomprof_open(struct inode *inode, struct file *file)
{
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (file->f_mode & FMODE_READ) {
		err = claim_reader();
		if (err)
			return err;
	}
	/*
	 * A stream: no file position at all (read() is handed none), and
	 * lseek, pread and pwrite fail with ESPIPE.
	 */
	return stream_open(inode, file);
}

static int oomprof_release(struct inode *inode, struct file *file)
{
	oomprof_registry_forget_owner(file);
	if (file->f_mode & FMODE_READ) {
		oomprof_events_set_reader(false);
		mutex_lock(&reader_lock);
		WRITE_ONCE(reader_open, false);
		mutex_unlock(&reader_lock);
		wake_up(&reader_closed);
	}
	return 0;
}

static bool kills_in_flight(void)
{
	struct oomprof_stats st = {};

	oomprof_kills_stats(&st);
	return st.kill_slots_busy;
}

void oomprof_device_kill_done(void)
{
	wake_up(&kills_done);
}

/*
 * Wait until no kill is in flight, up to @deadline (jiffies). 0,
 * -ETIMEDOUT, or -ERESTARTSYS on a signal. kill.c wakes kills_done
 * (oomprof_device_kill_done()) each time a kill's record is queued.
 */
static int wait_kills_published(unsigned long deadline)
{
	long left = (long)(deadline - jiffies);

	left = wait_event_interruptible_timeout(kills_done, !kills_in_flight(),
						max(left, 1L));
	if (left < 0)
		return -ERESTARTSYS;
	return left ? 0 : -ETIMEDOUT;
}

/*
 * OOMPROF_IOC_DETACH (see the uapi header). Process context; sleeps.
 * Kills in flight are waited for first: a kill still waiting for its
 * SIGKILL or its capture is in no ring yet, and unloading would drop it.
 */
static int oomprof_detach(struct file *file)
{
	unsigned long deadline =
		jiffies + msecs_to_jiffies(OOMPROF_DETACH_TIMEOUT_MS);
	bool had_reader;
	long left;
	int err = 0;

	if (file->f_mode & FMODE_READ)
		return -EINVAL;	/* it would wait for itself */
	mutex_lock(&reader_lock);
	if (detaching)
		err = -EBUSY;
	else
		detaching = true;
	had_reader = reader_open;
	mutex_unlock(&reader_lock);
	if (err)
		return err;

	err = wait_kills_published(deadline);
	if (err)
		goto out;
	oomprof_events_set_detaching(true);
	left = (long)deadline - (long)jiffies;
	/* Read without the lock: the condition runs while not TASK_RUNNING. */
	left = wait_event_interruptible_timeout(reader_closed,
						!READ_ONCE(reader_open),
						max(left, 1L));
	if (left == 0)
		err = -ETIMEDOUT;
	else if (left < 0)
		err = left;
out:
	mutex_lock(&reader_lock);
	detaching = false;
	if (!err) {
		detach_hold = true;
		hold_until = jiffies + msecs_to_jiffies(OOMPROF_DETACH_HOLD_MS);
	}
	mutex_unlock(&reader_lock);
	/* Readers (a new one, or the one that would not go) read on. */
	oomprof_events_set_detaching(false);
	if (err)
		return err;
	pr_info("%s: the module can be unloaded\n",
		had_reader ? "reader detached" : "no reader to detach");
	return had_reader;
}

static ssize_t oomprof_read(struct file *file, char __user *buf, size_t count,
			    loff_t *ppos)
{
	return oomprof_events_read(buf, count, file->f_flags & O_NONBLOCK);
}

static __poll_t oomprof_poll(struct file *file, poll_table *wait)
{
	return oomprof_events_poll(file, wait);
}

/* Every part's counters, into a zeroed @st. */
void oomprof_stats_fill(struct oomprof_stats *st)
{
	oomprof_events_stats(st);
	oomprof_kills_stats(st);
	oomprof_capture_stats(st);
	oomprof_registry_stats(st);
	oomprof_proc_stats(st);
	st->probes = oomprof_probes_attached();
}

/*
 * The request structures are large (regions, capture, strings): each
 * ioctl's in a frame of its own, so that the ioctl's frame is not their
 * sum (over 2 KiB under KASAN).
 */
static noinline_for_stack long ioctl_register(void __user *uarg)
{
	struct oomprof_register req;
	int err;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	err = oomprof_registry_register(&req);
	if (err)
		return err;
	if (!copy_to_user(uarg, &req, sizeof(req)))
		return 0;
	/* The registrant never learns its id: no orphan is left. */
	oomprof_registry_remove(req.registration_id);
	return -EFAULT;
}

static noinline_for_stack long ioctl_dump(void __user *uarg)
{
	struct oomprof_dump req;
	int err;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	err = oomprof_dump(&req);
	if (err)
		return err;
	return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
}

static noinline_for_stack long ioctl_unregister(void __user *uarg)
{
	struct oomprof_register req;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	return oomprof_registry_remove(req.registration_id);
}

static long oomprof_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case OOMPROF_IOC_GET_VERSION: {
		struct oomprof_version v = {
			.abi_version = OOMPROF_ABI_VERSION,
			.record_version = OOMPROF_RECORD_VERSION,
		};

		strscpy(v.module_version, OOMPROF_VERSION,
			sizeof(v.module_version));
		return copy_to_user(uarg, &v, sizeof(v)) ? -EFAULT : 0;
	}
	case OOMPROF_IOC_GET_STATS: {
		struct oomprof_stats st = {};

		oomprof_stats_fill(&st);
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	case OOMPROF_IOC_REGISTER:
		return ioctl_register(uarg);
	case OOMPROF_IOC_DUMP:
		return ioctl_dump(uarg);
	case OOMPROF_IOC_UNREGISTER:
		return ioctl_unregister(uarg);
	case OOMPROF_IOC_LEARNED: {
		struct oomprof_learned req;

		if (copy_from_user(&req, uarg, sizeof(req)))
			return -EFAULT;
		return oomprof_registry_learned(&req, file);
	}
	case OOMPROF_IOC_DETACH:
		return oomprof_detach(file);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations oomprof_fops = {
	.owner = THIS_MODULE,
	.open = oomprof_open,
	.release = oomprof_release,
	.read = oomprof_read,
	.poll = oomprof_poll,
	.unlocked_ioctl = oomprof_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice oomprof_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "oomprof",
	.fops = &oomprof_fops,
	.mode = 0600,
};

int oomprof_device_init(void)
{
	return misc_register(&oomprof_misc);
}

void oomprof_device_exit(void)
{
	misc_deregister(&oomprof_misc);
}
