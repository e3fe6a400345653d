#!/bin/bash
# Userspace suites: cmocka unit tests, built plainly and under ASan+UBSan,
# then a bounded libFuzzer run over the record parser and formatters.
# Prints "PASS name" / "FAIL name: why" per case.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/tests/userspace/build
fuzz_seconds=${FUZZ_SECONDS:-30}
mkdir -p "$out"
cd "$top" || exit 1

cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Iinclude/uapi -Iuser
	-Itests/userspace)
san=(-fsanitize=address,undefined -fno-sanitize-recover=all
	-fno-omit-frame-pointer)
lib_srcs=(user/record.c user/events.c user/sbuf.c user/retention.c user/esc.c
	user/outdir.c user/evlog.c user/container.c)

# Turn cmocka's output into PASS/FAIL lines, one per case.
report_cmocka() {
	local label=$1 log=$2 rc=$3
	local ok=0
	while read -r line; do
		case $line in
		"[       OK ] "*) echo "PASS $label ${line#\[       OK \] }"; ok=1 ;;
		"[  FAILED  ] "*" test(s), listed below:"*) ;;
		"[  FAILED  ] "*[0-9]" test(s)"*) ;;
		"[  FAILED  ] "*) echo "FAIL $label ${line#\[  FAILED  \] }"; ok=1 ;;
		esac
	done < "$log"
	if [ "$rc" -ne 0 ] && ! grep -q '^\[  FAILED  \]' "$log"; then
		echo "FAIL $label: exited $rc"
		sed 's/^/    /' "$log" | tail -30
	elif [ "$rc" -ne 0 ]; then
		sed 's/^/    /' "$log" | tail -30
	elif [ $ok -eq 0 ]; then
		echo "FAIL $label: ran no test"
	fi
}

# The daemon (and build/gen/profile.pb-c.*, for test_goprofile).
make_user_ok=0
make -s -C "$top" user > "$out/user.build.log" 2>&1 && make_user_ok=1
# test_goprofile also needs the profile writer and the symbolizer.
goprofile_srcs=(-Ibuild/gen user/goprofile.c user/golearn.c user/golearn_merge.c user/heapprof.c
	user/pprof.c user/gobin.c user/symbolize.c build/gen/profile.pb-c.c -lelf
	-lprotobuf-c -lz -lm)

# test_pwriter: the writer threads, also under ThreadSanitizer; a Go
# executable for its gobin_dup case.
export OOMPROF_TEST_GOBIN=${OOMPROF_TEST_GOBIN:-$(/usr/local/go/bin/go env GOROOT 2> /dev/null)/pkg/tool/linux_amd64/compile}
for t in test_record test_events test_retention test_outdir test_evlog \
	test_goprofile test_golearn test_pwriter test_metrics test_container \
	test_show test_memstats test_godwarf; do
	extra=()
	variants="plain asan"
	# its file is read back by prometheus_client (metrics_check.py)
	[ "$t" = test_metrics ] && extra=(user/metrics.c)
	# the memory statistics of a capture (user/memstats.c)
	[ "$t" = test_memstats ] && extra=(user/memstats.c user/gomemstats.c
		user/godwarf.c user/gobin.c user/symbolize.c -lelf -lz)
	[ "$t" = test_goprofile ] || [ "$t" = test_golearn ] &&
		extra=("${goprofile_srcs[@]}")
	[ "$t" = test_godwarf ] && extra=(user/godwarf.c -lelf -lz)
	[ "$t" = test_pwriter ] && extra=(user/pwriter.c "${goprofile_srcs[@]}" -pthread) &&
		variants="plain asan tsan"
	# --show: the daemon's own line formatters (pwriter_done_json too)
	[ "$t" = test_show ] && extra=(user/json.c user/show.c user/pwriter.c
		"${goprofile_srcs[@]}" -pthread)
	for variant in $variants; do
		flags=("${cflags[@]}")
		[ "$variant" = asan ] && flags+=("${san[@]}")
		[ "$variant" = tsan ] && flags+=(-fsanitize=thread)
		bin=$out/$t.$variant
		if ! gcc "${flags[@]}" -o "$bin" "tests/userspace/$t.c" \
			"${lib_srcs[@]}" "${extra[@]}" -lcmocka 2> "$bin.build.log"; then
			echo "FAIL $variant $t: does not build"
			sed 's/^/    /' "$bin.build.log" | head -30
			continue
		fi
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
			TSAN_OPTIONS=halt_on_error=1 "$bin" > "$bin.log" 2>&1
		report_cmocka "$variant $t" "$bin.log" $?
	done
