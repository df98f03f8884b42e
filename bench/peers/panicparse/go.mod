module gleak.bench/peers/panicparse

go 1.22

require github.com/maruel/panicparse/v2 v2.5.0
