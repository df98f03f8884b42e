module gleak.test/programs

go 1.19
