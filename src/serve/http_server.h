// A small HTTP server for `gleak serve`: GET handlers on fixed paths, run on
// a thread of its own until Stop. The one module that knows cpp-httplib.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace gleak {

struct HttpAnswer {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Answers GET (and HEAD) of `path`, exactly; any other path is a 404.
  void Get(const std::string& path, std::function<HttpAnswer()> handler);
  // Binds host:port (port 0: one the system picks) and returns the port;
  // throws gleak::Error (kUsage) naming the address when it cannot.
  int Bind(const std::string& host, int port);
  // Serves until Stop (from any thread); returns false when it failed.
  bool Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gleak
