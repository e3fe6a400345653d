/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, bounded JSON reader for the lines oomprof-read itself wrote
 * (events.jsonl), read back by --show. The file is root's, but its strings
 * carry names any local user picks, so the reader trusts nothing: input is
 * at most JSON_MAX_INPUT bytes, nesting at most JSON_MAX_DEPTH, every byte
 * is looked at a bounded number of times and memory is linear in the
 * input. Strings are decoded to bytes (\u0000 becomes the bytes C0 80, a
 * lone surrogate its 3-byte form: both invalid UTF-8 that esc() shows as
 * \xNN); they are NUL-terminated and must be escaped before printing.
 */
#ifndef OOMPROF_USER_JSON_H
#define OOMPROF_USER_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_INPUT (1u << 20)	/* bytes of one document */
#define JSON_MAX_DEPTH 32		/* arrays and objects inside each other */

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
		 JSON_OBJECT };

struct json_doc;

/* A value in a parsed document, valid until json_free. */
struct json_val {
	enum json_type type;
	const char *key;	/* member of an object: its name, else NULL */
	const char *str;	/* string: decoded; number: its JSON text */
	size_t len;		/* bytes of str */
	bool b;
	unsigned int n;		/* array/object: members */
	unsigned int first;	/* index of the first member, 0: none */
	unsigned int next;	/* index of the next sibling, 0: none */
	const struct json_doc *doc;
};

struct json_doc {
	struct json_val *v;	/* v[0] unused: index 0 means "none" */
	unsigned int nv, capv;
	char *text;		/* decoded strings and number texts */
	size_t ntext;
	unsigned int root;
};

/*
 * Parse @len bytes at @s (no NUL needed) as one JSON value, surrounded by
 * optional white space. 0, or -1 with the reason (and byte offset) in @err.
 * json_free in both cases.
 */
int json_parse(struct json_doc *d, const char *s, size_t len, char *err,
	       size_t errlen);
void json_free(struct json_doc *d);

const struct json_val *json_root(const struct json_doc *d);
/* Members of an array or object, in order. */
const struct json_val *json_first(const struct json_val *v);
const struct json_val *json_next(const struct json_val *v);
/* An object's first member named @key, NULL if none (or not an object). */
const struct json_val *json_get(const struct json_val *obj, const char *key);

/* A string's bytes, or NULL if @v is not a string (or is NULL). */
const char *json_str(const struct json_val *v);
/*
 * A number that is a whole number in range: 0 and *out, else -1 (not a
 * number, a fraction or exponent, out of range, NULL).
 */
int json_u64(const struct json_val *v, unsigned long long *out);
int json_i64(const struct json_val *v, long long *out);
/* true only for the literal true. */
bool json_true(const struct json_val *v);
bool json_is_null(const struct json_val *v);

#endif