done

# The daemon's command line and DIR handling, on the real binary: argument
# errors are usage errors (exit 2) found before anything is opened, and DIR
# checks run before the device is (--device points nowhere here).
cli_check() {
	local name=$1 want_rc=$2 want_msg=$3
	shift 3
	local got rc
	got=$("$top/user/oomprof-read" "$@" 2>&1 > /dev/null)
	rc=$?
	if [ "$rc" = "$want_rc" ] && grep -qF -- "$want_msg" <<< "$got"; then
		echo "PASS cli $name"
	else
		echo "FAIL cli $name: exit $rc (want $want_rc), said: $(head -3 <<< "$got" | tr '\n' '|')"
	fi
}
if [ $make_user_ok = 1 ]; then
	cli_check "-p '' is a usage error" 2 "-p needs the pid" -p ''
	cli_check "-p with a bad pid is a usage error" 2 "'x' is not a pid" -p 12,x
	cli_check "-p is checked before the device is opened" 2 "is not a pid" \
		-p 0 --device /nonexistent/oomprof
	cli_check "--max-bytes 17179869184G is refused, not unlimited" 2 \
		"is too large" --max-bytes 17179869184G
	cli_check "--write-memory takes a size" 2 "--write-memory 'lots' is not a size" \
		--write-memory lots
	cli_check "--learn-memory takes a size" 2 "--learn-memory '-1' is not a size" \
		--learn-memory -1
	cli_check "an unexpected argument is escaped" 2 "'a\\x0aOOM kill'" $'a\nOOM kill'
	cli_check "--show takes one DIR or file" 2 "--show takes one DIR" \
		--show /a /b
	cli_check "--show --pid takes a pid" 2 "--pid 'x1' is not a pid" \
		--show /a --pid x1
	cli_check "--last goes with --show" 2 "--last goes with --show" --last 2
	cli_check "--show with --stats is a usage error" 2 "--show only reads files" \
		--show --stats
	cli_check "--show names a missing DIR and what to give" 1 \
		"give oomprof-read's -d DIR or its events.jsonl" --show /nonexistent/d
	cli_check "--metrics with --stats is a usage error" 2 \
		"--metrics is written by the reader" --metrics /x.prom --stats
	cli=$(mktemp -d /tmp/oomprof-cli.XXXXXX)
	chmod 1777 "$cli"
	mkdir -m 0777 "$cli/textfile" && mkdir -m 0700 "$cli/d"
	cli_check "--metrics in a directory every user can write is refused" 1 \
		"writable by every user" -d "$cli/d" --metrics "$cli/textfile/o.prom" \
		--drain --device /nonexistent/oomprof
	rm -rf "$cli/textfile" "$cli/d"
	# README's `-d /tmp/x --drain`, with /tmp/x made first by a user:
	# events.jsonl -> a file of root's. Refused; the target is not made.
	mkdir -m 0777 "$cli/x" && chown 65534 "$cli/x"
	ln -s "$cli/root-file" "$cli/x/events.jsonl"
	cli_check "-d DIR made by another user is refused" 1 "uid 65534" \
		-d "$cli/x" --drain --device /nonexistent/oomprof
	chown 0 "$cli/x"
	cli_check "-d DIR writable by others is refused" 1 "chmod go-w" \
		-d "$cli/x" --drain --device /nonexistent/oomprof
	chmod 0700 "$cli/x"
	cli_check "-d DIR/events.jsonl as a symlink is not followed" 1 \
		"is a symlink" -d "$cli/x" --drain --device /nonexistent/oomprof
	if [ -e "$cli/root-file" ]; then
		echo "FAIL cli: the symlink's target $cli/root-file was created"
	else
		echo "PASS cli: no file created through a planted symlink"
	fi
	"$top/user/oomprof-read" -d "$cli/new/dir" --drain \
		--device /nonexistent/oomprof > /dev/null 2>&1
	if [ "$(stat -c %a "$cli/new/dir" 2>&1)" = 700 ] &&
		[ "$(stat -c %a "$cli/new/dir/events.jsonl" 2>&1)" = 600 ]; then
		echo "PASS cli: a new DIR is created 0700, events.jsonl 0600"
	else
		echo "FAIL cli: new DIR/events.jsonl modes $(stat -c %a "$cli/new/dir" "$cli/new/dir/events.jsonl" 2>&1 | tr '\n' ' ')(want 700 600)"
	fi
	rm -rf "$cli"
	if grep -qx 'StateDirectoryMode=0700' user/oomprof-read.service; then
		echo "PASS unit: StateDirectoryMode=0700 (profiles are root's only)"
	else
		echo "FAIL unit: oomprof-read.service lacks StateDirectoryMode=0700"
	fi
