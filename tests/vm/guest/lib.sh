# shellcheck shell=sh
# Sourced by every guest scenario (busybox sh): `. /lib.sh`.
#
# Conventions: a scenario runs with cwd $R (/results/NAME, shipped to the
# host as its results) and its stdout/stderr in $R/scenario.log. A hard
# failure calls fail (message to $R/error, exit 1); a problem that should
# not stop the remaining steps calls problem and the scenario ends with
# `finish`, which exits 1 if any problem was recorded. Every wait has a timeout: init's watchdog is only the
# last resort and loses the reason.

CG=/sys/fs/cgroup
R=${OOMPROF_RESULTS:-/results}
PROBLEMS=0
READER_PID=

# uptime-stamped log line
say() {
	read -r _up _ < /proc/uptime
	echo "[$_up] $*"
}

fail() {
	say "FAIL: $*" >&2
	echo "$*" >> "$R/error"
	exit 1
}

problem() {
	say "PROBLEM: $*" >&2
	echo "$*" >> "$R/error"
	PROBLEMS=$((PROBLEMS + 1))
}

finish() {
	if [ "$PROBLEMS" -ne 0 ]; then
		say "finished with $PROBLEMS problem(s)"
		exit 1
	fi
	say "finished OK"
	exit 0
}

# wait_for SECS CMD...: poll CMD every 0.1 s until it succeeds; 1 on timeout.
wait_for() {
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# alive PID: the process exists and is not a zombie. Builtins only (read,
# parameter expansion): this runs in tight loops and forks are slow under TCG.
alive() {
	[ -e "/proc/$1/stat" ] || return 1
	read -r _stat < "/proc/$1/stat" 2>/dev/null || return 1
	_stat=${_stat##*) }
	[ "${_stat%% *}" != Z ]
}

# wait_exit PID SECS: wait up to SECS for our child PID to exit and reap it;
# its status goes to WAIT_STATUS (128+N if killed by signal N). 1 on timeout.
wait_exit() {
	WAIT_STATUS=
	_p=$1
	_n=$(($2 * 10))
	while [ "$_n" -gt 0 ]; do
		if ! alive "$_p"; then
			wait "$_p"
			WAIT_STATUS=$?
			return 0
		fi
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# in_background: true in a child forked by `&`, false in the scenario shell
# itself ($$ stays the scenario shell's pid in children; /proc/self, read by
# the builtin, is the process actually running).
in_background() {
	read -r _me _ < /proc/self/stat
	[ "$_me" != "$$" ]
}

# run_victim CMD... &: run CMD with oom_score_adj 0. The harness runs at
# -1000 (inherited from init) to survive a global OOM; a victim left at -1000
# would be unkillable and a memcg OOM would hang. Always call it with `&`:
# the forked child sets its own oom_score_adj and execs CMD, so $! is CMD's
# pid. (A subshell inside the function would fork a second time and make $!
# the pid of a shell that is not the victim.)
run_victim() {
	in_background || fail "run_victim must be run in the background (&)"
	echo 0 > /proc/self/oom_score_adj || exit 126
	exec "$@"
}

# run_victim_in_cgroup CGDIR CMD... &: as run_victim, and move into CGDIR
# before exec, so every page CMD allocates is charged there. Writing "0" to
# cgroup.procs moves the writing process itself.
run_victim_in_cgroup() {
	in_background || fail "run_victim_in_cgroup must be run in the background (&)"
	_cg=$1
	shift
	echo 0 > /proc/self/oom_score_adj || exit 126
	echo 0 > "$_cg/cgroup.procs" || exit 126
	exec "$@"
}

# make_cgroup NAME MAX: $CG/NAME with memory.max MAX and no swap.
make_cgroup() {
	mkdir "$CG/$1" || fail "cannot create cgroup $CG/$1"
	echo "$2" > "$CG/$1/memory.max" || fail "cannot set $CG/$1/memory.max to $2"
	if [ -e "$CG/$1/memory.swap.max" ]; then
		echo 0 > "$CG/$1/memory.swap.max" || fail "cannot set $CG/$1/memory.swap.max"
	fi
}

# cg_diag NAME: one line on a cgroup's state, for failure messages.
cg_diag() {
	echo "cgroup $1: procs=[$(tr '\n' ' ' < "$CG/$1/cgroup.procs")]" \
		"memory.current=$(cat "$CG/$1/memory.current")" \
		"events=[$(tr '\n' ' ' < "$CG/$1/memory.events")]"
}

dev_present() { [ -c /dev/oomprof ]; }

# load_module [PARAM=VALUE...]: insmod /oomprof.ko and wait for its device.
load_module() {
	[ -e /oomprof.ko ] ||
		fail "no /oomprof.ko in the initramfs: the module did not build for $(uname -r)"
	if ! insmod /oomprof.ko "$@" 2> /tmp/insmod.err; then
		fail "insmod /oomprof.ko $*: $(cat /tmp/insmod.err); dmesg: $(dmesg | tail -n 3 | tr '\n' '|')"
	fi
	wait_for 5 dev_present ||
		fail "/dev/oomprof did not appear within 5 s of insmod"
}

# holds_device PID: PID has /dev/oomprof open.
holds_device() {
	for _fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$_fd" 2>/dev/null)" = /dev/oomprof ] && return 0
	done
	return 1
}

# start_reader DIR [OPTION...]: oomprof-read -d DIR OPTION... in the
# background (at -1000 like every harness process), stderr appended to
# $R/reader.log; returns once it holds /dev/oomprof open, so nothing that
# follows races its open().
start_reader() {
	[ -x /bin/oomprof-read ] ||
		fail "no /bin/oomprof-read in the initramfs: oomprof-read did not build"
	mkdir -p "$1"
	/bin/oomprof-read -d "$@" 2>> "$R/reader.log" &
	READER_PID=$!
	await_reader "oomprof-read -d $1"
	say "reader $READER_PID running"
}

# await_reader WHAT: wait until the reader READER_PID (started as WHAT, its
# stderr in $R/reader.log) holds /dev/oomprof open; fails if it exits first
# or takes more than 10 s.
await_reader() {
	_n=100
	while ! holds_device "$READER_PID"; do
		alive "$READER_PID" || {
			wait "$READER_PID"
			fail "$1 exited ($?) before opening /dev/oomprof: $(tail -n 5 "$R/reader.log" | tr '\n' '|')"
		}
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || fail "$1 did not open /dev/oomprof within 10 s"
		sleep 0.1
	done
}

# stop_reader: SIGTERM, then it must exit 0 within 10 s.
stop_reader() {
	[ -n "$READER_PID" ] || return 0
	kill -TERM "$READER_PID"
	if ! wait_exit "$READER_PID" 10; then
		kill -KILL "$READER_PID"
		wait "$READER_PID"
		READER_PID=
		fail "oomprof-read did not exit within 10 s of SIGTERM"
	fi
	[ "$WAIT_STATUS" = 0 ] ||
		problem "oomprof-read exited with status $WAIT_STATUS after SIGTERM: $(tail -n 3 "$R/reader.log" | tr '\n' '|')"
	say "reader $READER_PID stopped ($WAIT_STATUS)"
	READER_PID=
}

# save_stats FILE: oomprof-read --stats into FILE (problem if it fails).
save_stats() {
	if ! timeout 10 /bin/oomprof-read --stats > "$1" 2>> "$R/reader.log"; then
		problem "oomprof-read --stats failed: $(tail -n 3 "$R/reader.log" | tr '\n' '|')"
	fi
}

# oom_in_cgroup NAME [SECS]: run hog in cgroup NAME, wait until it is killed,
# record its pid in $R/victim_pids. Fails if it survives SECS (default 60)
# or exits any way but SIGKILL.
oom_in_cgroup() {
	run_victim_in_cgroup "$CG/$1" /bin/hog > /dev/null 2>> "$R/hog.err" &
	_hog=$!
	echo "$_hog" >> "$R/victim_pids"
	wait_exit "$_hog" "${2:-60}" ||
		fail "hog $_hog still alive after ${2:-60} s: $(cg_diag "$1")"
	[ "$WAIT_STATUS" = 137 ] ||
		fail "hog $_hog in $1 exited with $WAIT_STATUS, not SIGKILL (137): $(tail -n 2 "$R/hog.err" | tr '\n' '|')"
}

# oom_go_victim TAG: victim-TAG at MemProfileRate 1, with stacks kept to
# the runtime's 1024 frames, in a new 160M cgroup gTAG: it writes its own
# heap profile ($R/self-TAG.pb.gz) after 2.5 s, then leaks until the
# cgroup's OOM killer SIGKILLs it (fails if it lives 120 s or exits any
# other way). Its pid goes to $R/victim_pids.
oom_go_victim() {
	make_cgroup "g$1" 160M
	say "starting victim-$1 in /g$1"
	GODEBUG=profstackdepth=1024 run_victim_in_cgroup "$CG/g$1" /bin/victim-$1 \
		-rate 1 -delay 2500ms -selfprof "$R/self-$1.pb.gz" \
		-progress "$R/progress-$1" > "$R/victim-$1.out" 2>> "$R/victim-$1.err" &
	_pid=$!
	echo "$_pid" >> "$R/victim_pids"
	wait_exit "$_pid" 120 || fail "victim-$1 $_pid still alive after 120 s: $(cg_diag "g$1")"
	[ "$WAIT_STATUS" = 137 ] ||
		fail "victim-$1 exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/victim-$1.err" | tr '\n' '|')"
	say "victim-$1 $_pid OOM-killed after leaking $(tail -n 1 "$R/progress-$1") bytes"
}

# summarize_rmmod KEY WHAT: rmmod oomprof; KEY=ok or KEY=failed in
# $R/summary, and a problem saying "rmmod WHAT failed" with rmmod's reason.
summarize_rmmod() {
	if rmmod oomprof 2> /tmp/rmmod.err; then
		echo "$1=ok" >> "$R/summary"
	else
		echo "$1=failed" >> "$R/summary"
		problem "rmmod $2 failed: $(cat /tmp/rmmod.err)"
	fi
}

# The project's debug kernel (KASAN, lockdep, kmemleak: each kill is about
# ten times slower there, and memory tighter).
on_debug_kernel() {
	case $(uname -r) in
	*-oomprof-debug) return 0 ;;
	*) return 1 ;;
	esac
}

