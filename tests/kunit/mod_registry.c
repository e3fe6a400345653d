// SPDX-License-Identifier: GPL-2.0
/* The module's own registry.c, compiled into the test module. */
#include "../../module/registry.c"