else
	echo "FAIL cli: user/oomprof-read does not build"
	sed 's/^/    /' "$out/user.build.log" | tail -20
fi

# The executable parser and cache under crafted hostile files (issue 10
# section 5): builds the files at run time; timing checks are ratios.
exe_srcs=(user/gobin.c user/symbolize.c user/govars.c user/discover.c user/pprof.c
	user/golearn.c user/esc.c user/sbuf.c user/godwarf.c user/gomemstats.c)
for variant in plain asan; do
	flags=("${cflags[@]}")
	[ "$variant" = asan ] && flags+=("${san[@]}")
	bin=$out/test_hostile_exe.$variant
	if ! gcc "${flags[@]}" -o "$bin" tests/userspace/test_hostile_exe.c \
		"${exe_srcs[@]}" -lelf -lz -lcmocka 2> "$bin.build.log"; then
		echo "FAIL $variant test_hostile_exe: does not build (libelf-dev installed?)"
		sed 's/^/    /' "$bin.build.log" | head -30
		continue
	fi
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
		"$bin" > "$bin.log" 2>&1
	report_cmocka "$variant test_hostile_exe" "$bin.log" $?
	# The figures (times, RSS, fds) the cases print, for people.
	grep '^    ' "$bin.log" | sed "s/^    /      $variant: /"
done

# Fuzzing needs clang's libFuzzer (Debian: clang, libclang-rt-14-dev).
if ! command -v clang > /dev/null; then
	echo "FAIL fuzz record: clang not found — apt-get install clang libclang-rt-14-dev (make deps)"
	exit 0
fi
if ! clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -o "$out/fuzz_record" \
	tests/userspace/fuzz_record.c "${lib_srcs[@]}" 2> "$out/fuzz.build.log"; then
	echo "FAIL fuzz record: does not build"
	sed 's/^/    /' "$out/fuzz.build.log" | head -30
	exit 0
fi
gcc "${cflags[@]}" -o "$out/make_corpus" tests/userspace/make_corpus.c
rm -rf "$out/corpus" && mkdir -p "$out/corpus"
"$out/make_corpus" "$out/corpus"
if "$out/fuzz_record" -max_total_time="$fuzz_seconds" -max_len=16384 -timeout=10 \
	"$out/corpus" > "$out/fuzz.log" 2>&1; then
	runs=$(grep -o 'Done [0-9]* runs' "$out/fuzz.log" | tail -1)
	echo "PASS fuzz record: ${runs:-done} in ${fuzz_seconds}s, no crash"
else
	echo "FAIL fuzz record: crash or sanitizer report"
	grep -A30 'ERROR\|runtime error' "$out/fuzz.log" | head -60 | sed 's/^/    /'
fi

# golearn: count-entry decoding and merge, and learning from hostile
# memory; -timeout fails an input whose cost is super-linear.
if clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -o "$out/fuzz_golearn" \
	tests/userspace/fuzz_golearn.c user/golearn.c user/golearn_merge.c user/heapprof.c \
	user/pprof.c user/esc.c user/sbuf.c -Ibuild/gen build/gen/profile.pb-c.c \
	-lprotobuf-c -lz -lm 2> "$out/fuzz_golearn.build.log"; then
	rm -rf "$out/corpus_golearn" && mkdir -p "$out/corpus_golearn"
	python3 - "$out/corpus_golearn" << 'EOF'