# stress_size SMALL FULL [SMALL_DEBUG]: FULL with oomprof_stress=full on
# the kernel command line (tests/stress.sh, make stress), else SMALL, or
# SMALL_DEBUG on the debug kernel.
stress_size() {
	case " $(cat /proc/cmdline) " in
	*" oomprof_stress=full "*) echo "$2" ;;
	*) if on_debug_kernel; then echo "${3:-$1}"; else echo "$1"; fi ;;
	esac
}

# ---- the big-heap scenarios (go_bigheap*, bench_*: issue 11) ----

# cmdline_param NAME DEFAULT: VALUE of NAME=VALUE on the kernel command
# line (boot.sh's OOMPROF_CMDLINE), or DEFAULT.
cmdline_param() {
	read -r _cl < /proc/cmdline
	for _w in $_cl; do
		case $_w in
		"$1="*) echo "${_w#*=}"; return 0 ;;
		esac
	done
	echo "$2"
}

# When this scenario started (lib.sh is sourced first) and init's timeout
# for it (boot.sh's oomprof_timeout): cap_wait keeps a wait inside it, so
# the wait's own message, not init's "scenario timed out", says why.
read -r _LIB_T0 _ < /proc/uptime
_LIB_T0=${_LIB_T0%.*}

# cap_wait SECS: SECS, or fewer so that the wait ends 30 s before init's
# timeout for this scenario.
cap_wait() {
	read -r _now _ < /proc/uptime
	_left=$(($(cmdline_param oomprof_timeout 100000) - (${_now%.*} - _LIB_T0) - 30))
	[ "$_left" -ge 10 ] || _left=10
	if [ "$1" -gt "$_left" ]; then echo "$_left"; else echo "$1"; fi
}

