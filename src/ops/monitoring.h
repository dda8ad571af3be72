// 7×24 monitoring: monitors (every site's domains automatically, plus URLs
// the operator adds), a prober on libcurl's multi interface on its own
// thread, results as a time series with rollups, incidents with a timeline,
// alerts through a durable outbox, the status page and /metrics.
//
// Outside traffic: the prober contacts only the URLs of monitors (the
// platform's own sites and what the 系统管理员 added) and the alert channels
// the 系统管理员 configured. Nothing else.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "config/config.h"
#include "core/result.h"
#include "service/service.h"
#include "store/db.h"

namespace zhanqun::ops {

using json = nlohmann::json;
using service::Principal;

struct MonitorOptions {
  config::MonitorConfig config;
  // The public listener's bound address for site monitors when
  // config.site_connect is "public" ("127.0.0.1:8080"); asked at probe time.
  std::function<std::string()> public_address;
  std::function<int64_t()> now_ms;  // wall clock when empty
};

// Counters shown on /metrics. Cheap to bump from any thread.
class Metrics {
 public:
  void CountRequest(const std::string& listener, int status);
  void CountPublish(bool ok);
  void ObserveJob(const std::string& job, double seconds, bool ok);
  void CountAlert(const std::string& type, const std::string& result);
  // Prometheus text lines for what this object holds.
  std::string Render() const;

 private:
  // The two listeners' requests, counted without a lock: every public
  // request bumps one, from every io thread.
  static constexpr int kMinStatus = 100, kMaxStatus = 599;
  std::atomic<uint64_t> admin_requests_[kMaxStatus - kMinStatus + 1] = {};
  std::atomic<uint64_t> public_requests_[kMaxStatus - kMinStatus + 1] = {};

  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // GUARDED_BY(mu_), other listeners
  uint64_t publishes_ok_ = 0, publishes_failed_ = 0;          // GUARDED_BY(mu_)
  struct Job {
    uint64_t runs = 0, failures = 0;
    double seconds_sum = 0, last_seconds = 0;
  };
  std::map<std::string, Job> jobs_;                                 // GUARDED_BY(mu_)
  std::map<std::pair<std::string, std::string>, uint64_t> alerts_;  // GUARDED_BY(mu_)
};

class Monitoring {
 public:
  Monitoring(store::Db& db, MonitorOptions options);
  ~Monitoring();  // stops the threads

  // Starts the prober and the alert sender (when config.enabled).
  Status Start();
  void Stop();
  // Monitors, channels or settings changed: reload now instead of at the
  // next periodic reload.
  void Wake();

  Metrics& metrics() { return metrics_; }
  int64_t Now() const;

  // --- API (系统管理员 manages; every change audited in its transaction) ---
  Result<json> ListMonitors(const Principal& p, const json& filters);
  Result<json> CreateMonitor(const Principal& p, const json& body);
  Result<json> GetMonitor(const Principal& p, int64_t id);
  Result<json> UpdateMonitor(const Principal& p, int64_t id, const json& body);
  Status DeleteMonitor(const Principal& p, int64_t id);
  // filters: from, to (ms), resolution raw|5m|1h, limit
  Result<json> ListResults(const Principal& p, int64_t id, const json& filters);

  Result<json> ListIncidents(const Principal& p, const json& filters);
  Result<json> AcknowledgeIncident(const Principal& p, int64_t id, const json& body);

  Result<json> ListChannels(const Principal& p);
  Result<json> CreateChannel(const Principal& p, const json& body);
  Result<json> UpdateChannel(const Principal& p, int64_t id, const json& body);
  Status DeleteChannel(const Principal& p, int64_t id);
  Result<json> ListDeliveries(const Principal& p, const json& filters);

  Result<json> ListWindows(const Principal& p);
  Result<json> CreateWindow(const Principal& p, const json& body);
  Status DeleteWindow(const Principal& p, int64_t id);

  Result<json> GetSettings(const Principal& p);
  Result<json> UpdateSettings(const Principal& p, const json& body);

  // Availability per site per day and for the month ("2026-11"; empty =
  // this month), as the census computes it: 1 - failed / all home-page checks.
  Result<json> Availability(const Principal& p, const std::string& month);

  // --- Pages ------------------------------------------------------------
  std::string StatusPageHtml();
  std::string MetricsText();

  // Runs one site-monitor synchronisation now (sites and domains -> monitors).
  Status SyncSiteMonitors();

  struct Impl;

 private:
  store::Db& db_;
  MonitorOptions options_;
  Metrics metrics_;
  std::unique_ptr<Impl> impl_;
};

// Day boundaries for availability: China Standard Time (UTC+8, no DST).
inline constexpr int64_t kCstOffsetMs = 8 * 3600 * 1000;

}  // namespace zhanqun::ops
