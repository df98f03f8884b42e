// What a live poll of a pprof URL fetches (gleak watch, gleak serve, gleak
// analyze URL): the goroutine profile, or, when the target serves it, the
// goroutine-leak profile beside it. At debug=2 that endpoint runs the Go
// runtime's leak detector and then prints every goroutine, the leaked ones
// marked "(leaked)": the goroutine profile with the runtime's proof in it, of
// one moment, in one fetch. Go 1.27 serves it by default, Go 1.26 when built
// with GOEXPERIMENT=goroutineleakprofile; older ones answer 404.
#pragma once

#include <optional>
#include <string>

#include "pipeline/analyze.h"

namespace gleak {

class LiveFetch {
 public:
  // `url`: the URL given (debug=2 is added as AnalyzeOne adds it).
  // `use_leak_profile`: false (--no-leak-profile) never asks for it.
  LiveFetch(std::string url, bool use_leak_profile);

  // One snapshot: the first good answer settles whether the leak profile is
  // served; until then each poll asks for it first.
  Report Fetch(const AnalyzeOptions& options);

  enum class Proof {
    kUnknown,    // not settled yet (no answer so far)
    kServed,     // the leak profile is fetched in place of the goroutine profile
    kNotServed,  // the target answered 404 for it
    kNotAsked,   // not a goroutine profile at debug=2, or --no-leak-profile
  };
  Proof proof() const { return proof_; }
  // What to tell the user once the proof is settled ("" while unknown, or
  // when not asked because of --no-leak-profile).
  std::string Note() const;
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::optional<std::string> leak_url_;
  Proof proof_ = Proof::kUnknown;
  bool disabled_ = false;         // --no-leak-profile
  bool asked_elsewhere_ = false;  // a goroutine profile at another debug level
};

}  // namespace gleak