# bigheap_start NAME N: /bin/bigheap-gocur with N distinct heap-profile
# stacks in a new cgroup NAME (no limit until bigheap_go); its own heap
# profile goes to $R/self-NAME.pb.gz (none with BIGHEAP_SELFPROF=0). Sets
# BIG_PID; appends the pid to $R/victim_pids and "NAME N PID" to
# $R/bigheap.
bigheap_start() {
	make_cgroup "$1" max
	rm -f "/tmp/ready-$1" "/tmp/go-$1"
	_self="$R/self-$1.pb.gz"
	[ "${BIGHEAP_SELFPROF:-1}" != 0 ] || _self=
	run_victim_in_cgroup "$CG/$1" /bin/bigheap-gocur -stacks "$2" \
		-selfprof "$_self" -ready "/tmp/ready-$1" -go "/tmp/go-$1" \
		> "$R/victim-$1.out" 2>> "$R/victim-$1.err" &
	BIG_PID=$!
	echo "$BIG_PID" >> "$R/victim_pids"
	echo "$1 $2 $BIG_PID" >> "$R/bigheap"
}

# bigheap_wait_ready NAME PID SECS: until the victim has made its stacks
# and written its own profile (its -ready file); fails if it dies or takes
# longer. Its figures line goes to $R/ready-NAME.
bigheap_wait_ready() {
	_secs=$(cap_wait "$3")
	_n=$((_secs * 2))
	while [ ! -e "/tmp/ready-$1" ]; do
		alive "$2" || fail "bigheap $1 ($2) exited before it was ready: $(tail -n 3 "$R/victim-$1.err" | tr '\n' '|')"
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || fail "bigheap $1 ($2) did not make its stacks and own profile within $_secs s"
		sleep 0.5
	done
	cp "/tmp/ready-$1" "$R/ready-$1"
	say "bigheap $1 ready: $(cat "/tmp/ready-$1")"
}

