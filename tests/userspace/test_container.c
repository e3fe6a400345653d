// SPDX-License-Identifier: GPL-2.0
/*
 * Container attribution (user/container.c): the cgroup layouts of the
 * kubelet (systemd and cgroupfs drivers), containerd, CRI-O and Docker;
 * hostile paths (forged in a delegated subtree, wrong shapes, cut short);
 * linear cost; the kubelet's names from a real directory tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "events.h"
#include "record_fixtures.h"
#include "tmpdir.h"

#define ID  "4f3c1a2b5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "3e5f7a1c-2b4d-4e6f-8a9b-0c1d2e3f4a5b"
#define UID_ "3e5f7a1c_2b4d_4e6f_8a9b_0c1d2e3f4a5b"
#define STATIC_UID "33d556edd3ae8ef21980288cef77ae8b"

struct want {
	const char *path;
	int ret;
	enum container_driver driver;
	enum container_qos qos;
	enum container_runtime runtime;
	const char *id;
	const char *uid;
	bool nested;
};

static void check(const struct want *w, bool truncated, bool want_trunc)
{
	struct container_info ci;
	int ret = container_attribute(w->path, 4096, truncated, &ci);

	if (ret != w->ret)
		fail_msg("%s: attributed %d, want %d", w->path, ret, w->ret);
	if (!ret)
		return;
	if (ci.driver != w->driver || ci.qos != w->qos ||
	    ci.runtime != w->runtime || strcmp(ci.id, w->id ? w->id : "") ||
	    strcmp(ci.pod_uid, w->uid ? w->uid : "") || ci.nested != w->nested ||
	    ci.truncated != want_trunc)
		fail_msg("%s: driver %d qos %d runtime %d id '%s' uid '%s' nested %d truncated %d; want %d %d %d '%s' '%s' %d %d",
			 w->path, ci.driver, ci.qos, ci.runtime, ci.id, ci.pod_uid,
			 ci.nested, ci.truncated, w->driver, w->qos, w->runtime,
			 w->id ? w->id : "", w->uid ? w->uid : "", w->nested,
			 want_trunc);
}

#define SD CONTAINER_DRIVER_SYSTEMD
#define FS CONTAINER_DRIVER_CGROUPFS
#define GU CONTAINER_QOS_GUARANTEED
#define BU CONTAINER_QOS_BURSTABLE
#define BE CONTAINER_QOS_BESTEFFORT
#define NQ CONTAINER_QOS_NONE
#define CD CONTAINER_RUNTIME_CONTAINERD
#define CO CONTAINER_RUNTIME_CRIO
#define DO CONTAINER_RUNTIME_DOCKER
#define UN CONTAINER_RUNTIME_UNKNOWN

/* Every layout of container.h, as the runtimes name them. */
static void real_layouts(void **state)
{
	static const struct want w[] = {
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" ID ".scope",
		  1, SD, BU, CD, ID, UID, false },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/crio-" ID ".scope",
		  1, SD, BE, CO, ID, UID, false },
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/docker-" ID ".scope",
		  1, SD, GU, DO, ID, UID, false },
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope",
		  1, SD, GU, CD, ID, UID, false },
		/* kind: the kubelet's --cgroup-root=/kubelet */
		{ "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod" UID_ ".slice/cri-containerd-" ID ".scope",
		  1, SD, BU, CD, ID, UID, false },
		/* a static pod's UID */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" STATIC_UID ".slice/cri-containerd-" ID ".scope",
		  1, SD, BU, CD, ID, STATIC_UID, false },
		/* a container that makes cgroups of its own */
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope/init.scope",
		  1, SD, GU, CO, ID, UID, true },
		/* in the pod, not in a container: conmon, the pod slice */
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-conmon-" ID ".scope",
		  1, SD, GU, UN, NULL, UID, false },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice",
		  1, SD, BU, UN, NULL, UID, false },
		{ "/kubepods/burstable/pod" UID "/" ID, 1, FS, BU, UN, ID, UID, false },
		{ "/kubepods/besteffort/pod" UID "/" ID, 1, FS, BE, UN, ID, UID, false },
		{ "/kubepods/pod" UID "/" ID, 1, FS, GU, UN, ID, UID, false },
		{ "/kubepods/pod" UID "/crio-" ID, 1, FS, GU, CO, ID, UID, false },
		{ "/kubepods/pod" STATIC_UID "/" ID "/x", 1, FS, GU, UN, ID, STATIC_UID, true },
		{ "/system.slice/docker-" ID ".scope", 1, SD, NQ, DO, ID, NULL, false },
		{ "/docker/" ID, 1, FS, NQ, DO, ID, NULL, false },
		/* kind's node container, seen from the host */
		{ "/docker/" ID "/kubepods/burstable/pod" UID "/" ID2, 1, FS, NQ, DO, ID, NULL, true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		check(&w[i], false, false);
}

