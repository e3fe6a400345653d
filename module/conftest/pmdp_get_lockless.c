// SPDX-License-Identifier: GPL-2.0
/* conftest: OOMPROF_HAVE_PMDP_GET_LOCKLESS */
/* <linux/pgtable.h> has pmdp_get_lockless() (6.12; not 6.1). */
#include <linux/pgtable.h>

pmd_t oomprof_conftest(pmd_t *pmdp);
pmd_t oomprof_conftest(pmd_t *pmdp)
{
	return pmdp_get_lockless(pmdp);
}