# bigheap_load_module N BUFFERS: load the module for bigheap victims of
# N stacks: at its defaults, or with oomprof_bigheap_validate=1 on the
# kernel command line, BUFFERS capture buffers sized for N (with a 1.5 s
# time bound and room for 2N buckets), which checks the victims and the
# comparison without the daemon's learning. Sets $validate (1 or 0).
bigheap_load_module() {
	validate=$(cmdline_param oomprof_bigheap_validate 0)
	if [ "$validate" = 1 ]; then
		_mb=$(($1 * 420 / 1048576 + 16))
		echo "validate capture_buffer_mb=$_mb" >> "$R/summary"
		load_module capture_buffers="$2" capture_buffer_mb="$_mb" capture_timeout_ms=1500 capture_max_buckets=$((2 * $1))
	else
		load_module
	fi
}

# bigheap_wait_learned PID N SECS: until oomprof-read says it learned at
# least N buckets of PID ("oomprof-read: learned K heap-profile buckets of
# pid PID (COMM): M total, T ms", M >= N): only then can a capture at
# default settings copy counts instead of the whole list. Fails after SECS;
# with a 4th argument "soft" it says so and returns 1 instead (make bench
# then reports the capture as it comes).
bigheap_wait_learned() {
	_secs=$(cap_wait "$3")
	_n=$((_secs * 2))
	while :; do
		_m=$(sed -n "s/^oomprof-read: learned [0-9]* heap-profile buckets of pid $1 (.*): \([0-9]*\) total.*/\1/p" "$R/reader.log" | tail -n 1)
		if [ -n "$_m" ] && [ "$_m" -ge "$2" ]; then
			say "oomprof-read learned $_m buckets of pid $1"
			echo "$1 $_m" >> "$R/learned"
			return 0
		fi
		_n=$((_n - 1))
		if [ "$_n" -le 0 ] && [ "${4:-}" = soft ]; then
			say "oomprof-read did not learn $2 buckets of pid $1 within $_secs s (last: ${_m:-none})"
			echo "$1 ${_m:-0} not-learned" >> "$R/learned"
			return 1
		fi
		[ "$_n" -gt 0 ] || fail "oomprof-read printed no 'oomprof-read: learned ... heap-profile buckets of pid $1 (...): M total' line with M >= $2 within $_secs s (last M: ${_m:-none}): the daemon did not learn the victim's bucket list, so a capture at default settings cannot be complete (a daemon without issue 11's learning? oomprof_bigheap_validate=1 on the kernel command line checks the victim and the comparison with large capture buffers instead)"
		sleep 0.5
	done
}

# bigheap_go NAME: memory.max of cgroup NAME to what it uses now + 64M,
# then the go-ahead: the victim leaks until its OOM kill.
bigheap_go() {
	_cur=$(cat "$CG/$1/memory.current")
	echo $((_cur + 64 * 1024 * 1024)) > "$CG/$1/memory.max" ||
		fail "cannot set $CG/$1/memory.max"
	touch "/tmp/go-$1"
}

# bigheap_wait_profile PID SECS: until oomprof-read logged the heap profile
# of PID, or why there is none.
bigheap_wait_profile() {
	_secs=$(cap_wait "$2")
	_n=$((_secs * 2))
	# The line of the profile written (or not), not the ones that say
	# it is queued for a writer thread or waits for --write-memory.
	until bigheap_profile_line "$1" | grep -q .; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || fail "oomprof-read logged no heap profile of pid $1 within $_secs s of its death"
		sleep 0.5
	done
	say "$(bigheap_profile_line "$1" | head -n 1)"
}
bigheap_profile_line() {
	grep -e "heap profile of pid $1 " -e "no heap profile for pid $1 " "$R/reader.log" |
		grep -v -e ", being written to " -e " waited [0-9]* ms for the profiles"
}
