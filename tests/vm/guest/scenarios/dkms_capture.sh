#!/bin/sh
# The module `dkms install` built for this kernel, loaded the way a fleet
# host boots (README, "Install on a fleet host (DKMS)"): this image has no
# /oomprof.ko; it carries the dkms install tree under /lib/modules/$(uname -r)
# (updates/dkms/oomprof.ko[.xz] and depmod's indexes), the root `make
# install` made (/etc/modules-load.d/oomprof.conf, the oomprof-read unit and
# binary) and kmod as modprobe. Steps, as systemd takes them:
#  1. systemd-modules-load: `modprobe NAME` for each name in
#     /etc/modules-load.d/*.conf;
#  2. oomprof-read.service: its ExecStartPre and ExecStart command lines,
#     taken from the installed unit, with StateDirectory=oomprof;
# then two Go victims (Go 1.19, current Go) are OOM-killed and each must
# leave a heap profile. What was loaded (path, srcversion, build id,
# vermagic, sha256) goes to dkms_loaded.txt; the host compares it with the
# .ko in its dkms install tree (dkms_expected.txt, computed on the host).
. /lib.sh

kver=$(uname -r)
[ -e /oomprof.ko ] && fail "/oomprof.ko is in the image: this scenario must load only the dkms-installed module"
cp /etc/oomprof-dkms-expected "$R/dkms_expected.txt" ||
	fail "no /etc/oomprof-dkms-expected in the image (run.sh writes it from the dkms tree)"

# 1. systemd-modules-load (modules-load.d(5): one name a line, # and ;
# start comments).
confs=$(ls /etc/modules-load.d/*.conf 2>/dev/null) ||
	fail "no /etc/modules-load.d/*.conf: make install did not install oomprof.conf"
for conf in $confs; do
	while read -r name _; do
		case "$name" in ''|'#'*|';'*) continue ;; esac
		say "modules-load: modprobe $name ($conf)"
		modprobe "$name" 2> /tmp/modprobe.err ||
			fail "modprobe $name (from $conf) failed: $(cat /tmp/modprobe.err); dmesg: $(dmesg | tail -n 3 | tr '\n' '|')"
	done < "$conf"
done
wait_for 5 dev_present || fail "/dev/oomprof did not appear within 5 s of modprobe"

# What was loaded, from the running kernel (sysfs: the loaded image's own
# srcversion and build id) and from the file modprobe resolved.
path=$(modprobe --show-depends oomprof 2>&1 | sed -n 's/^insmod \([^ ]*\).*/\1/p' | tail -n 1)
[ -n "$path" ] || fail "modprobe --show-depends oomprof names no file: $(modprobe --show-depends oomprof 2>&1)"
# The note is namesz, descsz, type (4 bytes each), "GNU\0", then the id.
build_id=$(od -An -tx1 -v -j16 /sys/module/oomprof/notes/.note.gnu.build-id | tr -d ' \n')
{
	echo "path=$path"
	echo "srcversion=$(cat /sys/module/oomprof/srcversion)"
	echo "version=$(cat /sys/module/oomprof/version)"
	echo "build_id=$build_id"
	echo "vermagic=$(modinfo -F vermagic "$path")"
	echo "sha256=$(sha256sum < "$path" | cut -d' ' -f1)"
	echo "taint=$(cat /sys/module/oomprof/taint)"
	echo "kver=$kver"
} > "$R/dkms_loaded.txt"
say "loaded: $(tr '\n' ' ' < "$R/dkms_loaded.txt")"

# 2. oomprof-read.service, its command lines from the installed unit.
unit=/lib/systemd/system/oomprof-read.service
[ -f "$unit" ] || fail "no $unit: make install did not install the unit"
pre=$(sed -n 's/^ExecStartPre=-\{0,1\}//p' "$unit")
start=$(sed -n 's/^ExecStart=//p' "$unit")
[ -n "$start" ] || fail "$unit has no ExecStart="
grep -qx 'StateDirectory=oomprof' "$unit" || fail "$unit has no StateDirectory=oomprof"
# StateDirectory=oomprof is /var/lib/oomprof; it is linked into /results so
# what the daemon writes is shipped to the host.
mkdir -p /var/lib "$R/r"
ln -s "$R/r" /var/lib/oomprof
if [ -n "$pre" ]; then
	say "ExecStartPre: $pre"
	# shellcheck disable=SC2086 # a command line, split as systemd does
	$pre || problem "ExecStartPre $pre failed"
fi
say "ExecStart: $start"
# shellcheck disable=SC2086
$start 2>> "$R/reader.log" &
READER_PID=$!
await_reader "$start"

for tag in go119 gocur; do
	oom_go_victim "$tag"
done

sleep 3
stop_reader
finish
