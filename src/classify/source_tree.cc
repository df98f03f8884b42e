#include "classify/source_tree.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "base/error.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxIndexedFiles = 20000;
constexpr uintmax_t kMaxFileBytes = 4 << 20;

std::optional<std::vector<std::string>> ReadLines(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec) || fs::file_size(path, ec) > kMaxFileBytes)
    return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

bool IsIdent(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Braces on a line outside string and rune literals and comments.
void CountBraces(std::string_view line, int* open, int* close) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote != 0) {
      if (c == '\\' && quote != '`') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') return;
    if (c == '"' || c == '\'' || c == '`') quote = c;
    if (c == '{') ++*open;
    if (c == '}') ++*close;
  }
}

}  // namespace

PathRewrite ParsePathRewrite(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    ThrowUsageError(
        "--rewrite takes OLD=NEW (a path prefix in the dump and its place here), got '" + text +
        "'");
  }
  return PathRewrite{text.substr(0, eq), text.substr(eq + 1)};
}

QuotableRoot::QuotableRoot(const std::string& dir) {
  std::error_code ec;
  if (dir.empty()) return;
  fs::path real = fs::canonical(dir, ec);
  if (!ec && fs::is_directory(real, ec)) real_root_ = real.string();
}

std::string QuotableRoot::MayQuote(const std::string& file) const {
  if (real_root_.empty() || !file.ends_with(".go")) return {};
  std::error_code ec;
  fs::path real = fs::canonical(file, ec);
  if (ec || real.extension() != ".go" || !fs::is_regular_file(real, ec)) return {};
  std::string text = real.string();
  bool inside =
      real_root_ == "/" || (text.size() > real_root_.size() && text.starts_with(real_root_) &&
                            text[real_root_.size()] == '/');
  return inside ? text : std::string();
}

SourceTree::SourceTree(std::string root, std::vector<PathRewrite> rewrites,
                       std::optional<LocalGoEnvironment> local_go)
    : root_(std::move(root)), rewrites_(std::move(rewrites)), local_go_(std::move(local_go)) {
  roots_.emplace_back(root_);
  for (const PathRewrite& r : rewrites_) {
    // The user named this place; a prefix that is no directory stands for its parent's files.
    std::error_code ec;
    roots_.emplace_back(fs::is_directory(r.to, ec) ? r.to : fs::path(r.to).parent_path().string());
  }
}

std::string SourceTree::Origin(std::string_view dump_path) {
  Resolve(dump_path);
  auto it = origins_.find(dump_path);
  return it == origins_.end() ? std::string() : it->second;
}

std::string SourceTree::Resolve(std::string_view dump_path) {
  if (auto it = resolved_.find(dump_path); it != resolved_.end()) return it->second;
  // A dump is untrusted text: only Go source files are ever read, and never
  // through "..", whatever paths it names.
  if (!dump_path.ends_with(".go") || dump_path.find("..") != std::string_view::npos) {
    resolved_.emplace(std::string(dump_path), std::string());
    return {};
  }
  std::string path(dump_path);
  for (const PathRewrite& r : rewrites_) {
    if (path.starts_with(r.from)) {
      path = r.to + path.substr(r.from.size());
      break;
    }
  }
  auto quotable = [&](const std::string& candidate) {
    for (const QuotableRoot& r : roots_) {
      std::string real = r.MayQuote(candidate);
      if (!real.empty()) return real;
    }
    return std::string();
  };
  std::string found = quotable(path);
  bool as_printed = !found.empty();
  if (found.empty() && !root_.empty()) {
    // Try ROOT/<tail> for ever shorter tails of the path.
    std::string_view tail = path;
    while (!tail.empty()) {
      while (!tail.empty() && tail.front() == '/') tail.remove_prefix(1);
      if (!tail.empty()) found = quotable((fs::path(root_) / std::string(tail)).string());
      if (!found.empty()) break;
      size_t slash = tail.find('/');
      if (slash == std::string_view::npos) break;
      tail.remove_prefix(slash);
    }
  }
  std::string origin = found.empty() ? "" : as_printed ? "path as printed" : "--source-root";
  if (found.empty() && local_go_) {
    for (const SourceCandidate& candidate : SourceCandidates(dump_path, *local_go_)) {
      // A user who named where the source is has confined it there: paths as
      // printed elsewhere are not read, the Go installation and modules are.
      if (named_by_user() && candidate.origin == "path as printed") continue;
      // The automatic lookup keeps the rule of --source-root for its own
      // roots: GOROOT's src, GOMODCACHE, and "/" for paths as printed (any
      // regular Go file, links resolved).
      found = QuotableRoot(candidate.root).MayQuote(candidate.path);
      if (!found.empty()) {
        origin = candidate.origin;
        break;
      }
    }
  }
  origins_.emplace(std::string(dump_path), origin);
  resolved_.emplace(std::string(dump_path), found);
  return found;
}

