// SPDX-License-Identifier: GPL-2.0
/* The module's own kill.c, compiled into the test module. */
#include "../../module/kill.c"
