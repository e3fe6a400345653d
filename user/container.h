/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Container attribution of an OOM victim from its cgroup v2 path: which
 * runtime's container, which Kubernetes pod and QoS class, under which
 * cgroup driver; and, from the kubelet's log directories, the namespace,
 * pod and container names.
 *
 * Layouts recognised (the names the kubelet, containerd, CRI-O and Docker
 * give their cgroups; anything else is no attribution, not an error):
 *
 *   systemd driver (a chain of slices from the root, each adding one
 *   '-'-separated word to its parent's name, as systemd expands them):
 *     /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<U>.slice/<C>
 *     /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<U>.slice/<C>
 *     /kubepods.slice/kubepods-pod<U>.slice/<C>                (guaranteed)
 *     (also under a --cgroup-root slice: /kubelet.slice/kubelet-kubepods.slice/...)
 *     U: the pod UID with '_' for '-' (or a static pod's 32 hex digits);
 *     C: cri-containerd-<id>.scope, crio-<id>.scope or docker-<id>.scope
 *   cgroupfs driver:
 *     /kubepods/burstable/pod<uid>/<C>, /kubepods/besteffort/pod<uid>/<C>,
 *     /kubepods/pod<uid>/<C> (guaranteed); C: <id> (containerd, or Docker
 *     through cri-dockerd: the path cannot tell which) or crio-<id>
 *   plain Docker: /system.slice/docker-<id>.scope (systemd), /docker/<id>
 *
 * <id> is exactly 64 lowercase hex digits. A victim in a cgroup below a
 * container's (a container that makes its own cgroups) is that container's.
 *
 * The path is hostile input: anyone with a delegated cgroup subtree names
 * what he creates there. The layouts must start at the root of the
 * hierarchy (a delegated subtree never is: /user.slice/.../user@UID.service
 * breaks the systemd slice chain), every part is checked for its exact
 * shape, and the work is linear in the path's length.
 */
#ifndef OOMPROF_USER_CONTAINER_H
#define OOMPROF_USER_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

enum container_runtime {
	CONTAINER_RUNTIME_UNKNOWN = 0,	/* a container, runtime not named */
	CONTAINER_RUNTIME_CONTAINERD,
	CONTAINER_RUNTIME_CRIO,
	CONTAINER_RUNTIME_DOCKER,
};

enum container_qos {
	CONTAINER_QOS_NONE = 0,		/* not a Kubernetes pod */
	CONTAINER_QOS_GUARANTEED,
	CONTAINER_QOS_BURSTABLE,
	CONTAINER_QOS_BESTEFFORT,
};

enum container_driver {
	CONTAINER_DRIVER_NONE = 0,
	CONTAINER_DRIVER_SYSTEMD,
	CONTAINER_DRIVER_CGROUPFS,
};

#define CONTAINER_ID_LEN	64	/* hex digits */
#define CONTAINER_UID_MAX	36	/* 8-4-4-4-12 */

struct container_info {
	enum container_driver driver;
	enum container_qos qos;		/* with pod_uid */
	enum container_runtime runtime;	/* with id */
	char id[CONTAINER_ID_LEN + 1];	/* "" if no container was named */
	char pod_uid[CONTAINER_UID_MAX + 1];	/* "" outside a pod */
	/*
	 * The path was (or may have been) cut short: its last, incomplete
	 * component was not used, so the container may be unnamed although
	 * the victim was in one.
	 */
	bool truncated;
	/* The victim was in a cgroup below the container's own. */
	bool nested;
};

/*
 * Attributes the cgroup v2 path @path (at most @cap bytes are read; a path
 * that fills them is taken as cut short) to a container and/or pod, into
 * @out. @truncated: the module said the path was cut (the record's
 * OOMPROF_KILL_CGROUP_TRUNCATED). Returns 1 if @out names a container or a
 * pod, 0 if the path is no known layout (@out zeroed).
 */
int container_attribute(const char *path, size_t cap, bool truncated,
			struct container_info *out);

const char *container_runtime_name(enum container_runtime r);
const char *container_qos_name(enum container_qos q);	/* NULL for NONE */
const char *container_driver_name(enum container_driver d);

/*
 * Kubelet names. The kubelet makes, for each pod,
 * LOGROOT/pods/<namespace>_<pod>_<uid>/ and, for each container, a symlink
 * LOGROOT/containers/<pod>_<namespace>_<container>-<id>.log. Only the
 * entries' names are read (never the symlinks or files), both directories
 * must be root's and writable by root only, opened without following a
 * symlink; at most CONTAINER_NAMES_MAX_ENTRIES entries of each are read.
 * Kept in a cache, read again on a miss, at most once every
 * refresh_ms.
 */
#define CONTAINER_NS_MAX	63	/* DNS-1123 label */
#define CONTAINER_POD_MAX	253	/* DNS-1123 subdomain */
#define CONTAINER_NAME_MAX	63	/* DNS-1123 label */
#define CONTAINER_NAMES_MAX_ENTRIES	16384

struct container_names {
	char namespace_[CONTAINER_NS_MAX + 1];	/* "" if unknown */
	char pod[CONTAINER_POD_MAX + 1];	/* "" if unknown */
	char container[CONTAINER_NAME_MAX + 1];	/* "" if unknown */
};

struct kubelet_names;

/*
 * A cache of the names under @log_root (NULL: $OOMPROF_KUBELET_LOG_ROOT,
 * else /var/log), read again on a miss at most every @refresh_ms. NULL
 * only when out of memory.
 */
struct kubelet_names *kubelet_names_new(const char *log_root,
					unsigned int refresh_ms);
void kubelet_names_free(struct kubelet_names *kn);

/*
 * The process's own cache (created on first use: the environment's root,
 * 5 s between reads). Not for use from more than one thread.
 */
struct kubelet_names *kubelet_names_default(void);

/*
 * Names for @ci's pod and container, into @out (fields left "" when not
 * known). Returns 1 if any name was found, 0 if none.
 */
int container_names_lookup(struct kubelet_names *kn,
			   const struct container_info *ci,
			   struct container_names *out);

/*
 * The parsers of the entries' names, for tests and fuzzing: 0 and the
 * parts filled if @name is exactly of the form, -1 if not.
 */
int container_parse_pod_dir(const char *name, char *ns, char *pod,
			    char *uid);
int container_parse_log_link(const char *name, char *pod, char *ns,
			     char *container, char *id);

/*
 * ,"container":{...} for events.jsonl: the attribution of @path (and the
 * kubelet names, from kubelet_names_default()), or ,"container":null.
 */
void container_json(struct sbuf *b, const char *path, size_t cap,
		    bool truncated);

#endif
