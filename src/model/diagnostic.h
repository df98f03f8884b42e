#pragma once

#include <cstdint>
#include <string>

namespace gleak {

// A warning about an input, with the line it concerns.
struct Diagnostic {
  uint64_t line = 0;  // 0 when the message is about the input as a whole
  std::string message;
};

}  // namespace gleak
