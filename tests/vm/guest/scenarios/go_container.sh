#!/bin/sh
# A Go program in a container of its own: new mount and pid namespaces,
# its binary on a tmpfs mounted only inside (the host cannot open it by
# path), started as the namespace's pid 1 and OOM-killed in its cgroup.
# oomprof-read, outside, must register it at its exec, capture it, and
# symbolize it (through /proc/PID/exe); the record must carry both pids.
. /lib.sh

load_module
start_reader "$R/r"
make_cgroup ctr 160M

# The container's init tells the host its host pid before it mounts its own
# /proc: /proc/self still resolves in the host's pid namespace then, and the
# builtin read runs in the shell itself. The exec keeps that pid. (Scanning
# every /proc/*/comm from the host instead forks once per process per
# round: seconds a round on the debug kernel, long enough to miss the victim
# entirely.) The 3 s delay leaves the host time to look at it before it
# starts to leak.
cat > /tmp/ctr-init.sh << EOF
#!/bin/sh
set -e
read -r me _ < /proc/self/stat
echo "\$me" > $R/ctr-host-pid.tmp
mv $R/ctr-host-pid.tmp $R/ctr-host-pid
mount -t tmpfs -o size=64M ctrfs /ctr
cp /bin/victim-gocur /ctr/victim-ctr
mount -t proc proc /proc
exec /ctr/victim-ctr -rate 1 -delay 3s -selfprof $R/self-ctr.pb.gz \
	-progress $R/progress-ctr
EOF
chmod +x /tmp/ctr-init.sh
mkdir -p /ctr
say "starting the container"
run_victim_in_cgroup "$CG/ctr" /bin/unshare -m -p -f --propagation private /tmp/ctr-init.sh \
	> "$R/victim-ctr.out" 2>> "$R/victim-ctr.err" &
outer=$!
# The victim is unshare's child: its init wrote its host pid; wait for the
# exec to have made it victim-ctr.
wait_for 60 test -s "$R/ctr-host-pid" ||
	fail "the container's init never started: $(tail -n 3 "$R/victim-ctr.err" | tr '\n' '|')"
read -r host_pid < "$R/ctr-host-pid"
is_victim_ctr() {
	read -r _comm < "/proc/$host_pid/comm" 2> /dev/null && [ "$_comm" = victim-ctr ]
}
wait_for 60 is_victim_ctr ||
	fail "the container's victim-ctr never appeared: $(tail -n 3 "$R/victim-ctr.err" | tr '\n' '|')"
echo "$host_pid" >> "$R/victim_pids"
say "victim-ctr is $host_pid on the host, exe $(readlink /proc/"$host_pid"/exe)"
# Its binary exists only in its mount namespace.
[ ! -e /ctr/victim-ctr ] || fail "/ctr/victim-ctr is visible on the host: not a private mount"
readlink /proc/"$host_pid"/exe > "$R/exe-seen"
grep NSpid /proc/"$host_pid"/status > "$R/nspid" || true
wait_exit "$outer" 120 || fail "the container still runs after 120 s: $(cg_diag ctr)"
say "container exited with $WAIT_STATUS"

sleep 3
stop_reader
save_stats "$R/stats.json"
finish
