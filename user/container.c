// SPDX-License-Identifier: GPL-2.0
/*
 * Container attribution from a cgroup v2 path, and the kubelet's names for
 * it: see container.h for the layouts and the rules.
 */
#include "container.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- shapes ---- */

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_lower_hex(s[i]))
			return false;
	return true;
}

/* @s (@n bytes) equals the NUL-terminated @lit. */
static bool eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static bool starts(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(s, lit, l) == 0;
}

static bool ends(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(s + n - l, lit, l) == 0;
}

/*
 * A pod UID as the kubelet writes it: 8-4-4-4-12 lowercase hex with @sep
 * ('-', or '_' in systemd slice names, where '-' means a level), or the 32
 * hex digits of a static pod's UID (an MD5 the kubelet computes). Written
 * to @out in its canonical form ('-').
 */
static bool parse_uid(const char *s, size_t n, char sep, char *out)
{
	size_t i;

	if (n == 32) {
		if (!all_hex(s, 32))
			return false;
		memcpy(out, s, 32);
		out[32] = '\0';
		return true;
	}
	if (n != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != sep)
				return false;
			out[i] = '-';
		} else if (is_lower_hex(s[i])) {
			out[i] = s[i];
		} else {
			return false;
		}
	}
	out[36] = '\0';
	return true;
}

/* <prefix><64 hex><suffix>: the id into @id. */
static bool parse_id(const char *s, size_t n, const char *prefix,
		     const char *suffix, char *id)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);

	if (n != pl + CONTAINER_ID_LEN + sl || !starts(s, n, prefix) ||
	    !ends(s, n, suffix) || !all_hex(s + pl, CONTAINER_ID_LEN))
		return false;
	memcpy(id, s + pl, CONTAINER_ID_LEN);
	id[CONTAINER_ID_LEN] = '\0';
	return true;
}

/* ---- the path ---- */

struct comp {
	const char *s;
	size_t n;
};

/* The component at *@pos ('/' there) of @p[0..@end), advancing *@pos. */
static bool next_comp(const char *p, size_t end, size_t *pos, struct comp *c)
{
	size_t i;

	if (*pos >= end || p[*pos] != '/')
		return false;
	i = *pos + 1;
	c->s = p + i;
	while (i < end && p[i] != '/')
		i++;
	c->n = (size_t)(p + i - c->s);
	*pos = i;
	return true;
}

/* The container component right below a pod (systemd or cgroupfs). */
static void pod_child(const struct comp *c, bool systemd,
		      struct container_info *out)
{
	if (systemd) {
		if (parse_id(c->s, c->n, "cri-containerd-", ".scope", out->id))
			out->runtime = CONTAINER_RUNTIME_CONTAINERD;
		else if (parse_id(c->s, c->n, "crio-", ".scope", out->id))
			out->runtime = CONTAINER_RUNTIME_CRIO;
		else if (parse_id(c->s, c->n, "docker-", ".scope", out->id))
			out->runtime = CONTAINER_RUNTIME_DOCKER;
	} else {
		/* containerd's and cri-dockerd's are both the bare id. */
		if (parse_id(c->s, c->n, "", "", out->id))
			out->runtime = CONTAINER_RUNTIME_UNKNOWN;
		else if (parse_id(c->s, c->n, "crio-", "", out->id))
			out->runtime = CONTAINER_RUNTIME_CRIO;
	}
}

/* QoS word of a kubelet cgroup name, NONE if it is not one. */
static enum container_qos qos_word(const char *s, size_t n)
{
	if (eq(s, n, "burstable"))
		return CONTAINER_QOS_BURSTABLE;
	if (eq(s, n, "besteffort"))
		return CONTAINER_QOS_BESTEFFORT;
	return CONTAINER_QOS_NONE;
}

/*
 * cgroupfs: /kubepods[/burstable|/besteffort]/pod<uid>[/<container>[/...]]
 * from the component after "kubepods".
 */
static int parse_cgroupfs(const char *p, size_t end, size_t pos,
			  struct container_info *out)
{
	struct comp c;

