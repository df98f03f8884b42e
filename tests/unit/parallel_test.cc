#include "base/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

namespace gleak {
namespace {

TEST(ForEachOnThreads, CallsTheBodyOnceForEveryItem) {
  for (size_t threads : {0, 1, 2, 8}) {
    std::vector<std::atomic<int>> calls(1000);
    ForEachOnThreads(calls.size(), threads, [&](size_t i) { ++calls[i]; });
    for (size_t i = 0; i < calls.size(); ++i) ASSERT_EQ(calls[i], 1) << i << " " << threads;
  }
  ForEachOnThreads(0, 4, [](size_t) { FAIL() << "no items, no calls"; });
}

TEST(ForEachOnThreads, RethrowsTheLowestFailingItemsErrorAfterEveryThreadEnds) {
  std::atomic<int> running{0};
  try {
    ForEachOnThreads(64, 4, [&](size_t i) {
      ++running;
      if (i == 5 || i == 9) {
        --running;
        throw std::runtime_error("item " + std::to_string(i));
      }
      --running;
    });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    // Items 5 and 9 may both have run (on two threads); 5 wins. No thread is
    // still running once the exception reaches the caller.
    EXPECT_EQ(std::string(e.what()), "item 5");
    EXPECT_EQ(running, 0);
  }
}

}  // namespace
}  // namespace gleak
