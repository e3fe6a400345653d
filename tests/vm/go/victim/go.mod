module oomprof.test/victim

go 1.19
