// SPDX-License-Identifier: GPL-2.0
/* The module's own walker.c, compiled into the test module. */
#include "../../module/walker.c"
