#!/bin/sh
# Victims in real cgroups of each container layout: the kubelet's systemd
# and cgroupfs drivers (containerd, CRI-O and Docker containers of
# guaranteed, burstable and besteffort pods), plain Docker under systemd
# and cgroupfs, a container's own sub-cgroup, the same names forged below a
# delegated user subtree, and a path too long for the record. Each nested
# directory is made in the guest's cgroup v2 hierarchy (+memory handed down
# every level), the leaf limited to 32M, a hog run in it until OOM-killed.
# A kubelet log tree (/var/log/pods, /var/log/containers) names the first
# pod and its container, and the second pod. $R/layouts: one line per
# victim, "NAME PID PATH", PATH the cgroup made for it.
. /lib.sh

load_module
rm -rf /var/log/pods /var/log/containers
mkdir -p /var/log
chmod 755 /var/log

# mkcg PATH: $CG/PATH and every directory above it, memory.max 32M and no
# swap on the leaf.
mkcg() {
	_at=$CG
	for _part in $(echo "$1" | tr / ' '); do
		if [ "$_at" != "$CG" ]; then
			echo +memory > "$_at/cgroup.subtree_control" ||
				fail "cannot enable memory in $_at/cgroup.subtree_control"
		fi
		_at=$_at/$_part
		[ -d "$_at" ] || mkdir "$_at" || fail "cannot create cgroup $_at"
	done
	echo 32M > "$_at/memory.max" || fail "cannot set $_at/memory.max"
	if [ -e "$_at/memory.swap.max" ]; then
		echo 0 > "$_at/memory.swap.max" || fail "cannot set $_at/memory.swap.max"
	fi
}

# Pod UIDs and container ids, distinct per layout N.
uid() { echo "1a2b3c4d-000$1-4e6f-8a9b-0c1d2e3f4a5b"; }
uid_() { uid "$1" | tr - _; }
cid() { echo "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd0$1"; }

# A systemd slice chain long enough (4 x 20 + 115 bytes to the pod's
# slice, 86 more for the container's scope) that the record's 255 bytes
# end inside the container's scope.
P=kkkkkkkkkkkkkkkkkkkk

# NAME PATH, in the order run (the named pods first: their names are read
# at the first kill).
{
	echo "sd-containerd-burstable kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$(uid_ 1).slice/cri-containerd-$(cid 1).scope"
	echo "sd-crio-guaranteed kubepods.slice/kubepods-pod$(uid_ 2).slice/crio-$(cid 2).scope"
	echo "sd-docker-besteffort kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$(uid_ 3).slice/docker-$(cid 3).scope"
	echo "fs-burstable kubepods/burstable/pod$(uid 4)/$(cid 4)"
	echo "fs-crio-guaranteed kubepods/pod$(uid 5)/crio-$(cid 5)"
	echo "fs-besteffort kubepods/besteffort/pod$(uid 6)/$(cid 6)"
	echo "docker-systemd system.slice/docker-$(cid 7).scope"
	echo "docker-cgroupfs docker/$(cid 8)"
	echo "forged-delegated user.slice/user-1000.slice/user@1000.service/kubepods.slice/kubepods-pod$(uid_ 9).slice/cri-containerd-$(cid 9).scope"
	echo "fs-nested kubepods/pod$(uid 0)/$(cid 0)/inner"
	echo "sd-cut $P.slice/$P-kubepods.slice/$P-kubepods-burstable.slice/$P-kubepods-burstable-pod$(uid_ 7).slice/cri-containerd-$(cid 7).scope"
} > /tmp/layouts

# The kubelet's log tree: pod 1 with its container "app", pod 2 without a
# container link.
mkdir -p "/var/log/pods/shop_cart-7d9f_$(uid 1)/app" \
	"/var/log/pods/kube-system_etcd-node1_$(uid 2)/etcd" /var/log/containers
: > "/var/log/pods/shop_cart-7d9f_$(uid 1)/app/0.log"
ln -s "/var/log/pods/shop_cart-7d9f_$(uid 1)/app/0.log" \
	"/var/log/containers/cart-7d9f_shop_app-$(cid 1).log"
chmod 755 /var/log/pods /var/log/containers
ls -lR /var/log/pods /var/log/containers > "$R/kubelet-tree.txt"

start_reader "$R/r"

while read -r name path; do
	mkcg "$path"
	say "layout $name: /$path"
	run_victim_in_cgroup "$CG/$path" /bin/hog > /dev/null 2>> "$R/hog.err" &
	_hog=$!
	echo "$_hog" >> "$R/victim_pids"
	echo "$name $_hog /$path" >> "$R/layouts"
	wait_exit "$_hog" 60 ||
		fail "hog $_hog in /$path still alive after 60 s: $(cg_diag "$path")"
	[ "$WAIT_STATUS" = 137 ] ||
		fail "hog $_hog in /$path exited with $WAIT_STATUS, not SIGKILL (137): $(tail -n 2 "$R/hog.err" | tr '\n' '|')"
	# The kernel prints at most 10 OOM reports (with their task_memcg=,
	# the checker's oracle) every 5 s: keep below that.
	sleep 0.6
done < /tmp/layouts

sleep 2
stop_reader
save_stats "$R/stats.json"
rm -rf /var/log/pods /var/log/containers
finish
