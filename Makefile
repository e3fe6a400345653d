# SPDX-License-Identifier: GPL-2.0
# oomprof: top-level build.
#
#   make               module (against KDIR) and user/oomprof-read
#   make check         every test suite; ends with "N passed, N failed"
#   make demo          boots a Debian 6.1 guest, OOM-kills a program, shows
#                      what oomprof-read recorded
#   make install       oomprof-read and its systemd unit (the module: dkms)
#
# The module's Kbuild file is ./Kbuild; this Makefile runs the build-time
# API detection (scripts/conftest.sh) first.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= /lib/systemd/system

CC ?= cc
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Iinclude/uapi $(CFLAGS)
USER_SRCS := user/main.c user/device.c user/record.c user/events.c user/sbuf.c
USER_HDRS := $(wildcard user/*.h) include/uapi/linux/oomprof.h

.PHONY: all module user install uninstall check demo deps checkpatch clean \
	FORCE

all: user module

user: user/oomprof-read

user/oomprof-read: $(USER_SRCS) $(USER_HDRS)
	$(CC) $(USER_CFLAGS) -o $@ $(USER_SRCS) $(LDFLAGS)

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

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/oomprof-read $(DESTDIR)$(UNITDIR)/oomprof-read.service

# Debian packages every suite needs (apt-get; root).
deps:
	scripts/install-deps.sh

check: deps
	tests/run-checks.sh

demo: deps
	tests/vm/demo.sh

checkpatch:
	tests/checkpatch.sh

clean:
	-[ -f "$(KDIR)/Makefile" ] && $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean
	rm -f user/oomprof-read module/compat-autoconf.h module/.conftest-kdir
	rm -rf tests/userspace/build build

FORCE:
