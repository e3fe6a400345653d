// SPDX-License-Identifier: GPL-2.0
/* The module's own device.c, compiled into the test module (never registered). */
#include "../../module/device.c"