import struct, sys
d = sys.argv[1]
BASE, MB = 0x100000, 0x1000
def nstk(i): return 1 + (i * 7) % 24
def size(i): return 48 + 8 * nstk(i) + 128
def leb(v):
    o = bytearray()
    while True:
        b = v & 0x7f
        v >>= 7
        o.append(b | (0x80 if v else 0))
        if not v:
            return o
addrs, off = [], 0
for i in range(2000):
    addrs.append(BASE + off)
    off += size(i)
# MERGE: all 2000 learned buckets as counts, newest first.
counts, prev = bytearray(), 0
for i in reversed(range(2000)):
    sd = addrs[i] - prev
    counts += leb(((sd << 1) ^ (sd >> 63)) & ((1 << 64) - 1))
    counts += leb(0x8005) + leb(i + 1) + leb(7 * i) + leb(1 << 63)
    prev = addrs[i]
hdr = bytes([0]) + struct.pack("<HHHB", 2000, 2000, 0, 1) + struct.pack("<Q", 0)
open(d + "/merge", "wb").write(hdr + counts)
# LEARN: 300 buckets in the runtime's layout; and one that loops.
def image(n, loop=False):
    mem, a = bytearray(), []
    for i in range(n):
        a.append(BASE + len(mem))
        nxt = a[i - 1] if i else (BASE + 4096 if loop else 0)
        mem += struct.pack("<6Q", 0, nxt, 1, i, 16, nstk(i))
        mem += b"".join(struct.pack("<Q", 0x401000 + 0x1000 * l + 8 * (i & 7)) for l in range(nstk(i)))
        mem += struct.pack("<16Q", *([i] * 16))
    return bytes([1]) + struct.pack("<Q", a[-1]) + bytes(mem)
open(d + "/learn", "wb").write(image(300))
open(d + "/learn-loop", "wb").write(image(300, True))
EOF
	if (cd "$out" && ./fuzz_golearn -max_total_time="$fuzz_seconds" \
		-max_len=1200000 -timeout=10 corpus_golearn) \
		> "$out/fuzz_golearn.log" 2>&1; then
		runs=$(grep -o 'Done [0-9]* runs' "$out/fuzz_golearn.log" | tail -1)
		echo "PASS fuzz golearn: ${runs:-done} in ${fuzz_seconds}s, no crash, no input over 10 s"
	else
		echo "FAIL fuzz golearn: crash, timeout or sanitizer report"
		grep -A30 'ERROR\|runtime error\|timeout' "$out/fuzz_golearn.log" | head -60 | sed 's/^/    /'
	fi
else
	echo "FAIL fuzz golearn: does not build"
	sed 's/^/    /' "$out/fuzz_golearn.build.log" | head -30
fi

# Container attribution: cgroup paths and kubelet directory entry names
# a user picks; -timeout and the target's own 100 ms bound per path fail an
# input whose cost is super-linear.
if clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -o "$out/fuzz_container" \
	tests/userspace/fuzz_container.c user/container.c user/sbuf.c \
	2> "$out/fuzz_container.build.log"; then
	rm -rf "$out/corpus_container" && mkdir -p "$out/corpus_container"
	u=3e5f7a1c-2b4d-4e6f-8a9b-0c1d2e3f4a5b
	id=4f3c1a2b5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708
	n=0
	for seed in "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u//-/_}.slice/cri-containerd-$id.scope" \
		"/kubepods.slice/kubepods-pod${u//-/_}.slice/crio-$id.scope" \
		"/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod${u//-/_}.slice/docker-$id.scope/x" \
		"/kubepods/burstable/pod$u/$id" "/kubepods/pod$u/crio-$id" \
		"/system.slice/docker-$id.scope" "/docker/$id" \
		"shop_cart-7d9f_$u" "cart-7d9f_shop_app-$id.log"; do
		n=$((n + 1))
		printf '%s' "$seed" > "$out/corpus_container/seed$n"
	done
	if (cd "$out" && OOMPROF_KUBELET_LOG_ROOT=/nonexistent ./fuzz_container \
		-max_total_time="$fuzz_seconds" -max_len=4096 -timeout=10 \
		corpus_container) > "$out/fuzz_container.log" 2>&1; then
		runs=$(grep -o 'Done [0-9]* runs' "$out/fuzz_container.log" | tail -1)
		echo "PASS fuzz container: ${runs:-done} in ${fuzz_seconds}s, no crash, no path over 20 ms of CPU"
	else
		echo "FAIL fuzz container: crash, slow input or sanitizer report"
		grep -A30 'ERROR\|runtime error\|timeout\|took' "$out/fuzz_container.log" | head -60 | sed 's/^/    /'
	fi
