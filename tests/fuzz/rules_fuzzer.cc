// libFuzzer harness: see FuzzRules in fuzz_targets.h for what it checks.
#include "fuzz_targets.h"

GLEAK_FUZZ_TARGET(FuzzRules)
