// The hot path allocates nothing per goroutine: parsing and clustering a dump
// sixteen times over (the same groups, sixteen times the goroutines) costs
// about as many allocations as parsing it once. A change that allocated per
// line, per frame or per goroutine would add thousands. This binary replaces
// the global allocator with a counting one, so it is a test program of its own.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>

#include "gleak/cluster/clusterer.h"
#include "gleak/cluster/object_index.h"
#include "gleak/input/byte_source.h"
#include "gleak/parse/dump_parser.h"
#include "support/test_support.h"

namespace {
std::atomic<uint64_t> g_allocations{0};

void* CountedAllocation(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return CountedAllocation(n); }
void* operator new[](std::size_t n) { return CountedAllocation(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace gleak {
namespace {

namespace fs = std::filesystem;

struct Work {
  uint64_t allocations = 0;
  uint64_t goroutines = 0;
};

// The clusterer with the object index beside it, as the analysis runs them.
class ClusterAndIndex : public RecordSink {
 public:
  explicit ClusterAndIndex(const ClusterOptions& options) : clusterer(options) {}
  void OnGoroutine(const Goroutine& g) override {
    clusterer.OnGoroutine(g);
    objects.Add(g, clusterer.last_group());
  }
  bool wants_stack_keys() const override { return clusterer.wants_stack_keys(); }
  Clusterer clusterer;
  ObjectIndex objects;
};

Work ParseAndCluster(const std::string& bytes, GroupingLevel level) {
  auto source = MemorySource("dump", bytes);  // copied before counting starts
  ClusterOptions options;
  options.level = level;
  ClusterAndIndex sink(options);
  uint64_t before = g_allocations.load();
  ParseSource(*source, sink);
  return Work{g_allocations.load() - before, sink.clusterer.goroutines()};
}

TEST(HotPath, NoAllocationPerGoroutine) {
  fs::path dumps = testing::SourceDir() / "testdata" / "dumps" / "go1.26";
  for (const char* name :
       {"chansend/http_debug2.txt", "deep/http_debug2.txt", "labels/labels_debug2.txt",
        "labels/http_debug1.txt", "httpserve/sigquit.txt"}) {
    SCOPED_TRACE(name);
    std::string once = testing::ReadFile(dumps / name) + "\n";
    std::string many;
    for (int i = 0; i < 16; ++i) many += once;
    for (GroupingLevel level : {GroupingLevel::kLine, GroupingLevel::kExact}) {
      SCOPED_TRACE(std::string(GroupingLevelName(level)));
      Work one = ParseAndCluster(once, level);
      Work sixteen = ParseAndCluster(many, level);
      ASSERT_EQ(sixteen.goroutines, 16 * one.goroutines);
      ASSERT_GT(one.allocations, 0u) << "the counting allocator is not in use";
      // Vectors may still grow once or twice (a larger record seen later).
      EXPECT_LE(sixteen.allocations, one.allocations + 16)
          << one.goroutines << " goroutines: " << one.allocations << " allocations; "
          << sixteen.goroutines << " goroutines: " << sixteen.allocations;
    }
  }
}

}  // namespace
}  // namespace gleak
