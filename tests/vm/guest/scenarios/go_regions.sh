#!/bin/sh
# Registration regions end to end (progs/regiontest.c): hand-made regions
# of a C victim copied by OOMPROF_IOC_DUMP and at its OOM kill, in the
# GO_HEAP record, before its (empty) bucket list; bad regions refused.
. /lib.sh

load_module
make_cgroup t1 32M
/bin/regiontest "$CG/t1" > "$R/regiontest.txt" 2>&1 || problem "regiontest failed: $(grep 'not ok' "$R/regiontest.txt" | head -n 3 | tr '\n' '|')"
finish