	if (!next_comp(p, end, &pos, &c))
		return 0;
	out->qos = qos_word(c.s, c.n);
	if (out->qos != CONTAINER_QOS_NONE && !next_comp(p, end, &pos, &c))
		return 0;
	if (out->qos == CONTAINER_QOS_NONE)
		out->qos = CONTAINER_QOS_GUARANTEED;
	if (!starts(c.s, c.n, "pod") ||
	    !parse_uid(c.s + 3, c.n - 3, '-', out->pod_uid))
		return 0;
	out->driver = CONTAINER_DRIVER_CGROUPFS;
	if (!next_comp(p, end, &pos, &c))
		return 1;
	pod_child(&c, false, out);
	if (out->id[0] && next_comp(p, end, &pos, &c))
		out->nested = true;
	return 1;
}

/*
 * systemd: a chain of slices from the root, each named after its parent
 * plus one '-'-separated word (systemd's slice expansion: a-b.slice lives
 * in a.slice), containing the word "kubepods", then an optional QoS word,
 * then "pod<uid>"; below that the container's scope.
 */
enum sd_state { SD_SEEK, SD_KUBEPODS, SD_QOS };

static int parse_systemd_chain(const char *p, size_t end,
			       struct container_info *out)
{
	size_t pos = 0, sl;
	struct comp c, prev;
	enum sd_state st = SD_SEEK;
	const char *w;
	size_t wn;

	if (!next_comp(p, end, &pos, &prev) || !ends(prev.s, prev.n, ".slice"))
		return 0;
	sl = prev.n - 6;	/* the stem, without ".slice" */
	if (!sl || memchr(prev.s, '-', sl))
		return 0;
	if (eq(prev.s, sl, "kubepods"))
		st = SD_KUBEPODS;
	for (;;) {
		if (!next_comp(p, end, &pos, &c))
			return 0;	/* ends before a pod */
		/* c must be <prev stem>-<word>.slice */
		if (!ends(c.s, c.n, ".slice") || c.n < sl + 1 + 1 + 6 ||
		    memcmp(c.s, prev.s, sl) != 0 || c.s[sl] != '-')
			return 0;
		w = c.s + sl + 1;
		wn = c.n - 6 - sl - 1;
		if (memchr(w, '-', wn))
			return 0;
		if (st == SD_SEEK) {
			if (eq(w, wn, "kubepods"))
				st = SD_KUBEPODS;
		} else if (st == SD_KUBEPODS &&
			   qos_word(w, wn) != CONTAINER_QOS_NONE) {
			out->qos = qos_word(w, wn);
			st = SD_QOS;
		} else {
			if (!starts(w, wn, "pod") ||
			    !parse_uid(w + 3, wn - 3, '_', out->pod_uid))
				return 0;
			if (st == SD_KUBEPODS)
				out->qos = CONTAINER_QOS_GUARANTEED;
			break;
		}
		prev = c;
		sl = c.n - 6;
	}
	out->driver = CONTAINER_DRIVER_SYSTEMD;
	if (!next_comp(p, end, &pos, &c))
		return 1;
	pod_child(&c, true, out);
	if (out->id[0] && next_comp(p, end, &pos, &c))
		out->nested = true;
	return 1;
}

int container_attribute(const char *path, size_t cap, bool truncated,
			struct container_info *out)
{
	size_t n, end, pos = 0;
	struct comp c;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!path || !cap)
		return 0;
	n = strnlen(path, cap);
	/*
	 * A path that fills its buffer may have been cut: kernels before
	 * 6.9 fill it silently (kernfs_path_from_node's scnprintf) and
	 * report no error the module could flag.
	 */
	if (n + 1 >= cap)
		truncated = true;
	end = n;
	if (truncated) {
		/* Its last component may be a part of one: not used. */
		while (end > 0 && path[end - 1] != '/')
			end--;
		if (end > 0)
			end--;	/* the '/' itself */
	}
	if (!end || path[0] != '/')
		return 0;
	/* An empty component ("//", a trailing '/') is no kernel path. */
	if (memmem(path, end, "//", 2) || path[end - 1] == '/')
		return 0;
	if (!next_comp(path, end, &pos, &c))
		return 0;
	if (eq(c.s, c.n, "docker")) {
		/* Docker, cgroupfs driver: /docker/<id> */
		if (next_comp(path, end, &pos, &c) &&
		    parse_id(c.s, c.n, "", "", out->id)) {
			out->runtime = CONTAINER_RUNTIME_DOCKER;
			out->driver = CONTAINER_DRIVER_CGROUPFS;
			ret = 1;
		}
	} else if (eq(c.s, c.n, "system.slice")) {
		/* Docker, systemd driver: /system.slice/docker-<id>.scope */
		if (next_comp(path, end, &pos, &c) &&
		    parse_id(c.s, c.n, "docker-", ".scope", out->id)) {
			out->runtime = CONTAINER_RUNTIME_DOCKER;
			out->driver = CONTAINER_DRIVER_SYSTEMD;
			ret = 1;
		}
	} else if (eq(c.s, c.n, "kubepods")) {
		ret = parse_cgroupfs(path, end, pos, out);
	} else if (ends(c.s, c.n, ".slice")) {
		ret = parse_systemd_chain(path, end, out);
	}
	if (ret && out->runtime == CONTAINER_RUNTIME_DOCKER && !out->pod_uid[0] &&
	    next_comp(path, end, &pos, &c))
		out->nested = true;
	if (!ret) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	out->truncated = truncated;
	return 1;
}

