// Normalization shared by every grouping level: wait states made comparable
// across Go versions and dump formats.
#pragma once

#include <span>
#include <string_view>

#include "model/goroutine.h"

namespace gleak {

// The wait state a group is keyed on. Before Go 1.20 mutexes, and before 1.24
// WaitGroups, waited as plain `semacquire`; the frames say which it was, and
// the state is named as newer Go names it. debug=1 records carry no state:
// what the frames show (sleep, IO wait, sync waits) is used, else "".
std::string_view NormalizeState(std::string_view state, std::span<const Frame> frames);

// The state a group shows and is classified by, given its key state (from
// NormalizeState). A pprof protobuf stack keeps the runtime frames that
// debug=1 hides, and they name a channel operation or select as a traceback's
// state would. The key keeps "" for those, so that a group has the same id in
// a pprof profile and in the debug=1 text of the same profile.
std::string_view ParkedState(std::string_view key_state, std::span<const Frame> frames);

}  // namespace gleak
