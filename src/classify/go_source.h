// Where a dump's Go source may be found on this machine without flags: the
// path as printed, the local Go installation (GOROOT) for standard-library
// frames, and the module cache (GOMODCACHE) for module frames, also in the
// module-relative form that `-trimpath` builds print. And whether a line read
// from such a file belongs to the function the frame names: a file of another
// Go version or module version has other lines, which must not be quoted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gleak {

// The local Go environment, from GOROOT / GOMODCACHE / GOPATH / HOME and the
// `go` command on PATH; each "" when not found. Nothing is executed.
struct LocalGoEnvironment {
  std::string goroot;
  std::string gomodcache;
};
LocalGoEnvironment FindLocalGoEnvironment();

struct SourceCandidate {
  std::string path;    // on this machine
  std::string root;    // the directory it must lie in, links resolved in both, to be quoted
  std::string origin;  // "path as printed", "GOROOT", "GOMODCACHE"
};

// Where to look for `dump_path` (a frame's file as printed), best first.
std::vector<SourceCandidate> SourceCandidates(std::string_view dump_path,
                                              const LocalGoEnvironment& env);

// True when 1-based `line` of `lines` lies in the body of the function that
// `func` names ("main.(*Server).handle", "net/http.(*conn).serve",
// "main.main.func1.2", "main.Map[...]"): the nearest declaration above it
// declares that function, or, for a closure, one of the functions its name
// is made of (Go names closures of inlined functions after their caller).
bool LineInFunction(const std::vector<std::string>& lines, uint64_t line, std::string_view func);

}  // namespace gleak
