// SPDX-License-Identifier: GPL-2.0
/* The module's own dump.c, compiled into the test module. */
#include "../../module/dump.c"
