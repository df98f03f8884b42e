#include "base/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace gleak {

void ForEachOnThreads(size_t items, size_t threads, const std::function<void(size_t)>& body) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  size_t failed_item = items;
  std::exception_ptr error;
  auto work = [&] {
    for (size_t i = next++; i < items && !failed; i = next++) {
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (i < failed_item) {
          failed_item = i;
          error = std::current_exception();
        }
        failed = true;
      }
    }
  };
  size_t workers = std::min(std::max<size_t>(threads, 1), std::max<size_t>(items, 1));
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace gleak
