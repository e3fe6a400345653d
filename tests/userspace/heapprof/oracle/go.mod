module oomprof.test/heapprof/oracle

go 1.19
