#include "report/spawn_tree.h"

#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace gleak {
namespace {

// A group's input: groups of different inputs never link (unless merged).
size_t InputOf(const Report& report, const Group& g) {
  return report.merged || g.inputs.empty() ? 0 : g.inputs.front().input;
}

// The tree of `groups`, where inputs[i] is the input of groups[i].
std::vector<SpawnRow> Build(const std::vector<const Group*>& groups,
                            const std::vector<size_t>& inputs) {
  std::map<std::pair<size_t, std::string>, size_t> where;
  for (size_t i = 0; i < groups.size(); ++i)
    where.emplace(std::make_pair(inputs[i], groups[i]->id), i);
  auto find = [&](size_t input, const std::string& id) -> size_t {
    auto it = where.find({input, id});
    return it == where.end() ? SIZE_MAX : it->second;
  };
  std::vector<SpawnRow> rows;
  std::vector<bool> shown(groups.size(), false);
  // Depth-first with an explicit stack: a chain of many groups must not
  // exhaust the call stack.
  auto walk = [&](size_t root) {
    // Each entry carries the index of its parent's row, to count children.
    std::vector<std::pair<SpawnRow, size_t>> stack{
        {SpawnRow{root, 0, groups[root]->count, false}, SIZE_MAX}};
    while (!stack.empty()) {
      auto [row, parent] = stack.back();
      stack.pop_back();
      row.repeat = shown[row.group];
      if (parent != SIZE_MAX) ++rows[parent].children;
      rows.push_back(row);
      if (row.repeat) continue;
      shown[row.group] = true;
      size_t here = rows.size() - 1;
      const Group& g = *groups[row.group];
      size_t input = inputs[row.group];
      for (auto it = g.child_groups.rbegin(); it != g.child_groups.rend(); ++it) {
        size_t child = find(input, it->id);
        if (child == SIZE_MAX || child == row.group) continue;
        stack.push_back({SpawnRow{child, row.depth + 1, it->count, false}, here});
      }
    }
  };
  for (size_t i = 0; i < groups.size(); ++i) {
    bool has_parent = false;
    for (const GroupLink& p : groups[i]->parent_groups) {
      size_t parent = find(inputs[i], p.id);
      has_parent |= parent != SIZE_MAX && parent != i;
    }
    if (!has_parent && !shown[i]) walk(i);
  }
  // What is left hangs in a cycle of groups that create each other.
  for (size_t i = 0; i < groups.size(); ++i) {
    if (!shown[i]) walk(i);
  }
  return rows;
}

}  // namespace

std::vector<SpawnRow> BuildSpawnTree(const Report& report) {
  std::vector<const Group*> groups;
  std::vector<size_t> inputs;
  groups.reserve(report.groups.size());
  inputs.reserve(report.groups.size());
  for (const Group& g : report.groups) {
    groups.push_back(&g);
    inputs.push_back(InputOf(report, g));
  }
  return Build(groups, inputs);
}

std::vector<SpawnRow> BuildSpawnTree(const std::vector<const Group*>& groups) {
  return Build(groups, std::vector<size_t>(groups.size(), 0));
}

void AddDiffSpawnTree(DiffReport* diff) {
  std::vector<const Group*> present;
  std::vector<size_t> track_of;
  for (size_t i = 0; i < diff->tracks.size(); ++i) {
    if (diff->tracks[i].counts.empty() || diff->tracks[i].counts.back() == 0) {
      continue;  // gone: its group is an older snapshot's
    }
    present.push_back(&diff->tracks[i].group);
    track_of.push_back(i);
  }
  diff->spawn_tree.clear();
  diff->spawn_links = false;
  // (parent track, child track id) -> goroutines created in the first snapshot.
  std::map<std::pair<size_t, std::string_view>, uint64_t> first;
  for (size_t i = 0; i < diff->tracks.size(); ++i) {
    for (const GroupLink& child : diff->tracks[i].first_child_groups)
      first.emplace(std::make_pair(i, std::string_view(child.id)), child.count);
  }
  std::vector<size_t> path;  // the track of the row above at each depth
  for (SpawnRow row : BuildSpawnTree(present)) {
    row.group = track_of[row.group];
    const Track& t = diff->tracks[row.group];
    DiffSpawnRow d;
    path.resize(row.depth);
    if (row.depth == 0) {
      // Two groups of the newest snapshot may make one track: its count is theirs.
      row.count = t.counts.back();
      d.old_count = t.counts.front();
    } else if (diff->first_linked) {
      auto it = first.find({path.back(), std::string_view(t.id)});
      d.old_count = it == first.end() ? 0 : it->second;
    }
    if (d.old_count)
      d.growth = static_cast<int64_t>(row.count) - static_cast<int64_t>(*d.old_count);
    path.push_back(row.group);
    d.row = row;
    diff->spawn_links |= row.depth > 0 || t.group.spawned_by_exited > 0;
    diff->spawn_tree.push_back(d);
  }
}

}  // namespace gleak
