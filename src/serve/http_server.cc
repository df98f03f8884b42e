#include "serve/http_server.h"

#include <httplib.h>

#include <fmt/core.h>

#include "base/error.h"

namespace gleak {

struct HttpServer::Impl {
  httplib::Server server;
};

HttpServer::HttpServer() : impl_(std::make_unique<Impl>()) {
  // A scrape or a page load is small: few threads, short timeouts, so that a
  // slow client cannot hold the exporter.
  impl_->server.new_task_queue = [] { return new httplib::ThreadPool(4); };
  impl_->server.set_read_timeout(10, 0);
  impl_->server.set_write_timeout(10, 0);
  impl_->server.set_payload_max_length(64 * 1024);
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Get(const std::string& path, std::function<HttpAnswer()> handler) {
  // The path is matched as a regular expression by cpp-httplib: only plain
  // paths are used here ("/", "/metrics").
  impl_->server.Get(path, [handler](const httplib::Request&, httplib::Response& res) {
    HttpAnswer answer = handler();
    res.status = answer.status;
    res.set_content(std::move(answer.body), answer.content_type.c_str());
  });
}

int HttpServer::Bind(const std::string& host, int port) {
  int bound = port == 0 ? impl_->server.bind_to_any_port(host.c_str())
                        : (impl_->server.bind_to_port(host.c_str(), port) ? port : -1);
  if (bound <= 0) {
    ThrowUsageError(
        fmt::format("--listen {}:{}: cannot listen there (in use, or not an address "
                    "of this machine)",
                    host, port));
  }
  return bound;
}

bool HttpServer::Run() { return impl_->server.listen_after_bind(); }

void HttpServer::Stop() {
  if (impl_ && impl_->server.is_running()) impl_->server.stop();
}

}  // namespace gleak
