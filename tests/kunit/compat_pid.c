// SPDX-License-Identifier: GPL-2.0
/*
 * module/compat.c built for the pid prototype of mark_victim, whatever the
 * kernel has (see CFLAGS_compat_pid.o in Kbuild).
 */
#include "../../module/compat.c"
