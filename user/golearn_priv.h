/* SPDX-License-Identifier: GPL-2.0 */
/* golearn's learned state, shared by golearn.c and golearn_merge.c. */
#ifndef OOMPROF_USER_GOLEARN_PRIV_H
#define OOMPROF_USER_GOLEARN_PRIV_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One trie node: a PC under its parent, 8 bytes. The PC's high half is
 * the state's pc_hi (Go's code is one mapping, so nearly all PCs share
 * it); a PC with another high half sits in wide[lo], flagged in parent.
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

struct golearn_state {
	/* Oldest (the list's end) first: the newest is b[nb - 1]. */
	struct gl_bucket *b;
	size_t nb, capb;
	struct gl_node *nodes;
	size_t nnodes, capn;
	uint32_t *tab;		/* node index, 0 empty; open addressing */
	size_t tabcap;
	size_t bytes;		/* accounted in *used */
	_Atomic size_t *used;
	uint64_t k0, k1;	/* hash key */
	uint64_t pc_hi;		/* high half of the first PC */
	int pc_hi_set;
	uint64_t *wide;
	size_t nwide, capwide;
};

static inline uint64_t gl_node_pc(const struct golearn_state *s,
				  const struct gl_node *n)
{
	return n->parent & GL_WIDE ? s->wide[n->lo] :
				     s->pc_hi << 32 | n->lo;
}

static inline uint32_t gl_node_parent(const struct gl_node *n)
{
	return n->parent & ~GL_WIDE;
}

#endif
