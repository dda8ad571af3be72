#include "ops/monitoring.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <set>

#include "core/text.h"
#include "ops/internal.h"
#include "service/input.h"

namespace zhanqun::ops {
namespace {

using service::Input;
using service::TextKind;
using store::Conn;
using store::Row;

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kTargetS = 1800;  // the contract's 30-minute response target

Status RequireSysadmin(const Principal& p, const char* what) {
  if (!p.IsSysadmin()) return Fail(Error::Forbidden(std::string("只有系统管理员可以") + what));
  return {};
}

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

json OptJson(const Row& r, std::string_view name) {
  return r.IsNull(name) ? json(nullptr) : json(r.Int(name));
}

constexpr const char* kMonitorSelect =
    "SELECT m.id, m.site_id, m.domain, m.kind, m.name, m.url, m.interval_s, m.keyword, "
    "m.ip_version, m.enabled, m.home, m.created_at, m.updated_at, s.last_ts, s.ok, s.outcome, "
    "s.http_status, s.latency_ms, s.detail, s.consecutive_failures, s.cert_expires_at FROM "
    "monitors m LEFT JOIN monitor_state s ON s.monitor_id = m.id";

json MonitorJson(const Row& r) {
  json j = {{"id", r.Int("id")},
            {"site_id", OptJson(r, "site_id")},
            {"kind", r.Text("kind")},
            {"name", r.Text("name")},
            {"domain", r.Text("domain")},
            {"url", r.Text("url")},
            {"interval_s", r.Int("interval_s")},
            {"keyword", r.Text("keyword")},
            {"ip_version", r.Text("ip_version")},
            {"enabled", r.Int("enabled") != 0},
            {"home", r.Int("home") != 0},
            {"created_at", r.Int("created_at")},
            {"updated_at", r.Int("updated_at")},
            {"state", nullptr}};
  if (!r.IsNull("last_ts")) {
    j["state"] = {{"last_checked_at", r.Int("last_ts")},
                  {"ok", r.Int("ok") != 0},
                  {"outcome", r.Text("outcome")},
                  {"outcome_text", OutcomeText(r.Text("outcome"))},
                  {"http_status", r.Int("http_status")},
                  {"latency_ms", r.Int("latency_ms")},
                  {"detail", r.Text("detail")},
                  {"consecutive_failures", r.Int("consecutive_failures")},
                  {"cert_expires_at", OptJson(r, "cert_expires_at")}};
  }
  return j;
}

Result<json> LoadMonitorJson(Conn& c, int64_t id) {
  ZQ_ASSIGN_OR_RETURN(auto rows, c.Query(std::string(kMonitorSelect) + " WHERE m.id = ?", {id}));
  if (rows.empty()) return Fail(Error::NotFound("监测项不存在"));
  return MonitorJson(rows.front());
}

json ChannelJson(const Row& r) {
  json cfg = json::parse(r.Text("config"), nullptr, false);
  if (!cfg.is_object()) cfg = json::object();
  json j = {{"id", r.Int("id")},
            {"name", r.Text("name")},
            {"type", r.Text("type")},
            {"url", r.Text("url")},
            {"enabled", r.Int("enabled") != 0},
            {"sites", cfg.value("sites", json::array())},
            {"severities", cfg.value("severities", json::array({"critical", "warning"}))},
            {"notify_resolved", cfg.value("notify_resolved", true)},
            {"has_secret", !cfg.value("secret", "").empty()},
            {"created_at", r.Int("created_at")},
            {"updated_at", r.Int("updated_at")}};
  if (r.Text("type") == "email") {
    j["to"] = cfg.value("to", json::array());
    j["from"] = cfg.value("from", "");
    j["username"] = cfg.value("username", "");
    j["has_password"] = !cfg.value("password", "").empty();
  }
  return j;
}

Result<json> LoadChannelJson(Conn& c, int64_t id) {
  ZQ_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, name, type, url, config, enabled, "
                                         "created_at, updated_at FROM alert_channels WHERE id = ?",
                                         {id}));
  if (rows.empty()) return Fail(Error::NotFound("告警渠道不存在"));
  return ChannelJson(rows.front());
}