const char *container_runtime_name(enum container_runtime r)
{
	switch (r) {
	case CONTAINER_RUNTIME_CONTAINERD:
		return "containerd";
	case CONTAINER_RUNTIME_CRIO:
		return "cri-o";
	case CONTAINER_RUNTIME_DOCKER:
		return "docker";
	default:
		return NULL;
	}
}

const char *container_qos_name(enum container_qos q)
{
	switch (q) {
	case CONTAINER_QOS_GUARANTEED:
		return "guaranteed";
	case CONTAINER_QOS_BURSTABLE:
		return "burstable";
	case CONTAINER_QOS_BESTEFFORT:
		return "besteffort";
	default:
		return NULL;
	}
}

const char *container_driver_name(enum container_driver d)
{
	switch (d) {
	case CONTAINER_DRIVER_SYSTEMD:
		return "systemd";
	case CONTAINER_DRIVER_CGROUPFS:
		return "cgroupfs";
	default:
		return NULL;
	}
}

/* ---- the kubelet's names ---- */

/* DNS-1123: [a-z0-9] at both ends, [a-z0-9-] (and '.' if @dots) between. */
static bool dns_name(const char *s, size_t n, size_t max, bool dots)
{
	size_t i;

	if (!n || n > max)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (alnum)
			continue;
		if (i == 0 || i == n - 1 || !(c == '-' || (dots && c == '.')))
			return false;
	}
	return true;
}

/* @name split at its '_': exactly three non-empty parts. */
static bool split3(const char *name, size_t n, struct comp part[3])
{
	const char *a = memchr(name, '_', n), *b;

	if (!a)
		return false;
	b = memchr(a + 1, '_', (size_t)(name + n - a - 1));
	if (!b || memchr(b + 1, '_', (size_t)(name + n - b - 1)))
		return false;
	part[0] = (struct comp){ name, (size_t)(a - name) };
	part[1] = (struct comp){ a + 1, (size_t)(b - a - 1) };
	part[2] = (struct comp){ b + 1, (size_t)(name + n - b - 1) };
	return true;
}

static void put(char *dst, const struct comp *c)
{
	memcpy(dst, c->s, c->n);
	dst[c->n] = '\0';
}

/* <namespace>_<pod>_<uid>: the kubelet's BuildPodLogsDirectory. */
int container_parse_pod_dir(const char *name, char *ns, char *pod, char *uid)
{
	size_t n = strnlen(name, NAME_MAX + 1);
	struct comp part[3];

	if (n > NAME_MAX || !split3(name, n, part) ||
	    !dns_name(part[0].s, part[0].n, CONTAINER_NS_MAX, false) ||
	    !dns_name(part[1].s, part[1].n, CONTAINER_POD_MAX, true) ||
	    !parse_uid(part[2].s, part[2].n, '-', uid))
		return -1;
	put(ns, &part[0]);
	put(pod, &part[1]);
	return 0;
}

/*
 * <pod>_<namespace>_<container>-<id>.log: the kubelet's legacy log symlink
 * (kuberuntime/legacy.go). It cuts names longer than 255 bytes, id and all:
 * such a name is no match here.
 */
