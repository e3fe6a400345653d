// SPDX-License-Identifier: GPL-2.0
/* The module's own events.c, compiled into the test module. */
#include "../../module/events.c"