// "2026-11" -> [start, end) in ms, month boundaries in Beijing time.
Result<std::pair<int64_t, int64_t>> MonthRange(const std::string& month, int64_t now) {
  int y = 0, m = 0;
  if (month.empty()) {
    std::time_t t = static_cast<std::time_t>((now + kCstOffsetMs) / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    y = tm.tm_year + 1900;
    m = tm.tm_mon + 1;
  } else {
    if (month.size() != 7 || month[4] != '-' ||
        month.find_first_not_of("0123456789-") != std::string::npos ||
        sscanf(month.c_str(), "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12 || y < 2000 || y > 2999) {
      return Fail(Error::Invalid("month", "month 必须是 YYYY-MM 格式的月份，如 2026-11"));
    }
  }
  auto start_of = [](int year, int mon) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = 1;
    return static_cast<int64_t>(timegm(&tm)) * 1000 - kCstOffsetMs;
  };
  int64_t start = start_of(y, m);
  int64_t end = m == 12 ? start_of(y + 1, 1) : start_of(y, m + 1);
  return std::make_pair(start, end);
}

std::string DayText(int64_t day) {  // day number in Beijing time -> 2026-11-26
  std::time_t t = static_cast<std::time_t>(day * 86400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

// --- Metrics ------------------------------------------------------------------

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

// --- Lifecycle ---------------------------------------------------------------

Monitoring::Monitoring(store::Db& db, MonitorOptions options)
    : db_(db), options_(std::move(options)), impl_(std::make_unique<Impl>(*this)) {}

Monitoring::~Monitoring() { Stop(); }

int64_t Monitoring::Now() const {
  if (options_.now_ms) return options_.now_ms();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Status Monitoring::Start() {
  if (!options_.config.enabled || impl_->prober.joinable()) return {};
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURLM* m = curl_multi_init();
  if (!m) return Fail(Error::Internal("curl_multi_init failed"));
  impl_->multi = m;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = false;
    impl_->reload = true;
  }
  impl_->prober = std::thread([this] { impl_->ProberLoop(); });
  impl_->sender = std::thread([this] { impl_->SenderLoop(); });
  return {};
}

void Monitoring::Stop() {
  if (!impl_->prober.joinable()) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  curl_multi_wakeup(static_cast<CURLM*>(impl_->multi));
  impl_->prober.join();
  impl_->sender.join();
  curl_multi_cleanup(static_cast<CURLM*>(impl_->multi));
  impl_->multi = nullptr;
}

void Monitoring::Wake() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->reload = true;
    impl_->send_now = true;
  }
  impl_->cv.notify_all();
  if (impl_->multi) curl_multi_wakeup(static_cast<CURLM*>(impl_->multi));
}

// --- Monitors ----------------------------------------------------------------

Result<json> Monitoring::ListMonitors(const Principal& p, const json& f) {
  ZQ_TRY(RequireSysadmin(p, "查看监测项"));
  return db_.ReadValue<json>([&](Conn& c) -> Result<json> {
    std::string sql = std::string(kMonitorSelect) + " WHERE 1 = 1";
    store::Params params;
    if (f.contains("site_id")) {
      sql += " AND m.site_id = ?";
      params.push_back(f["site_id"].get<int64_t>());
    }
    if (f.contains("kind")) {
      sql += " AND m.kind = ?";
      params.emplace_back(std::in_place_type<std::string>, f.value("kind", ""));
    }
    ZQ_ASSIGN_OR_RETURN(auto rows, c.Query(sql + " ORDER BY m.id", params));
    json items = json::array();
    for (const auto& r : rows) items.push_back(MonitorJson(r));
    return json{{"items", items}, {"total", items.size()}};
  });
}

Result<json> Monitoring::CreateMonitor(const Principal& p, const json& body) {
  ZQ_TRY(RequireSysadmin(p, "添加监测项"));
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown({"url", "interval_s", "keyword", "name", "ip_version", "enabled"}));
  ZQ_ASSIGN_OR_RETURN(auto url, in.Text("url", TextKind::kUrl, 2000, true));
  ZQ_ASSIGN_OR_RETURN(auto interval, in.Int("interval_s", false, 5, 86400));
  ZQ_ASSIGN_OR_RETURN(auto keyword, in.Text("keyword", TextKind::kLine, 200, false));
  ZQ_ASSIGN_OR_RETURN(auto name, in.Text("name", TextKind::kLine, 100, false));
  ZQ_ASSIGN_OR_RETURN(auto ipv, in.Enum("ip_version", {"any", "v4", "v6"}, false));
  ZQ_ASSIGN_OR_RETURN(auto enabled, in.Bool("enabled", false));
  int64_t now = Now();
  auto r = db_.WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(int64_t dup,
                        c.QueryInt("SELECT COUNT(*) FROM monitors WHERE url = ? AND ip_version = ?",
                                   {*url, ipv.value_or("any")}));
    if (dup > 0) return Fail(Error::Conflict("url", "已有监测该网址的监测项"));
    ZQ_ASSIGN_OR_RETURN(
        auto rows,
        c.Query("INSERT INTO monitors (site_id, domain, kind, name, url, interval_s, keyword, "
                "ip_version, enabled, home, created_at, updated_at) VALUES (NULL, '', 'custom', "
                "?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id",
                {name.value_or(""), *url, interval.value_or(options_.config.default_interval_s),
                 keyword.value_or(""), ipv.value_or("any"), int64_t{enabled.value_or(true)}, now,
                 now}));
    int64_t id = rows.front().Int("id");
    ZQ_ASSIGN_OR_RETURN(json m, LoadMonitorJson(c, id));
    ZQ_TRY(service::AppendAudit(c, now, p, "monitor.create", "monitor", std::to_string(id),
                                "success", {{"before", nullptr}, {"after", m}}));
    return m;
  });
  if (r) Wake();
  return r;
}

Result<json> Monitoring::GetMonitor(const Principal& p, int64_t id) {
  ZQ_TRY(RequireSysadmin(p, "查看监测项"));
  return db_.ReadValue<json>([&](Conn& c) { return LoadMonitorJson(c, id); });
}

Result<json> Monitoring::UpdateMonitor(const Principal& p, int64_t id, const json& body) {
  ZQ_TRY(RequireSysadmin(p, "修改监测项"));
  ZQ_ASSIGN_OR_RETURN(json before,
                      db_.ReadValue<json>([&](Conn& c) { return LoadMonitorJson(c, id); }));
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown({"url", "interval_s", "keyword", "name", "ip_version", "enabled"}));
  ZQ_ASSIGN_OR_RETURN(auto url, in.Text("url", TextKind::kUrl, 2000, false));
  ZQ_ASSIGN_OR_RETURN(auto interval, in.Int("interval_s", false, 5, 86400));
  ZQ_ASSIGN_OR_RETURN(auto keyword, in.Text("keyword", TextKind::kLine, 200, false));
  ZQ_ASSIGN_OR_RETURN(auto name, in.Text("name", TextKind::kLine, 100, false));
  ZQ_ASSIGN_OR_RETURN(auto ipv, in.Enum("ip_version", {"any", "v4", "v6"}, false));
  ZQ_ASSIGN_OR_RETURN(auto enabled, in.Bool("enabled", false));
  bool site = before["kind"] == "site";
  if (site && url)
    return Fail(Error::Invalid("url", "站点监测项的网址随站点域名自动维护，不能修改"));
  if (site && name) return Fail(Error::Invalid("name", "站点监测项的名称随站点域名自动维护"));
  if (site && ipv) return Fail(Error::Invalid("ip_version", "站点监测项的 IP 版本不能修改"));
  if (body.empty()) return before;
  int64_t now = Now();
  auto r = db_.WriteValue<json>([&](Conn& c) -> Result<json> {
    std::string new_url = url.value_or(before["url"].get<std::string>());
    std::string new_ipv = ipv.value_or(before["ip_version"].get<std::string>());
    ZQ_ASSIGN_OR_RETURN(int64_t dup, c.QueryInt("SELECT COUNT(*) FROM monitors WHERE url = ? AND "
                                                "ip_version = ? AND id <> ?",
                                                {new_url, new_ipv, id}));
    if (dup > 0) return Fail(Error::Conflict("url", "已有监测该网址的监测项"));
    ZQ_TRY(
        c.Exec("UPDATE monitors SET url = ?, ip_version = ?, interval_s = ?, keyword = ?, "
               "name = ?, enabled = ?, updated_at = ? WHERE id = ?",
               {new_url, new_ipv, interval.value_or(before["interval_s"].get<int64_t>()),
                keyword.value_or(before["keyword"].get<std::string>()),
                name.value_or(before["name"].get<std::string>()),
                int64_t{enabled.value_or(before["enabled"].get<bool>())}, now, id}));
    ZQ_ASSIGN_OR_RETURN(json after, LoadMonitorJson(c, id));
    json b = before, a = after;
    for (json* x : {&b, &a}) {
      x->erase("updated_at");
      x->erase("state");
    }
    ZQ_TRY(service::AppendAudit(c, now, p, "monitor.update", "monitor", std::to_string(id),
                                "success", {{"before", b}, {"after", a}}));
    return after;
  });
  if (r) Wake();
  return r;
}

