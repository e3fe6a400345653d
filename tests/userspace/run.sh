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
lib_srcs=(user/record.c user/events.c user/sbuf.c user/retention.c)

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

for t in test_record test_events test_retention; do
	for variant in plain asan; do
		flags=("${cflags[@]}")
		[ "$variant" = asan ] && flags+=("${san[@]}")
		bin=$out/$t.$variant
		if ! gcc "${flags[@]}" -o "$bin" "tests/userspace/$t.c" \
			"${lib_srcs[@]}" -lcmocka 2> "$bin.build.log"; then
			echo "FAIL $variant $t: does not build"
			sed 's/^/    /' "$bin.build.log" | head -30
			continue
		fi
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
			"$bin" > "$bin.log" 2>&1
		report_cmocka "$variant $t" "$bin.log" $?
	done
done

# The executable parser and cache under crafted hostile files (issue 10
# section 5): builds the files at run time; timing checks are ratios.
exe_srcs=(user/gobin.c user/symbolize.c user/govars.c user/discover.c)
for variant in plain asan; do
	flags=("${cflags[@]}")
	[ "$variant" = asan ] && flags+=("${san[@]}")
	bin=$out/test_hostile_exe.$variant
	if ! gcc "${flags[@]}" -o "$bin" tests/userspace/test_hostile_exe.c \
		"${exe_srcs[@]}" -lelf -lcmocka 2> "$bin.build.log"; then
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
if "$out/fuzz_record" -max_total_time="$fuzz_seconds" -max_len=8192 \
	"$out/corpus" > "$out/fuzz.log" 2>&1; then
	runs=$(grep -o 'Done [0-9]* runs' "$out/fuzz.log" | tail -1)
	echo "PASS fuzz record: ${runs:-done} in ${fuzz_seconds}s, no crash"
else
	echo "FAIL fuzz record: crash or sanitizer report"
	grep -A30 'ERROR\|runtime error' "$out/fuzz.log" | head -60 | sed 's/^/    /'
fi

# make install into a staging root: the binary runs, the unit and the
# modprobe.d remove hook point at it, and modules-load.d names the module so
# systemd-modules-load loads it at boot (dkms installs the module itself);
# make uninstall removes them all.
stage=$out/install-root
rm -rf "$stage"
if make -s -C "$top" install DESTDIR="$stage" PREFIX=/usr > "$out/install.log" 2>&1 &&
	"$stage/usr/sbin/oomprof-read" --help | grep -q 'Usage: oomprof-read' &&
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
