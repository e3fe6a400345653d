// SPDX-License-Identifier: GPL-2.0
/* The module's own context.c, compiled into the test module. */
#include "../../module/context.c"
