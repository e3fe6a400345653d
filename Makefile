# SPDX-License-Identifier: GPL-2.0
# oomprof: top-level build.
#
#   make               module (against KDIR) and user/oomprof-read
#   make check         every test suite; ends with "N passed, N failed"
#   make stress        storms and hostile input in guests of every kernel,
#                      printed as figures (tests/stress.sh; make check
#                      runs a smaller size)
#   make kunit         KUnit suites in the debug kernel under QEMU (builds
#                      and caches that kernel on first use)
#   make demo          boots a Debian 6.1 guest, OOM-kills a program, shows
#                      what oomprof-read recorded
#   make install       oomprof-read, its systemd unit,
#                      /etc/modules-load.d/oomprof.conf (the module: dkms,
#                      see README "Install on a fleet host (DKMS)") and the
#                      modprobe.d hook that lets modprobe -r detach it
#
# The module's Kbuild file is ./Kbuild; this Makefile runs the build-time
# API detection (scripts/conftest.sh) first.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= /lib/systemd/system
# systemd-modules-load reads it at boot and modprobes oomprof: the module
# dkms installed is loaded before oomprof-read.service opens /dev/oomprof.
MODLOADDIR ?= /etc/modules-load.d
MODPROBEDIR ?= /etc/modprobe.d

CC ?= cc
GEN := build/gen
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Iinclude/uapi -Iuser -I$(GEN) $(CFLAGS)
USER_SRCS := user/main.c user/device.c user/record.c user/events.c user/sbuf.c \
	user/discover.c user/goprofile.c user/gobin.c user/symbolize.c \
	user/heapprof.c user/pprof.c user/dump.c user/govars.c user/retention.c \
	user/esc.c user/outdir.c user/evlog.c user/golearn.c user/golearn_merge.c \
	user/pwriter.c user/metrics.c user/container.c user/json.c user/show.c \
	user/godwarf.c user/gomemstats.c user/memstats.c $(GEN)/profile.pb-c.c
USER_HDRS := $(wildcard user/*.h) include/uapi/linux/oomprof.h \
	$(GEN)/profile.pb-c.h
USER_LIBS := -lelf -lprotobuf-c -lz -lm -pthread

# Missing build dependencies: one line naming the Debian package.
need = $(if $(shell printf '\#include <$(1)>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo y),,\
	$(error oomprof: <$(1)> not found — install it: apt-get install $(2)))

.PHONY: all module user install uninstall check demo bench deps checkpatch \
	stress clean FORCE

all: user module

user: user/oomprof-read

user/oomprof-read: $(USER_SRCS) $(USER_HDRS)
	$(call need,gelf.h,libelf-dev)
	$(call need,zlib.h,zlib1g-dev)
	$(call need,protobuf-c/protobuf-c.h,libprotobuf-c-dev)
	$(CC) $(USER_CFLAGS) -o $@ $(USER_SRCS) $(LDFLAGS) $(USER_LIBS)

# pprof's profile.proto (our own copy, published field numbers) to C.
$(GEN)/profile.pb-c.c $(GEN)/profile.pb-c.h: user/profile.proto
	@command -v protoc-c >/dev/null || { echo "oomprof: protoc-c not found — install it: apt-get install protobuf-c-compiler" >&2; exit 1; }
	mkdir -p $(GEN)
	protoc-c --proto_path=user --c_out=$(GEN) user/profile.proto

# Re-detect whenever the target tree changes (the answer depends on it).
module/compat-autoconf.h: FORCE
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "oomprof: no kernel headers at $(KDIR) — install them: apt-get install linux-headers-$(KVER) (or build for another kernel with KDIR=/path/to/headers)" >&2; \
		exit 1; \
	fi
	@if [ ! -f $@ ] || [ "$$(cat module/.conftest-kdir 2>/dev/null)" != "$(realpath $(KDIR))" ]; then \
		echo "  CONFTEST $(KDIR)"; \
		scripts/conftest.sh "$(KDIR)" $@ && \
		echo "$(realpath $(KDIR))" > module/.conftest-kdir; \
	fi

module: module/compat-autoconf.h
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

install: user/oomprof-read
	install -D -m 0755 user/oomprof-read $(DESTDIR)$(SBINDIR)/oomprof-read
	sed 's,@SBINDIR@,$(SBINDIR),' user/oomprof-read.service > oomprof-read.service.tmp
	install -D -m 0644 oomprof-read.service.tmp $(DESTDIR)$(UNITDIR)/oomprof-read.service
	rm -f oomprof-read.service.tmp
	printf 'oomprof\n' > oomprof.conf.tmp
	install -D -m 0644 oomprof.conf.tmp $(DESTDIR)$(MODLOADDIR)/oomprof.conf
	rm -f oomprof.conf.tmp
	sed 's,@SBINDIR@,$(SBINDIR),' user/oomprof-modprobe.conf > oomprof-modprobe.conf.tmp
	install -D -m 0644 oomprof-modprobe.conf.tmp $(DESTDIR)$(MODPROBEDIR)/oomprof.conf
	rm -f oomprof-modprobe.conf.tmp

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/oomprof-read $(DESTDIR)$(UNITDIR)/oomprof-read.service \
		$(DESTDIR)$(MODLOADDIR)/oomprof.conf $(DESTDIR)$(MODPROBEDIR)/oomprof.conf

# Debian packages every suite needs (apt-get; root).
deps:
	scripts/install-deps.sh

check: deps
	tests/run-checks.sh

demo: deps
	tests/vm/demo.sh

kunit: deps
	tests/kunit/run.sh

# 1000 kills, 8 Go victims at once, 100 unload cycles under kills, forged
# bucket lists, 100k random ioctls; per kernel (6.1, 6.12, debug).
stress: deps
	tests/stress.sh

# Benchmarks (not tests): capture and symbolize+write costs, 1k-100k buckets.
bench: deps
	tests/bench.sh

checkpatch:
	tests/checkpatch.sh

# Not kbuild's own clean: for an external module it deletes every *.mod
# (go.mod too) and *.s below M=, which is the whole repository here.
clean:
	rm -f oomprof.ko oomprof.mod oomprof.mod.c oomprof.mod.o oomprof.o \
		.oomprof*.cmd module/*.o module/.*.cmd modules.order \
		.modules.order.cmd Module.symvers .Module.symvers.cmd
	rm -f user/oomprof-read module/compat-autoconf.h module/.conftest-kdir
	rm -rf tests/userspace/build build

FORCE:
