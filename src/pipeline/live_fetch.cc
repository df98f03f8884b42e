#include "pipeline/live_fetch.h"

#include <fmt/core.h>

#include "base/redact.h"
#include "input/http_source.h"

namespace gleak {

LiveFetch::LiveFetch(std::string url, bool use_leak_profile)
    : url_(std::move(url)), disabled_(!use_leak_profile) {
  bool added = false;
  std::string fetched = WithDebugParameter(url_, &added);
  if (use_leak_profile) leak_url_ = LeakProfileUrl(fetched);
  // Only a goroutine profile at debug=2 has a leak profile beside it.
  asked_elsewhere_ = !leak_url_ && fetched.find("/debug/pprof/goroutine?") != std::string::npos;
  if (!leak_url_) proof_ = Proof::kNotAsked;
}

Report LiveFetch::Fetch(const AnalyzeOptions& options) {
  if (proof_ == Proof::kServed) return AnalyzeOne(options, *leak_url_);
  if (proof_ == Proof::kUnknown) {
    Report leak = AnalyzeOne(options, *leak_url_);
    const InputReport& input = leak.inputs.front();
    if (input.error.empty() && input.goroutines > 0) {
      proof_ = Proof::kServed;
      return leak;
    }
    // A 404 settles it; any other failure (the target is down) is asked
    // again at the next poll, after this one's goroutine profile.
    if (input.error.find("answered HTTP 404") != std::string::npos) proof_ = Proof::kNotServed;
  }
  return AnalyzeOne(options, url_);
}

std::string LiveFetch::Note() const {
  switch (proof_) {
    case Proof::kServed:
      return fmt::format(
          "the target serves the goroutine-leak profile: reading {} (every goroutine, the ones "
          "the runtime's leak detector proved leaked marked) in place of the goroutine profile",
          RedactUrlPasswords(*leak_url_));
    case Proof::kNotServed:
      return "the target does not serve /debug/pprof/goroutineleak (Go 1.27 does; Go 1.26 "
             "with GOEXPERIMENT=goroutineleakprofile): no group can be proven leaked, "
             "suspects are judged from their stacks and growth";
    case Proof::kNotAsked:
      return !disabled_ && asked_elsewhere_
                 ? "the goroutine-leak profile is read beside a goroutine profile at debug=2 "
                   "only: no group can be proven leaked at this debug level"
                 : "";
    case Proof::kUnknown:
      break;
  }
  return "";
}

}  // namespace gleak
