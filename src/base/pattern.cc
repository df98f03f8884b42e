#include "gleak/base/pattern.h"

#include <re2/re2.h>

#include "gleak/base/error.h"

namespace gleak {

struct Pattern::Impl {
  explicit Impl(const std::string& expression) : re(expression, RE2::Quiet) {}
  RE2 re;
};

Pattern::Pattern(const std::string& expression, std::string_view what)
    : expression_(expression), impl_(std::make_unique<Impl>(expression)) {
  if (!impl_->re.ok()) {
    std::string where = what.empty() ? std::string() : std::string(what) + ": ";
    ThrowUsageError(where + "invalid regular expression '" + expression +
                    "': " + impl_->re.error());
  }
}

Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

bool Pattern::Matches(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), impl_->re);
}

}  // namespace gleak
