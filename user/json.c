// SPDX-License-Identifier: GPL-2.0
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	struct json_doc *d;
	const unsigned char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	int failed;
};

static int fail(struct parser *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "%s at byte %zu", what, p->pos);
	p->failed = 1;
	return -1;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

/* A new value; its index, 0 when out of memory. */
static unsigned int new_val(struct parser *p, enum json_type type)
{
	struct json_doc *d = p->d;

	if (d->nv == d->capv) {
		unsigned int cap = d->capv ? d->capv * 2 : 64;
		struct json_val *v = realloc(d->v, (size_t)cap * sizeof(*v));

		if (!v) {
			fail(p, "out of memory");
			return 0;
		}
		d->v = v;
		d->capv = cap;
	}
	memset(&d->v[d->nv], 0, sizeof(d->v[0]));
	d->v[d->nv].type = type;
	return d->nv++;
}

static int hex4(struct parser *p, unsigned int *cp)
{
	unsigned int i, c;

	if (p->len - p->pos < 4)
		return fail(p, "truncated \\u escape");
	*cp = 0;
	for (i = 0; i < 4; i++) {
		c = p->s[p->pos + i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else
			return fail(p, "bad \\u escape");
		*cp = *cp << 4 | c;
	}
	p->pos += 4;
	return 0;
}

/* Code point @cp as UTF-8 (surrogates too, as their 3 bytes). */
static size_t put_utf8(char *o, unsigned int cp)
{
	if (cp == 0) {		/* kept out of C strings: invalid, escaped */
		o[0] = (char)0xc0;
		o[1] = (char)0x80;
		return 2;
	}
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string at p->pos (on its quote), decoded into d->text. */
static int parse_string(struct parser *p, const char **out, size_t *outlen)
{
	char *o = p->d->text + p->d->ntext, *start = o;
	unsigned int cp, lo;

	p->pos++;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len)
			return fail(p, "unterminated string");
		c = p->s[p->pos++];
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(p, "control byte in a string");
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (p->pos >= p->len)
			return fail(p, "unterminated string");
		c = p->s[p->pos++];
		switch (c) {
		case '"': case '\\': case '/':
			*o++ = (char)c;
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (hex4(p, &cp))
				return -1;
			/* A pair makes one code point; anything else stays. */
			if (cp >= 0xd800 && cp < 0xdc00 && p->len - p->pos >= 6 &&
			    p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
				size_t save = p->pos;

				p->pos += 2;
				if (hex4(p, &lo))
					return -1;
				if (lo >= 0xdc00 && lo < 0xe000)
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
				else
					p->pos = save;
			}
			o += put_utf8(o, cp);
			break;
		default:
			p->pos--;
			return fail(p, "bad escape in a string");
		}
	}
	*o++ = '\0';
	*out = start;
	*outlen = (size_t)(o - start) - 1;
	p->d->ntext += (size_t)(o - start);
	return 0;
}

static int digits(struct parser *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++;
	return p->pos > start ? 0 : fail(p, "bad number");
}

static int parse_number(struct parser *p, struct json_val *v)
{
	size_t start = p->pos;
	char *o;

	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '0')
		p->pos++;
	else if (digits(p))
		return -1;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (digits(p))
			return -1;
	}
	if (p->pos < p->len && (p->s[p->pos] | 0x20) == 'e') {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (digits(p))
			return -1;
	}
	o = p->d->text + p->d->ntext;
	memcpy(o, p->s + start, p->pos - start);
	o[p->pos - start] = '\0';
	v->str = o;
	v->len = p->pos - start;
	p->d->ntext += v->len + 1;
	return 0;
}

static int literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return fail(p, "unexpected byte");
	p->pos += n;
	return 0;
}

static unsigned int parse_value(struct parser *p, unsigned int depth);

/* Members of an array or object into v[idx]; p->pos is on its bracket. */
static int parse_members(struct parser *p, unsigned int idx,
			 unsigned int depth, int object)
{
	unsigned int last = 0, child;
	char close = object ? '}' : ']';

	if (depth >= JSON_MAX_DEPTH)
		return fail(p, "nested too deep");
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		size_t keylen;

		skip_ws(p);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return fail(p, "expected a member name");
			if (parse_string(p, &key, &keylen))
				return -1;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return fail(p, "expected ':'");
			p->pos++;
		}
		child = parse_value(p, depth + 1);
		if (!child)
			return -1;
		p->d->v[child].key = key;
		if (last)
			p->d->v[last].next = child;
		else
			p->d->v[idx].first = child;
		last = child;
		p->d->v[idx].n++;
		skip_ws(p);
		if (p->pos >= p->len)
			return fail(p, "unterminated array or object");
		if (p->s[p->pos] == close) {
			p->pos++;
			return 0;
		}
		if (p->s[p->pos] != ',')
			return fail(p, "expected ',' or a closing bracket");
		p->pos++;
	}
}

