#!/bin/bash
# Install every Debian package the build, the tests and the demo need.
# Idempotent: installs only what is missing. Needs root (apt-get).
#
# The kernel header meta-packages pull in the current 6.1 and 6.12 headers;
# their exact ABI numbers are resolved by apt, never written here.
set -euo pipefail

packages=(
	# build: module and oomprof-read
	build-essential make kmod libelf-dev zlib1g-dev
	protobuf-c-compiler libprotobuf-c-dev
	linux-headers-amd64 linux-headers-6.12-amd64 dkms
	# tests: unit, fuzz, style, VMs
	libcmocka-dev clang libclang-rt-14-dev python3 linux-source-6.1 xz-utils
	python3-prometheus-client
	binutils
	qemu-system-x86 busybox-static cpio gzip golang-1.19-go
	# the debug/KUnit kernel (tests/kunit/build-kernel.sh)
	flex bison bc libssl-dev
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]} — run as root: sudo make deps" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