int container_parse_log_link(const char *name, char *pod, char *ns,
			     char *container, char *id)
{
	size_t n = strnlen(name, NAME_MAX + 1), rest;
	struct comp part[3];

	if (n > NAME_MAX || n < CONTAINER_ID_LEN + 6 || !ends(name, n, ".log"))
		return -1;
	rest = n - 4 - CONTAINER_ID_LEN - 1;
	if (name[rest] != '-' || !all_hex(name + rest + 1, CONTAINER_ID_LEN) ||
	    !split3(name, rest, part) ||
	    !dns_name(part[0].s, part[0].n, CONTAINER_POD_MAX, true) ||
	    !dns_name(part[1].s, part[1].n, CONTAINER_NS_MAX, false) ||
	    !dns_name(part[2].s, part[2].n, CONTAINER_NAME_MAX, false))
		return -1;
	put(pod, &part[0]);
	put(ns, &part[1]);
	put(container, &part[2]);
	memcpy(id, name + rest + 1, CONTAINER_ID_LEN);
	id[CONTAINER_ID_LEN] = '\0';
	return 0;
}

struct pod_ent {
	char uid[CONTAINER_UID_MAX + 1];
	char ns[CONTAINER_NS_MAX + 1];
	char pod[CONTAINER_POD_MAX + 1];
};

struct ctr_ent {
	char id[CONTAINER_ID_LEN + 1];
	char ns[CONTAINER_NS_MAX + 1];
	char pod[CONTAINER_POD_MAX + 1];
	char name[CONTAINER_NAME_MAX + 1];
};

struct kubelet_names {
	char *root;
	unsigned int refresh_ms;
	bool read_once;
	struct timespec last;
	struct pod_ent *pods;
	size_t npods, pods_cap;
	struct ctr_ent *ctrs;
	size_t nctrs, ctrs_cap;
};

struct kubelet_names *kubelet_names_new(const char *log_root,
					unsigned int refresh_ms)
{
	struct kubelet_names *kn = calloc(1, sizeof(*kn));

	if (!kn)
		return NULL;
	if (!log_root)
		log_root = getenv("OOMPROF_KUBELET_LOG_ROOT");
	if (!log_root || !log_root[0])
		log_root = "/var/log";
	kn->root = strdup(log_root);
	if (!kn->root) {
		free(kn);
		return NULL;
	}
	kn->refresh_ms = refresh_ms;
	return kn;
}

void kubelet_names_free(struct kubelet_names *kn)
{
	if (!kn)
		return;
	free(kn->root);
	free(kn->pods);
	free(kn->ctrs);
	free(kn);
}

struct kubelet_names *kubelet_names_default(void)
{
	static struct kubelet_names *kn;

	if (!kn)
		kn = kubelet_names_new(NULL, 5000);
	return kn;
}

/* Room for one more of @n entries of @size in *@v (capacity *@cap). */
static bool grow(void **v, size_t n, size_t *cap, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > CONTAINER_NAMES_MAX_ENTRIES)
		ncap = CONTAINER_NAMES_MAX_ENTRIES;
	if (n >= ncap)
		return false;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return false;
	*v = nv;
	*cap = ncap;
	return true;
}

/*
 * @dir under @rfd, opened without following a symlink, if it is a
 * directory of root's that only root can write: a DIR stream, or NULL.
 */