Status Monitoring::DeleteMonitor(const Principal& p, int64_t id) {
  ZQ_TRY(RequireSysadmin(p, "删除监测项"));
  int64_t now = Now();
  auto st = db_.Write([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(json before, LoadMonitorJson(c, id));
    if (before["kind"] == "site") {
      return Fail(Error::Conflict(
          "id", "站点监测项随站点域名自动维护，不能删除；如需暂停请把 enabled 设为 false"));
    }
    ZQ_TRY(c.Exec("DELETE FROM monitors WHERE id = ?", {id}));
    before.erase("state");
    return service::AppendAudit(c, now, p, "monitor.delete", "monitor", std::to_string(id),
                                "success", {{"before", before}, {"after", nullptr}});
  });
  if (st) Wake();
  return st;
}

Result<json> Monitoring::ListResults(const Principal& p, int64_t id, const json& f) {
  ZQ_TRY(RequireSysadmin(p, "查看监测结果"));
  std::string resolution = f.value("resolution", "raw");
  if (resolution != "raw" && resolution != "5m" && resolution != "1h") {
    return Fail(Error::Invalid("resolution", "resolution 必须是 raw、5m、1h 之一"));
  }
  int64_t now = Now();
  int64_t from = f.contains("from") ? f["from"].get<int64_t>() : now - kDayMs;
  int64_t to = f.contains("to") ? f["to"].get<int64_t>() : now + 1;
  int64_t limit = f.contains("limit") ? f["limit"].get<int64_t>() : 500;
  if (limit < 1 || limit > 5000)
    return Fail(Error::Invalid("limit", "limit 必须在 1 到 5000 之间"));
  return db_.ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_TRY(LoadMonitorJson(c, id));
    json items = json::array();
    if (resolution == "raw") {
      ZQ_ASSIGN_OR_RETURN(auto rows,
                          c.Query("SELECT ts, ok, outcome, http_status, latency_ms, detail FROM "
                                  "monitor_results WHERE monitor_id = ? AND ts >= ? AND ts < ? "
                                  "ORDER BY ts DESC, id DESC LIMIT ?",
                                  {id, from, to, limit}));
      for (const auto& r : rows) {
        items.push_back({{"ts", r.Int("ts")},
                         {"ok", r.Int("ok") != 0},
                         {"outcome", r.Text("outcome")},
                         {"http_status", r.Int("http_status")},
                         {"latency_ms", r.Int("latency_ms")},
                         {"detail", r.Text("detail")}});
      }
    } else {
      int64_t bucket = resolution == "5m" ? 300 : 3600;
      ZQ_ASSIGN_OR_RETURN(auto rows,
                          c.Query("SELECT ts, checks, failures, latency_sum, latency_max FROM "
                                  "monitor_rollups WHERE monitor_id = ? AND bucket_s = ? AND ts "
                                  ">= ? AND ts < ? ORDER BY ts DESC LIMIT ?",
                                  {id, bucket, from, to, limit}));
      for (const auto& r : rows) {
        int64_t checks = r.Int("checks");
        items.push_back({{"ts", r.Int("ts")},
                         {"checks", checks},
                         {"failures", r.Int("failures")},
                         {"latency_avg_ms", checks ? r.Int("latency_sum") / checks : 0},
                         {"latency_max_ms", r.Int("latency_max")}});
      }
    }
    return json{{"monitor_id", id}, {"resolution", resolution}, {"items", items}};
  });
}

// --- Incidents ---------------------------------------------------------------

