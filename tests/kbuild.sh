#!/bin/bash
# Kernel-side build checks, one PASS/FAIL line each:
#  - the module builds against each Debian kernel's headers (6.1, 6.12),
#    with the mark_victim prototype detected from those headers;
#  - the other prototype, (int pid), is detected and builds too: against a
#    copy of the 6.1 headers whose mark_victim is the pre-6.2 one;
#  - checkpatch --strict is clean;
#  - dkms add/build/install succeeds for each kernel, in a private dkms,
#    source and install tree (tests/dkms-install.sh), and modprobe finds
#    the installed module there; the host's /var/lib/dkms and /lib/modules
#    are left alone.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
work=${OOMPROF_WORK:-$top/build}/kbuild
mkdir -p "$work"

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }

# Copy the module's sources to a build dir of their own: kbuild writes its
# objects next to them, and two kernels must not share objects.
stage() {
	local dst=$1
	rm -rf "$dst"
	mkdir -p "$dst"
	cp -a "$top/Kbuild" "$top/Makefile" "$top/dkms.conf" "$top/module" \
		"$top/include" "$top/scripts" "$dst/"
	rm -f "$dst/module/compat-autoconf.h" "$dst/module/.conftest-kdir"
}

build_module() {	# build_module NAME KDIR DIR [make args...]
	local name=$1 kdir=$2 dir=$3
	shift 3
	stage "$dir"
	if make -C "$dir" module KDIR="$kdir" "$@" > "$dir.log" 2>&1 &&
		[ -f "$dir/oomprof.ko" ]; then
		return 0
	fi
	fail "$name: build failed"
	grep -E 'error|warning|oomprof:' "$dir.log" | head -20 | sed 's/^/    /'
	return 1
}

