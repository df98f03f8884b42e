// The HTTP server module: cpp-httplib behind the table of server_module.h.
// Built as a shared module of its own and loaded by HttpServer.
#include <httplib.h>

#include <memory>

#include "serve/server_module.h"

namespace gleak {
namespace {

httplib::Server& ServerOf(void* server) { return *static_cast<httplib::Server*>(server); }

void* Create() {
  auto server = std::make_unique<httplib::Server>();
  // A scrape or a page load is small: few threads, short timeouts, so that a
  // slow client cannot hold the exporter.
  server->new_task_queue = [] { return new httplib::ThreadPool(4); };
  server->set_read_timeout(10, 0);
  server->set_write_timeout(10, 0);
  server->set_payload_max_length(64 * 1024);
  return server.release();
}

void Destroy(void* server) { delete static_cast<httplib::Server*>(server); }

void Get(void* server, const std::string& path, std::function<HttpAnswer()> handler) {
  // The path is matched as a regular expression by cpp-httplib: only plain
  // paths are used here ("/", "/metrics").
  ServerOf(server).Get(path, [handler](const httplib::Request&, httplib::Response& res) {
    HttpAnswer answer = handler();
    res.status = answer.status;
    res.set_content(std::move(answer.body), answer.content_type.c_str());
  });
}

int Bind(void* server, const std::string& host, int port) {
  httplib::Server& s = ServerOf(server);
  if (port == 0) {
    int bound = s.bind_to_any_port(host.c_str());
    return bound > 0 ? bound : -1;
  }
  return s.bind_to_port(host.c_str(), port) ? port : -1;
}

bool Run(void* server) { return ServerOf(server).listen_after_bind(); }

void Stop(void* server) {
  httplib::Server& s = ServerOf(server);
  if (s.is_running()) s.stop();
}

constexpr ServerModule kModule{kServerModuleVersion, Create, Destroy, Get, Bind, Run, Stop};

}  // namespace
}  // namespace gleak

extern "C" const gleak::ServerModule* gleak_http_server_module() { return &gleak::kModule; }
