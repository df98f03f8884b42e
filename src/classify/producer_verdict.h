// What the program that printed a dump judged of its goroutines. The runtime's
// leak detector, its deadlock detector, goleak and a hung test each say more
// about a goroutine than anything gleak can read from its stack, so the
// classifier ranks these signals above all others (docs/rules.md, "The
// suspicion model").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/goroutine.h"

namespace gleak {

enum class ProducerJudgement {
  kNone,
  kLeakProfile,     // a goroutineleak profile: every goroutine in it proven leaked
  kDeadlock,        // "all goroutines are asleep - deadlock!": every blocked one is stuck
  kBubbleDeadlock,  // a deadlocked synctest bubble: its durably blocked goroutines
  kGoleak,          // goleak's "found unexpected goroutines": each outlived its test
  kTestTimeout,     // "test timed out": goroutines blocked about as long as the test ran
  kNoGoroutines,    // "no goroutines (main called runtime.Goexit) - deadlock!": none printed
};

struct ProducerVerdict {
  ProducerJudgement judgement = ProducerJudgement::kNone;
  // kTestTimeout: the test's -timeout, and the least wait, in whole minutes as
  // headers print them, that says a goroutine has waited about that long.
  double test_timeout_seconds = 0;
  uint64_t min_wait_minutes = 0;
  bool proof() const {
    return judgement == ProducerJudgement::kLeakProfile ||
           judgement == ProducerJudgement::kDeadlock;
  }
};

// `producer_line` is the line that named the producer (ParseSummary).
ProducerVerdict JudgeProducer(DumpProducer producer, std::string_view producer_line);

// For people: what the verdict means for this input's goroutines.
std::string DescribeVerdict(const ProducerVerdict& verdict, uint64_t goroutines);

}  // namespace gleak