else
	echo "FAIL fuzz container: does not build"
	sed 's/^/    /' "$out/fuzz_container.build.log" | head -30
fi

# --show's JSON reader and report: events.jsonl lines any local user's
# names are in; -timeout and the target's own CPU bounds fail an input
# whose cost is super-linear (deep nesting, long strings, many keys).
if clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -o "$out/fuzz_json" \
	tests/userspace/fuzz_json.c user/json.c user/show.c user/esc.c user/sbuf.c \
	-Ibuild/gen build/gen/profile.pb-c.c -lprotobuf-c -lz \
	2> "$out/fuzz_json.build.log"; then
	rm -rf "$out/corpus_json" && mkdir -p "$out/corpus_json"
	python3 - "$out/corpus_json" << 'EOF'
import json, sys
d = sys.argv[1]
kill = {"type": "oom_kill", "seq": 7, "time": "2026-11-23T08:10:11.123456789Z",
        "boottime_ns": 5000000000, "pid": 321, "tgid": 321, "ns_pid": 5,
        "comm": "hog\u001b[31m", "uid": 1000, "cgroup": "/t1", "cgroup_id": 42,
        "constraint": "memcg", "oom_cgroup": "/t1", "oom_cgroup_id": 42,
        "order": 0, "gfp_mask": "0xcc0", "total_vm_kb": 70000,
        "anon_rss_kb": 65536, "file_rss_kb": 800, "shmem_rss_kb": 0,
        "pgtables_kb": 180, "oom_score_adj": -17,
        "trigger": {"pid": 321, "tgid": 321, "comm": "hog"},
        "parents": [{"pid": 300, "tgid": 300, "comm": "sh"}],
        "parents_truncated": False, "cgroup_truncated": False,
        "container": {"driver": "systemd", "runtime": "containerd", "id": "4f" * 32,
                      "pod_uid": "3e5f7a1c-2b4d-4e6f-8a9b-0c1d2e3f4a5b",
                      "qos": "burstable", "namespace": "shop", "pod": "cart",
                      "container": "app", "nested": False, "truncated": False},
        "sigkill_after_ns": 1500000,
        "go": {"capture": "partial", "path": "fallback", "stop": "no_buffer",
               "buckets": 4, "bytes": 912, "capture_after_ns": 1622000,
               "capture_ns": 50000, "mem_profile_rate": 524288,
               "registration_id": 3, "learned_buckets": 0, "counted": 0,
               "counts_bytes": 0},
        "oom_domain": {"usage_bytes": 419430400, "events": {"oom_kill": 1}},
        "tasks": [{"pid": 321, "comm": "hog", "rss_kb": 65536, "victim": True}],
        "dropped": 0, "profile": "/var/lib/oomprof/hog-321-1.pb.gz",
        "profile_pending": True}
prof = {"type": "profile", "seq": 7, "pid": 321, "tgid": 321, "comm": "hog",
        "profile": None, "profile_error": "disk full", "write_ms": 1.5}
