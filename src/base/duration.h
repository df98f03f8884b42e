// Durations as people type them: "250ms", "10s", "5m", "1h30m", or plain
// seconds ("90").
#pragma once

#include <optional>
#include <string_view>

namespace gleak {

// Seconds, or nullopt when `text` is not a duration.
std::optional<double> ParseDuration(std::string_view text);

}  // namespace gleak
