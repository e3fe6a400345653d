// SPDX-License-Identifier: GPL-2.0
/*
 * Count entries of a capture resolved through the learned state: apart
 * from golearn.c so that what registers processes (discover.c) does not
 * need the profile builder.
 */
#include "golearn.h"
#include "golearn_priv.h"

#include <stdio.h>
#include <string.h>

/* ---- merge ---- */

static int varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned int i = 0; i < 10; i++) {
		uint8_t c;

		if (*off >= len)
			return -1;
		c = p[(*off)++];
		if (i == 9 && c > 1)
			return -1;	/* past 64 bits */
		x |= (uint64_t)(c & 0x7f) << (7 * i);
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

int golearn_decode_count(const uint8_t *p, size_t len, size_t *off,
			 int64_t *delta, uint64_t words[16])
{
	uint64_t z, mask;

	if (varint(p, len, off, &z) || varint(p, len, off, &mask) ||
	    mask > 0xffff)
		return -1;
	*delta = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
	for (int i = 0; i < 16; i++) {
		words[i] = 0;
		if ((mask >> i & 1) && varint(p, len, off, &words[i]))
			return -1;
	}
	return 0;
}

static void merge_rewind(void *ctx)
{
	struct golearn_merge *m = ctx;

	m->phase = 0;
	m->off = 0;
	m->j = 0;
	m->prev = 0;
	m->nfull = 0;
	m->last_allnext = 0;
}

static void set_words(struct heapprof_entry *e, const uint64_t w[16])
{
	struct heapprof_cycle *c[4] = {
		&e->active, &e->future[0], &e->future[1], &e->future[2],
	};

	for (int i = 0; i < 4; i++) {
		c[i]->allocs = w[4 * i];
		c[i]->frees = w[4 * i + 1];
		c[i]->alloc_bytes = w[4 * i + 2];
		c[i]->free_bytes = w[4 * i + 3];
	}
}

static int merge_next(void *ctx, struct heapprof_entry *e, char *err,
		      size_t errlen)
{
	struct golearn_merge *m = ctx;
	const struct golearn_state *s = m->s;
	const struct gl_bucket *b;
	uint64_t w[16], addr, idx;
	int64_t d;
	uint32_t node;
	int rc;

	if (m->phase == 0) {
		rc = heapprof_next(m->full, m->full_len, &m->off, e, err,
				   errlen);
		if (rc) {
			if (rc > 0) {
				m->nfull++;
				m->last_allnext = e->allnext;
			}
			return rc;
		}
		m->phase = 1;
		m->off = 0;
	}
	if (m->phase != 1 || m->j >= m->ncounted) {
		m->phase = 2;
		if (m->off != m->counts_len) {
			if (err)
				snprintf(err, errlen, "%zu bytes after the last count entry",
					 m->counts_len - m->off);
			return -1;
		}
		return 0;
	}
	if (m->j == 0 && m->nfull && m->last_allnext != m->known_head) {
		if (err)
			snprintf(err, errlen, "the newest copied bucket links to 0x%llx, not to the learned head 0x%llx",
				 (unsigned long long)m->last_allnext,
				 (unsigned long long)m->known_head);
		return -1;
	}
	if (!s || s->nb < m->known_count) {
		if (err)
			snprintf(err, errlen, "the %llu older buckets came as counts of a learned prefix of %llu buckets, and this oomprof-read holds %s",
				 (unsigned long long)m->ncounted,
				 (unsigned long long)m->known_count,
				 s ? "fewer (restarted or out of learning memory?)" :
				     "none for this registration (restarted, or its learned state expired)");
		return -1;
	}
	if (golearn_decode_count(m->counts, m->counts_len, &m->off, &d, w)) {
		if (err)
			snprintf(err, errlen, "count entry %llu does not decode",
				 (unsigned long long)m->j);
		return -1;
	}
	addr = m->prev + (uint64_t)d;
	idx = m->known_count - 1 - m->j;	/* newest learned first */
	b = &s->b[idx];
	if (b->addr != addr || (m->j == 0 && addr != m->known_head)) {
		if (err)
			snprintf(err, errlen, "count entry %llu is for 0x%llx, but the learned bucket there is 0x%llx",
				 (unsigned long long)m->j,
				 (unsigned long long)addr,
				 (unsigned long long)b->addr);
		return -1;
	}
	memset(e, 0, sizeof(*e));
	e->addr = addr;
	e->allnext = idx ? s->b[idx - 1].addr : 0;
	e->typ = HEAPPROF_BUCKET_MEMORY;
	e->hash = b->hash;
	e->size = b->size;
	e->nstk = b->nstk;
	node = b->leaf;
	for (uint32_t i = 0; i < b->nstk; i++) {
		/* Leaf to root: stk[0] first. A trie node's depth is fixed. */
		uint64_t pc = gl_node_pc(s->pc_hi, s->wide, &s->nodes[node]);

		memcpy(m->stk + 8 * i, &pc, 8);
		node = gl_node_parent(&s->nodes[node]);
	}
	e->stk = m->stk;
	set_words(e, w);
	m->prev = addr;
	m->j++;
	return 1;
}

void golearn_merge_init(struct golearn_merge *m, const struct golearn_state *s,
			const struct oomprof_go_capture *cap,
			const void *entries, struct heapprof_source *src)
{
	memset(m, 0, sizeof(*m));
	m->s = s;
	m->full = entries;
	m->full_len = cap->bucket_bytes;
	m->counts = (const uint8_t *)entries + cap->bucket_bytes;
	m->counts_len = cap->counts_bytes;
	m->known_head = cap->known_head;
	m->known_count = cap->known_count;
	m->ncounted = cap->nbuckets_counted;
	src->next = merge_next;
	src->rewind = merge_rewind;
	src->ctx = m;
}
