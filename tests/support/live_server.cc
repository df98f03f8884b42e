#include "support/live_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include "support/test_support.h"

namespace gleak::testing {

bool HaveGo() { return std::system("command -v go >/dev/null 2>&1") == 0; }

std::unique_ptr<LiveServer> LiveServer::Start(const std::string& program, const std::string& args,
                                              std::string* error, const std::string& build_env) {
  static std::map<std::string, std::filesystem::path> built;
  static std::filesystem::path bin_dir = TempDir();
  const std::string key = program + " " + build_env;
  auto it = built.find(key);
  if (it == built.end()) {
    std::filesystem::path bin = bin_dir / (program + std::to_string(built.size()));
    CommandResult r =
        RunShell("cd '" + (SourceDir() / "testdata" / "programs").string() + "' && " + build_env +
                 " CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o '" + bin.string() + "' ./" + program);
    if (r.exit_code != 0) {
      *error = "go build " + program + " failed: " + r.err;
      return nullptr;
    }
    it = built.emplace(key, bin).first;
  }
  std::unique_ptr<LiveServer> server(new LiveServer);
  server->dir_ = TempDir();
  std::filesystem::path out = server->dir_ / "stdout";
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    setpgid(0, 0);
    std::string command = "exec '" + it->second.string() + "' " + args;
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  server->pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = ReadFile(out);
    size_t ready = text.find("READY");
    size_t http = text.find("http=", ready == std::string::npos ? 0 : ready);
    if (ready != std::string::npos && http != std::string::npos) {
      size_t end = text.find_first_of(" \n", http);
      if (end != std::string::npos) {
        server->address_ = text.substr(http + 5, end - http - 5);
        size_t line_end = text.find('\n', ready);
        server->ready_line_ =
            text.substr(ready, line_end == std::string::npos ? line_end : line_end - ready);
        return server;
      }
    }
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      server->pid_ = -1;
      *error = program + " exited before it was ready: " + text;
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *error = program + " did not say READY within 30 s";
  return nullptr;
}

std::string LiveServer::Field(const std::string& key) const {
  std::string needle = " " + key + "=";
  size_t at = ready_line_.find(needle);
  if (at == std::string::npos) return {};
  size_t start = at + needle.size();
  size_t end = ready_line_.find_first_of(" \n", start);
  return ready_line_.substr(start, end == std::string::npos ? end : end - start);
}

void LiveServer::Stop() {
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

LiveServer::~LiveServer() {
  Stop();
  std::filesystem::remove_all(dir_);
}

std::unique_ptr<LiveServer> StartOrFail(const std::string& program, const std::string& args) {
  std::string error;
  auto server = LiveServer::Start(program, args, &error);
  EXPECT_NE(server, nullptr) << error;
  return server;
}

}  // namespace gleak::testing
