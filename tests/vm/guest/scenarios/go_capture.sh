#!/bin/sh
# Go victims built with Go 1.19 and with the current Go, each as a plain
# executable, as a PIE and stripped, each with MemProfileRate 1: it retains known objects at three sites (one
# inlined, one 150 frames deep), writes its own heap profile, then leaks
# until its cgroup OOM-kills it. oomprof-read must write a heap profile for
# each kill; the host compares it with the victim's own.
. /lib.sh

load_module
start_reader "$R/r"

for tag in go119 gocur go119pie gocurpie go119s gocurs; do
	oom_go_victim "$tag"
done

sleep 3
stop_reader
save_stats "$R/stats.json"
finish