Result<json> Monitoring::ListIncidents(const Principal& p, const json& f) {
  ZQ_TRY(RequireSysadmin(p, "查看故障事件"));
  std::optional<std::pair<int64_t, int64_t>> range;
  if (f.contains("month")) {
    ZQ_ASSIGN_OR_RETURN(auto r, MonthRange(f["month"].get<std::string>(), Now()));
    range = r;
  }
  std::string status = f.value("status", "");
  if (!status.empty() && status != "open" && status != "resolved") {
    return Fail(Error::Invalid("status", "status 必须是 open 或 resolved"));
  }
  return db_.ReadValue<json>([&](Conn& c) -> Result<json> {
    std::string sql =
        "SELECT i.id, i.monitor_id, i.site_id, i.severity, i.status, i.cause, i.detail, "
        "i.detected_at, i.opened_at, i.alerted_at, i.acknowledged_at, i.acknowledged_by, "
        "i.resolved_at, i.silenced, m.url FROM incidents i JOIN monitors m ON m.id = "
        "i.monitor_id WHERE 1 = 1";
    store::Params params;
    if (!status.empty()) {
      sql += " AND i.status = ?";
      params.push_back(status);
    }
    for (const char* k : {"monitor_id", "site_id"}) {
      if (f.contains(k)) {
        sql += std::string(" AND i.") + k + " = ?";
        params.push_back(f[k].get<int64_t>());
      }
    }
    if (range) {
      sql += " AND i.opened_at >= ? AND i.opened_at < ?";
      params.push_back(range->first);
      params.push_back(range->second);
    }
    ZQ_ASSIGN_OR_RETURN(auto rows, c.Query(sql + " ORDER BY i.id DESC LIMIT 1000", params));
    json items = json::array();
    int64_t acked = 0, resolved = 0, within = 0, tta_sum = 0, ttr_sum = 0;
    for (const auto& r : rows) {
      int64_t id = r.Int("id");
      ZQ_ASSIGN_OR_RETURN(auto ev, c.Query("SELECT ts, kind, detail FROM incident_events WHERE "
                                           "incident_id = ? ORDER BY ts, id",
                                           {id}));
      json timeline = json::array();
      for (const auto& e : ev) {
        timeline.push_back(
            {{"ts", e.Int("ts")}, {"kind", e.Text("kind")}, {"detail", e.Text("detail")}});
      }
      int64_t opened = r.Int("opened_at");
      json tta = nullptr, ttr = nullptr, in_target = nullptr;
      if (!r.IsNull("acknowledged_at")) {
        int64_t s = (r.Int("acknowledged_at") - opened) / 1000;
        tta = s;
        in_target = s <= kTargetS;
        ++acked;
        tta_sum += s;
        if (s <= kTargetS) ++within;
      }
      if (!r.IsNull("resolved_at")) {
        int64_t s = (r.Int("resolved_at") - opened) / 1000;
        ttr = s;
        ++resolved;
        ttr_sum += s;
      }
      items.push_back({{"id", id},
                       {"monitor_id", r.Int("monitor_id")},
                       {"site_id", OptJson(r, "site_id")},
                       {"url", r.Text("url")},
                       {"severity", r.Text("severity")},
                       {"status", r.Text("status")},
                       {"cause", r.Text("cause")},
                       {"cause_text", OutcomeText(r.Text("cause"))},
                       {"detail", r.Text("detail")},
                       {"detected_at", r.Int("detected_at")},
                       {"opened_at", opened},
                       {"alerted_at", OptJson(r, "alerted_at")},
                       {"acknowledged_at", OptJson(r, "acknowledged_at")},
                       {"acknowledged_by", OptJson(r, "acknowledged_by")},
                       {"resolved_at", OptJson(r, "resolved_at")},
                       {"silenced", r.Int("silenced") != 0},
                       {"time_to_acknowledge_s", tta},
                       {"time_to_resolve_s", ttr},
                       {"acknowledged_within_target", in_target},
                       {"timeline", timeline}});
    }
    json stats = {{"incidents", items.size()},
                  {"acknowledged", acked},
                  {"resolved", resolved},
                  {"target_s", kTargetS},
                  {"acknowledged_within_target", within},
                  {"mean_time_to_acknowledge_s", acked ? json(tta_sum / acked) : json(nullptr)},
                  {"mean_time_to_resolve_s", resolved ? json(ttr_sum / resolved) : json(nullptr)}};
    return json{{"items", items}, {"total", items.size()}, {"stats", stats}};
  });
}

Result<json> Monitoring::AcknowledgeIncident(const Principal& p, int64_t id, const json& body) {
  ZQ_TRY(RequireSysadmin(p, "确认故障事件"));
  auto exists = db_.ReadValue<int64_t>(
      [&](Conn& c) { return c.QueryInt("SELECT COUNT(*) FROM incidents WHERE id = ?", {id}); });
  if (!exists) return Fail(std::move(exists.error()));
  if (*exists == 0) return Fail(Error::NotFound("故障事件不存在"));
  json b = body.is_null() ? json::object() : body;
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(b));
  ZQ_TRY(in.OnlyKnown({"note"}));
  ZQ_ASSIGN_OR_RETURN(auto note, in.Text("note", TextKind::kLine, 500, false));
  int64_t now = Now();
  ZQ_TRY(db_.Write([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT acknowledged_at FROM incidents WHERE id = ?",
                                             {id}, "故障事件"));
    if (!row.IsNull("acknowledged_at")) {
      return Fail(Error::Conflict(
          "id", "该故障事件已于 " + FormatTime(row.Int("acknowledged_at")) + " 确认"));
    }
    ZQ_TRY(c.Exec("UPDATE incidents SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ?",
                  {now, p.user_id, id}));
    ZQ_TRY(
        c.Exec("INSERT INTO incident_events (incident_id, ts, kind, detail) VALUES (?, ?, "
               "'acknowledged', ?)",
               {id, now, p.username + " 确认" + (note ? "：" + *note : "")}));
    return service::AppendAudit(c, now, p, "incident.acknowledge", "incident", std::to_string(id),
                                "success", {{"note", note.value_or("")}});
  }));
  ZQ_ASSIGN_OR_RETURN(json list, ListIncidents(p, json::object()));
  for (auto& it : list["items"]) {
    if (it["id"] == id) return it;
  }
  return Fail(Error::NotFound("故障事件不存在"));
}

// --- Alert channels ----------------------------------------------------------

