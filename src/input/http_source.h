// Inputs fetched over HTTP(S) with libcurl, streamed into the parser as they
// arrive: a pprof endpoint is an input like a file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "input/byte_source.h"

namespace gleak {

struct HttpOptions {
  double connect_timeout_seconds = 5;
  double timeout_seconds = 60;             // the whole transfer
  double stall_seconds = 15;               // give up when no byte arrives for this long
  uint64_t max_bytes = uint64_t{2} << 30;  // a body larger than this is refused
  long max_redirects = 5;
  std::vector<std::string> headers;  // "Name: value", sent only to the origin of the URL given
  std::string ca_file;               // PEM certificates to trust instead of the system's
  bool insecure = false;             // skip TLS certificate and host name checks
  // Told the bytes received so far, as they arrive (from the thread that
  // reads), and once more with done = true when the source goes away.
  std::function<void(const std::string& url, uint64_t received, bool done)> on_progress;
};

// Scheme, host and port of a URL (the port as a number, the scheme's default
// when none is written); scheme and host in lower case.
struct UrlOrigin {
  std::string scheme, host, port;
  bool operator==(const UrlOrigin&) const = default;
};
// nullopt when libcurl cannot read `url` as a URL.
std::optional<UrlOrigin> OriginOf(const std::string& url);

// Makes every transfer, running or to come, stop with an input error
// ("URL: interrupted") at once (a transfer waiting on the network wakes).
// Async-signal-safe: meant for a SIGINT handler.
void InterruptTransfers();

// True for "scheme://..." inputs; only http and https are then accepted.
bool LooksLikeUrl(const std::string& spec);

// The URL with debug=2 added to its query (before any #fragment) when it
// names a pprof goroutine endpoint without a debug parameter; `added` tells
// whether it changed. The URL is read and written by libcurl's URL API.
std::string WithDebugParameter(const std::string& url, bool* added);
// The goroutine-leak profile beside a goroutine profile URL at debug=2:
// ".../debug/pprof/goroutine?debug=2" gives ".../debug/pprof/goroutineleak?debug=2"
// (the rest of the URL kept). nullopt for any other URL, or another debug level
// (the leak profile at debug=0 and 1 lists the leaked goroutines alone).
std::optional<std::string> LeakProfileUrl(const std::string& url);
// What a command says when WithDebugParameter added debug=2.
inline constexpr const char* kAskedForDebug2 =
    "the URL had no debug= parameter; gleak asked for debug=2 (full stacks)";

// Starts the transfer; throws gleak::Error (kInput) naming the URL for bad
// schemes, connection failures, HTTP errors, HTML pages, oversized or cut
// bodies (the latter two while reading).
std::unique_ptr<ByteSource> OpenUrl(const std::string& url, const HttpOptions& options);

}  // namespace gleak
