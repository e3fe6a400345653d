// SPDX-License-Identifier: GPL-2.0
/* conftest: OOMPROF_HAVE_INODE_GET_CTIME */
/* The inode's change time through inode_get_ctime() (Linux 6.6). */
#include <linux/fs.h>

struct timespec64 oomprof_conftest(const struct inode *inode);
struct timespec64 oomprof_conftest(const struct inode *inode)
{
	return inode_get_ctime(inode);
}
