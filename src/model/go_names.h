// What a Go function name and file path say about where code lives.
#pragma once

#include <string_view>

namespace gleak {

// "net/http.(*conn).serve" -> "net/http"; "main.main" -> "main".
std::string_view PackageOf(std::string_view func);

// The runtime's own frames: runtime.gopark, runtime.goexit, runtime.chanrecv1...
bool IsRuntimeFunc(std::string_view func);

// Standard library (including runtime and internal/...): a package path whose
// first element has no dot, other than main, whose file sits in GOROOT.
bool IsStdlibFrame(std::string_view func, std::string_view file);

}  // namespace gleak
