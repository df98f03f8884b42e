module gleak.bench/groups

go 1.19
