// What the lines around the goroutines say about why the dump was printed:
// the panic and its value, the fatal error, the test that hung or leaked,
// and which goroutine crashed. Read by the parser from the preamble and the
// test log; shown per input in the report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gleak {

// One `panic: V` line of a panic chain, in the order Go prints them: a
// recovered panic first, the one that ended the program last.
struct PanicEntry {
  std::string value;        // lines of a multi-line value joined by "\n"
  bool recovered = false;   // ` [recovered]`: recovered, then a new panic followed
  bool repanicked = false;  // ` [recovered, repanicked]` (Go 1.23+): panic(recover())
};

struct ProducerDetail {
  std::vector<PanicEntry> panics;  // the first panic block of the input
  std::string fatal_error;         // "all goroutines are asleep - deadlock!"
  // The test the dump is about: for a test timeout the first of `running
  // tests:` (Go 1.20+), for goleak the test whose log holds the report.
  std::string test_name;
  std::string test_timeout;  // "2s" of `panic: test timed out after 2s`
  bool has_test_timeout_seconds = false;
  double test_timeout_seconds = 0;
  // The first goroutine printed after a panic or a fatal error, when it is
  // `[running]`: the one that panicked (for a test timeout, the testing
  // package's alarm goroutine).
  bool has_crashed_goroutine = false;
  uint64_t crashed_goroutine = 0;

  // The value of the panic that ended the program; empty without a panic.
  const std::string& panic_value() const {
    static const std::string kNone;
    return panics.empty() ? kNone : panics.back().value;
  }
  bool panic_recovered() const {
    for (const PanicEntry& p : panics) {
      if (p.recovered || p.repanicked) return true;
    }
    return false;
  }
};

}  // namespace gleak
