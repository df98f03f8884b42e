// HttpServer loads its HTTP server from gleak-http-server.so (see
// server_module.h) when the first one is made, that is in `gleak serve`
// alone. The module is found as a library beside gleak: the executable's
// run path names its folder (the build tree's, or lib/gleak when installed).
#include "serve/http_server.h"

#include <dlfcn.h>
#include <fmt/core.h>

#include "base/error.h"
#include "serve/server_module.h"

namespace gleak {
namespace {

const ServerModule& LoadModule() {
  static const ServerModule* module = []() -> const ServerModule* {
    void* library = ::dlopen(kServerModuleFile, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char* why = ::dlerror();
      ThrowInputError(
          fmt::format("the HTTP server of gleak serve could not be loaded ({}); "
                      "reinstall gleak",
                      why != nullptr ? why : kServerModuleFile));
    }
    auto entry = reinterpret_cast<decltype(&gleak_http_server_module)>(
        ::dlsym(library, kServerModuleSymbol));
    const ServerModule* table = entry != nullptr ? entry() : nullptr;
    if (table == nullptr || table->version != kServerModuleVersion) {
      ThrowInputError(
          fmt::format("{} is not the HTTP server of this gleak (another build's?); "
                      "reinstall gleak",
                      kServerModuleFile));
    }
    return table;
  }();
  return *module;
}

}  // namespace

struct HttpServer::Impl {
  const ServerModule& module = LoadModule();
  void* server = module.create();
  ~Impl() { module.destroy(server); }
};

HttpServer::HttpServer() : impl_(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Get(const std::string& path, std::function<HttpAnswer()> handler) {
  impl_->module.get(impl_->server, path, std::move(handler));
}

int HttpServer::Bind(const std::string& host, int port) {
  int bound = impl_->module.bind(impl_->server, host, port);
  if (bound <= 0) {
    ThrowUsageError(
        fmt::format("--listen {}:{}: cannot listen there (in use, or not an address "
                    "of this machine)",
                    host, port));
  }
  return bound;
}

bool HttpServer::Run() { return impl_->module.run(impl_->server); }

void HttpServer::Stop() {
  if (impl_) impl_->module.stop(impl_->server);
}

}  // namespace gleak
