// A compiled regular expression (RE2 syntax). RE2 itself stays behind this
// header so that only one file of gleak includes it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace gleak {

class Pattern {
 public:
  // Throws gleak::Error (kUsage) naming `what` when `expression` is invalid.
  Pattern(const std::string& expression, std::string_view what);
  ~Pattern();
  Pattern(Pattern&&) noexcept;
  Pattern& operator=(Pattern&&) noexcept;

  // True when the expression matches anywhere in `text`.
  bool Matches(std::string_view text) const;
  // False when `text` cannot match (it lacks the literal start every match
  // has): a test far cheaper than Matches, for callers that remember answers.
  bool MayMatch(std::string_view text) const;
  const std::string& expression() const { return expression_; }

 private:
  struct Impl;
  std::string expression_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gleak
