// SPDX-License-Identifier: GPL-2.0
#include "events.h"
#include "container.h"
#include "esc.h"
#include "record.h"

#include <time.h>

void format_rfc3339_ns(struct sbuf *out, unsigned long long realtime_ns)
{
	time_t secs = (time_t)(realtime_ns / 1000000000ULL);
	struct tm tm;

	if (!gmtime_r(&secs, &tm)) {
		sbuf_printf(out, "\"\"");
		return;
	}
	sbuf_printf(out, "\"%04d-%02d-%02dT%02d:%02d:%02d.%09lluZ\"",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, realtime_ns % 1000000000ULL);
}

static void json_ident(struct sbuf *b, const struct oomprof_task_ident *id)
{
	sbuf_printf(b, "{\"pid\":%u,\"tgid\":%u,\"comm\":", id->pid, id->tgid);
	sbuf_json_string(b, id->comm);
	sbuf_printf(b, "}");
}

static const char *path_name(unsigned int path)
{
	switch (path) {
	case OOMPROF_CAPTURE_PATH_VICTIM:
		return "in-victim";
	case OOMPROF_CAPTURE_PATH_FALLBACK:
		return "fallback";
	case OOMPROF_CAPTURE_PATH_HANDOVER:
		return "handover";
	default:
		return "none";
	}
}

/* A registered Go victim: how its capture went, and where it ran. */
static void json_go(struct sbuf *b, const struct oomprof_oom_kill *k)
{
	const struct oomprof_go_capture *cap = (const void *)(k + 1);

	if (k->hdr.type != OOMPROF_REC_GO_HEAP) {
		sbuf_printf(b, ",\"go\":{\"capture\":\"none\",\"path\":\"%s\",\"stop\":",
			    path_name(k->capture_path));
		sbuf_json_string(b, record_stop_name(k->capture_stop));
		sbuf_printf(b, "}");
		return;
	}
	sbuf_printf(b, ",\"go\":{\"capture\":\"%s\",\"path\":\"%s\",\"stop\":",
		    cap->stop == OOMPROF_STOP_NONE ? "complete" : "partial",
		    path_name(k->capture_path));
	sbuf_json_string(b, record_stop_name(cap->stop));
	if (cap->flags & OOMPROF_CAPTURE_ZERO_FILLED)
		sbuf_printf(b, ",\"zero_filled\":true");
	sbuf_printf(b, ",\"buckets\":%llu,\"bytes\":%llu,\"capture_after_ns\":%lld,\"capture_ns\":%llu,\"mem_profile_rate\":%lld,\"registration_id\":%llu",
		    (unsigned long long)cap->nbuckets,
		    (unsigned long long)cap->bucket_bytes,
		    (long long)(cap->start_boottime_ns - k->kill_boottime_ns),
		    (unsigned long long)cap->duration_ns,
		    (long long)cap->mem_profile_rate,
		    (unsigned long long)cap->registration_id);
	/* The learned prefix the capture used, and its count entries. */
	sbuf_printf(b, ",\"learned_buckets\":%llu,\"counted\":%llu,\"counts_bytes\":%llu}",
		    (unsigned long long)cap->known_count,
		    (unsigned long long)cap->nbuckets_counted,
		    (unsigned long long)cap->counts_bytes);
}

/* A byte count, or null for a limit that is not set. */
static void json_limit(struct sbuf *b, const char *name, unsigned long long v)
{
	if (v == OOMPROF_UNLIMITED)
		sbuf_printf(b, ",\"%s\":null", name);
	else
		sbuf_printf(b, ",\"%s\":%llu", name, v);
}

