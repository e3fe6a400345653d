// SPDX-License-Identifier: GPL-2.0
/* The module's own events.c, compiled into the test module. */
#include "../../module/events.c"

/* For test_events.c only: the ring's lock, static in events.c. */
spinlock_t *okt_events_lock(void);
spinlock_t *okt_events_lock(void)
{
	return &ev.lock;
}
