#include "classify/producer_verdict.h"

#include <fmt/core.h>

#include <cmath>

#include "base/duration.h"

namespace gleak {

ProducerVerdict JudgeProducer(DumpProducer producer, std::string_view line) {
  ProducerVerdict v;
  switch (producer) {
    case DumpProducer::kGoroutineLeakProfile:
      v.judgement = ProducerJudgement::kLeakProfile;
      break;
    case DumpProducer::kFatalError:
      // Other fatal errors (concurrent map writes, out of memory) say nothing
      // of the other goroutines.
      if (line.find("all goroutines are asleep") != std::string_view::npos)
        v.judgement = ProducerJudgement::kDeadlock;
      if (line.starts_with("fatal error: no goroutines"))
        v.judgement = ProducerJudgement::kNoGoroutines;
      break;
    case DumpProducer::kPanic:
      // testing/synctest: "deadlock: all goroutines in bubble are blocked", or
      // "... main bubble goroutine has exited but blocked goroutines remain".
      if (line.starts_with("panic: deadlock: ")) v.judgement = ProducerJudgement::kBubbleDeadlock;
      break;
    case DumpProducer::kGoleak:
      v.judgement = ProducerJudgement::kGoleak;
      break;
    case DumpProducer::kTestTimeout: {
      v.judgement = ProducerJudgement::kTestTimeout;
      constexpr std::string_view kPrefix = "panic: test timed out after ";
      std::string_view rest = line.substr(std::min(line.size(), kPrefix.size()));
      rest = rest.substr(0, rest.find_first_of(" \t\r"));
      if (std::optional<double> seconds = ParseDuration(rest)) {
        v.test_timeout_seconds = *seconds;
        // Headers print whole minutes, rounded down, from one minute on. A
        // goroutine that has waited half the timeout or more has waited "about
        // as long as the test ran"; below two minutes every wait prints 0.
        v.min_wait_minutes = static_cast<uint64_t>(std::floor(*seconds / 60.0 / 2.0));
      }
      break;
    }
    default:
      break;
  }
  return v;
}

std::string DescribeVerdict(const ProducerVerdict& v, uint64_t goroutines) {
  switch (v.judgement) {
    case ProducerJudgement::kLeakProfile:
      return goroutines == 0
                 ? "the runtime's leak detector found no leaked goroutines"
                 : fmt::format("the runtime's leak detector proved {} goroutine{} leaked",
                               goroutines, goroutines == 1 ? "" : "s");
    case ProducerJudgement::kDeadlock:
      return "the runtime stopped the program: all goroutines are asleep (deadlock); every "
             "blocked goroutine is proven stuck";
    case ProducerJudgement::kBubbleDeadlock:
      return "a synctest bubble deadlocked: its durably blocked goroutines can never wake";
    case ProducerJudgement::kGoleak:
      return "goleak found goroutines still running after the test: each is a leak by the "
             "test's own judgement";
    case ProducerJudgement::kTestTimeout:
      return v.test_timeout_seconds > 0
                 ? fmt::format(
                       "a test hung and timed out after {}s: goroutines blocked about "
                       "as long as it ran are suspects",
                       v.test_timeout_seconds)
                 : "a test hung and timed out: goroutines blocked about as long as it ran are "
                   "suspects";
    case ProducerJudgement::kNoGoroutines:
      return "the runtime stopped the program: main called runtime.Goexit and no goroutine was "
             "left to run (deadlock); no goroutine is blocked, so none leaked";
    case ProducerJudgement::kNone:
      break;
  }
  return {};
}

}  // namespace gleak