/*
 * Paths that are not those layouts, however close: no attribution. The
 * first ones are what a user can make in the subtree systemd delegates to
 * him: the same names, below user@UID.service.
 */
static void hostile_layouts(void **state)
{
	static const char *const bad[] = {
		"/user.slice/user-1000.slice/user@1000.service/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope",
		"/user.slice/user-1000.slice/user@1000.service/app.slice/kubepods/pod" UID "/" ID,
		"/user.slice/user-1000.slice/user@1000.service/docker/" ID,
		"/system.slice/user@1000.service/kubepods.slice/kubepods-pod" UID_ ".slice/x",
		/* the chain broken: a slice not named after its parent */
		"/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" ID ".scope",
		"/kubepods.slice/other-burstable.slice/other-burstable-pod" UID_ ".slice/crio-" ID ".scope",
		"/kubepods.slice/kubepodx-burstable.slice/kubepodx-burstable-pod" UID_ ".slice/crio-" ID ".scope",
		"/user.slice/usex-kubepods.slice/usex-kubepods-pod" UID_ ".slice/crio-" ID ".scope",
		"/kubepods.slice/kubepods-burstable.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope",
		"/kubepods.slice/kubepods-burstable-besteffort.slice/kubepods-burstable-besteffort-pod" UID_ ".slice",
		/* UIDs of the wrong shape */
		"/kubepods.slice/kubepods-pod" UID ".slice/crio-" ID ".scope",
		"/kubepods/pod" UID_ "/" ID,
		"/kubepods/pod3E5F7A1C-2b4d-4e6f-8a9b-0c1d2e3f4a5b/" ID,
		"/kubepods/pod3e5f7a1c-2b4d-4e6f-8a9b-0c1d2e3f4a5/" ID,
		"/kubepods/pod3e5f7a1c-2b4d-4e6f-8a9b0-c1d2e3f4a5b/" ID,
		"/kubepods/pod33d556edd3ae8ef21980288cef77ae8/" ID,
		"/kubepods/pod/" ID,
		"/kubepods/burstable/" ID,
		"/kubepods/burstable",
		"/kubepods",
		/* ids of the wrong shape: no container, and no Docker */
		"/docker/" ID "0",
		"/docker/4F3C1A2B5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708",
		"/docker/" "4f3c1a2b5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70",
		"/system.slice/docker-" ID ".service",
		"/system.slice/docker-" ID,
		"/system.slice/containerd.service",
		/* not kernel paths */
		"kubepods/pod" UID "/" ID,
		"/kubepods//pod" UID "/" ID,
		"/kubepods/pod" UID "/" ID "/",
		"/",
		"",
		"/t1",
	};
	struct container_info ci;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (container_attribute(bad[i], 4096, false, &ci))
			fail_msg("attributed %s (pod '%s' id '%s')", bad[i],
				 ci.pod_uid, ci.id);
	/* An id that is not 64 hex digits is no container, the pod stays. */
	{
		static const struct want w = {
			"/kubepods/pod" UID "/" ID "0", 1, FS, GU, UN, NULL, UID, false
		};
		check(&w, false, false);
	}
}