lost = {"type": "lost", "seq": 9, "dropped": 4}
open(d + "/lines", "w").write("\n".join(json.dumps(x) for x in (kill, prof, lost)) + "\n")
open(d + "/deep", "w").write("[" * 4000 + "{\"a\":" * 4000)
open(d + "/string", "w").write('"' + "\\u00e9\\ud83d\\ude00\\n" * 20000 + '"')
open(d + "/keys", "w").write("{" + ",".join('"k%d":[%d]' % (i, i) for i in range(30000)) + "}")
EOF
	if (cd "$out" && ./fuzz_json -max_total_time="$fuzz_seconds" \
		-max_len=1200000 -timeout=10 corpus_json) \
		> "$out/fuzz_json.log" 2>&1; then
		runs=$(grep -o 'Done [0-9]* runs' "$out/fuzz_json.log" | tail -1)
		echo "PASS fuzz json: ${runs:-done} in ${fuzz_seconds}s, no crash, no control byte in a report, cost linear"
	else
		echo "FAIL fuzz json: crash, slow input, control byte in the report or sanitizer report"
		grep -A30 'ERROR\|runtime error\|timeout\|took\|reached' "$out/fuzz_json.log" | head -60 | sed 's/^/    /'
	fi
else
	echo "FAIL fuzz json: does not build"
	sed 's/^/    /' "$out/fuzz_json.build.log" | head -30
fi

# --show's top 10 against go tool pprof -top -nodecount=10: a profile the Go
# runtime writes, and those oomprof's writer wrote in earlier runs of the
# heapprof suite and of the VM Go scenarios, if there are any.
if [ $make_user_ok = 1 ]; then
	# shellcheck disable=SC2046 # one word per file
	tests/userspace/show_top_check.sh $(ls "$out"/heapprof/*/rate1/c.pb.gz \
		tests/vm/.work/*/go_capture/r/*.pb.gz 2> /dev/null)
fi

# The Go runtime's memory statistics: godwarf's layout against Go's
# debug/dwarf, gomemstats' figures against runtime.ReadMemStats (Go 1.19
# and current), fuzz_godwarf.
"$top/tests/userspace/gomemstats/run.sh"

# make install into a staging root: the binary runs, the unit and the
# modprobe.d remove hook point at it, and modules-load.d names the module so
# systemd-modules-load loads it at boot (dkms installs the module itself);
# make uninstall removes them all.
stage=$out/install-root
rm -rf "$stage"
if make -s -C "$top" install DESTDIR="$stage" PREFIX=/usr > "$out/install.log" 2>&1 &&
	# Into a file, not a pipe into grep -q: grep exits at its match and,
	# with pipefail, a help text longer than stdio's buffer then fails by
	# SIGPIPE whenever its second write comes after that.
	"$stage/usr/sbin/oomprof-read" --help > "$out/install-help.txt" &&
	grep -q 'Usage: oomprof-read' "$out/install-help.txt" &&
	grep -qx 'ExecStart=/usr/sbin/oomprof-read -d /var/lib/oomprof' \
		"$stage/lib/systemd/system/oomprof-read.service" &&
	grep -qx 'remove oomprof /usr/sbin/oomprof-read --detach; /sbin/modprobe -r --ignore-remove oomprof' \
		"$stage/etc/modprobe.d/oomprof.conf"; then
	echo "PASS install: oomprof-read, oomprof-read.service and modprobe.d/oomprof.conf under DESTDIR"
else
	echo "FAIL install: make install DESTDIR=... did not produce a working binary and unit"
	sed 's/^/    /' "$out/install.log" | tail -10
fi
modload=$stage/etc/modules-load.d/oomprof.conf
# modules-load.d(5): one module name a line; exactly "oomprof", nothing else.
if [ -f "$modload" ] && [ "$(stat -c %a "$modload")" = 644 ] &&
	[ "$(cat "$modload")" = oomprof ]; then
	echo "PASS install: /etc/modules-load.d/oomprof.conf under DESTDIR loads oomprof at boot"
else
	echo "FAIL install: $modload missing or not exactly \"oomprof\" mode 644: $(cat "$modload" 2>&1 | head -3 | tr '\n' '|')"
fi
if make -s -C "$top" uninstall DESTDIR="$stage" PREFIX=/usr >> "$out/install.log" 2>&1 &&
	[ -z "$(find "$stage" -type f)" ]; then
	echo "PASS install: make uninstall DESTDIR=... removes every installed file"
else
	echo "FAIL install: make uninstall left files: $(find "$stage" -type f | tr '\n' ' ')"
fi
