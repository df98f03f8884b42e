// The one exception type gleak throws. Deep code throws it; the command line
// catches it at the boundary and turns its kind into an exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace gleak {

class Error : public std::runtime_error {
 public:
  enum class Kind {
    kUsage,   // the call's words are wrong: exit 2
    kInput,   // an input could not be read or held no goroutines: exit 3
    kOutput,  // a result could not be written (a full disk, a closed pipe): exit 3
  };

  Error(Kind kind, std::string message) : std::runtime_error(std::move(message)), kind_(kind) {}

  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

[[noreturn]] void ThrowInputError(std::string message);
[[noreturn]] void ThrowUsageError(std::string message);
[[noreturn]] void ThrowOutputError(std::string message);

}  // namespace gleak
