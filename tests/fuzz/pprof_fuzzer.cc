// libFuzzer harness: see FuzzPprof in fuzz_targets.h for what it checks.
#include "fuzz_targets.h"

GLEAK_FUZZ_TARGET(FuzzPprof)
