#include "base/error.h"

namespace gleak {

void ThrowInputError(std::string message) { throw Error(Error::Kind::kInput, std::move(message)); }

void ThrowUsageError(std::string message) { throw Error(Error::Kind::kUsage, std::move(message)); }

void ThrowOutputError(std::string message) {
  throw Error(Error::Kind::kOutput, std::move(message));
}

}  // namespace gleak