namespace {

struct ChannelInput {
  std::optional<std::string> type, url, name;
  std::optional<bool> enabled;
  json config;  // merged config members that were given
};

Result<ChannelInput> ParseChannel(Conn& c, const json& body, bool create,
                                  const std::string& existing_type) {
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown({"type", "url", "name", "enabled", "sites", "severities", "notify_resolved",
                       "to", "from", "username", "password", "secret"}));
  ChannelInput ch;
  ch.config = json::object();
  ZQ_ASSIGN_OR_RETURN(ch.type,
                      in.Enum("type", {"webhook", "email", "wecom", "dingtalk", "feishu"}, create));
  if (!create && ch.type && *ch.type != existing_type) {
    return Fail(Error::Invalid("type", "告警渠道的类型创建后不能修改，请新建一个渠道"));
  }
  std::string type = ch.type.value_or(existing_type);
  if (type == "email") {
    ZQ_ASSIGN_OR_RETURN(ch.url, in.Text("url", TextKind::kLine, 500, create));
    if (ch.url && ch.url->rfind("smtp://", 0) != 0 && ch.url->rfind("smtps://", 0) != 0) {
      return Fail(
          Error::Invalid("url", "邮件渠道的 url 必须是 smtp://主机:端口 或 smtps://主机:端口"));
    }
    ZQ_ASSIGN_OR_RETURN(auto to, in.TextList("to", TextKind::kEmail, 20, 200, create));
    if (to && to->empty()) return Fail(Error::Invalid("to", "to 至少需要一个收件地址"));
    if (to) ch.config["to"] = *to;
    ZQ_ASSIGN_OR_RETURN(auto from, in.Text("from", TextKind::kEmail, 200, false));
    if (from) ch.config["from"] = *from;
    ZQ_ASSIGN_OR_RETURN(auto user, in.Text("username", TextKind::kLine, 200, false));
    if (user) ch.config["username"] = *user;
    ZQ_ASSIGN_OR_RETURN(auto pass, in.Text("password", TextKind::kLine, 200, false));
    if (pass) ch.config["password"] = *pass;
  } else {
    for (const char* k : {"to", "from", "username", "password"}) {
      if (in.Has(k)) return Fail(Error::Invalid(k, std::string(k) + " 只适用于邮件渠道"));
    }
    ZQ_ASSIGN_OR_RETURN(ch.url, in.Text("url", TextKind::kUrl, 2000, create));
  }
  ZQ_ASSIGN_OR_RETURN(ch.name, in.Text("name", TextKind::kLine, 100, false));
  ZQ_ASSIGN_OR_RETURN(ch.enabled, in.Bool("enabled", false));
  ZQ_ASSIGN_OR_RETURN(auto notify, in.Bool("notify_resolved", false));
  if (notify) ch.config["notify_resolved"] = *notify;
  ZQ_ASSIGN_OR_RETURN(auto secret, in.Text("secret", TextKind::kLine, 200, false));
  if (secret) ch.config["secret"] = *secret;
  if (in.Has("sites")) {
    const json& s = body["sites"];
    if (!s.is_array() || s.size() > 1000)
      return Fail(Error::Invalid("sites", "sites 必须是站点编号的数组（空数组表示全部站点）"));
    json ids = json::array();
    for (const auto& x : s) {
      if (!x.is_number_integer() || x.get<int64_t>() <= 0)
        return Fail(Error::Invalid("sites", "sites 必须是站点编号的数组"));
      ZQ_ASSIGN_OR_RETURN(
          int64_t n, c.QueryInt("SELECT COUNT(*) FROM sites WHERE id = ?", {x.get<int64_t>()}));
      if (n == 0)
        return Fail(
            Error::Invalid("sites", "站点 " + std::to_string(x.get<int64_t>()) + " 不存在"));
      ids.push_back(x.get<int64_t>());
    }
    ch.config["sites"] = ids;
  }
  if (in.Has("severities")) {
    ZQ_ASSIGN_OR_RETURN(auto sev, in.TextList("severities", TextKind::kLine, 2, 20, true));
    for (const auto& s : *sev) {
      if (s != "critical" && s != "warning")
        return Fail(Error::Invalid("severities", "severities 的成员必须是 critical 或 warning"));
    }
    if (sev->empty()) return Fail(Error::Invalid("severities", "severities 至少需要一个级别"));
    ch.config["severities"] = *sev;
  }
  return ch;
}

}  // namespace

Result<json> Monitoring::ListChannels(const Principal& p) {
  ZQ_TRY(RequireSysadmin(p, "查看告警渠道"));
  return db_.ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(auto rows,
                        c.Query("SELECT id, name, type, url, config, enabled, "
                                "created_at, updated_at FROM alert_channels ORDER BY id"));
    json items = json::array();
    for (const auto& r : rows) items.push_back(ChannelJson(r));
    return json{{"items", items}, {"total", items.size()}};
  });
}

Result<json> Monitoring::CreateChannel(const Principal& p, const json& body) {
  ZQ_TRY(RequireSysadmin(p, "添加告警渠道"));
  int64_t now = Now();
  return db_.WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(ChannelInput ch, ParseChannel(c, body, true, ""));
    ZQ_ASSIGN_OR_RETURN(auto rows,
                        c.Query("INSERT INTO alert_channels (name, type, url, config, enabled, "
                                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                {ch.name.value_or(""), *ch.type, *ch.url, ch.config.dump(),
                                 int64_t{ch.enabled.value_or(true)}, now, now}));
    int64_t id = rows.front().Int("id");
    ZQ_ASSIGN_OR_RETURN(json after, LoadChannelJson(c, id));
    ZQ_TRY(service::AppendAudit(c, now, p, "alert_channel.create", "alert_channel",
                                std::to_string(id), "success",
                                {{"before", nullptr}, {"after", after}}));
    return after;
  });
}

Result<json> Monitoring::UpdateChannel(const Principal& p, int64_t id, const json& body) {
  ZQ_TRY(RequireSysadmin(p, "修改告警渠道"));
  int64_t now = Now();
  return db_.WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT type, config FROM alert_channels WHERE id = ?",
                                             {id}, "告警渠道"));
    ZQ_ASSIGN_OR_RETURN(json before, LoadChannelJson(c, id));
    ZQ_ASSIGN_OR_RETURN(ChannelInput ch, ParseChannel(c, body, false, row.Text("type")));
    if (body.empty()) return before;
    json cfg = json::parse(row.Text("config"), nullptr, false);
    if (!cfg.is_object()) cfg = json::object();
    for (auto& [k, v] : ch.config.items()) cfg[k] = v;
    ZQ_TRY(
        c.Exec("UPDATE alert_channels SET name = ?, url = ?, config = ?, enabled = ?, "
               "updated_at = ? WHERE id = ?",
               {ch.name.value_or(before["name"].get<std::string>()),
                ch.url.value_or(before["url"].get<std::string>()), cfg.dump(),
                int64_t{ch.enabled.value_or(before["enabled"].get<bool>())}, now, id}));
    ZQ_ASSIGN_OR_RETURN(json after, LoadChannelJson(c, id));
    json b = before, a = after;
    b.erase("updated_at");
    a.erase("updated_at");
    ZQ_TRY(service::AppendAudit(c, now, p, "alert_channel.update", "alert_channel",
                                std::to_string(id), "success", {{"before", b}, {"after", a}}));
    return after;
  });
}