/* The OOM domain's memory at the kill: its memcg's and the machine's. */
static void json_domain(struct sbuf *b, const struct oomprof_oom_kill *k)
{
	static const char *const events[OOMPROF_MEMCG_NR_EVENTS] = {
		"low", "high", "max", "oom", "oom_kill", "oom_group_kill",
	};
	const struct oomprof_sec_memcg *m =
		(const void *)record_section(k, OOMPROF_SEC_MEMCG);
	const struct oomprof_sec_system *s =
		(const void *)record_section(k, OOMPROF_SEC_SYSTEM);
	unsigned int i;

	sbuf_printf(b, ",\"oom_domain\":{\"memcg\":");
	if (m) {
		sbuf_printf(b, "{\"usage_bytes\":%llu",
			    (unsigned long long)m->usage_bytes);
		json_limit(b, "max_bytes", m->max_bytes);
		json_limit(b, "high_bytes", m->high_bytes);
		sbuf_printf(b, ",\"peak_bytes\":%llu",
			    (unsigned long long)m->peak_bytes);
		if (m->sec.flags & OOMPROF_MEMCG_SWAP) {
			sbuf_printf(b, ",\"swap_bytes\":%llu",
				    (unsigned long long)m->swap_bytes);
			json_limit(b, "swap_max_bytes", m->swap_max_bytes);
		} else {
			sbuf_printf(b, ",\"swap_bytes\":null,\"swap_max_bytes\":null");
		}
		sbuf_printf(b, ",\"events\":{");
		for (i = 0; i < OOMPROF_MEMCG_NR_EVENTS; i++)
			sbuf_printf(b, "%s\"%s\":%llu", i ? "," : "", events[i],
				    (unsigned long long)m->events[i]);
		sbuf_printf(b, "}}");
	} else {
		sbuf_printf(b, "null");
	}
	sbuf_printf(b, ",\"system\":");
	if (s) {
		sbuf_printf(b, "{\"ram_total_bytes\":%llu,\"ram_free_bytes\":%llu,\"ram_available_bytes\":%llu,\"swap_free_bytes\":%llu,\"swap_total_bytes\":",
			    (unsigned long long)s->ram_total_bytes,
			    (unsigned long long)s->ram_free_bytes,
			    (unsigned long long)s->ram_available_bytes,
			    (unsigned long long)s->swap_free_bytes);
		if (s->sec.flags & OOMPROF_SYSTEM_SWAP_TOTAL)
			sbuf_printf(b, "%llu}",
				    (unsigned long long)s->swap_total_bytes);
		else
			sbuf_printf(b, "null}");
	} else {
		sbuf_printf(b, "null");
	}
	sbuf_printf(b, "}");
}

/* The domain's processes, highest badness first. */
static void json_tasks(struct sbuf *b, const struct oomprof_oom_kill *k)
{
	const struct oomprof_sec_tasks *t =
		(const void *)record_section(k, OOMPROF_SEC_TASKS);
	unsigned int i;

	if (!t) {
		sbuf_printf(b, ",\"tasks\":null");
		return;
	}
	sbuf_printf(b, ",\"tasks_walked\":%u,\"tasks_truncated\":%s,\"tasks_walk_ns\":%llu,\"oom_totalpages\":%llu,\"tasks\":[",
		    t->walked,
		    t->sec.flags & OOMPROF_TASKS_TRUNCATED ? "true" : "false",
		    (unsigned long long)t->walk_ns,
		    (unsigned long long)t->totalpages);
	for (i = 0; i < t->ntasks; i++) {
		const struct oomprof_task_mem *e = &t->tasks[i];

		sbuf_printf(b, "%s{\"pid\":%u,\"tgid\":%u,\"comm\":",
			    i ? "," : "", e->pid, e->tgid);
		sbuf_json_string(b, e->comm);
		sbuf_printf(b, ",\"uid\":%u,\"oom_score_adj\":%d,\"total_vm_kb\":%llu,\"anon_rss_kb\":%llu,\"file_rss_kb\":%llu,\"shmem_rss_kb\":%llu,\"swap_kb\":%llu,\"pgtables_kb\":%llu,\"badness\":",
			    e->uid, e->oom_score_adj,
			    (unsigned long long)e->total_vm_kb,
			    (unsigned long long)e->anon_rss_kb,
			    (unsigned long long)e->file_rss_kb,
			    (unsigned long long)e->shmem_rss_kb,
			    (unsigned long long)e->swap_kb,
			    (unsigned long long)e->pgtables_kb);
		if (e->flags & OOMPROF_TASK_UNKILLABLE)
			sbuf_printf(b, "null");
		else
			sbuf_printf(b, "%lld", (long long)e->badness);
		sbuf_printf(b, ",\"victim\":%s}",
			    e->flags & OOMPROF_TASK_VICTIM ? "true" : "false");
	}
	sbuf_printf(b, "]");
}