/*
 * A path cut short: its last component is not used; a path that fills the
 * record's 256 bytes is taken as cut even without the module's flag (a
 * 6.1 kernel cuts without saying so).
 */
static void truncated_paths(void **state)
{
	static const struct want pod_only = {
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" ID ".scope",
		1, SD, BU, UN, NULL, UID, false
	};
	static const struct want cut_in_pod = {
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3e5f7a1c_2b4d",
		0, 0, 0, 0, NULL, NULL, false
	};
	static const struct want whole_ctr = {
		"/kubepods/pod" UID "/" ID "/aaaa", 1, FS, GU, UN, ID, UID, false
	};
	char path[256];
	struct container_info ci;

	(void)state;
	/* Flagged: the container scope (complete or not) is not used. */
	check(&pod_only, true, true);
	check(&cut_in_pod, true, true);
	/* The container complete, a deeper component cut: still it. */
	check(&whole_ctr, true, true);
	/* 255 bytes, the record's buffer full, no flag: cut all the same. */
	memset(path, 'a', sizeof(path));
	snprintf(path, sizeof(path), "/kubepods/pod" UID "/" ID "/");
	memset(path + strlen(path), 'b', sizeof(path) - strlen(path));
	path[255] = '\0';
	assert_int_equal(container_attribute(path, sizeof(path), false, &ci), 1);
	assert_true(ci.truncated);
	assert_string_equal(ci.id, ID);
	assert_false(ci.nested);
	/* Unterminated within cap: the same, nothing read past cap. */
	{
		char *raw = malloc(200);
		const char *pfx = "/kubepods/pod" UID "/crio-" ID "/";

		memcpy(raw, pfx, strlen(pfx));
		memset(raw + strlen(pfx), 'x', 200 - strlen(pfx));
		assert_int_equal(container_attribute(raw, 200, false, &ci), 1);
		assert_true(ci.truncated);
		assert_int_equal(ci.runtime, CONTAINER_RUNTIME_CRIO);
		free(raw);
	}
}

