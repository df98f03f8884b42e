// `gleak serve`'s status page: one table row per target (up, last error,
// goroutines, suspects) and its growing groups. Plain HTML, no script; it
// reloads itself every interval.
#pragma once

#include <ostream>

#include "model/serve_status.h"

namespace gleak {

void RenderServePage(const ServeStatus& status, std::ostream& out);

}  // namespace gleak
