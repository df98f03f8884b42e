// `gleak serve` against real Go servers on 127.0.0.1 and a real Prometheus
// (Debian's prometheus package: scripts/dev installs it), which scrapes it and
// evaluates docs/alerts.yml; and promtool's check of those rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/live_server.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::LiveServer;
using testing::Quote;
using testing::RunShell;

#define GLEAK_REQUIRE_PROMETHEUS()                                                            \
  if (RunShell("command -v prometheus && command -v promtool").exit_code != 0)                \
  GTEST_SKIP() << "\n\n*** SKIPPED: prometheus is not installed (Debian package prometheus; " \
                  "scripts/dev installs it) ***\n"

using testing::StartOrFail;

// gleak serve loads its HTTP server from the module beside the binary: a
// binary moved away from it says so, with the input error's exit code, rather
// than failing in the dynamic loader before main (or crashing).
TEST(Serve, WithoutItsHttpServerModuleSaysSoAndExitsThree) {
  fs::path dir = testing::TempDir();
  fs::copy_file(GLEAK_BINARY, dir / "gleak");
  // (timeout: were the module found after all, gleak would serve until stopped)
  auto r = RunShell("timeout 20 " + Quote(dir / "gleak") +
                    " serve --listen 127.0.0.1:0 http://127.0.0.1:1/debug/pprof/goroutine");
  fs::remove_all(dir);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(testing::Has(r.err, "the HTTP server of gleak serve could not be loaded")) << r.err;
  EXPECT_TRUE(testing::Has(r.err, "gleak-http-server.so")) << r.err;
}

