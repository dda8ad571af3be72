// bench/monitor: N monitors at a 60-second interval against a local server,
// inside a real platform (listeners, prober, alert sender, SQLite store).
// Prints the CPU share of one core and the extra resident memory the
// monitors cost, measured over a window after a warm-up.
//
//   monitor_bench --target http://127.0.0.1:PORT/ [--monitors 1000]
//                 [--warmup 60] [--seconds 120] [--data DIR]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "app/platform.h"

namespace {

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long RssKib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string target, data;
  int monitors = 1000, warmup = 60, seconds = 120;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--target")
      target = v;
    else if (a == "--monitors")
      monitors = std::stoi(v);
    else if (a == "--warmup")
      warmup = std::stoi(v);
    else if (a == "--seconds")
      seconds = std::stoi(v);
    else if (a == "--data")
      data = v;
  }
  if (target.empty()) {
    std::fprintf(stderr,
                 "usage: monitor_bench --target URL [--monitors N] [--warmup S] [--seconds S]\n");
    return 2;
  }
  bool own_dir = data.empty();
  if (own_dir) {
    char tmpl[] = "/tmp/zq-monitor-bench-XXXXXX";
    data = mkdtemp(tmpl);
  }
  zhanqun::app::OpenOptions o;
  o.data_dir = data;
  o.overrides["server.admin_listen"] = "127.0.0.1:0";
  o.overrides["server.public_listen"] = "127.0.0.1:0";
  o.overrides["monitor.enabled"] = "1";
  o.overrides["log.level"] = "warn";
  auto p = zhanqun::app::Platform::Open(o);
  if (!p) {
    std::fprintf(stderr, "open: %s %s\n", p.error().message.c_str(), p.error().internal.c_str());
    return 1;
  }
  auto& platform = **p;
  if (auto st = platform.Start(); !st) {
    std::fprintf(stderr, "start: %s\n", st.error().message.c_str());
    return 1;
  }
  // Idle platform: the baseline.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  long rss0 = RssKib();
  double cpu_a = CpuSeconds();
  auto t_a = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(10));
  double idle_share = (CpuSeconds() - cpu_a) /
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_a).count();

  auto st = platform.service().db().Write([&](zhanqun::store::Conn& c) -> zhanqun::Status {
    for (int i = 0; i < monitors; ++i) {
      auto r = c.Exec(
          "INSERT INTO monitors (site_id, domain, kind, name, url, interval_s, keyword, "
          "ip_version, enabled, home, created_at, updated_at) VALUES (NULL, '', 'custom', ?, ?, "
          "60, '', 'any', 1, 0, 0, 0)",
          {std::string("bench ") + std::to_string(i),
           target + (target.find('?') == std::string::npos ? "?" : "&") +
               "n=" + std::to_string(i)});
      if (!r) return zhanqun::Fail(std::move(r.error()));
    }
    return {};
  });
  if (!st) {
    std::fprintf(stderr, "insert: %s\n", st.error().internal.c_str());
    return 1;
  }
  platform.monitoring().Wake();
  std::this_thread::sleep_for(std::chrono::seconds(warmup));
  auto count = [&]() {
    return *platform.service().db().ReadValue<int64_t>(
        [](zhanqun::store::Conn& c) { return c.QueryInt("SELECT COUNT(*) FROM monitor_results"); });
  };
  auto failed = [&]() {
    return *platform.service().db().ReadValue<int64_t>([](zhanqun::store::Conn& c) {
      return c.QueryInt("SELECT COUNT(*) FROM monitor_results WHERE ok = 0");
    });
  };
  int64_t n0 = count();
  double cpu0 = CpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  long rss_max = 0;
  for (int s = 0; s < seconds; ++s) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    rss_max = std::max(rss_max, RssKib());
  }
  double cpu = CpuSeconds() - cpu0;
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int64_t n1 = count();
  std::printf("monitors: %d at 60 s against %s\n", monitors, target.c_str());
  std::printf("checks in the %.0f s window: %lld (expected ~%.0f), failed so far: %lld\n", wall,
              static_cast<long long>(n1 - n0), monitors * wall / 60.0,
              static_cast<long long>(failed()));
  std::printf("CPU: %.2f%% of one core (idle platform before the monitors: %.2f%%)\n",
              100.0 * cpu / wall, 100.0 * idle_share);
  std::printf("extra resident memory: %.1f MiB (RSS %.1f -> max %.1f MiB)\n",
              (rss_max - rss0) / 1024.0, rss0 / 1024.0, rss_max / 1024.0);
  platform.Stop();
  if (own_dir) std::filesystem::remove_all(data);
  return 0;
}
