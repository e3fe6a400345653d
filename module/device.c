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
 * reader.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/uaccess.h>

#include "oomprof.h"

static atomic_t reader_claimed = ATOMIC_INIT(0);

static int oomprof_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (file->f_mode & FMODE_READ) {
		if (atomic_cmpxchg(&reader_claimed, 0, 1))
			return -EBUSY;
	}
	return nonseekable_open(inode, file);
}

static int oomprof_release(struct inode *inode, struct file *file)
{
	if (file->f_mode & FMODE_READ)
		atomic_set(&reader_claimed, 0);
	return 0;
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

		oomprof_events_stats(&st);
		oomprof_kills_stats(&st);
		oomprof_capture_stats(&st);
		st.probes = oomprof_probes_attached();
		st.registered = oomprof_registry_count();
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	case OOMPROF_IOC_REGISTER: {
		struct oomprof_register req;
		int err;

		if (copy_from_user(&req, uarg, sizeof(req)))
			return -EFAULT;
		err = oomprof_registry_add(&req);
		if (err)
			return err;
		return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
	}
	case OOMPROF_IOC_DUMP: {
		struct oomprof_dump req;
		int err;

		if (copy_from_user(&req, uarg, sizeof(req)))
			return -EFAULT;
		err = oomprof_dump(&req);
		if (err)
			return err;
		return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
	}
	case OOMPROF_IOC_UNREGISTER: {
		struct oomprof_register req;

		if (copy_from_user(&req, uarg, sizeof(req)))
			return -EFAULT;
		return oomprof_registry_remove(req.registration_id);
	}
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
