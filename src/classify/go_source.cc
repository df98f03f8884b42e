#include "classify/go_source.h"

#include <cstdlib>
#include <filesystem>

namespace gleak {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return !path.empty() && fs::is_directory(path, ec);
}

// The directory holding bin/go for the first `go` on PATH, links resolved.
std::string GorootOfGoOnPath() {
  std::string path = Env("PATH");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) continue;
    std::error_code ec;
    fs::path go = fs::path(dir) / "go";
    if (!fs::is_regular_file(go, ec)) continue;
    fs::path real = fs::canonical(go, ec);
    if (ec) continue;
    fs::path root = real.parent_path().parent_path();
    if (fs::is_directory(root / "src" / "runtime", ec)) return root.string();
  }
  return {};
}

bool IsIdent(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The components of a Go function name after its package path:
// "main.(*T).M.func1" -> {"(*T)", "M", "func1"}. Type parameters "[...]" are
// dropped.
std::vector<std::string> NameParts(std::string_view func) {
  size_t slash = func.rfind('/');
  size_t dot = func.find('.', slash == std::string_view::npos ? 0 : slash);
  std::vector<std::string> parts;
  if (dot == std::string_view::npos) return parts;
  std::string_view rest = func.substr(dot + 1);
  std::string current;
  int depth = 0;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == '[') ++depth;
    if (depth > 0) {
      if (c == ']') --depth;
      continue;
    }
    if (c == '(') {  // a receiver "(*T)"
      size_t close = rest.find(')', i);
      if (close == std::string_view::npos) break;
      i = close;
      continue;
    }
    if (c == '.') {
      if (!current.empty()) parts.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  if (!current.empty()) parts.push_back(current);
  return parts;
}

// Names the compiler makes up: closures, go and defer statement wrappers,
// and the numbers of nested closures.
bool IsGeneratedName(const std::string& part) {
  if (part.empty()) return true;
  if (part.find_first_not_of("0123456789") == std::string::npos) return true;
  for (std::string_view prefix : {"func", "gowrap", "deferwrap"}) {
    if (part.starts_with(prefix) &&
        part.find_first_not_of("0123456789", prefix.size()) == std::string::npos) {
      return true;
    }
  }
  return false;
}

// The name a `func` line at column 0 declares: "func (s *S) Name[T any](" ->
// "Name"; "" when the line is no function declaration.
std::string DeclaredName(const std::string& line) {
  if (!line.starts_with("func ") && !line.starts_with("func(")) return {};
  size_t i = 4;
  while (i < line.size() && line[i] == ' ') ++i;
  if (i < line.size() && line[i] == '(') {  // a receiver
    int depth = 0;
    for (; i < line.size(); ++i) {
      if (line[i] == '(') ++depth;
      if (line[i] == ')' && --depth == 0) break;
    }
    ++i;
    while (i < line.size() && line[i] == ' ') ++i;
  }
  size_t start = i;
  while (i < line.size() && IsIdent(line[i])) ++i;
  return line.substr(start, i - start);
}

}  // namespace

LocalGoEnvironment FindLocalGoEnvironment() {
  LocalGoEnvironment env;
  env.goroot = Env("GOROOT");
  if (!IsDirectory(env.goroot)) env.goroot = GorootOfGoOnPath();
  env.gomodcache = Env("GOMODCACHE");
  if (!IsDirectory(env.gomodcache)) {
    std::string gopath = Env("GOPATH");
    gopath = gopath.substr(0, gopath.find(':'));
    if (gopath.empty() && !Env("HOME").empty()) gopath = Env("HOME") + "/go";
    env.gomodcache = gopath.empty() ? std::string() : gopath + "/pkg/mod";
  }
  if (!IsDirectory(env.gomodcache)) env.gomodcache.clear();
  if (!IsDirectory(env.goroot)) env.goroot.clear();
  return env;
}

std::vector<SourceCandidate> SourceCandidates(std::string_view dump_path,
                                              const LocalGoEnvironment& env) {
  std::vector<SourceCandidate> out;
  if (!dump_path.ends_with(".go")) return out;
  std::string path(dump_path);
  if (path.starts_with("/")) out.push_back({path, "/", "path as printed"});
  // Module cache: ".../pkg/mod/<module>@<version>/..." as printed, or
  // "<module>@<version>/..." from a -trimpath build.
  if (!env.gomodcache.empty()) {
    std::string tail;
    if (size_t at = path.find("/pkg/mod/"); at != std::string::npos) {
      tail = path.substr(at + 9);
    } else if (!path.starts_with("/") && path.find('@') != std::string::npos &&
               path.find('@') < path.find('/', path.find('@'))) {
      tail = path;
    }
    if (!tail.empty() && tail.find('@') != std::string::npos) {
      out.push_back({env.gomodcache + "/" + tail, env.gomodcache, "GOMODCACHE"});
    }
  }
  // The standard library: ".../src/<pkg>/<file>.go", or "<pkg>/<file>.go"
  // from a -trimpath build, where <pkg>'s first element has no dot (module
  // paths have one).
  if (!env.goroot.empty()) {
    std::string tail;
    if (size_t at = path.rfind("/src/"); at != std::string::npos && path.starts_with("/")) {
      tail = path.substr(at + 5);
    } else if (!path.starts_with("/")) {
      tail = path;
    }
    std::string first = tail.substr(0, tail.find('/'));
    if (!tail.empty() && tail.find('/') != std::string::npos &&
        first.find('.') == std::string::npos && first.find('@') == std::string::npos) {
      out.push_back({env.goroot + "/src/" + tail, env.goroot + "/src", "GOROOT"});
    }
  }
  return out;
}

bool LineInFunction(const std::vector<std::string>& lines, uint64_t line, std::string_view func) {
  if (line == 0 || line > lines.size()) return false;
  std::vector<std::string> parts = NameParts(func);
  std::vector<std::string> names;
  for (const std::string& p : parts) {
    if (!IsGeneratedName(p)) names.push_back(p);
  }
  if (names.empty()) return false;
  for (size_t i = line; i-- > 0;) {
    const std::string& text = lines[i];
    if (text.starts_with("}") && i + 1 < line) return false;  // the end of an earlier declaration
    std::string declared = DeclaredName(text);
    if (declared.empty()) continue;
    // A plain function is its own last name; a closure belongs to any of the
    // functions its name is made of.
    bool closure = parts.size() > names.size();
    if (closure) {
      for (const std::string& n : names) {
        if (n == declared) return true;
      }
      return false;
    }
    return declared == names.back();
  }
  return false;
}

}  // namespace gleak
