// A group: goroutines that wait in the same place, as the clusterer folds
// them. Owned strings: a group outlives the records it was made from.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/objects.h"

namespace gleak {

// How much of a stack two goroutines must share to be grouped together.
enum class GroupingLevel {
  kExact,  // functions, files, lines and argument values
  kLine,   // functions, files and lines (the default)
  kFunc,   // function names only: survives a redeploy that moved lines
  kTop,    // the wait state and the first user frame only
};

std::string_view GroupingLevelName(GroupingLevel level);
bool ParseGroupingLevel(std::string_view name, GroupingLevel* level);

struct StackFrame {
  std::string func;
  std::string file;
  uint64_t line = 0;
  bool inlined = false;
  // Where the file's name for people starts in `file`: GOROOT, the module
  // cache or the report's common user directory left out (set by the
  // report). An offset, not a copy: a report holds a frame per line of each
  // of thousands of stacks.
  uint32_t short_file_from = 0;
  std::string_view short_file() const {
    return std::string_view(file).substr(std::min<size_t>(short_file_from, file.size()));
  }
  // What evidence and text name the file by: the short name, or the file as
  // printed when nothing is left of it.
  std::string_view shown_file() const {
    std::string_view s = short_file();
    return s.empty() ? std::string_view(file) : s;
  }
};

struct Creator {
  StackFrame frame;  // the function with the `go` statement, at that line
  uint64_t count = 0;
};

struct LabelSet {
  std::vector<std::pair<std::string, std::string>> labels;  // sorted by key
  uint64_t count = 0;
};

// Goroutines of one group created by goroutines of another (`created by F in
// goroutine N`, Go 1.21+): the spawn tree, within one input.
struct GroupLink {
  std::string id;      // the other group's id
  uint64_t count = 0;  // goroutines of the child group whose parent is in that group
};

struct InputShare {
  size_t input = 0;  // index into Report::inputs
  uint64_t count = 0;
};

enum class Confidence { kLow, kMedium, kHigh };
std::string_view ConfidenceName(Confidence confidence);

// One fact a finding rests on: the state, a frame, the creator, a source line.
struct Evidence {
  std::string kind;  // "state", "frame", "creator", "count", "source"
  std::string text;
};

// Lines of source shown with a finding (--source-root).
struct SourceSnippet {
  std::string role;   // "blocks here", "go statement"
  std::string file;   // as found on disk
  uint64_t line = 0;  // the line the role is about
  uint64_t first_line = 0;
  std::vector<std::string> lines;
  // Where the file was found: "--source-root", "path as printed", "GOROOT",
  // "GOMODCACHE".
  std::string origin;
};

// Text that many findings hold alike (a rule's explanation and fix): one
// copy however many groups a rule classifies; thousands of groups each held
// a copy of over a kilobyte.
class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string text)  // NOLINT: implicit, as the std::string it stands for
      : text_(text.empty() ? nullptr : std::make_shared<const std::string>(std::move(text))) {}
  const std::string& str() const { return text_ ? *text_ : Empty(); }
  bool empty() const { return !text_; }

 private:
  static const std::string& Empty() {
    static const std::string empty;
    return empty;
  }
  std::shared_ptr<const std::string> text_;
};

// What the classifier says of a group.
struct Finding {
  std::string pattern = "unclassified";  // a rule id: "chan-send", "http-serve", ...
  std::string title;
  Confidence confidence = Confidence::kLow;
  std::string reason;  // why this confidence
  std::vector<Evidence> evidence;
  SharedText explanation;
  SharedText fix;
  std::vector<std::string> also_matched;  // other patterns whose rules matched, by priority
  bool benign = false;                    // runtime or infrastructure: not a leak
  bool suspect = false;                   // a leak pattern past the thresholds, or proven
  bool proven = false;  // the runtime proved them stuck: (leaked), a leak profile, a deadlock
  // The strongest signal that made the suspect, from the strongest down:
  // "proof", "producer", "certain", "object", "wait", "count" ("growth" in diff
  // and watch); "" when not a suspect. docs/rules.md, "The suspicion model".
  std::string suspect_signal;
  std::string suspect_reason;
  // Shared: the groups one `go` statement starts (thousands, at times) show
  // the same lines of it.
  std::vector<std::shared_ptr<const SourceSnippet>> source;
};

struct Group {
  std::string id;        // 16 hex digits, a hash of the signature: stable across runs
  std::string func_id;   // the id at --group-by func (matches across redeploys)
  std::string shape_id;  // function names alone, no state or creator (matches across formats)
  uint64_t count = 0;
  std::string state;  // normalized wait state; "" when the dump has none (debug=1)
  uint64_t min_wait_minutes = 0;
  uint64_t max_wait_minutes = 0;
  uint64_t locked_to_thread = 0;      // goroutines with `locked to thread`
  uint64_t leaked = 0;                // goroutines the runtime marked `(leaked)`, or listed in
                                      // a goroutine-leak profile
  uint64_t durable = 0;               // goroutines durably blocked in a synctest bubble
  uint64_t truncated = 0;             // stacks cut by the end of the input or the 100-frame limit
  size_t top_frame = 0;               // index into frames: the first frame in user code
  std::vector<StackFrame> frames;     // one representative stack, innermost first
  std::vector<Creator> creators;      // most common first
  uint64_t creators_not_listed = 0;   // goroutines whose creator fell beyond the list
  std::vector<uint64_t> sample_ids;   // a few goroutine ids, ascending
  std::vector<uint64_t> creator_ids;  // a few parent goroutine ids (`in goroutine N`)
  std::vector<LabelSet> label_sets;   // most common first
  uint64_t labels_not_listed = 0;     // labelled goroutines whose label set fell beyond the list
  std::vector<InputShare> inputs;     // which inputs hold these goroutines
  // --by-label KEY: the value of that label its goroutines share
  // (has_label_value false: they carry no such label). label_key is empty
  // when groups are not split by a label.
  std::string label_key;
  std::string label_value;
  bool has_label_value = false;
  // The spawn tree (cluster/spawn_index.h), from parent ids: the groups whose
  // goroutines created this group's, and the groups this group's goroutines
  // created, the most goroutines first.
  std::vector<GroupLink> parent_groups;
  std::vector<GroupLink> child_groups;
  // Goroutines whose parent (`in goroutine N`) is not in the dump: it has
  // exited. `exited_parents` counts those parents: many children of many
  // exited parents is the mark of a goroutine spawned per request and left.
  uint64_t spawned_by_exited = 0;
  uint64_t exited_parents = 0;
  bool overflow = false;            // the overflow group (below)
  std::vector<ObjectRef> objects;   // objects its goroutines wait on, the most waiters first
  uint64_t objects_not_listed = 0;  // goroutines waiting on further objects
  ObjectFacts object_facts;         // set before classification (model/objects.h)
  Finding finding;                  // set by the classifier
};

// The overflow group. Past ClusterOptions::max_groups distinct groups, a
// goroutine whose group is not among them is counted in this one group of an
// input (of the run with --merge) instead of a group of its own, so that memory
// stays bounded whatever the input. It has no frames, creators or labels; its
// id and state are the same in every run.
inline constexpr std::string_view kOverflowGroupId = "ffffffffffffffff";
inline constexpr std::string_view kOverflowState = "overflow";

// Makes `g` the overflow group: keeps its counts, waits, sample and parent ids
// and inputs; drops its stack, creators and labels; sets the id and the state.
void MakeOverflow(Group* g);

}  // namespace gleak
