// SnapshotTracker (src/diff/diff.cc) on real dumps of the fixture programs:
// it gives what DiffSnapshots gives, thins its history past max_history and
// forgets the tracks gone the longest past max_tracks.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "diff/diff.h"
#include "pipeline/analyze.h"
#include "support/test_support.h"

namespace gleak {
namespace {

Report Snapshot(const std::string& dump) {
  AnalyzeOptions options;
  options.source_root.clear();
  return AnalyzeOne(options, testing::Dump(dump).string());
}

const char* const kA = "go1.26/chansend/http_debug2.txt";
const char* const kB = "go1.26/waitgroup/http_debug2.txt";

TEST(Tracker, ThinsItsHistoryKeepingTheFirstTheLatestAndEveryFigure) {
  DiffOptions options;
  options.max_history = 4;
  SnapshotTracker tracker(options);
  // A, B, A, B, ...: A's groups are present every other snapshot.
  SnapshotTracker unbounded{DiffOptions{}};
  for (int i = 0; i < 11; ++i) {
    tracker.Add(Snapshot(i % 2 == 0 ? kA : kB));
    unbounded.Add(Snapshot(i % 2 == 0 ? kA : kB));
  }
  DiffReport diff = tracker.Current();
  EXPECT_EQ(diff.snapshots_taken, 11u);
  ASSERT_LE(diff.kept.size(), 4u);
  EXPECT_EQ(diff.kept.front(), 1u);
  EXPECT_EQ(diff.kept.back(), 11u);
  EXPECT_EQ(diff.snapshots.size(), diff.kept.size());
  EXPECT_EQ(diff.totals.goroutines.size(), diff.kept.size());
  std::set<std::string> sometimes_absent;
  for (const Track& t : unbounded.Current().tracks) {
    if (std::count(t.counts.begin(), t.counts.end(), 0u) > 0) sometimes_absent.insert(t.id);
  }
  size_t a_only = 0;
  for (const Track& t : diff.tracks) {
    ASSERT_EQ(t.counts.size(), diff.kept.size());
    EXPECT_GT(t.max_count, 0u) << t.id;
    if (!sometimes_absent.count(t.id)) continue;
    // A group of A alone is absent from every other snapshot: its minimum is
    // 0 even when every kept snapshot holds it, and it falls back.
    ++a_only;
    EXPECT_EQ(t.min_count, 0u) << t.id;
    EXPECT_FALSE(t.monotonic) << t.id;
  }
  EXPECT_GT(a_only, 0u);
}

TEST(Tracker, WithoutBoundsItIsDiffSnapshots) {
  std::vector<Report> reports = {Snapshot(kA), Snapshot(kB), Snapshot(kA)};
  SnapshotTracker tracker(DiffOptions{});
  for (const Report& r : reports) tracker.Add(r);
  DiffReport one_by_one = tracker.Current();
  DiffReport all = DiffSnapshots(reports, DiffOptions{});
  ASSERT_EQ(one_by_one.tracks.size(), all.tracks.size());
  for (size_t i = 0; i < all.tracks.size(); ++i) {
    EXPECT_EQ(one_by_one.tracks[i].id, all.tracks[i].id);
    EXPECT_EQ(one_by_one.tracks[i].counts, all.tracks[i].counts);
  }
  // The top of a tick's view is the whole diff's top.
  DiffReport top = tracker.Current(2);
  ASSERT_EQ(top.tracks.size(), 2u);
  EXPECT_EQ(top.tracks[0].id, all.tracks[0].id);
  EXPECT_EQ(top.totals.tracks, all.totals.tracks);
  EXPECT_EQ(top.totals.top_explaining, all.totals.top_explaining);
}

TEST(Tracker, ForgetsTheTracksGoneTheLongestPastMaxTracks) {
  SnapshotTracker unbounded(DiffOptions{});
  unbounded.Add(Snapshot(kA));
  unbounded.Add(Snapshot(kB));
  const size_t a_and_b = unbounded.Current().tracks.size();
  DiffOptions options;
  const size_t b_alone = [] {
    SnapshotTracker t(DiffOptions{});
    t.Add(Snapshot(kB));
    return t.Current().tracks.size();
  }();
  ASSERT_GT(a_and_b, b_alone);
  options.max_tracks = b_alone;
  SnapshotTracker tracker(options);
  tracker.Add(Snapshot(kA));
  tracker.Add(Snapshot(kB));
  DiffReport diff = tracker.Current();
  // A's groups, gone now, are forgotten; B's, present, are all kept.
  EXPECT_LE(diff.tracks.size(), b_alone);
  for (const Track& t : diff.tracks) EXPECT_GT(t.counts.back(), 0u) << t.id;
}

}  // namespace
}  // namespace gleak
