// Metrics: counters any thread bumps (requests, publishes, jobs, alert
// deliveries) and the /metrics page in Prometheus text format 0.0.4, which
// adds the prober's last results (kept in memory) and counts from the store
// (open incidents, the outbox, monitors). No lock is held while the store is read.
#include <spdlog/spdlog.h>

#include "ops/internal.h"
#include "ops/monitoring.h"

namespace zhanqun::ops {
namespace {

using store::Conn;

std::string LabelEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::CountRequest(const std::string& listener, int status) {
  if (status >= kMinStatus && status <= kMaxStatus &&
      (listener == "admin" || listener == "public")) {
    auto& table = listener == "admin" ? admin_requests_ : public_requests_;
    table[status - kMinStatus].fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::lock_guard lock(mu_);
  requests_[{listener, status}]++;
}

void Metrics::CountPublish(bool ok) {
  std::lock_guard lock(mu_);
  (ok ? publishes_ok_ : publishes_failed_)++;
}

void Metrics::ObserveJob(const std::string& job, double seconds, bool ok) {
  std::lock_guard lock(mu_);
  auto& j = jobs_[job];
  j.runs++;
  if (!ok) j.failures++;
  j.seconds_sum += seconds;
  j.last_seconds = seconds;
}

void Metrics::CountAlert(const std::string& type, const std::string& result) {
  std::lock_guard lock(mu_);
  alerts_[{type, result}]++;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string o;
  o += "# HELP zhanqun_http_requests_total HTTP requests answered, per listener and status.\n";
  o += "# TYPE zhanqun_http_requests_total counter\n";
  auto requests = requests_;
  for (int status = kMinStatus; status <= kMaxStatus; ++status) {
    for (const auto& [name, table] :
         {std::pair{"admin", &admin_requests_}, std::pair{"public", &public_requests_}}) {
      const uint64_t n = (*table)[status - kMinStatus].load(std::memory_order_relaxed);
      if (n != 0) requests[{name, status}] += n;
    }
  }
  for (const auto& [k, v] : requests) {
    o += "zhanqun_http_requests_total{listener=\"" + LabelEscape(k.first) + "\",status=\"" +
         std::to_string(k.second) + "\"} " + std::to_string(v) + "\n";
  }
  o += "# HELP zhanqun_publish_total Site and article publishes.\n";
  o += "# TYPE zhanqun_publish_total counter\n";
  o += "zhanqun_publish_total{result=\"ok\"} " + std::to_string(publishes_ok_) + "\n";
  o += "zhanqun_publish_total{result=\"failed\"} " + std::to_string(publishes_failed_) + "\n";
  o += "# HELP zhanqun_job_runs_total Runs of background jobs.\n";
  o += "# TYPE zhanqun_job_runs_total counter\n";
  for (const auto& [k, j] : jobs_) {
    o += "zhanqun_job_runs_total{job=\"" + LabelEscape(k) + "\"} " + std::to_string(j.runs) + "\n";
  }
  o += "# HELP zhanqun_job_failures_total Failed runs of background jobs.\n";
  o += "# TYPE zhanqun_job_failures_total counter\n";
  for (const auto& [k, j] : jobs_) {
    o += "zhanqun_job_failures_total{job=\"" + LabelEscape(k) + "\"} " +
         std::to_string(j.failures) + "\n";
  }
  o += "# HELP zhanqun_job_duration_seconds_sum Time spent in background jobs.\n";
  o += "# TYPE zhanqun_job_duration_seconds_sum counter\n";
  for (const auto& [k, j] : jobs_) {
    o += "zhanqun_job_duration_seconds_sum{job=\"" + LabelEscape(k) + "\"} " +
         std::to_string(j.seconds_sum) + "\n";
  }
  o += "# HELP zhanqun_job_last_duration_seconds Duration of the last run.\n";
  o += "# TYPE zhanqun_job_last_duration_seconds gauge\n";
  for (const auto& [k, j] : jobs_) {
    o += "zhanqun_job_last_duration_seconds{job=\"" + LabelEscape(k) + "\"} " +
         std::to_string(j.last_seconds) + "\n";
  }
  o += "# HELP zhanqun_alert_deliveries_total Alert delivery attempts, per channel type and "
       "result.\n";
  o += "# TYPE zhanqun_alert_deliveries_total counter\n";
  for (const auto& [k, v] : alerts_) {
    o += "zhanqun_alert_deliveries_total{type=\"" + LabelEscape(k.first) + "\",result=\"" +
         LabelEscape(k.second) + "\"} " + std::to_string(v) + "\n";
  }
  return o;
}

std::string Monitoring::MetricsText() {
  std::string o = metrics_.Render();
  {
    std::lock_guard lock(impl_->stats_mu);
    o += "# HELP zhanqun_probe_up Last check of the monitor succeeded (1) or failed (0).\n";
    o += "# TYPE zhanqun_probe_up gauge\n";
    for (const auto& [id, s] : impl_->stats) {
      o += "zhanqun_probe_up{monitor_id=\"" + std::to_string(id) + "\",url=\"" +
           LabelEscape(s.url) + "\"} " + (s.ok ? "1" : "0") + "\n";
    }
    o += "# HELP zhanqun_probe_latency_seconds Duration of the last check.\n";
    o += "# TYPE zhanqun_probe_latency_seconds gauge\n";
    for (const auto& [id, s] : impl_->stats) {
      o += "zhanqun_probe_latency_seconds{monitor_id=\"" + std::to_string(id) + "\",url=\"" +
           LabelEscape(s.url) + "\"} " + std::to_string(s.latency_ms / 1000.0) + "\n";
    }
    o += "# HELP zhanqun_probe_results_total Checks per monitor and outcome.\n";
    o += "# TYPE zhanqun_probe_results_total counter\n";
    for (const auto& [id, s] : impl_->stats) {
      for (const auto& [outcome, n] : s.counts) {
        o += "zhanqun_probe_results_total{monitor_id=\"" + std::to_string(id) + "\",outcome=\"" +
             LabelEscape(outcome) + "\"} " + std::to_string(n) + "\n";
      }
    }
    o += "# HELP zhanqun_probe_cert_days_left Days until the TLS certificate expires.\n";
    o += "# TYPE zhanqun_probe_cert_days_left gauge\n";
    for (const auto& [id, s] : impl_->stats) {
      if (s.cert_days >= 0 || s.cert_days < -1) {
        o += "zhanqun_probe_cert_days_left{monitor_id=\"" + std::to_string(id) + "\"} " +
             std::to_string(s.cert_days) + "\n";
      }
    }
  }
  auto st = db_.Read([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(int64_t open,
                        c.QueryInt("SELECT COUNT(*) FROM incidents WHERE status = 'open'"));
    ZQ_ASSIGN_OR_RETURN(int64_t total, c.QueryInt("SELECT COUNT(*) FROM incidents"));
    o += "# HELP zhanqun_incidents_open Incidents not yet resolved.\n";
    o += "# TYPE zhanqun_incidents_open gauge\nzhanqun_incidents_open " + std::to_string(open) +
         "\n";
    o += "# HELP zhanqun_incidents_total Incidents ever opened (kept in the store).\n";
    o += "# TYPE zhanqun_incidents_total counter\nzhanqun_incidents_total " +
         std::to_string(total) + "\n";
    ZQ_ASSIGN_OR_RETURN(auto outbox,
                        c.Query("SELECT status, COUNT(*) AS n FROM alert_outbox GROUP BY status"));
    o += "# HELP zhanqun_alert_outbox Alerts in the outbox by status.\n";
    o += "# TYPE zhanqun_alert_outbox gauge\n";
    std::map<std::string, int64_t> by = {{"pending", 0}, {"sent", 0}, {"failed", 0}};
    for (const auto& r : outbox) by[r.Text("status")] = r.Int("n");
    for (const auto& [k, v] : by) {
      o += "zhanqun_alert_outbox{status=\"" + k + "\"} " + std::to_string(v) + "\n";
    }
    ZQ_ASSIGN_OR_RETURN(auto mons, c.Query("SELECT kind, COUNT(*) AS n FROM monitors WHERE "
                                           "enabled = 1 GROUP BY kind"));
    o += "# HELP zhanqun_monitors Enabled monitors by kind.\n# TYPE zhanqun_monitors gauge\n";
    for (const auto& r : mons) {
      o += "zhanqun_monitors{kind=\"" + r.Text("kind") + "\"} " + std::to_string(r.Int("n")) + "\n";
    }
    return {};
  });
  if (!st) spdlog::error("metrics: {}", st.error().internal);
  return o;
}

}  // namespace zhanqun::ops
