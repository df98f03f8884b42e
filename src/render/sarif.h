// `--format sarif`: SARIF 2.1.0 for code scanning (GitHub and others). One
// result per suspect group, at the line its goroutines block on, with the `go`
// statement that started them as a related location; the rules of the
// suspects carry their explanation and fix; partialFingerprints come from the
// stable group ids so that a result keeps its identity from run to run.
#pragma once

#include <ostream>

#include "model/share_view.h"

namespace gleak {

void RenderSarif(const ShareView& view, std::ostream& out);

}  // namespace gleak
