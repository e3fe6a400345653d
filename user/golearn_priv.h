/* SPDX-License-Identifier: GPL-2.0 */
/* golearn's learned state, shared by golearn.c and golearn_merge.c. */
#ifndef OOMPROF_USER_GOLEARN_PRIV_H
#define OOMPROF_USER_GOLEARN_PRIV_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One trie node: a PC under its parent, 8 bytes. The PC's high half is
 * the trie's pc_hi (Go's code is one mapping, so nearly all PCs share it);
 * a PC with another high half sits in wide[lo], flagged in parent.
 */
#define GL_WIDE		0x80000000u
struct gl_node {
	uint32_t lo;
	uint32_t parent;	/* node index (0: the root), | GL_WIDE */
};

struct gl_bucket {
	uint64_t addr, hash, size;
	uint32_t leaf;		/* trie node of stk[0]; 0: empty stack */
	uint32_t nstk;
};

/*
 * The stacks of every process running one executable at one load bias
 * (their PCs mean the same): replicas of a service share it. Written by
 * the thread that learns only. A state taken for a kill keeps the arrays
 * as they were then (nodes, wide): while any is held (readers), a grown
 * array is copied and the old one retired, not freed, so a profile can
 * be built from it on another thread while learning goes on.
 */
struct gl_trie {
	struct gl_node *nodes;
	size_t nnodes, capn;
	uint32_t *tab;		/* node index, 0 empty; open addressing */
	size_t tabcap;
	uint64_t pc_hi;
	int pc_hi_set;
	uint64_t *wide;
	size_t nwide, capwide;
	size_t bytes;		/* accounted, retired arrays included */
	void **retired;
	size_t *retired_bytes, nretired, capretired;
	_Atomic long refs;	/* the trie list's, states' */
	_Atomic long readers;	/* taken states */
	uint64_t key[4];
	int keyed;
};

struct golearn_state {
	/* Oldest (the list's end) first: the newest is b[nb - 1]. */
	struct gl_bucket *b;
	size_t nb, capb;
	size_t bytes;		/* accounted in *used */
	_Atomic size_t *used;
	struct gl_trie *trie;
	/* Taken (golearn_take): the trie's arrays at that moment. */
	int taken;
	const struct gl_node *nodes;
	const uint64_t *wide;
	uint64_t pc_hi;
};

static inline uint64_t gl_node_pc(uint64_t pc_hi, const uint64_t *wide,
				  const struct gl_node *n)
{
	return n->parent & GL_WIDE ? wide[n->lo] : pc_hi << 32 | n->lo;
}

static inline uint32_t gl_node_parent(const struct gl_node *n)
{
	return n->parent & ~GL_WIDE;
}

#endif
