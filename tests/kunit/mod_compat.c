// SPDX-License-Identifier: GPL-2.0
/* The module's own compat.c, compiled into the test module. */
#include "../../module/compat.c"