/* The victim's memory by mapping: totals per kind, the largest ones. */
static void json_maps(struct sbuf *b, const struct oomprof_oom_kill *k)
{
	const struct oomprof_sec_maps *m =
		(const void *)record_section(k, OOMPROF_SEC_MAPS);
	unsigned int i, first = 1;

	if (!m) {
		sbuf_printf(b, ",\"mappings\":null");
		return;
	}
	sbuf_printf(b, ",\"mappings\":{\"walk\":\"%s\",\"truncated\":%s,\"path\":\"%s\",\"size_only\":%s,\"names_truncated\":%s,\"vmas\":%llu,\"ptes\":%llu,\"walk_after_ns\":%llu,\"lock_wait_us\":%u,\"walk_ns\":%llu,\"totals\":{",
		    record_maps_stop_name(m->stop),
		    m->stop != OOMPROF_MAPS_COMPLETE ? "true" : "false",
		    path_name(m->path),
		    m->sec.flags & OOMPROF_MAPS_SIZE_ONLY ? "true" : "false",
		    m->sec.flags & OOMPROF_MAPS_NAME_TRUNCATED ? "true" : "false",
		    (unsigned long long)m->vmas, (unsigned long long)m->ptes,
		    (unsigned long long)m->walk_after_ns, m->lock_wait_us,
		    (unsigned long long)m->walk_ns);
	for (i = 0; i < OOMPROF_MAP_NR_KINDS; i++) {
		const struct oomprof_map_total *t = &m->totals[i];

		if (!t->count)
			continue;
		sbuf_printf(b, "%s\"%s\":{\"count\":%llu,\"size_bytes\":%llu,\"resident_bytes\":%llu,\"swap_bytes\":%llu}",
			    first ? "" : ",", record_map_kind_name(i),
			    (unsigned long long)t->count,
			    (unsigned long long)t->size_bytes,
			    (unsigned long long)t->resident_bytes,
			    (unsigned long long)t->swap_bytes);
		first = 0;
	}
	sbuf_printf(b, "},\"top\":[");
	for (i = 0; i < m->nmaps; i++) {
		const struct oomprof_map *e = &m->maps[i];

		sbuf_printf(b, "%s{\"kind\":\"%s\",\"start\":\"0x%llx\",\"size_bytes\":%llu,\"resident_bytes\":%llu,\"swap_bytes\":%llu,\"size_only\":%s,\"name\":",
			    i ? "," : "", record_map_kind_name(e->kind),
			    (unsigned long long)e->start,
			    (unsigned long long)e->size_bytes,
			    (unsigned long long)e->resident_bytes,
			    (unsigned long long)e->swap_bytes,
			    e->flags & OOMPROF_MAP_SIZE_ONLY ? "true" : "false");
		sbuf_json_string(b, e->name);
		sbuf_printf(b, ",\"name_truncated\":%s}",
			    e->flags & OOMPROF_MAP_NAME_TRUNCATED ?
			    "true" : "false");
	}
	sbuf_printf(b, "]}");
}

