// Inputs fetched over HTTP(S) with libcurl, streamed into the parser as they
// arrive: a pprof endpoint is an input like a file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gleak/input/byte_source.h"

namespace gleak {

struct HttpOptions {
  double connect_timeout_seconds = 5;
  double timeout_seconds = 60;             // the whole transfer
  double stall_seconds = 15;               // give up when no byte arrives for this long
  uint64_t max_bytes = uint64_t{2} << 30;  // a body larger than this is refused
  long max_redirects = 5;
  std::vector<std::string> headers;  // "Name: value"
};

// True for "scheme://..." inputs; only http and https are then accepted.
bool LooksLikeUrl(const std::string& spec);

// The URL with debug=2 added when it names a pprof goroutine endpoint without
// a debug parameter; `added` tells whether it changed.
std::string WithDebugParameter(const std::string& url, bool* added);

// Starts the transfer; throws gleak::Error (kInput) naming the URL for bad
// schemes, connection failures, HTTP errors, HTML pages, oversized or cut
// bodies (the latter two while reading).
std::unique_ptr<ByteSource> OpenUrl(const std::string& url, const HttpOptions& options);

}  // namespace gleak
