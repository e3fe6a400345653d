// SPDX-License-Identifier: GPL-2.0
/* conftest: OOMPROF_HAVE_GUP_REMOTE_VMAS */
/*
 * get_user_pages_remote() with a vmas argument (mm, start, nr, flags,
 * pages, vmas, locked): 6.1; 6.5 dropped it.
 */
#include <linux/mm.h>

long oomprof_conftest(struct mm_struct *mm, struct page **page);
long oomprof_conftest(struct mm_struct *mm, struct page **page)
{
	return get_user_pages_remote(mm, 0, 1, 0, page,
				     (struct vm_area_struct **)NULL, NULL);
}