TEST(Serve, AlertRulesPassPromtool) {
  GLEAK_REQUIRE_PROMETHEUS();
  auto r = RunShell("promtool check rules " + Quote(testing::SourceDir() / "docs/alerts.yml"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(testing::Has(r.out, "SUCCESS: 3 rules found")) << r.out;
}

std::string StartServe(const fs::path& dir, const std::string& args) {
  return testing::StartServe(GLEAK_BINARY, dir, args);
}

TEST(Serve, MetricsAreValidOpenMetricsWithScrapeHealthPerTarget) {
  GLEAK_REQUIRE_GO();
  auto leak = StartOrFail("leakserver", "-capture series");
  ASSERT_NE(leak, nullptr);
  fs::path dir = testing::TempDir();
  std::ofstream(dir / "targets") << "# the fleet\n"
                                 << leak->Url("/debug/pprof/goroutine") << " leak\n"
                                 << "http://127.0.0.1:1/debug/pprof/goroutine gone\n";
  auto r = RunShell("pids=\n trap 'kill $pids 2>/dev/null' EXIT\n" +
                    StartServe(dir, "--interval 0.3s --targets " + Quote(dir / "targets")) +
                    // The first snapshot, then 30 leaks, then the snapshot that
                    // holds all of them (a loaded machine may poll late).
                    "for i in $(seq 100); do curl -fsS http://$SERVE/metrics | grep -q "
                    "'^gleak_goroutines{target=\"leak\"}' && break; sleep 0.1; done\n"
                    "for i in $(seq 30); do curl -fsS '" +
                    leak->Url("/work") +
                    "' >/dev/null; done\n"
                    "for i in $(seq 100); do curl -fsS http://$SERVE/metrics | grep -q "
                    "'function=\"main.leakyWork\"} 30$' && break; sleep 0.1; done\n"
                    "curl -fsS http://$SERVE/metrics > " +
                    Quote(dir / "metrics.txt") + " && curl -fsS http://$SERVE/ > " +
                    Quote(dir / "page.html"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto check = RunShell(Quote(testing::SourceDir() / "tests/tools/check-openmetrics") + " " +
                        Quote(dir / "metrics.txt"));
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  std::string metrics = testing::ReadFile(dir / "metrics.txt");
  EXPECT_TRUE(testing::Has(metrics, "gleak_target_up{target=\"leak\"} 1\n")) << metrics;
  EXPECT_TRUE(testing::Has(metrics, "gleak_target_up{target=\"gone\"} 0\n")) << metrics;
  EXPECT_TRUE(testing::Has(metrics, "gleak_target_poll_failures_total{target=\"leak\"} 0\n"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      metrics, m,
      std::regex(R"(gleak_group_growth\{target="leak",group="[0-9a-f]+",pattern="chan-send",)"
                 R"(state="chan send",function="main.leakyWork"\} (\d+))")))
      << metrics;
  EXPECT_EQ(std::stoi(m[1]), 30);
  EXPECT_FALSE(testing::Has(metrics, "gleak_goroutines{target=\"gone\"}"));  // no snapshot yet
  std::string page = testing::ReadFile(dir / "page.html");
  EXPECT_TRUE(testing::Has(page, "main.leakyWork")) << page;
  EXPECT_TRUE(testing::Has(page, "class=\"down\"")) << page;
  fs::remove_all(dir);
}

// The whole chain: gleak serve polls a leaking server, a healthy one and a
// Go 1.27 one that leaked a few goroutines once (proven by the runtime's leak
// profile, not growing); a real Prometheus scrapes it every second and
// evaluates docs/alerts.yml (durations shortened from 30m, 10m, 5m and 1m to
// seconds): the suspect-growth alert fires for the leaking target only, the
// proven-leak alert for the Go 1.27 one only, nothing for the healthy one.
TEST(Serve, PrometheusFiresEachAlertForItsTargetOnly) {
  GLEAK_REQUIRE_GO();
  GLEAK_REQUIRE_PROMETHEUS();
  auto leak = StartOrFail("leakserver", "-capture series");
  ASSERT_NE(leak, nullptr);
  auto healthy = StartOrFail("healthy", "-capture http_debug2");
  ASSERT_NE(healthy, nullptr);
  std::string error;
  auto proven = LiveServer::Start("leakserver", "-capture series", &error, "GOTOOLCHAIN=go1.27.3");
  ASSERT_NE(proven, nullptr) << error;
  ASSERT_EQ(RunShell("for i in 1 2 3; do curl -fsS '" + proven->Url("/work") +
                     "' >/dev/null || exit 1; done")
                .exit_code,
            0);
  fs::path dir = testing::TempDir();
  std::ofstream(dir / "targets") << leak->Url("/debug/pprof/goroutine") << " leak\n"
                                 << healthy->Url("/debug/pprof/goroutine") << " healthy\n"
                                 << proven->Url("/debug/pprof/goroutine") << " proven\n";
  std::string rules = testing::ReadFile(testing::SourceDir() / "docs/alerts.yml");
  rules = std::regex_replace(rules, std::regex("offset 30m"), "offset 5s");
  rules = std::regex_replace(rules, std::regex("for: (10|5|1)m"), "for: 2s");
  std::ofstream(dir / "alerts.yml") << rules;
  std::string script =
      "pids=\n trap 'kill $pids 2>/dev/null; wait' EXIT\n" +
      StartServe(dir, "--interval 0.5s --targets " + Quote(dir / "targets")) +
      // The leak grows by a goroutine every 0.2 s.
      "(while :; do curl -fsS '" + leak->Url("/work") +
      "' >/dev/null || exit; sleep 0.2; done) & pids=\"$pids $!\"\n"
      "PROM=127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); "
      "s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])')\n"
      "cat > " +
      Quote(dir / "prometheus.yml") +
      " <<END\n"
      "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
      "rule_files: [alerts.yml]\n"
      "scrape_configs:\n"
      "  - job_name: gleak\n"
      "    static_configs: [{targets: ['$SERVE']}]\n"
      "END\n"
      "prometheus --config.file=" +
      Quote(dir / "prometheus.yml") + " --storage.tsdb.path=" + Quote(dir / "data") +
      " --web.listen-address=$PROM > " + Quote(dir / "prometheus.log") +
      " 2>&1 & pids=\"$pids $!\"\n"
      // Up to 45 s for both alerts to fire.
      "for i in $(seq 90); do\n"
      "  curl -fsS http://$PROM/api/v1/alerts > " +
      Quote(dir / "alerts.json") +
      " 2>/dev/null && jq -e '[.data.alerts[] | select(.state == \"firing\") | "
      ".labels.alertname] | unique | length == 2' " +
      Quote(dir / "alerts.json") +
      " >/dev/null && break\n"
      "  sleep 0.5\n"
      "done\n"
      "curl -fsS -G http://$PROM/api/v1/query --data-urlencode 'query=gleak_target_up' > " +
      Quote(dir / "up.json") + "\n";
  auto r = RunShell(script);
  ASSERT_EQ(r.exit_code, 0) << r.err << testing::ReadFile(dir / "prometheus.log");
  json alerts = json::parse(testing::ReadFile(dir / "alerts.json"));
  std::vector<std::string> firing;
  for (const json& a : alerts["data"]["alerts"]) {
    if (a["state"] == "firing") {
      firing.push_back(a["labels"]["alertname"].get<std::string>() + " " +
                       a["labels"]["target"].get<std::string>());
      if (a["labels"]["alertname"] == "GoroutineLeakSuspectGrowing") {
        EXPECT_EQ(a["labels"]["function"], "main.leakyWork") << a;
        EXPECT_EQ(a["labels"]["pattern"], "chan-send") << a;
      }
    }
  }
  std::sort(firing.begin(), firing.end());
  EXPECT_EQ(firing, (std::vector<std::string>{"GoroutineLeakProven proven",
                                              "GoroutineLeakSuspectGrowing leak"}))
      << alerts.dump(2) << testing::ReadFile(dir / "serve.err");
  json up = json::parse(testing::ReadFile(dir / "up.json"));
  ASSERT_EQ(up["data"]["result"].size(), 3u) << up;
  for (const json& s : up["data"]["result"]) EXPECT_EQ(s["value"][1], "1") << s;
  fs::remove_all(dir);
}

TEST(Serve, BadListenAddressesAndTargetFilesAreUsageErrorsNamingTheirPlace) {
  auto no_port = testing::RunGleak("serve --listen localhost http://127.0.0.1:1/");
  EXPECT_EQ(no_port.exit_code, 2);
  EXPECT_TRUE(testing::Has(no_port.err, "--listen takes HOST:PORT")) << no_port.err;
  auto none = testing::RunGleak("serve --listen 127.0.0.1:0");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(testing::Has(none.err, "serve needs a URL to poll, or --targets FILE")) << none.err;
  fs::path dir = testing::TempDir();
  std::ofstream(dir / "targets") << "# ok\nhttp://127.0.0.1:1/debug/pprof/goroutine a\n"
                                 << "file:///etc/passwd b\n";
  auto bad = testing::RunGleak("serve --listen 127.0.0.1:0 --targets " + Quote(dir / "targets"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(testing::Has(bad.err,
                           "targets line 3: a line takes an http(s) URL, got "
                           "'file:///etc/passwd'"))
      << bad.err;
  // A port in use: the address is named, before any poll.
  auto busy = RunShell(
      "python3 -c 'import socket,subprocess,sys; s=socket.socket(); "
      "s.bind((\"127.0.0.1\",0)); s.listen(); port=s.getsockname()[1]; "
      "r=subprocess.run([sys.argv[1],\"serve\",\"--listen\",f\"127.0.0.1:{port}\","
      "\"http://127.0.0.1:1/\"],capture_output=True,text=True,timeout=20); "
      "print(r.returncode); print(r.stderr)' '" +
      std::string(GLEAK_BINARY) + "'");
  EXPECT_TRUE(testing::Has(busy.out, "2\ngleak: error: --listen 127.0.0.1:"))
      << busy.out << busy.err;
  EXPECT_TRUE(testing::Has(busy.out, "cannot listen there")) << busy.out;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gleak
