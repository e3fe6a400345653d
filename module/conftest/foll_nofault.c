// SPDX-License-Identifier: GPL-2.0
/* conftest: OOMPROF_HAVE_FOLL_NOFAULT */
/*
 * gup's FOLL_NOFAULT (5.16 on): a macro on 6.1, an enum value on 6.12,
 * so only a compile test tells.
 */
#include <linux/mm.h>

unsigned int oomprof_conftest(void);
unsigned int oomprof_conftest(void)
{
	return FOLL_NOFAULT;
}
