module gleak.bench/gen

go 1.19