static unsigned int parse_value(struct parser *p, unsigned int depth)
{
	unsigned int idx;
	unsigned char c;

	skip_ws(p);
	if (p->pos >= p->len) {
		fail(p, "missing value");
		return 0;
	}
	c = p->s[p->pos];
	switch (c) {
	case '{':
	case '[':
		idx = new_val(p, c == '{' ? JSON_OBJECT : JSON_ARRAY);
		if (!idx || parse_members(p, idx, depth, c == '{'))
			return 0;
		return idx;
	case '"':
		idx = new_val(p, JSON_STRING);
		if (!idx || parse_string(p, &p->d->v[idx].str, &p->d->v[idx].len))
			return 0;
		return idx;
	case 't':
	case 'f':
		idx = new_val(p, JSON_BOOL);
		if (!idx || literal(p, c == 't' ? "true" : "false"))
			return 0;
		p->d->v[idx].b = c == 't';
		return idx;
	case 'n':
		idx = new_val(p, JSON_NULL);
		if (!idx || literal(p, "null"))
			return 0;
		return idx;
	default:
		if (c != '-' && (c < '0' || c > '9')) {
			fail(p, "unexpected byte");
			return 0;
		}
		idx = new_val(p, JSON_NUMBER);
		if (!idx || parse_number(p, &p->d->v[idx]))
			return 0;
		return idx;
	}
}

int json_parse(struct json_doc *d, const char *s, size_t len, char *err,
	       size_t errlen)
{
	struct parser p = { .d = d, .s = (const unsigned char *)s, .len = len,
			    .err = err, .errlen = errlen };
	unsigned int i;

	memset(d, 0, sizeof(*d));
	if (errlen)
		err[0] = '\0';
	if (len > JSON_MAX_INPUT) {
		snprintf(err, errlen, "longer than %u bytes", JSON_MAX_INPUT);
		return -1;
	}
	/* Decoded text never outgrows the input, plus one NUL per value. */
	d->text = malloc(2 * len + 2);
	if (d->text)
		new_val(&p, JSON_NULL);		/* v[0]: index 0 is "none" */
	if (!d->text || d->nv != 1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->root = parse_value(&p, 0);
	if (!d->root)
		return -1;
	skip_ws(&p);
	if (p.pos != len)
		return fail(&p, "trailing bytes after the value");
	for (i = 1; i < d->nv; i++)
		d->v[i].doc = d;
	return 0;
}

void json_free(struct json_doc *d)
{
	free(d->v);
	free(d->text);
	memset(d, 0, sizeof(*d));
}

const struct json_val *json_root(const struct json_doc *d)
{
	return d->root ? &d->v[d->root] : NULL;
}

const struct json_val *json_first(const struct json_val *v)
{
	if (!v || (v->type != JSON_ARRAY && v->type != JSON_OBJECT) || !v->first)
		return NULL;
	return &v->doc->v[v->first];
}

const struct json_val *json_next(const struct json_val *v)
{
	return v && v->next ? &v->doc->v[v->next] : NULL;
}

const struct json_val *json_get(const struct json_val *obj, const char *key)
{
	const struct json_val *m;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (m = json_first(obj); m; m = json_next(m))
		if (!strcmp(m->key, key))
			return m;
	return NULL;
}

const char *json_str(const struct json_val *v)
{
	return v && v->type == JSON_STRING ? v->str : NULL;
}

int json_u64(const struct json_val *v, unsigned long long *out)
{
	char *end;

	if (!v || v->type != JSON_NUMBER || v->str[0] == '-' ||
	    strpbrk(v->str, ".eE"))
		return -1;
	errno = 0;
	*out = strtoull(v->str, &end, 10);
	return errno || *end ? -1 : 0;
}

int json_i64(const struct json_val *v, long long *out)
{
	char *end;

	if (!v || v->type != JSON_NUMBER || strpbrk(v->str, ".eE"))
		return -1;
	errno = 0;
	*out = strtoll(v->str, &end, 10);
	return errno || *end ? -1 : 0;
}

bool json_true(const struct json_val *v)
{
	return v && v->type == JSON_BOOL && v->b;
}

bool json_is_null(const struct json_val *v)
{
	return !v || v->type == JSON_NULL;
}