static double seconds_for(const char *p, size_t n, int reps)
{
	struct timespec a, b;
	struct container_info ci;
	int i;

	/* CPU time: a loaded machine's preemptions are not the parser's. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	for (i = 0; i < reps; i++)
		container_attribute(p, n + 1, false, &ci);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* A systemd slice chain as deep as fits in @n bytes: the costliest walk. */
static char *deep_chain(size_t n)
{
	char *p = malloc(n + 1), *stem = malloc(n + 1);
	size_t len = 0, sl = 1;

	stem[0] = 'a';
	while (len + sl + 8 <= n) {
		len += (size_t)sprintf(p + len, "/%.*s.slice", (int)sl, stem);
		stem[sl] = '-';
		stem[sl + 1] = 'a';
		sl += 2;
	}
	memset(p + len, 'z', n - len);
	p[n] = '\0';
	free(stem);
	return p;
}

/*
 * Linear cost: the deepest slice chain, and a path of slashes and ids, at
 * 256 bytes (the record's) and 1 MiB: time per byte within 8x. And the
 * 256-byte path parses in well under a millisecond.
 */
static void linear_cost(void **state)
{
	static const size_t small = 255, big = 1 << 20;
	char *shapes[2][2];
	int s;

	(void)state;
	shapes[0][0] = deep_chain(small);
	shapes[0][1] = deep_chain(big);
	for (s = 0; s < 2; s++) {
		size_t n = s ? big : small, i;
		char *p = malloc(n + 1);

		strcpy(p, "/kubepods/pod" UID);
		for (i = strlen(p); i < n; i++)
			p[i] = (i % 65) ? 'a' : '/';
		p[n] = '\0';
		shapes[1][s] = p;
	}
	for (s = 0; s < 2; s++) {
		double t_small = seconds_for(shapes[s][0], small, 20000) / 20000;
		double t_big = seconds_for(shapes[s][1], big, 20) / 20;
		double per_small = t_small / small, per_big = t_big / big;

		print_message("    shape %d: 256 B in %.2f us, 1 MiB in %.2f ms (%.2fx per byte)\n",
			      s, t_small * 1e6, t_big * 1e3, per_big / per_small);
		if (t_small > 1e-3)
			fail_msg("a 256-byte path took %.3f ms", t_small * 1e3);
		if (per_big > 8 * per_small + 1e-9)
			fail_msg("shape %d: cost per byte %.1fx higher at 1 MiB than at 256 B: not linear",
				 s, per_big / per_small);
		free(shapes[s][0]);
		free(shapes[s][1]);
	}
}

static void entry_parsers(void **state)
{
	char ns[64], pod[254], uid[37], ctr[64], id[65];

	(void)state;
	assert_int_equal(container_parse_pod_dir("kube-system_kube-proxy-6xsx9_81e09ae0-12ec-4ec5-94b8-51cda7906370", ns, pod, uid), 0);
	assert_string_equal(ns, "kube-system");
	assert_string_equal(pod, "kube-proxy-6xsx9");
	assert_string_equal(uid, "81e09ae0-12ec-4ec5-94b8-51cda7906370");
	assert_int_equal(container_parse_pod_dir("kube-system_kube-apiserver-controlplane_33d556edd3ae8ef21980288cef77ae8b", ns, pod, uid), 0);
	assert_string_equal(uid, STATIC_UID);
	assert_int_equal(container_parse_pod_dir("default_web.v1_" UID, ns, pod, uid), 0);
	assert_string_equal(pod, "web.v1");
	assert_int_equal(container_parse_log_link("kube-proxy-6xsx9_kube-system_kube-proxy-c269a18400e27b14085c57f8e36f5b4d5471c140eb27e8b0f632c056547555de.log", pod, ns, ctr, id), 0);
	assert_string_equal(pod, "kube-proxy-6xsx9");
	assert_string_equal(ns, "kube-system");
	assert_string_equal(ctr, "kube-proxy");
	assert_string_equal(id, "c269a18400e27b14085c57f8e36f5b4d5471c140eb27e8b0f632c056547555de");
	/* Not the kubelet's shapes. */
	assert_int_equal(container_parse_pod_dir("a_b_c_" UID, ns, pod, uid), -1);
	assert_int_equal(container_parse_pod_dir("a_b", ns, pod, uid), -1);
	assert_int_equal(container_parse_pod_dir("A_b_" UID, ns, pod, uid), -1);
	assert_int_equal(container_parse_pod_dir("a_-b_" UID, ns, pod, uid), -1);
	assert_int_equal(container_parse_pod_dir("a\n_b_" UID, ns, pod, uid), -1);
	assert_int_equal(container_parse_pod_dir("_b_" UID, ns, pod, uid), -1);
	assert_int_equal(container_parse_pod_dir("a_b_" UID_, ns, pod, uid), -1);
	assert_int_equal(container_parse_pod_dir("a.b_c_" UID, ns, pod, uid), -1);
	assert_int_equal(container_parse_log_link("p_n_c-" ID ".lo", pod, ns, ctr, id), -1);
	assert_int_equal(container_parse_log_link("p_n_c_" ID ".log", pod, ns, ctr, id), -1);
	assert_int_equal(container_parse_log_link("p_n_c-" ID "a.log", pod, ns, ctr, id), -1);
	assert_int_equal(container_parse_log_link("p_n-" ID ".log", pod, ns, ctr, id), -1);
	assert_int_equal(container_parse_log_link("p_n_c.d-" ID ".log", pod, ns, ctr, id), -1);
	assert_int_equal(container_parse_log_link("p_n_-" ID ".log", pod, ns, ctr, id), -1);
	assert_int_equal(container_parse_log_link("-" ID ".log", pod, ns, ctr, id), -1);
}

/* ---- the kubelet's names, from a directory tree ---- */

static char root[64];

static void mk(const char *rel, mode_t mode)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (mkdir(p, mode) || chmod(p, mode))
		fail_msg("mkdir %s failed", p);
}

