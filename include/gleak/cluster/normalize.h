// Normalization shared by every grouping level: wait states made comparable
// across Go versions and dump formats.
#pragma once

#include <span>
#include <string_view>

#include "gleak/model/goroutine.h"

namespace gleak {

// The wait state a group is keyed on. Before Go 1.20 mutexes, and before 1.24
// WaitGroups, waited as plain `semacquire`; the frames say which it was, and
// the state is named as newer Go names it. debug=1 records carry no state:
// what the frames show (sleep, IO wait, sync waits) is used, else "".
std::string_view NormalizeState(std::string_view state, std::span<const Frame> frames);

}  // namespace gleak
