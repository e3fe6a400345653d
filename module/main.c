// SPDX-License-Identifier: GPL-2.0
/*
 * oomprof: keep the evidence of an OOM kill.
 *
 * Load order builds everything a probe touches before the probes attach,
 * and registers /dev/oomprof last: a failed step before it unwinds a
 * module nobody can have opened (an open file would keep the module's
 * text and state in use while the failed init frees them). Unload goes
 * the other way: the device goes first, so no new file reaches the module
 * (one still open pins it: rmmod refuses), then the probes detach (and
 * wait for running ones) before anything is torn down, so no probe or
 * deferred work ever sees freed state.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "oomprof.h"

static unsigned int event_buffer_kb = 1024;
module_param(event_buffer_kb, uint, 0444);
MODULE_PARM_DESC(event_buffer_kb,
		 "Size of the record buffer in KiB, allocated at load (default 1024: 100 to 200 OOM kill records of 5 to 10 KiB)");

static unsigned int kill_slots = 64;
module_param(kill_slots, uint, 0444);
MODULE_PARM_DESC(kill_slots,
		 "OOM kills tracked at once between mark_victim and their SIGKILL (default 64, ~12 KiB each, allocated at load)");

static unsigned int sigkill_wait_ms = 1000;
module_param(sigkill_wait_ms, uint, 0444);
MODULE_PARM_DESC(sigkill_wait_ms,
		 "How long a kill's record waits for the victim to take its SIGKILL before it is published without it (default 1000)");

static unsigned int capture_buffers = 4;
module_param(capture_buffers, uint, 0444);
MODULE_PARM_DESC(capture_buffers,
		 "Go victims captured at once; each buffer is allocated at load (default 4, capture_buffer_mb each)");

static unsigned int capture_buffer_mb = 14;
module_param(capture_buffer_mb, uint, 0444);
MODULE_PARM_DESC(capture_buffer_mb,
		 "Size of each capture buffer in MiB, allocated at load (default 14: ~33k buckets of 32 frames copied whole, or the counts of over 1M buckets the reader learned, at 5 to 14 bytes each; its last 4 KiB is the walk's bounce area)");

static unsigned int capture_max_buckets = 4000000;
module_param(capture_max_buckets, uint, 0444);
MODULE_PARM_DESC(capture_max_buckets,
		 "Most buckets one capture walks, whole or counted (default 4000000)");

/*
 * A million learned buckets take ~0.75 s under QEMU's emulation (TCG),
 * tens of ms on hardware; every capture also ends by
 * OOMPROF_CAPTURE_END_MS after the kill whatever this says.
 */
static unsigned int capture_timeout_ms = 1500;
module_param(capture_timeout_ms, uint, 0444);
MODULE_PARM_DESC(capture_timeout_ms,
		 "Longest one capture runs; every capture also ends by 1.5 s after the kill, inside the OOM reaper's 2 s (default 1500: that bound alone)");

static unsigned int max_registered = 65536;
module_param(max_registered, uint, 0444);
MODULE_PARM_DESC(max_registered,
		 "Most Go processes registered at once (default 65536; under 600 bytes each, with the registered mm_struct pinned until exit or exec, plus two hash tables of max/8 buckets)");

static unsigned int dump_max_mb = 256;
module_param(dump_max_mb, uint, 0444);
MODULE_PARM_DESC(dump_max_mb,
		 "Largest on-demand dump in MiB, allocated per dump and charged to the caller, at most 2 dumps at once (default 256, at most 2047)");

static unsigned int dump_timeout_ms = 5000;
module_param(dump_timeout_ms, uint, 0444);
MODULE_PARM_DESC(dump_timeout_ms,
		 "Longest one on-demand dump runs (default 5000)");

static int __init oomprof_init(void)
{
	struct oomprof_stats st = {};
	int err;

	if (event_buffer_kb > 1024 * 1024) {
		pr_err("event_buffer_kb=%u is over the 1 GiB limit\n",
		       event_buffer_kb);
		return -EINVAL;
	}
	if (capture_buffer_mb > 1024 || dump_max_mb > 4095) {
		pr_err("capture_buffer_mb=%u or dump_max_mb=%u is over its limit (1024, 4095)\n",
		       capture_buffer_mb, dump_max_mb);
		return -EINVAL;
	}
	err = oomprof_events_init((size_t)event_buffer_kb * 1024);
	if (err)
		return err;
	err = oomprof_capture_init(capture_buffers, capture_buffer_mb,
				   capture_max_buckets, capture_timeout_ms);
	if (err == -ENOMEM)
		pr_err("cannot allocate %u capture buffers of %u MiB: lower capture_buffers or capture_buffer_mb\n",
		       capture_buffers, capture_buffer_mb);
	if (err)
		goto out_events;
	err = oomprof_registry_init(max_registered, capture_max_buckets);
	if (err)
		goto out_capture;
	oomprof_proc_init();
	oomprof_dump_init(dump_max_mb, dump_timeout_ms);
	err = oomprof_kills_init(kill_slots, sigkill_wait_ms);
	if (err)
		goto out_registry;
	err = oomprof_probes_init();
	if (err)
		goto out_kills;
	/* Last: from here on a file can hold the module. */
	err = oomprof_device_init();
	if (err)
		goto out_probes;
	oomprof_stats_fill(&st);
	pr_info("version %s ready: /dev/oomprof, probes 0x%x, %llu KiB reserved (%u capture buffers of %u MiB, event buffer %u KiB, %u kill slots, registry tables)\n",
		OOMPROF_VERSION, st.probes, st.reserved_bytes >> 10,
		capture_buffers, capture_buffer_mb, event_buffer_kb,
		kill_slots);
	return 0;

out_probes:
	oomprof_probes_exit();
out_kills:
	oomprof_kills_exit();
out_registry:
	oomprof_registry_exit();
out_capture:
	oomprof_capture_exit();
out_events:
	oomprof_events_exit();
	return err;
}

/*
 * What this instance leaves behind, in the kernel log: every OOM kill it
 * saw was numbered (a record, or a loss counted in the stream) or was still
 * waiting for its SIGKILL or capture at unload and is dropped; a numbered
 * record was read, or is discarded unread now. After a detach nothing
 * should be unread; kills that came after it are what this line accounts
 * for. Probes detached and kills torn down: the counts are final.
 */
static void oomprof_unload_report(void)
{
	struct oomprof_stats st = {};
	struct oomprof_events_left left;

	oomprof_kills_stats(&st);
	oomprof_events_left(&left);
	pr_info("unloading: %llu OOM kills seen, %llu numbered, %llu numbered records unread, %llu losses unreported, %llu kills dropped in flight\n",
		st.kills_seen, left.numbered, left.unread, left.lost_unreported,
		st.kills_seen - min(st.kills_seen, left.numbered));
}

static void __exit oomprof_exit(void)
{
	oomprof_device_exit();
	oomprof_probes_exit();
	oomprof_kills_exit();
	oomprof_unload_report();
	oomprof_registry_exit();
	oomprof_events_exit();
	oomprof_capture_exit();
}

module_init(oomprof_init);
module_exit(oomprof_exit);

/* GPL: tracepoint_probe_register and friends are GPL-only exports. */
MODULE_LICENSE("GPL");
MODULE_AUTHOR("oomprof developers");
MODULE_DESCRIPTION("Records every OOM kill and what the victim held");
MODULE_VERSION(OOMPROF_VERSION);
