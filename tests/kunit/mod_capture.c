// SPDX-License-Identifier: GPL-2.0
/* The module's own capture.c, compiled into the test module. */
#include "../../module/capture.c"
