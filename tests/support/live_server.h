// Real Go servers on 127.0.0.1 for the URL, diff and watch tests: built from
// testdata/programs with the local Go toolchain and stopped when the test ends.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

namespace gleak::testing {

bool HaveGo();

#define GLEAK_REQUIRE_GO()                                                                     \
  if (!::gleak::testing::HaveGo())                                                             \
  GTEST_SKIP() << "\n\n*** SKIPPED: no Go toolchain on PATH; this test runs a real Go server " \
                  "on 127.0.0.1. Install Go to run it. ***\n"

class LiveServer {
 public:
  // Builds testdata/programs/<program> (once per test binary) and starts it
  // with `args`; waits for its "READY ... http=ADDR" line. Null on failure,
  // with the reason in *error. `build_env` goes before `go build`
  // ("GOTOOLCHAIN=go1.27.3", "GOEXPERIMENT=goroutineleakprofile").
  static std::unique_ptr<LiveServer> Start(const std::string& program, const std::string& args,
                                           std::string* error, const std::string& build_env = "");
  ~LiveServer();

  std::string Url(const std::string& path) const { return "http://" + address_ + path; }
  // A "KEY=VALUE" of the READY line ("" when missing): badserver says other=ADDR https=ADDR.
  std::string Field(const std::string& key) const;
  void Stop();

 private:
  LiveServer() = default;
  pid_t pid_ = -1;
  std::string address_;
  std::string ready_line_;
  std::filesystem::path dir_;
};

// LiveServer::Start, the reason of a failure recorded as the test's failure.
std::unique_ptr<LiveServer> StartOrFail(const std::string& program, const std::string& args);

}  // namespace gleak::testing
