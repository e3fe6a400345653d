// SPDX-License-Identifier: GPL-2.0
/* The module's own probes.c, compiled into the test module. */
#include "../../module/probes.c"