static void json_kill(struct sbuf *b, const struct oomprof_oom_kill *k,
		      const char *profile, const char *profile_error)
{
	unsigned int flags = k->hdr.flags;
	int mm = !!(flags & OOMPROF_KILL_MM_FACTS);
	unsigned int i;

	sbuf_printf(b, "{\"type\":\"oom_kill\",\"seq\":%llu,\"time\":",
		    (unsigned long long)k->hdr.seq);
	format_rfc3339_ns(b, k->kill_realtime_ns);
	sbuf_printf(b, ",\"boottime_ns\":%llu,\"pid\":%u,\"tgid\":%u,\"ns_pid\":%u,\"comm\":",
		    (unsigned long long)k->kill_boottime_ns, k->victim.pid,
		    k->victim.tgid, k->victim_ns_pid);
	sbuf_json_string(b, k->victim.comm);
	sbuf_printf(b, ",\"uid\":%u,\"cgroup\":", k->uid);
	sbuf_json_string(b, k->victim_cgroup);
	sbuf_printf(b, ",\"cgroup_id\":%llu,\"constraint\":\"%s\",\"oom_cgroup\":",
		    (unsigned long long)k->victim_cgroup_id,
		    record_constraint_name(k->constraint));
	if (k->constraint == OOMPROF_CONSTRAINT_MEMCG)
		sbuf_json_string(b, k->oom_cgroup);
	else
		sbuf_printf(b, "null");
	sbuf_printf(b, ",\"oom_cgroup_id\":%llu,\"order\":%d,\"gfp_mask\":\"0x%x\"",
		    (unsigned long long)k->oom_cgroup_id, k->order, k->gfp_mask);
	if (mm)
		sbuf_printf(b, ",\"total_vm_kb\":%llu,\"anon_rss_kb\":%llu,\"file_rss_kb\":%llu,\"shmem_rss_kb\":%llu,\"pgtables_kb\":%llu",
			    (unsigned long long)k->total_vm_kb,
			    (unsigned long long)k->anon_rss_kb,
			    (unsigned long long)k->file_rss_kb,
			    (unsigned long long)k->shmem_rss_kb,
			    (unsigned long long)k->pgtables_kb);
	else
		sbuf_printf(b, ",\"total_vm_kb\":null,\"anon_rss_kb\":null,\"file_rss_kb\":null,\"shmem_rss_kb\":null,\"pgtables_kb\":null");
	sbuf_printf(b, ",\"oom_score_adj\":%d,\"trigger\":", k->oom_score_adj);
	json_ident(b, &k->trigger);
	sbuf_printf(b, ",\"parents\":[");
	for (i = 0; i < k->nparents; i++) {
		if (i)
			sbuf_printf(b, ",");
		json_ident(b, &k->parents[i]);
	}
	sbuf_printf(b, "],\"parents_truncated\":%s",
		    flags & OOMPROF_KILL_PARENTS_TRUNCATED ? "true" : "false");
	sbuf_printf(b, ",\"cgroup_truncated\":%s",
		    flags & OOMPROF_KILL_CGROUP_TRUNCATED ? "true" : "false");
	container_json(b, k->victim_cgroup, sizeof(k->victim_cgroup),
		       flags & OOMPROF_KILL_CGROUP_TRUNCATED);
	if (flags & OOMPROF_KILL_SIGKILL_SEEN &&
	    k->sigkill_boottime_ns >= k->kill_boottime_ns)
		sbuf_printf(b, ",\"sigkill_after_ns\":%llu",
			    (unsigned long long)(k->sigkill_boottime_ns -
						 k->kill_boottime_ns));
	else
		sbuf_printf(b, ",\"sigkill_after_ns\":null");
	if (flags & OOMPROF_KILL_GO_PROCESS)
		json_go(b, k);
	json_domain(b, k);
	json_tasks(b, k);
	json_maps(b, k);
	sbuf_printf(b, ",\"dropped\":%llu,\"profile\":",
		    (unsigned long long)k->hdr.lost);
	if (profile)
		sbuf_json_string(b, profile);
	else
		sbuf_printf(b, "null");
	if (!profile && profile_error) {
		sbuf_printf(b, ",\"profile_error\":");
		sbuf_json_string(b, profile_error);
	}
	sbuf_printf(b, "}");
}