Status Monitoring::DeleteChannel(const Principal& p, int64_t id) {
  ZQ_TRY(RequireSysadmin(p, "删除告警渠道"));
  int64_t now = Now();
  return db_.Write([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(json before, LoadChannelJson(c, id));
    ZQ_ASSIGN_OR_RETURN(int64_t pending,
                        c.QueryInt("SELECT COUNT(*) FROM alert_outbox WHERE channel_id = ? AND "
                                   "status = 'pending'",
                                   {id}));
    ZQ_TRY(c.Exec("DELETE FROM alert_channels WHERE id = ?", {id}));
    return service::AppendAudit(
        c, now, p, "alert_channel.delete", "alert_channel", std::to_string(id), "success",
        {{"before", before}, {"after", nullptr}, {"pending_dropped", pending}});
  });
}

Result<json> Monitoring::ListDeliveries(const Principal& p, const json& f) {
  ZQ_TRY(RequireSysadmin(p, "查看告警发送记录"));
  std::string status = f.value("status", "");
  if (!status.empty() && status != "pending" && status != "sent" && status != "failed") {
    return Fail(Error::Invalid("status", "status 必须是 pending、sent、failed 之一"));
  }
  return db_.ReadValue<json>([&](Conn& c) -> Result<json> {
    std::string sql =
        "SELECT id, channel_id, incident_id, event, severity, subject, text, status, attempts, "
        "next_attempt_at, last_error, created_at, sent_at FROM alert_outbox";
    store::Params params;
    if (!status.empty()) {
      sql += " WHERE status = ?";
      params.push_back(status);
    }
    ZQ_ASSIGN_OR_RETURN(auto rows, c.Query(sql + " ORDER BY id DESC LIMIT 500", params));
    json items = json::array();
    for (const auto& r : rows) {
      items.push_back({{"id", r.Int("id")},
                       {"channel_id", r.Int("channel_id")},
                       {"incident_id", OptJson(r, "incident_id")},
                       {"event", r.Text("event")},
                       {"severity", r.Text("severity")},
                       {"subject", r.Text("subject")},
                       {"text", r.Text("text")},
                       {"status", r.Text("status")},
                       {"attempts", r.Int("attempts")},
                       {"next_attempt_at", r.Int("next_attempt_at")},
                       {"last_error", r.Text("last_error")},
                       {"created_at", r.Int("created_at")},
                       {"sent_at", OptJson(r, "sent_at")}});
    }
    return json{{"items", items}, {"total", items.size()}};
  });
}

// --- Maintenance windows -------------------------------------------------------

Result<json> Monitoring::ListWindows(const Principal& p) {
  ZQ_TRY(RequireSysadmin(p, "查看维护窗口"));
  return db_.ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, site_id, starts_at, ends_at, reason, "
                                           "created_by, created_at FROM maintenance_windows "
                                           "ORDER BY starts_at DESC, id DESC LIMIT 500"));
    json items = json::array();
    int64_t now = Now();
    for (const auto& r : rows) {
      items.push_back({{"id", r.Int("id")},
                       {"site_id", OptJson(r, "site_id")},
                       {"starts_at", r.Int("starts_at")},
                       {"ends_at", r.Int("ends_at")},
                       {"reason", r.Text("reason")},
                       {"active", r.Int("starts_at") <= now && now < r.Int("ends_at")},
                       {"created_by", OptJson(r, "created_by")},
                       {"created_at", r.Int("created_at")}});
    }
    return json{{"items", items}, {"total", items.size()}};
  });
}

Result<json> Monitoring::CreateWindow(const Principal& p, const json& body) {
  ZQ_TRY(RequireSysadmin(p, "设置维护窗口"));
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown({"site_id", "starts_at", "ends_at", "reason"}));
  ZQ_ASSIGN_OR_RETURN(auto site, in.NullableInt("site_id", 1, INT64_MAX));
  ZQ_ASSIGN_OR_RETURN(auto starts, in.Int("starts_at", true, 0, 253402300799000));
  ZQ_ASSIGN_OR_RETURN(auto ends, in.Int("ends_at", true, 0, 253402300799000));
  ZQ_ASSIGN_OR_RETURN(auto reason, in.Text("reason", TextKind::kLine, 200, false));
  if (*ends <= *starts) return Fail(Error::Invalid("ends_at", "ends_at 必须晚于 starts_at"));
  if (*ends - *starts > 31 * kDayMs)
    return Fail(Error::Invalid("ends_at", "维护窗口不能超过 31 天"));
  std::optional<int64_t> site_id = site ? *site : std::nullopt;
  int64_t now = Now();
  return db_.WriteValue<json>([&](Conn& c) -> Result<json> {
    if (site_id) {
      ZQ_ASSIGN_OR_RETURN(int64_t n,
                          c.QueryInt("SELECT COUNT(*) FROM sites WHERE id = ?", {*site_id}));
      if (n == 0) return Fail(Error::Invalid("site_id", "站点不存在"));
    }
    ZQ_ASSIGN_OR_RETURN(
        auto rows,
        c.Query("INSERT INTO maintenance_windows (site_id, starts_at, ends_at, "
                "reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                {store::Opt(site_id), *starts, *ends, reason.value_or(""), p.user_id, now}));
    int64_t id = rows.front().Int("id");
    json w = {{"id", id},
              {"site_id", site_id ? json(*site_id) : json(nullptr)},
              {"starts_at", *starts},
              {"ends_at", *ends},
              {"reason", reason.value_or("")},
              {"active", *starts <= now && now < *ends},
              {"created_by", p.user_id},
              {"created_at", now}};
    ZQ_TRY(service::AppendAudit(c, now, p, "maintenance_window.create", "maintenance_window",
                                std::to_string(id), "success",
                                {{"before", nullptr}, {"after", w}}));
    return w;
  });
}

Status Monitoring::DeleteWindow(const Principal& p, int64_t id) {
  ZQ_TRY(RequireSysadmin(p, "删除维护窗口"));
  int64_t now = Now();
  return db_.Write([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT id, site_id, starts_at, ends_at, reason FROM "
                                             "maintenance_windows WHERE id = ?",
                                             {id}, "维护窗口"));
    ZQ_TRY(c.Exec("DELETE FROM maintenance_windows WHERE id = ?", {id}));
    return service::AppendAudit(c, now, p, "maintenance_window.delete", "maintenance_window",
                                std::to_string(id), "success",
                                {{"before",
                                  {{"site_id", OptJson(row, "site_id")},
                                   {"starts_at", row.Int("starts_at")},
                                   {"ends_at", row.Int("ends_at")},
                                   {"reason", row.Text("reason")}}},
                                 {"after", nullptr}});
  });
}

