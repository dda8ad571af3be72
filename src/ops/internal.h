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

#include "ops/monitoring.h"

namespace zhanqun::ops {

struct MonitorSpec {
  int64_t id = 0;
  std::optional<int64_t> site_id;
  std::string kind;  // site | custom
  std::string name;
  std::string domain;
  std::string url;
  int64_t interval_s = 60;
  std::string keyword;
  std::string ip_version;  // any | v4 | v6
  bool home = false;
};

struct ProbeResult {
  MonitorSpec spec;
  int64_t ts = 0;  // wall clock ms at the start of the probe
  bool ok = false;
  std::string outcome;  // ok, http_status, keyword_missing, timeout_connect,
                        // timeout_first_byte, timeout_total, reset, dns, connect, tls, error
  int64_t http_status = 0;
  int64_t latency_ms = 0;
  std::string detail;
  std::optional<int64_t> cert_expires_at;
  bool slow = false;
};

// Chinese name of an outcome, for alerts and the status page.
std::string OutcomeText(const std::string& outcome);

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

// Queues an alert for every enabled channel whose routing matches, inside
// the caller's transaction. Duplicate (channel, dedup_key) pairs are ignored.
Status EnqueueAlert(store::Conn& c, int64_t now, std::optional<int64_t> site_id,
                    std::optional<int64_t> incident_id, const std::string& event,
                    const std::string& severity, const std::string& dedup_key,
                    const std::string& subject, const std::string& text);

// Whether a maintenance window silences the site at `now` (a window without a
// site silences everything).
Result<bool> InMaintenance(store::Conn& c, std::optional<int64_t> site_id, int64_t now);

bool ProtectionMode(store::Conn& c);

std::string FormatTime(int64_t ms);  // "2026-11-26 21:30:05"（北京时间）

}  // namespace zhanqun::ops
