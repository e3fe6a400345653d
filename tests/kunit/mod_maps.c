// SPDX-License-Identifier: GPL-2.0
/* The module's own maps.c, compiled into the test module. */
#include "../../module/maps.c"