// --- Settings (重保 mode) -------------------------------------------------------

Result<json> Monitoring::GetSettings(const Principal& p) {
  ZQ_TRY(RequireSysadmin(p, "查看监测设置"));
  return db_.ReadValue<json>([&](Conn& c) -> Result<json> {
    return json{{"protection", ProtectionMode(c)},
                {"protection_interval_s", options_.config.protection_interval_s},
                {"failures_to_open", options_.config.failures_to_open},
                {"default_interval_s", options_.config.default_interval_s},
                {"prober_running", static_cast<bool>(options_.config.enabled)}};
  });
}

Result<json> Monitoring::UpdateSettings(const Principal& p, const json& body) {
  ZQ_TRY(RequireSysadmin(p, "修改监测设置"));
  ZQ_ASSIGN_OR_RETURN(Input in, Input::FromBody(body));
  ZQ_TRY(in.OnlyKnown({"protection"}));
  ZQ_ASSIGN_OR_RETURN(auto protection, in.Bool("protection", false));
  if (protection) {
    int64_t now = Now();
    ZQ_TRY(db_.Write([&](Conn& c) -> Status {
      bool before = ProtectionMode(c);
      if (before == *protection) return {};
      ZQ_TRY(
          c.Exec("INSERT INTO settings (key, value, updated_at) VALUES ('monitor.protection', "
                 "?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = "
                 "excluded.updated_at",
                 {std::string(*protection ? "1" : "0"), now}));
      return service::AppendAudit(
          c, now, p, "monitor.protection", "settings", "monitor", "success",
          {{"before", {{"protection", before}}}, {"after", {{"protection", *protection}}}});
    }));
    Wake();
  }
  return GetSettings(p);
}

// --- Availability ----------------------------------------------------------------

namespace {

struct DayStat {
  int64_t checks = 0, failures = 0;
};

// Per site (by its home-page monitor), per Beijing day, from the hourly
// rollups (kept two years; hours align with Beijing days).
Result<std::map<int64_t, std::map<int64_t, DayStat>>> SiteDays(Conn& c, int64_t from, int64_t to) {
  ZQ_ASSIGN_OR_RETURN(
      auto rows,
      c.Query("SELECT m.site_id, (r.ts + 28800000) / 86400000 AS day, SUM(r.checks) AS checks, "
              "SUM(r.failures) AS failures FROM monitor_rollups r JOIN monitors m ON m.id = "
              "r.monitor_id WHERE m.home = 1 AND m.site_id IS NOT NULL AND r.bucket_s = 3600 AND "
              "r.ts >= ? AND r.ts < ? GROUP BY m.site_id, (r.ts + 28800000) / 86400000",
              {from, to}));
  std::map<int64_t, std::map<int64_t, DayStat>> out;
  for (const auto& r : rows) {
    out[r.Int("site_id")][r.Int("day")] = DayStat{r.Int("checks"), r.Int("failures")};
  }
  return out;
}

json Ratio(int64_t checks, int64_t failures) {
  if (checks == 0) return nullptr;
  return static_cast<double>(checks - failures) / static_cast<double>(checks);
}

}  // namespace

Result<json> Monitoring::Availability(const Principal& p, const std::string& month) {
  ZQ_TRY(RequireSysadmin(p, "查看可用率"));
  ZQ_ASSIGN_OR_RETURN(auto range, MonthRange(month, Now()));
  return db_.ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(auto days, SiteDays(c, range.first, range.second));
    ZQ_ASSIGN_OR_RETURN(auto sites, c.Query("SELECT id, code, name FROM sites ORDER BY code"));
    json items = json::array();
    for (const auto& s : sites) {
      int64_t checks = 0, failures = 0;
      json dj = json::array();
      for (const auto& [day, st] : days[s.Int("id")]) {
        checks += st.checks;
        failures += st.failures;
        dj.push_back({{"date", DayText(day)},
                      {"checks", st.checks},
                      {"failures", st.failures},
                      {"availability", Ratio(st.checks, st.failures)}});
      }
      items.push_back({{"site_id", s.Int("id")},
                       {"code", s.Text("code")},
                       {"name", s.Text("name")},
                       {"checks", checks},
                       {"failures", failures},
                       {"availability", Ratio(checks, failures)},
                       {"days", dj}});
    }
    std::string m = month;
    if (m.empty()) m = DayText((range.first + kCstOffsetMs) / kDayMs).substr(0, 7);
    return json{{"month", m},
                {"method", "首页探测失败次数 ÷ 首页探测总次数（与普查口径一致）"},
                {"sites", items}};
  });
}

// --- Status page and metrics ------------------------------------------------------

