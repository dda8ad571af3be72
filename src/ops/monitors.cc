// Monitor administration: the 系统管理员 lists, adds, changes and removes
// monitors (every change validated, audited in its transaction, and the
// prober woken), reads their results raw or rolled up, and the platform keeps
// one monitor per site domain in step with the sites (SyncSiteMonitors).
// Site monitors follow their domains: they cannot be deleted or re-pointed.
#include <map>
#include <set>

#include "ops/internal.h"
#include "ops/monitoring.h"
#include "service/input.h"

namespace zhanqun::ops {
namespace {

using service::Input;
using service::TextKind;
using store::Conn;
using store::Row;

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

}  // namespace

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

// One monitor per site domain, enabled while the site is open; the first
// domain (lowest position) is the home page.
Status Monitoring::SyncSiteMonitors() {
  int64_t now = Now();
  int interval = options_.config.default_interval_s;
  return db_.Write([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(auto domains,
                        c.Query("SELECT d.domain, d.site_id, d.position, s.status FROM "
                                "site_domains d JOIN sites s ON s.id = d.site_id"));
    ZQ_ASSIGN_OR_RETURN(auto existing,
                        c.Query("SELECT id, site_id, domain, enabled, home FROM monitors "
                                "WHERE kind = 'site'"));
    // The home page of a site is its first domain (lowest position).
    std::map<int64_t, std::pair<int64_t, std::string>> first;
    for (const auto& d : domains) {
      auto it = first.find(d.Int("site_id"));
      if (it == first.end() || d.Int("position") < it->second.first)
        first[d.Int("site_id")] = {d.Int("position"), d.Text("domain")};
    }
    std::map<std::pair<int64_t, std::string>, const store::Row*> have;
    for (const auto& m : existing) have[{m.Int("site_id"), m.Text("domain")}] = &m;
    std::set<std::pair<int64_t, std::string>> want;
    for (const auto& d : domains) {
      int64_t site = d.Int("site_id");
      std::string domain = d.Text("domain");
      want.insert({site, domain});
      int64_t enabled = d.Text("status") == "open" ? 1 : 0;
      int64_t home = first[site].second == domain ? 1 : 0;
      auto it = have.find({site, domain});
      if (it == have.end()) {
        ZQ_TRY(c.Exec(
            "INSERT INTO monitors (site_id, domain, kind, name, url, interval_s, keyword, "
            "ip_version, enabled, home, created_at, updated_at) VALUES (?, ?, 'site', ?, ?, ?, "
            "'', 'any', ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            {site, domain, domain, "http://" + domain + "/", int64_t{interval}, enabled, home, now,
             now}));
      } else if (it->second->Int("enabled") != enabled || it->second->Int("home") != home) {
        ZQ_TRY(c.Exec("UPDATE monitors SET enabled = ?, home = ?, updated_at = ? WHERE id = ?",
                      {enabled, home, now, it->second->Int("id")}));
      }
    }
    for (const auto& m : existing) {
      if (!want.count({m.Int("site_id"), m.Text("domain")}))
        ZQ_TRY(c.Exec("DELETE FROM monitors WHERE id = ?", {m.Int("id")}));
    }
    return {};
  });
}

}  // namespace zhanqun::ops
