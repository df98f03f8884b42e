#include "model/go_names.h"

namespace gleak {

std::string_view PackageOf(std::string_view func) {
  size_t slash = func.rfind('/');
  size_t start = slash == std::string_view::npos ? 0 : slash + 1;
  size_t dot = func.find('.', start);
  return dot == std::string_view::npos ? func : func.substr(0, dot);
}

bool IsRuntimeFunc(std::string_view func) {
  return func.starts_with("runtime.") || func == "panic";
}

bool IsStdlibFrame(std::string_view func, std::string_view file) {
  std::string_view package = PackageOf(func);
  if (package == "main" || package.empty()) return false;
  auto dotless_first_element = [](std::string_view path) {
    std::string_view first = path.substr(0, path.find('/'));
    return !first.empty() && first.find('.') == std::string_view::npos;
  };
  if (!dotless_first_element(package)) return false;
  if (file.empty()) return true;  // debug=1 frames without a file: trust the name
  // GOROOT/src/<std package>/x.go. Not always the function's own package:
  // sync.runtime_Semacquire lives in runtime/sema.go.
  size_t src = file.rfind("/src/");
  if (src != std::string_view::npos) return dotless_first_element(file.substr(src + 5));
  // -trimpath builds print std files as "<package>/x.go".
  return file.front() != '/' && dotless_first_element(file) &&
         file.find('/') != std::string_view::npos;
}

}  // namespace gleak