int event_json(struct sbuf *out, const struct oomprof_record_header *hdr,
	       const char *profile, const char *profile_error)
{
	struct timespec now;

	switch (hdr->type) {
	case OOMPROF_REC_OOM_KILL:
	case OOMPROF_REC_GO_HEAP:
		json_kill(out, (const struct oomprof_oom_kill *)hdr, profile,
			  profile_error);
		return 0;
	case OOMPROF_REC_LOST:
		/* The module does not date a loss: this is when we learnt. */
		clock_gettime(CLOCK_REALTIME, &now);
		sbuf_printf(out, "{\"type\":\"lost\",\"seq\":%llu,\"time\":",
			    (unsigned long long)hdr->seq);
		format_rfc3339_ns(out, (unsigned long long)now.tv_sec *
				  1000000000ULL + (unsigned long long)now.tv_nsec);
		sbuf_printf(out, ",\"dropped\":%llu}",
			    (unsigned long long)hdr->lost);
		return 0;
	default:
		return -1;
	}
}

static void summary_kill(struct sbuf *b, const struct oomprof_oom_kill *k)
{
	unsigned int i;

	sbuf_printf(b, "OOM kill (%s", record_constraint_name(k->constraint));
	if (k->constraint == OOMPROF_CONSTRAINT_MEMCG)
		sbuf_printf(b, " %s", esc(k->oom_cgroup));
	sbuf_printf(b, "): pid %u (%s)", k->victim.pid, esc(k->victim.comm));
	/* In a container: the pid its own tools show too. */
	if (k->victim_ns_pid && k->victim_ns_pid != k->victim.tgid)
		sbuf_printf(b, " [pid %u in its namespace]", k->victim_ns_pid);
	sbuf_printf(b, " uid %u in %s", k->uid,
		    k->victim_cgroup[0] ? esc(k->victim_cgroup) : "?");
	if (k->hdr.flags & OOMPROF_KILL_MM_FACTS)
		sbuf_printf(b, ", anon-rss %llu kB file-rss %llu kB shmem-rss %llu kB",
			    (unsigned long long)k->anon_rss_kb,
			    (unsigned long long)k->file_rss_kb,
			    (unsigned long long)k->shmem_rss_kb);
	if (k->hdr.flags & OOMPROF_KILL_SIGKILL_SEEN &&
	    k->sigkill_boottime_ns >= k->kill_boottime_ns)
		sbuf_printf(b, ", took SIGKILL after %.3f ms",
			    (double)(k->sigkill_boottime_ns -
				     k->kill_boottime_ns) / 1e6);
	else
		sbuf_printf(b, ", SIGKILL not seen");
	sbuf_printf(b, "; triggered by %u (%s)", k->trigger.pid,
		    esc(k->trigger.comm));
	for (i = 0; i < k->nparents; i++)
		sbuf_printf(b, "%s%u (%s)", i ? " < " : "; parents ",
			    k->parents[i].pid, esc(k->parents[i].comm));
	if (k->hdr.lost)
		sbuf_printf(b, "; %llu earlier record(s) lost",
			    (unsigned long long)k->hdr.lost);
}

int event_summary(struct sbuf *out, const struct oomprof_record_header *hdr)
{
	switch (hdr->type) {
	case OOMPROF_REC_OOM_KILL:
	case OOMPROF_REC_GO_HEAP:
		summary_kill(out, (const struct oomprof_oom_kill *)hdr);
		return 0;
	case OOMPROF_REC_LOST:
		sbuf_printf(out, "%llu record(s) lost: the module's buffer was full (raise event_buffer_kb or kill_slots, or keep oomprof-read running)",
			    (unsigned long long)hdr->lost);
		return 0;
	default:
		return -1;
	}
}
