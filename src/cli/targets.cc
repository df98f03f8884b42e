#include "cli/targets.h"

#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/core.h>

#include "base/error.h"
#include "base/redact.h"
#include "input/http_source.h"

namespace gleak {
namespace {

void CheckUrl(const std::string& url, const std::string& where) {
  if (!LooksLikeUrl(url) || !OriginOf(url)) {
    ThrowUsageError(
        fmt::format("{}takes an http(s) URL, got '{}'", where, RedactUrlPasswords(url)));
  }
}

}  // namespace

std::vector<TargetSpec> ReadTargets(const std::vector<std::string>& urls, const std::string& file,
                                    const std::string& command) {
  std::vector<TargetSpec> out;
  for (const std::string& url : urls) {
    CheckUrl(url, command + " ");
    out.push_back({"", url});
  }
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) ThrowInputError(fmt::format("--targets {}: cannot read the file", file));
    std::string line;
    for (size_t n = 1; std::getline(in, line); ++n) {
      std::istringstream words(line);
      std::string url, name, extra;
      if (!(words >> url) || url.starts_with("#")) continue;
      words >> name >> extra;
      if (!extra.empty()) {
        ThrowUsageError(
            fmt::format("--targets {} line {}: expected 'URL [NAME]', got more words", file, n));
      }
      CheckUrl(url, fmt::format("--targets {} line {}: a line ", file, n));
      out.push_back({name, url});
    }
  }
  std::map<std::string, int> seen;
  for (TargetSpec& t : out) {
    if (t.name.empty()) {
      std::optional<UrlOrigin> origin = OriginOf(t.url);
      t.name = origin ? origin->host + ":" + origin->port : RedactUrlPasswords(t.url);
    }
    if (int before = seen[t.name]++; before > 0) t.name += fmt::format("#{}", before + 1);
  }
  return out;
}

std::string NowUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace gleak
