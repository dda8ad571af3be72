// Shared between the ops sources; not part of the module contract.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ops/incident_rules.h"
#include "ops/monitoring.h"

namespace zhanqun::ops {

struct ProbeStat {
  std::string url;
  std::string outcome;
  bool ok = false;
  int64_t latency_ms = 0;
  int64_t cert_days = -1;
  std::map<std::string, uint64_t> counts;  // outcome -> results
};

struct Monitoring::Impl {
  Impl(Monitoring& m) : owner(m) {}
  Monitoring& owner;

  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;      // GUARDED_BY(mu)
  bool reload = true;     // GUARDED_BY(mu)
  bool send_now = false;  // GUARDED_BY(mu)
  void* multi = nullptr;  // CURLM*, for curl_multi_wakeup
  std::thread prober;
  std::thread sender;

  std::mutex stats_mu;
  std::map<int64_t, ProbeStat> stats;  // GUARDED_BY(stats_mu)

  void ProberLoop();
  void SenderLoop();
  Status Flush(std::vector<ProbeResult>& results);
  Status Housekeeping();
  Result<std::vector<MonitorSpec>> LoadMonitors();
  // Sends one outbox row; "" on success, else the reason.
  std::string Deliver(const store::Row& row);
};

// Queues `alert` for every enabled channel that accepts it (ChannelAccepts),
// inside the caller's transaction. Duplicate (channel, dedup_key) pairs are
// ignored.
Status EnqueueAlert(store::Conn& c, int64_t now, std::optional<int64_t> site_id,
                    const Alert& alert);

// The maintenance windows that overlap [from, to].
Result<std::vector<MaintenanceWindow>> LoadWindows(store::Conn& c, int64_t from, int64_t to);

bool ProtectionMode(store::Conn& c);

// --- Shared by the administration files ---------------------------------------

inline constexpr int64_t kDayMs = 86400000;

inline Status RequireSysadmin(const Principal& p, const char* what) {
  if (!p.IsSysadmin()) return Fail(Error::Forbidden(std::string("只有系统管理员可以") + what));
  return {};
}

inline json OptJson(const store::Row& r, std::string_view name) {
  return r.IsNull(name) ? json(nullptr) : json(r.Int(name));
}

// "2026-11" -> [start, end) in ms, month boundaries in Beijing time; empty:
// the month of `now`.
Result<std::pair<int64_t, int64_t>> MonthRange(const std::string& month, int64_t now);
// Day number in Beijing time -> "2026-11-26".
std::string DayText(int64_t day);

struct DayStat {
  int64_t checks = 0, failures = 0;
};
// Per site (by its home-page monitor), per Beijing day, from the hourly rollups.
Result<std::map<int64_t, std::map<int64_t, DayStat>>> SiteDays(store::Conn& c, int64_t from,
                                                               int64_t to);

}  // namespace zhanqun::ops