static DIR *open_root_dir(int rfd, const char *dir)
{
	int fd = openat(rfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	struct stat st;
	DIR *d;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    st.st_mode & (S_IWGRP | S_IWOTH)) {
		close(fd);
		return NULL;
	}
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

/* The entry's type, from readdir or, if it does not say, lstat. */
static bool entry_is(DIR *d, const struct dirent *e, bool want_dir)
{
	struct stat st;

	if (e->d_type == DT_DIR)
		return want_dir;
	if (e->d_type == DT_LNK || e->d_type == DT_REG)
		return !want_dir;
	if (e->d_type != DT_UNKNOWN ||
	    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
		return false;
	return want_dir ? S_ISDIR(st.st_mode) :
			  S_ISLNK(st.st_mode) || S_ISREG(st.st_mode);
}

static void names_read(struct kubelet_names *kn)
{
	int rfd = open(kn->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	size_t seen;
	DIR *d;

	kn->npods = 0;
	kn->nctrs = 0;
	if (rfd < 0)
		return;
	d = open_root_dir(rfd, "pods");
	for (seen = 0; d && seen < CONTAINER_NAMES_MAX_ENTRIES &&
	     (e = readdir(d)); seen++) {
		struct pod_ent *p;

		if (!entry_is(d, e, true) ||
		    !grow((void **)&kn->pods, kn->npods, &kn->pods_cap,
			  sizeof(*kn->pods)))
			continue;
		p = &kn->pods[kn->npods];
		if (!container_parse_pod_dir(e->d_name, p->ns, p->pod, p->uid))
			kn->npods++;
	}
	if (d)
		closedir(d);
	d = open_root_dir(rfd, "containers");
	for (seen = 0; d && seen < CONTAINER_NAMES_MAX_ENTRIES &&
	     (e = readdir(d)); seen++) {
		struct ctr_ent *c;

		if (!entry_is(d, e, false) ||
		    !grow((void **)&kn->ctrs, kn->nctrs, &kn->ctrs_cap,
			  sizeof(*kn->ctrs)))
			continue;
		c = &kn->ctrs[kn->nctrs];
		if (!container_parse_log_link(e->d_name, c->pod, c->ns,
					      c->name, c->id))
			kn->nctrs++;
	}
	if (d)
		closedir(d);
	close(rfd);
}

/* Names of @ci from the cache; *@missing: something was not found. */
static int names_find(const struct kubelet_names *kn,
		      const struct container_info *ci,
		      struct container_names *out, bool *missing)
{
	const struct pod_ent *pod = NULL;
	const struct ctr_ent *ctr = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; ci->pod_uid[0] && i < kn->npods; i++)
		if (!strcmp(kn->pods[i].uid, ci->pod_uid)) {
			pod = &kn->pods[i];
			break;
		}
	for (i = 0; ci->id[0] && i < kn->nctrs; i++)
		if (!strcmp(kn->ctrs[i].id, ci->id)) {
			ctr = &kn->ctrs[i];
			break;
		}
	*missing = (ci->pod_uid[0] && !pod) || (ci->id[0] && !ctr);
	/* A container said to be in another pod than its cgroup's: neither. */
	if (pod && ctr && (strcmp(pod->ns, ctr->ns) || strcmp(pod->pod, ctr->pod)))
		ctr = NULL;
	if (pod) {
		strcpy(out->namespace_, pod->ns);
		strcpy(out->pod, pod->pod);
	} else if (ctr) {
		strcpy(out->namespace_, ctr->ns);
		strcpy(out->pod, ctr->pod);
	}
	if (ctr)
		strcpy(out->container, ctr->name);
	return pod || ctr;
}

int container_names_lookup(struct kubelet_names *kn,
			   const struct container_info *ci,
			   struct container_names *out)
{
	struct timespec now;
	bool missing;
	int found;
	long long ms;

	memset(out, 0, sizeof(*out));
	/* Only pods have kubelet names; a pod's UID is in its cgroup. */
	if (!kn || !ci->pod_uid[0])
		return 0;
	found = names_find(kn, ci, out, &missing);
	if (!missing)
		return found;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(now.tv_sec - kn->last.tv_sec) * 1000 +
	     (now.tv_nsec - kn->last.tv_nsec) / 1000000;
	if (kn->read_once && ms < (long long)kn->refresh_ms)
		return found;
	names_read(kn);
	kn->read_once = true;
	kn->last = now;
	return names_find(kn, ci, out, &missing);
}

/* "KEY":"value" or "KEY":null */
static void json_field(struct sbuf *b, const char *key, const char *v)
{
	sbuf_printf(b, ",\"%s\":", key);
	if (v && v[0])
		sbuf_json_string(b, v);
	else
		sbuf_printf(b, "null");
}

void container_json(struct sbuf *b, const char *path, size_t cap,
		    bool truncated)
{
	struct container_info ci;
	struct container_names nm;

	if (!container_attribute(path, cap, truncated, &ci)) {
		sbuf_printf(b, ",\"container\":null");
		return;
	}
	container_names_lookup(kubelet_names_default(), &ci, &nm);
	sbuf_printf(b, ",\"container\":{\"driver\":\"%s\"",
		    container_driver_name(ci.driver));
	json_field(b, "runtime", ci.id[0] ? container_runtime_name(ci.runtime) : NULL);
	json_field(b, "id", ci.id);
	json_field(b, "pod_uid", ci.pod_uid);
	json_field(b, "qos", container_qos_name(ci.qos));
	json_field(b, "namespace", nm.namespace_);
	json_field(b, "pod", nm.pod);
	json_field(b, "container", nm.container);
	sbuf_printf(b, ",\"nested\":%s,\"truncated\":%s}",
		    ci.nested ? "true" : "false",
		    ci.truncated ? "true" : "false");
}
