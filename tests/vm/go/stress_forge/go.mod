module oomprof.test/stress_forge

go 1.19
