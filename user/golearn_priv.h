/* SPDX-License-Identifier: GPL-2.0 */
/* golearn's learned state, shared by golearn.c and golearn_merge.c. */
#ifndef OOMPROF_USER_GOLEARN_PRIV_H
#define OOMPROF_USER_GOLEARN_PRIV_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct gl_node {		/* one trie node: a PC under its parent */
	uint64_t pc;
	uint32_t parent;	/* node index; 0 is the root (no PC) */
	uint32_t pad;
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
};

#endif