std::string Monitoring::StatusPageHtml() {
  int64_t now = Now();
  int64_t today = (now + kCstOffsetMs) / kDayMs;
  int64_t from = (today - 89) * kDayMs - kCstOffsetMs;
  std::string html;
  auto st = db_.Read([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(auto days, SiteDays(c, from, now + 1));
    ZQ_ASSIGN_OR_RETURN(
        auto sites,
        c.Query("SELECT s.id, s.code, s.name, m.id AS monitor_id, m.domain, st.ok, st.outcome, "
                "st.last_ts, st.latency_ms FROM sites s LEFT JOIN monitors m ON m.site_id = s.id "
                "AND m.home = 1 LEFT JOIN monitor_state st ON st.monitor_id = m.id ORDER BY "
                "s.code"));
    ZQ_ASSIGN_OR_RETURN(auto open,
                        c.Query("SELECT i.id, i.site_id, i.monitor_id, i.cause, i.opened_at, "
                                "i.acknowledged_at, m.url FROM incidents i JOIN monitors m ON m.id "
                                "= i.monitor_id WHERE i.status = 'open' ORDER BY i.opened_at"));
    ZQ_ASSIGN_OR_RETURN(auto custom,
                        c.Query("SELECT m.id, m.name, m.url, st.ok, st.outcome, st.last_ts, "
                                "st.latency_ms FROM monitors m LEFT JOIN monitor_state st ON "
                                "st.monitor_id = m.id WHERE m.kind = 'custom' AND m.enabled = 1 "
                                "ORDER BY m.id"));
    bool protection = ProtectionMode(c);
    std::set<int64_t> down_sites;
    for (const auto& i : open) {
      if (!i.IsNull("site_id")) down_sites.insert(i.Int("site_id"));
    }
    int up = 0, down = 0, unknown = 0;
    for (const auto& s : sites) {
      if (s.IsNull("last_ts"))
        ++unknown;
      else if (down_sites.count(s.Int("id")) || s.Int("ok") == 0)
        ++down;
      else
        ++up;
    }
    html =
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"refresh\" content=\"60\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>站群运行状态</title><style>"
        "body{font-family:'Noto Sans CJK SC',sans-serif;margin:2em auto;max-width:72em;color:#222}"
        "h1{font-size:1.5em}.summary{font-size:1.1em;margin:1em 0}"
        ".ok{color:#1a7f37}.down{color:#c62828}.unknown{color:#777}"
        "table{border-collapse:collapse;width:100%}td,th{padding:.35em .5em;border-bottom:1px "
        "solid #ddd;text-align:left;vertical-align:middle}"
        ".bars{display:flex;gap:1px;height:1.6em}.bars span{flex:1;min-width:2px;"
        "border-radius:1px}.b-ok{background:#2da44e}.b-minor{background:#d4a72c}"
        ".b-major{background:#cf222e}.b-none{background:#e1e4e8}"
        ".banner{padding:.6em 1em;background:#fff4e5;border:1px solid #f0b429}"
        "</style></head><body><main><h1>站群运行状态</h1>";
    html += "<p class=\"summary\">共 " + std::to_string(sites.size()) +
            " 个站点：<span "
            "class=\"ok\">正常 " +
            std::to_string(up) + "</span>，<span class=\"down\">异常 " + std::to_string(down) +
            "</span>，<span class=\"unknown\">未探测 " + std::to_string(unknown) +
            "</span>；进行中的故障 " + std::to_string(open.size()) + " 个。更新于 " +
            FormatTime(now) + "（北京时间）。</p>";
    if (protection)
      html += "<p class=\"banner\">重保模式已开启：探测更频繁，所有预警都会告警。</p>";
    if (!open.empty()) {
      html += "<h2>进行中的故障</h2><ul>";
      for (const auto& i : open) {
        html += "<li class=\"down\">#" + std::to_string(i.Int("id")) + " " +
                HtmlEscape(i.Text("url")) + "：" + HtmlEscape(OutcomeText(i.Text("cause"))) +
                "，开始于 " + FormatTime(i.Int("opened_at")) +
                (i.IsNull("acknowledged_at") ? "，尚未确认" : "，已确认") + "</li>";
      }
      html += "</ul>";
    }
    html +=
        "<h2>各站点（近 90 天可用率）</h2><table><thead><tr><th>站点</th><th>状态</th>"
        "<th>响应</th><th>近 90 天</th><th>可用率</th></tr></thead><tbody>";
    for (const auto& s : sites) {
      std::string cls, state;
      if (s.IsNull("last_ts")) {
        cls = "unknown";
        state = "未探测";
      } else if (down_sites.count(s.Int("id")) || s.Int("ok") == 0) {
        cls = "down";
        state = OutcomeText(s.Text("outcome"));
      } else {
        cls = "ok";
        state = "正常";
      }
      int64_t checks = 0, failures = 0;
      std::string bars = "<div class=\"bars\">";
      auto& sd = days[s.Int("id")];
      for (int64_t d = today - 89; d <= today; ++d) {
        auto it = sd.find(d);
        std::string b = "b-none", title = DayText(d) + " 无数据";
        if (it != sd.end() && it->second.checks > 0) {
          checks += it->second.checks;
          failures += it->second.failures;
          double a = 1.0 - static_cast<double>(it->second.failures) / it->second.checks;
          b = a >= 0.999 ? "b-ok" : a >= 0.99 ? "b-minor" : "b-major";
          char pct[32];
          snprintf(pct, sizeof pct, "%.2f%%", a * 100);
          title = DayText(d) + " 可用率 " + pct;
        }
        bars += "<span class=\"" + b + "\" title=\"" + title + "\"></span>";
      }
      bars += "</div>";
      std::string avail = "—";
      if (checks > 0) {
        char pct[32];
        snprintf(pct, sizeof pct, "%.3f%%", 100.0 * (checks - failures) / checks);
        avail = pct;
      }
      html += "<tr><td>" + HtmlEscape(s.Text("name")) + "<br><small>" +
              HtmlEscape(s.Text("domain")) + "</small></td><td class=\"" + cls + "\">" + state +
              "</td><td>" +
              (s.IsNull("last_ts") ? "—" : std::to_string(s.Int("latency_ms")) + " 毫秒") +
              "</td><td>" + bars + "</td><td>" + avail + "</td></tr>";
    }
    html += "</tbody></table>";
    if (!custom.empty()) {
      html +=
          "<h2>其他监测项</h2><table><thead><tr><th>名称</th><th>网址</th><th>状态</th>"
          "<th>响应</th></tr></thead><tbody>";
      for (const auto& m : custom) {
        std::string cls = m.IsNull("last_ts") ? "unknown" : m.Int("ok") ? "ok" : "down";
        std::string state = m.IsNull("last_ts") ? "未探测" : OutcomeText(m.Text("outcome"));
        html += "<tr><td>" + HtmlEscape(m.Text("name")) + "</td><td>" + HtmlEscape(m.Text("url")) +
                "</td><td class=\"" + cls + "\">" + state + "</td><td>" +
                (m.IsNull("last_ts") ? "—" : std::to_string(m.Int("latency_ms")) + " 毫秒") +
                "</td></tr>";
      }
      html += "</tbody></table>";
    }
    html +=
        "<p><small>可用率 = 1 − 首页探测失败次数 ÷ 首页探测总次数，按北京时间自然日统计。"
        "</small></p></main></body></html>\n";
    return {};
  });
  if (!st) {
    spdlog::error("status page: {}", st.error().internal);
    return "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>站群运行状态"
           "</title></head><body><p>状态暂时无法读取。</p></body></html>\n";
  }
  return html;
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