static void ln(const char *target, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (symlink(target, p))
		fail_msg("symlink %s failed", p);
}

/* The kubelet's tree: two pods, the victim's container and another. */
static int tree_setup(void **state)
{
	(void)state;
	if (tmpdir_make(root, sizeof(root), "kubelet"))
		return -1;
	chmod(root, 0755);
	mk("pods", 0755);
	mk("containers", 0755);
	mk("pods/shop_cart-7d9f_" UID, 0755);
	mk("pods/shop_cart-7d9f_" UID "/app", 0755);
	mk("pods/kube-system_etcd-node1_" STATIC_UID, 0755);
	ln("/var/log/pods/shop_cart-7d9f_" UID "/app/0.log",
	   "containers/cart-7d9f_shop_app-" ID ".log");
	ln("/var/log/pods/kube-system_etcd-node1_" STATIC_UID "/etcd/0.log",
	   "containers/etcd-node1_kube-system_etcd-" ID2 ".log");
	return 0;
}

static int tree_teardown(void **state)
{
	(void)state;
	return tmpdir_remove(root);
}

static int lookup(unsigned int refresh_ms, const char *uid, const char *id,
		  struct container_names *nm)
{
	struct kubelet_names *kn = kubelet_names_new(root, refresh_ms);
	struct container_info ci = { 0 };
	int r;

	assert_non_null(kn);
	snprintf(ci.pod_uid, sizeof(ci.pod_uid), "%s", uid);
	snprintf(ci.id, sizeof(ci.id), "%s", id ? id : "");
	r = container_names_lookup(kn, &ci, nm);
	kubelet_names_free(kn);
	return r;
}

static void names_found(void **state)
{
	struct container_names nm;

	(void)state;
	assert_int_equal(lookup(0, UID, ID, &nm), 1);
	assert_string_equal(nm.namespace_, "shop");
	assert_string_equal(nm.pod, "cart-7d9f");
	assert_string_equal(nm.container, "app");
	/* The pod alone (a cgroup without a container). */
	assert_int_equal(lookup(0, STATIC_UID, NULL, &nm), 1);
	assert_string_equal(nm.namespace_, "kube-system");
	assert_string_equal(nm.pod, "etcd-node1");
	assert_string_equal(nm.container, "");
	/* A container whose log link names another pod: no container name. */
	assert_int_equal(lookup(0, UID, ID2, &nm), 1);
	assert_string_equal(nm.pod, "cart-7d9f");
	assert_string_equal(nm.container, "");
	/* Unknown UID and id: nothing. */
	assert_int_equal(lookup(0, "00000000-0000-0000-0000-000000000000",
				"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", &nm), 0);
	assert_string_equal(nm.pod, "");
}

/* Directories the kubelet (root) did not make alone are not read. */
static void names_refused(void **state)
{
	struct container_names nm;
	char a[512], b[512];

	(void)state;
	snprintf(a, sizeof(a), "%s/pods", root);
	snprintf(b, sizeof(b), "%s/containers", root);
	assert_int_equal(chmod(a, 0775), 0);
	assert_int_equal(chmod(b, 0757), 0);
	assert_int_equal(lookup(0, UID, ID, &nm), 0);
	assert_int_equal(chmod(a, 0755), 0);
	assert_int_equal(chmod(b, 0755), 0);
	assert_int_equal(chown(a, 65534, 0), 0);
	assert_int_equal(lookup(0, UID, ID, &nm), 1);
	assert_string_equal(nm.namespace_, "shop");	/* from the link */
	assert_string_equal(nm.container, "app");
	assert_int_equal(chown(a, 0, 0), 0);
	/* pods as a symlink to a tree of the same names: not followed. */
	snprintf(b, sizeof(b), "%s/pods.real", root);
	assert_int_equal(rename(a, b), 0);
	ln("pods.real", "pods");
	assert_int_equal(lookup(0, STATIC_UID, NULL, &nm), 0);
	unlink(a);
	assert_int_equal(rename(b, a), 0);
	/* A symlink in pods/ named as a pod directory is no pod. */
	ln("/", "pods/evil_pod_00000000-0000-0000-0000-000000000001");
	assert_int_equal(lookup(0, "00000000-0000-0000-0000-000000000001", NULL, &nm), 0);
}

