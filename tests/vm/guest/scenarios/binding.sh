#!/bin/sh
# Who may register, write into and dump which process, and a request bound
# to the program that was inspected (progs/bindtest.c): a process that
# execs between its inspection and REGISTER (with and without SET_RATE)
# and DUMP; a /dev/oomprof descriptor inherited by a child that became
# uid 65534; the root of a new user namespace holding one; a registrant in
# a time namespace (start times as its /proc shows them); three dumps at
# once (the third gets EBUSY); a dump stopped by dump_timeout_ms inside its
# walk. No reader runs, so the module's counters are bindtest's alone.
. /lib.sh

load_module
/bin/bindtest race >> "$R/bindtest.txt" 2>&1 || problem "bindtest race failed"
/bin/bindtest passed-fd >> "$R/bindtest.txt" 2>&1 || problem "bindtest passed-fd failed"
/bin/bindtest userns >> "$R/bindtest.txt" 2>&1 || problem "bindtest userns failed"
/bin/bindtest timens >> "$R/bindtest.txt" 2>&1 || problem "bindtest timens failed"
/bin/bindtest dumps >> "$R/bindtest.txt" 2>&1 || problem "bindtest dumps failed"
save_stats "$R/stats.json"

# dump_max_mb above 2047 is lowered at load (kvmalloc warns at 2 GiB and
# more, a panic with panic_on_warn); a buffer that cannot be had fails the
# dump with ENOMEM and kills nothing.
rmmod oomprof || fail "rmmod oomprof failed"
load_module dump_max_mb=4095
/bin/bindtest bigdump >> "$R/bindtest.txt" 2>&1 || problem "bindtest bigdump failed"
dmesg > "$R/dmesg_bigdump.txt"

# dump_timeout_ms is a bound inside the walk, not after it.
rmmod oomprof || fail "rmmod oomprof failed"
load_module dump_timeout_ms=1
/bin/bindtest dump-deadline >> "$R/bindtest.txt" 2>&1 || problem "bindtest dump-deadline failed"
finish
