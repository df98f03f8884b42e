// Reads the Go source a dump was built from (--source-root), so that rules
// can look at the line a group blocks on and at its `go` statement.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "classify/go_source.h"

namespace gleak {

struct PathRewrite {
  std::string from;  // a prefix of paths as the dump prints them
  std::string to;    // what it is on this machine
};

// "OLD=NEW" -> PathRewrite; throws gleak::Error (kUsage) when malformed.
PathRewrite ParsePathRewrite(const std::string& text);

// A directory whose Go files may be quoted in a report: --source-root (and
// the directories --rewrite maps to); the automatic source lookup uses it for
// GOROOT, GOMODCACHE and the paths a dump prints. A dump is untrusted text:
// whatever path it names, only Go source inside the root is ever read.
class QuotableRoot {
 public:
  // The root's real path is taken once; a root that does not exist quotes nothing.
  explicit QuotableRoot(const std::string& dir);

  // The real path of `file` when it may be read and quoted from this root: a
  // regular file named *.go, under its own name and its real one, whose real
  // path (symbolic links and ".." resolved) lies inside the real root. ""
  // otherwise: a link to /etc/passwd, a linked directory that leads outside,
  // an absolute path elsewhere, a directory or device named x.go.
  std::string MayQuote(const std::string& file) const;

  const std::string& real_root() const { return real_root_; }

 private:
  std::string real_root_;
};

class SourceTree {
 public:
  // `root` and `rewrites` may be empty. With `local_go`, files not found that
  // way are looked for as the dump prints them, in GOROOT and in GOMODCACHE.
  SourceTree(std::string root, std::vector<PathRewrite> rewrites,
             std::optional<LocalGoEnvironment> local_go = std::nullopt);

  // The lines of the file a dump names, or nullptr when it cannot be found.
  // Rewrites apply first; then the path is looked up under the root, trying
  // ever shorter tails of it ("/build/x/pkg/a.go" finds ROOT/pkg/a.go).
  const std::vector<std::string>* Lines(std::string_view dump_path);
  // The real path on disk of the file a dump names, or "": only a file that
  // one of the roots may quote (QuotableRoot::MayQuote).
  std::string Resolve(std::string_view dump_path);
  // Where Resolve() found it: "--source-root", "path as printed", "GOROOT",
  // "GOMODCACHE"; "" when not found.
  std::string Origin(std::string_view dump_path);

  // True when the user named where the source is (--source-root, --rewrite).
  bool named_by_user() const { return !root_.empty() || !rewrites_.empty(); }

  // True when a `defer NAME(` or `defer x.NAME(` statement calls the function
  // `name` anywhere in the tree.
  bool CalledByDefer(std::string_view name);

  // InsideDeferredClosure() at `line` of the file a dump names, remembered
  // per position: one `go` statement often starts thousands of groups, and
  // each answer walks up to 200 lines. False when the file is not found.
  bool InDeferredClosure(std::string_view dump_path, uint64_t line);

 private:
  std::string root_;
  std::vector<PathRewrite> rewrites_;
  std::vector<QuotableRoot> roots_;  // the root, then each --rewrite target
  std::optional<LocalGoEnvironment> local_go_;
  std::map<std::string, std::string, std::less<>> origins_;
  std::map<std::string, std::optional<std::vector<std::string>>, std::less<>> files_;
  std::map<std::string, std::string, std::less<>> resolved_;
  std::optional<std::set<std::string, std::less<>>> deferred_names_;
  std::map<std::pair<std::string, uint64_t>, bool> in_deferred_closure_;
};

// Source facts about a position, for the rules.
// Lines of the select statement that starts at `line` (1-based), or "".
std::string SelectCases(const std::vector<std::string>& lines, size_t line);
// True when `line` (1-based) is inside a `defer func() { ... }()` literal.
bool InsideDeferredClosure(const std::vector<std::string>& lines, size_t line);

}  // namespace gleak