/* A miss reads the directories again, at most once every refresh_ms. */
static void names_refresh(void **state)
{
	struct kubelet_names *kn = kubelet_names_new(root, 60000);
	struct container_info ci = { 0 };
	struct container_names nm;

	(void)state;
	strcpy(ci.pod_uid, "11111111-2222-3333-4444-555555555555");
	assert_int_equal(container_names_lookup(kn, &ci, &nm), 0);
	mk("pods/late_pod-1_11111111-2222-3333-4444-555555555555", 0755);
	/* Within refresh_ms: the miss is remembered. */
	assert_int_equal(container_names_lookup(kn, &ci, &nm), 0);
	kubelet_names_free(kn);
	kn = kubelet_names_new(root, 0);
	assert_int_equal(container_names_lookup(kn, &ci, &nm), 1);
	assert_string_equal(nm.pod, "pod-1");
	kubelet_names_free(kn);
	/* The environment names the root when the caller does not. */
	setenv("OOMPROF_KUBELET_LOG_ROOT", root, 1);
	kn = kubelet_names_new(NULL, 0);
	assert_int_equal(container_names_lookup(kn, &ci, &nm), 1);
	kubelet_names_free(kn);
	unsetenv("OOMPROF_KUBELET_LOG_ROOT");
}

/* events.jsonl: the "container" object of a kill line. */
static void kill_json_container(void **state)
{
	struct oomprof_oom_kill k;
	struct sbuf b = { 0 };

	(void)state;
	setenv("OOMPROF_KUBELET_LOG_ROOT", root, 1);
	fixture_kill(&k);
	snprintf(k.victim_cgroup, sizeof(k.victim_cgroup), "%s",
		 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" ID ".scope");
	assert_int_equal(event_json(&b, &k.hdr, NULL, NULL), 0);
	if (!strstr(b.p, ",\"container\":{\"driver\":\"systemd\",\"runtime\":\"containerd\",\"id\":\"" ID "\",\"pod_uid\":\"" UID "\",\"qos\":\"burstable\",\"namespace\":\"shop\",\"pod\":\"cart-7d9f\",\"container\":\"app\",\"nested\":false,\"truncated\":false}"))
		fail_msg("no container object in %s", b.p);
	sbuf_reset(&b);
	snprintf(k.victim_cgroup, sizeof(k.victim_cgroup), "/docker/%s", ID);
	assert_int_equal(event_json(&b, &k.hdr, NULL, NULL), 0);
	if (!strstr(b.p, ",\"container\":{\"driver\":\"cgroupfs\",\"runtime\":\"docker\",\"id\":\"" ID "\",\"pod_uid\":null,\"qos\":null,\"namespace\":null,\"pod\":null,\"container\":null,\"nested\":false,\"truncated\":false}"))
		fail_msg("no docker container object in %s", b.p);
	sbuf_reset(&b);
	strcpy(k.victim_cgroup, "/t1");
	assert_int_equal(event_json(&b, &k.hdr, NULL, NULL), 0);
	if (!strstr(b.p, ",\"container\":null,"))
		fail_msg("no container null in %s", b.p);
	sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_layouts),
		cmocka_unit_test(hostile_layouts),
		cmocka_unit_test(truncated_paths),
		cmocka_unit_test(linear_cost),
		cmocka_unit_test(entry_parsers),
		cmocka_unit_test_setup_teardown(names_found, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(names_refused, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(names_refresh, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(kill_json_container, tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