# A copy of a Debian header tree (hard links, cheap) with the other side of
# each API difference the module detects: mark_victim's pre-6.2 prototype
# TP_PROTO(int pid), and sched_process_exit's newer TP_PROTO(struct
# task_struct *p, bool group_dead).
make_pid_headers() {	# make_pid_headers KVER DEST -> prints KDIR
	local kver=$1 dest=$2 common
	common=$(sed -n 's/^include \(.*\)\/Makefile$/\1/p' "/usr/src/linux-headers-$kver/Makefile")
	[ -d "$common" ] || return 1
	rm -rf "$dest" && mkdir -p "$dest"
	cp -al "$common" "$dest/common" && cp -a "/usr/src/linux-headers-$kver" "$dest/arch" || return 1
	echo "include $dest/common/Makefile" > "$dest/arch/Makefile"
	# Debian's trees link scripts/ and tools/ relatively: re-point them.
	for d in common arch; do
		local orig=$common
		[ $d = arch ] && orig=/usr/src/linux-headers-$kver
		find "$dest/$d" -maxdepth 3 -type l | while read -r l; do
			ln -sfn "$(readlink -f "$orig/${l#"$dest/$d/"}")" "$l"
		done
	done
	python3 - "$dest/common/include/trace/events/oom.h" <<'PY' || return 1
import os, sys
p = sys.argv[1]
s = open(p).read()
start = s.index('TRACE_EVENT(mark_victim,')
end = s.index('\n);\n', start) + 4
old = '''TRACE_EVENT(mark_victim,
	TP_PROTO(int pid),

	TP_ARGS(pid),

	TP_STRUCT__entry(
		__field(int, pid)
	),

	TP_fast_assign(
		__entry->pid = pid;
	),

	TP_printk("pid=%d", __entry->pid)
);
'''
os.unlink(p)  # a hard link to the installed file: never write through it
open(p, 'w').write(s[:start] + old + s[end:])
PY
	python3 - "$dest/common/include/trace/events/sched.h" <<'PY' || return 1
import os, sys
p = sys.argv[1]
s = open(p).read()
old = '''DEFINE_EVENT(sched_process_template, sched_process_exit,
	     TP_PROTO(struct task_struct *p),
	     TP_ARGS(p));
'''
new = '''TRACE_EVENT(sched_process_exit,
	TP_PROTO(struct task_struct *p, bool group_dead),
	TP_ARGS(p, group_dead),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(bool, group_dead)
	),
	TP_fast_assign(
		__entry->pid = p->pid;
		__entry->group_dead = group_dead;
	),
	TP_printk("pid=%d group_dead=%d", __entry->pid, __entry->group_dead)
);
'''
if old not in s:
    sys.exit("sched_process_exit is not the (p) DEFINE_EVENT this test rewrites")
os.unlink(p)
open(p, 'w').write(s.replace(old, new))
PY
	echo "$dest/arch"
}

for series in 6.1 6.12; do
	if ! vars=$("$top/tests/vm/kernels.sh" "$series" 2> "$work/kernels-$series.log"); then
		fail "kbuild $series: no kernel: $(tail -1 "$work/kernels-$series.log")"
		fail "dkms $series: no kernel"
		continue
	fi
	eval "$vars"
	dir=$work/$KVER
	if build_module "kbuild $series" "$KDIR" "$dir"; then
		magic=$(modinfo -F vermagic "$dir/oomprof.ko" 2>/dev/null | cut -d' ' -f1)
		if [ "$magic" = "$KVER" ] &&
			grep -q 'define OOMPROF_HAVE_MARK_VICTIM_TASK_UID 1' "$dir/module/compat-autoconf.h"; then
			pass "kbuild $series: $KVER, mark_victim(task, uid) detected"
		else
			fail "kbuild $series: vermagic '$magic' or detection wrong: $(grep define "$dir/module/compat-autoconf.h" | tr '\n' ' ')"
		fi
	fi

	if [ "$series" = 6.1 ]; then
		if ! pkdir=$(make_pid_headers "$KVER" "$work/pid-headers"); then
			fail "kbuild pid-prototype: cannot make the doctored header tree"
		elif build_module "kbuild pid-prototype" "$pkdir" "$work/pid-proto"; then
			if grep -q 'define OOMPROF_HAVE_MARK_VICTIM_PID 1' "$work/pid-proto/module/compat-autoconf.h" &&
				! grep -q 'define OOMPROF_HAVE_MARK_VICTIM_TASK_UID 1' "$work/pid-proto/module/compat-autoconf.h" &&
				grep -q 'define OOMPROF_HAVE_SCHED_EXIT_GROUP_DEAD 1' "$work/pid-proto/module/compat-autoconf.h"; then
				pass "kbuild pid-prototype: mark_victim(int pid) and sched_process_exit(p, group_dead) detected and built"
			else
				fail "kbuild pid-prototype: detection wrong: $(grep define "$work/pid-proto/module/compat-autoconf.h" | tr '\n' ' ')"
			fi
		fi
		rm -rf "$work/pid-headers"
	fi

	# dkms add/build/install as on a fleet host, confined to a private tree
	# (tests/dkms-install.sh says how); tests/vm/run.sh boots this very
	# .ko (scenario dkms_capture).
	d=${OOMPROF_WORK:-$top/build}/dkms/$KVER
	host_before=$(ls -lA --full-time /var/lib/dkms "/lib/modules/$KVER" 2>/dev/null)
	if ! ko=$("$top/tests/dkms-install.sh" "$KVER" "$d" 2> "$work/dkms-$series.err"); then
		fail "dkms $series: $(tail -n 1 "$work/dkms-$series.err")"
		head -n -1 "$work/dkms-$series.err" | tail -n 30 | sed 's/^/    /'
		continue
	fi
	ko=$(tail -n 1 <<< "$ko")
	magic=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
	# What systemd-modules-load's `modprobe oomprof` would load there.
	resolved=$(modprobe -d "$d/root" -S "$KVER" --show-depends oomprof 2>&1 | tail -n 1)
	host_after=$(ls -lA --full-time /var/lib/dkms "/lib/modules/$KVER" 2>/dev/null)
	if [ "$magic" != "$KVER" ]; then
		fail "dkms $series: installed $ko has vermagic '$magic', not $KVER"
	elif [ "$resolved" != "insmod $ko " ] && [ "$resolved" != "insmod $ko" ]; then
		fail "dkms $series: modprobe in the install tree resolves oomprof to '$resolved', not $ko"
	elif [ "$host_before" != "$host_after" ]; then
		fail "dkms $series: the host's /var/lib/dkms or /lib/modules/$KVER changed: $(diff <(echo "$host_before") <(echo "$host_after") | grep "^[<>]" | head -n 3 | tr "\n" " ")"
	else
		pass "dkms $series: dkms add/build/install -k $KVER into a private tree: ${ko#"$d/root"}, modprobe finds it, host untouched"
	fi
done

# Kernel coding style, with the checkpatch.pl of Debian's linux-source-6.1.
"$top/tests/checkpatch.sh"
