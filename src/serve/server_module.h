// What the HTTP server module (gleak-http-server.so, built from
// httplib_module.cc) exports to HttpServer, which loads it for `gleak serve`
// alone: cpp-httplib and the TLS libraries it links took about 7 MiB of every
// run's resident memory and some milliseconds of its start-up when linked
// into gleak itself. Both sides are built together, from this header.
#pragma once

#include <functional>
#include <string>

#include "serve/http_server.h"

namespace gleak {

inline constexpr const char* kServerModuleFile = "gleak-http-server.so";
inline constexpr const char* kServerModuleSymbol = "gleak_http_server_module";
// Raised whenever the table below changes, so that a module left over from
// another build is refused rather than called wrongly.
inline constexpr int kServerModuleVersion = 1;

// One server per `create`; every other function takes what it returned.
struct ServerModule {
  int version = kServerModuleVersion;
  void* (*create)() = nullptr;
  void (*destroy)(void* server) = nullptr;
  void (*get)(void* server, const std::string& path, std::function<HttpAnswer()> handler) = nullptr;
  // The port bound (port 0: one the system picks), or -1.
  int (*bind)(void* server, const std::string& host, int port) = nullptr;
  bool (*run)(void* server) = nullptr;
  void (*stop)(void* server) = nullptr;
};

}  // namespace gleak

// The module's one exported function.
extern "C" const gleak::ServerModule* gleak_http_server_module();
