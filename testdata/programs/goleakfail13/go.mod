module gleak.test/goleakfail13

go 1.19

require go.uber.org/goleak v1.3.0
