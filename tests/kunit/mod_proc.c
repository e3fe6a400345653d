// SPDX-License-Identifier: GPL-2.0
/* The module's own proc.c, compiled into the test module. */
#include "../../module/proc.c"
