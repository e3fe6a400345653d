module oomprof.test/bigheap

go 1.19