const std::vector<std::string>* SourceTree::Lines(std::string_view dump_path) {
  std::string path = Resolve(dump_path);
  if (path.empty()) return nullptr;
  auto it = files_.find(path);
  if (it == files_.end()) it = files_.emplace(path, ReadLines(path)).first;
  return it->second ? &*it->second : nullptr;
}

bool SourceTree::InDeferredClosure(std::string_view dump_path, uint64_t line) {
  auto key = std::make_pair(std::string(dump_path), line);
  if (auto it = in_deferred_closure_.find(key); it != in_deferred_closure_.end()) {
    return it->second;
  }
  const std::vector<std::string>* lines = Lines(dump_path);
  bool inside = lines != nullptr && InsideDeferredClosure(*lines, line);
  in_deferred_closure_.emplace(std::move(key), inside);
  return inside;
}

bool SourceTree::CalledByDefer(std::string_view name) {
  if (!deferred_names_) {
    deferred_names_.emplace();
    if (!root_.empty()) {
      std::error_code ec;
      size_t files = 0;
      for (fs::recursive_directory_iterator
               it(root_, fs::directory_options::skip_permission_denied, ec),
           end;
           it != end && files < kMaxIndexedFiles; it.increment(ec)) {
        if (ec) break;
        if (it->path().extension() != ".go") continue;
        std::string real = roots_.front().MayQuote(it->path().string());
        if (real.empty()) continue;
        ++files;
        auto lines = ReadLines(real);
        if (!lines) continue;
        for (const std::string& line : *lines) {
          for (size_t at = line.find("defer "); at != std::string::npos;
               at = line.find("defer ", at + 1)) {
            if (at > 0 && IsIdent(line[at - 1])) continue;
            size_t i = at + 6, start = i;
            while (i < line.size() && (IsIdent(line[i]) || line[i] == '.')) ++i;
            if (i >= line.size() || line[i] != '(' || i == start) continue;
            std::string_view called(line.data() + start, i - start);
            size_t dot = called.rfind('.');
            if (dot != std::string_view::npos) called.remove_prefix(dot + 1);
            if (called != "func") deferred_names_->emplace(called);
          }
        }
      }
    }
  }
  return deferred_names_->contains(name);
}

std::string SelectCases(const std::vector<std::string>& lines, size_t line) {
  if (line == 0 || line > lines.size() || lines[line - 1].find("select") == std::string::npos) {
    return {};
  }
  std::string text;
  int depth = 0;
  for (size_t i = line - 1; i < lines.size() && i < line + 60; ++i) {
    int open = 0, close = 0;
    CountBraces(lines[i], &open, &close);
    depth += open - close;
    text += lines[i];
    text += '\n';
    if (depth <= 0 && i > line - 1) break;
  }
  return text;
}

bool InsideDeferredClosure(const std::vector<std::string>& lines, size_t line) {
  if (line == 0 || line > lines.size()) return false;
  // `defer func() { go cleanup() }()` on one line.
  const std::string& own = lines[line - 1];
  if (size_t d = own.find("defer func");
      d != std::string::npos && own.find("go ", d) != std::string::npos) {
    return true;
  }
  // Walk up: each `{` left unclosed opens a block around `line`. Blocks of
  // if/for/select and function literals (`f := func() {`, `go func() {`) are
  // crossed; a `defer func` opener answers yes, a function declaration no.
  int balance = 0;
  for (size_t i = line; i-- > 0 && line - i < 200;) {
    if (i + 1 == line) continue;  // the go statement's own line
    int open = 0, close = 0;
    CountBraces(lines[i], &open, &close);
    balance += close - open;
    if (balance < 0) {
      const std::string& opener = lines[i];
      if (opener.find("defer func") != std::string::npos) return true;
      if (opener.starts_with("func ") || opener.starts_with("func(")) return false;
      balance = 0;
    }
  }
  return false;
}

}  // namespace gleak
