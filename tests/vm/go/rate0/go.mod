module oomprof.test/rate0

go 1.19
