// SPDX-License-Identifier: GPL-2.0
/* conftest: OOMPROF_HAVE_INODE_GET_MTIME */
/* The inode's modification time through inode_get_mtime() (Linux 6.7). */
#include <linux/fs.h>

struct timespec64 oomprof_conftest(const struct inode *inode);
struct timespec64 oomprof_conftest(const struct inode *inode)
{
	return inode_get_mtime(inode);
}
