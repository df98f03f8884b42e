// The targets of watch and serve: URLs on the command line and --targets FILE
// (a target a line: URL, or URL NAME; # starts a comment).
#pragma once

#include <string>
#include <vector>

namespace gleak {

struct TargetSpec {
  std::string name;  // from the file, else the URL's host:port (made unique: "#2", ...)
  std::string url;
};

// `urls` then the lines of `file` (none when ""); throws a usage error naming
// the file and line for a line that is not 'URL [NAME]' or not an http(s) URL.
// `command` ("watch") starts the message about a bad URL on the command line.
std::vector<TargetSpec> ReadTargets(const std::vector<std::string>& urls, const std::string& file,
                                    const std::string& command);

// The time now in UTC, "2026-12-07T03:20:00Z": when watch took a snapshot,
// when serve started.
std::string NowUtc();

}  // namespace gleak
