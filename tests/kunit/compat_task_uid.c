// SPDX-License-Identifier: GPL-2.0
/*
 * module/compat.c built for the task_uid prototype of mark_victim, whatever the
 * kernel has (see CFLAGS_compat_task_uid.o in Kbuild).
 */
#include "../../module/compat.c"
