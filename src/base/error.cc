#include "gleak/base/error.h"

namespace gleak {

void ThrowInputError(std::string message) { throw Error(Error::Kind::kInput, std::move(message)); }

void ThrowUsageError(std::string message) { throw Error(Error::Kind::kUsage, std::move(message)); }

}  // namespace gleak
