#include "inspect/inspect.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <ctime>
#include <map>

#include "inspect/util.h"
#include "zhanqun/version.h"

namespace zhanqun::inspect {

using namespace detail;

namespace {

int64_t WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string Period(int64_t ms) { return LocalTime(ms, "%Y-%m"); }

std::string Hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

// Adds "previous", "changed" and "delta" to each check from an earlier report.
void Compare(json& report, const json* previous) {
  std::map<std::string, const json*> before;
  if (previous) {
    for (const auto& c : (*previous)["checks"]) before[c.value("id", "")] = &c;
  }
  int changed = 0, better = 0, worse = 0;
  auto rank = [](const std::string& s) { return s == "ok" ? 0 : s == "warn" ? 1 : 2; };
  for (auto& c : report["checks"]) {
    auto it = before.find(c.value("id", ""));
    if (it == before.end()) {
      c["previous"] = nullptr;
      c["changed"] = false;
      c["delta"] = nullptr;
      continue;
    }
    const json& p = *it->second;
    c["previous"] = {{"status", p.value("status", "")}, {"value", p.value("value", "")}};
    bool ch = p.value("status", "") != c.value("status", "");
    c["changed"] = ch;
    if (ch) {
      ++changed;
      if (rank(c["status"]) < rank(p.value("status", "ok")))
        ++better;
      else
        ++worse;
    }
    if (c["metric"].is_number() && p.contains("metric") && p["metric"].is_number()) {
      c["delta"] = c["metric"].get<double>() - p["metric"].get<double>();
    } else {
      c["delta"] = nullptr;
    }
  }
  if (previous) {
    report["previous"] = {{"id", (*previous).value("id", int64_t{0})},
                          {"started_at", (*previous).value("started_at", int64_t{0})},
                          {"period", (*previous).value("period", "")},
                          {"summary", (*previous).value("summary", json::object())}};
  } else {
    report["previous"] = nullptr;
  }
  report["comparison"] = {{"changed", changed}, {"better", better}, {"worse", worse}};
}

}  // namespace

json ToJson(const Check& c) {
  json j = {{"id", c.id},         {"group", c.group}, {"name", c.name},
            {"status", c.status}, {"value", c.value}, {"threshold", c.threshold},
            {"advice", c.advice}, {"unit", c.unit}};
  j["metric"] = c.metric ? json(*c.metric) : json(nullptr);
  return j;
}

const std::vector<std::pair<std::string, std::string>>& Groups() {
  static const std::vector<std::pair<std::string, std::string>> kGroups = {
      {"server", "服务器运行状态"}, {"os", "操作系统"},     {"middleware", "中间件"},
      {"application", "应用系统"},  {"database", "数据库"}, {"data_safety", "数据安全"}};
  return kGroups;
}

std::optional<int64_t> DueTime(const config::InspectConfig& ic, int64_t now_ms) {
  if (ic.schedule_day <= 0) return std::nullopt;
  time_t t = static_cast<time_t>(now_ms / 1000);
  struct tm tm {};
  localtime_r(&t, &tm);
  tm.tm_mday = ic.schedule_day;
  tm.tm_hour = std::stoi(ic.schedule_time.substr(0, 2));
  tm.tm_min = std::stoi(ic.schedule_time.substr(3, 2));
  tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&tm)) * 1000;
}

std::vector<Check> Inspector::RunChecks() {
  int64_t now = svc_.Now();
  std::vector<Check> all;
  auto add = [&](std::vector<Check> v) {
    for (auto& c : v) all.push_back(std::move(c));
  };
  add(ServerChecks(cfg_));
  add(OsChecks(cfg_));
  add(MiddlewareChecks(cfg_, svc_.db()));
  add(ApplicationChecks(cfg_, svc_, now));
  add(DatabaseChecks(cfg_, svc_.db()));
  add(DataSafetyChecks(cfg_, svc_.db(), now));
  return all;
}

Result<json> Inspector::Run(const std::string& kind, const service::Principal& actor) {
  int64_t started = svc_.Now();
  int64_t wall0 = WallMs();
  std::vector<Check> checks = RunChecks();
  int64_t finished = started + (WallMs() - wall0);

  std::string operator_name = cfg_.inspect.operator_name;
  if (operator_name.empty()) {
    auto name = svc_.db().ReadValue<store::Rows>([](store::Conn& c) {
      return c.Query("SELECT name FROM departments WHERE kind = 'district' ORDER BY id LIMIT 1");
    });
    if (name && !name->empty()) operator_name = name->front().Text("name");
  }
  if (operator_name.empty()) operator_name = "区信息中心";

  json report = {{"title", kTitle},
                 {"period", Period(started)},
                 {"started_at", started},
                 {"finished_at", finished},
                 {"duration_ms", finished - started},
                 {"kind", kind},
                 {"actor", actor.username.empty() ? "system" : actor.username},
                 {"operator", operator_name},
                 {"host", Hostname()},
                 {"version", kVersion},
                 {"engine", svc_.db().engine() == store::Engine::kSqlite ? "sqlite" : "postgresql"},
                 {"data_dir", cfg_.data_dir}};
  json arr = json::array();
  int ok = 0, warn = 0, fail = 0;
  std::map<std::string, std::array<int, 3>> per_group;
  for (const auto& c : checks) {
    arr.push_back(ToJson(c));
    int idx = c.status == "ok" ? 0 : c.status == "warn" ? 1 : 2;
    (idx == 0 ? ok : idx == 1 ? warn : fail)++;
    per_group[c.group][idx]++;
  }
  report["checks"] = std::move(arr);
  report["summary"] = {
      {"total", static_cast<int64_t>(checks.size())}, {"ok", ok}, {"warn", warn}, {"fail", fail}};
  json groups = json::array();
  for (const auto& [id, name] : Groups()) {
    auto& g = per_group[id];
    groups.push_back({{"id", id}, {"name", name}, {"ok", g[0]}, {"warn", g[1]}, {"fail", g[2]}});
  }
  report["groups"] = std::move(groups);
  const auto& ic = cfg_.inspect;
  report["thresholds"] = {{"server.cpu", {ic.cpu_warn_percent, ic.cpu_fail_percent}},
                          {"server.memory", {ic.memory_warn_percent, ic.memory_fail_percent}},
                          {"server.swap", {ic.swap_warn_percent, ic.swap_fail_percent}},
                          {"server.disk_space", {ic.disk_warn_percent, ic.disk_fail_percent}},
                          {"server.disk_inodes", {ic.inode_warn_percent, ic.inode_fail_percent}},
                          {"server.file_handles", {80, 95}}};

  // Last month's run; the latest earlier run when there is none from an
  // earlier month (a second run within the first month still compares).
  std::string period = report["period"];
  auto stored = svc_.db().WriteValue<int64_t>([&](store::Conn& c) -> Result<int64_t> {
    ZQ_ASSIGN_OR_RETURN(auto prev,
                        c.Query("SELECT id, report FROM inspections WHERE period < ? ORDER BY "
                                "started_at DESC, id DESC LIMIT 1",
                                {period}));
    if (prev.empty()) {
      ZQ_ASSIGN_OR_RETURN(prev, c.Query("SELECT id, report FROM inspections ORDER BY "
                                        "started_at DESC, id DESC LIMIT 1"));
    }
    std::optional<json> before;
    if (!prev.empty()) {
      json p = json::parse(prev.front().Text("report"), nullptr, false);
      if (!p.is_discarded()) {
        p["id"] = prev.front().Int("id");
        before = std::move(p);
      }
    }
    Compare(report, before ? &*before : nullptr);
    std::string text = report.dump(-1, ' ', false, json::error_handler_t::replace);
    ZQ_ASSIGN_OR_RETURN(
        auto rows,
        c.Query("INSERT INTO inspections (started_at, finished_at, period, kind, actor, total, "
                "ok_count, warn_count, fail_count, previous_id, report) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                {started, finished, period, kind, report["actor"].get<std::string>(),
                 static_cast<int64_t>(checks.size()), int64_t{ok}, int64_t{warn}, int64_t{fail},
                 before ? store::Value(before->value("id", int64_t{0})) : store::Null(), text}));
    int64_t id = rows.front().Int("id");
    if (kind == "manual") {
      ZQ_TRY(service::AppendAudit(c, started, actor, "inspection.run", "inspection",
                                  std::to_string(id), "success",
                                  {{"period", period},
                                   {"total", checks.size()},
                                   {"ok", ok},
                                   {"warn", warn},
                                   {"fail", fail}}));
    }
    return id;
  });
  if (!stored) return Fail(std::move(stored.error()));
  report["id"] = *stored;
  return report;
}

Result<json> Inspector::List(int64_t limit, int64_t offset) {
  return svc_.db().ReadValue<json>([&](store::Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(
        auto rows,
        c.Query("SELECT id, started_at, finished_at, period, kind, actor, total, ok_count, "
                "warn_count, fail_count, previous_id FROM inspections ORDER BY started_at DESC, "
                "id DESC LIMIT ? OFFSET ?",
                {limit, offset}));
    ZQ_ASSIGN_OR_RETURN(int64_t total, c.QueryInt("SELECT COUNT(*) FROM inspections"));
    json items = json::array();
    for (const auto& r : rows) {
      items.push_back({{"id", r.Int("id")},
                       {"started_at", r.Int("started_at")},
                       {"finished_at", r.Int("finished_at")},
                       {"period", r.Text("period")},
                       {"kind", r.Text("kind")},
                       {"actor", r.Text("actor")},
                       {"summary",
                        {{"total", r.Int("total")},
                         {"ok", r.Int("ok_count")},
                         {"warn", r.Int("warn_count")},
                         {"fail", r.Int("fail_count")}}},
                       {"previous_id",
                        r.OptInt("previous_id") ? json(*r.OptInt("previous_id")) : json(nullptr)}});
    }
    return json{{"items", std::move(items)}, {"total", total}};
  });
}

Result<json> Inspector::Get(int64_t id) {
  return svc_.db().ReadValue<json>([&](store::Conn& c) -> Result<json> {
    ZQ_ASSIGN_OR_RETURN(
        auto row, c.QueryOne("SELECT report FROM inspections WHERE id = ?", {id}, "巡检记录"));
    json j = json::parse(row.Text("report"), nullptr, false);
    if (j.is_discarded()) return Fail(Error::Internal("inspection report is not JSON"));
    j["id"] = id;
    return j;
  });
}

Result<json> Inspector::RunIfDue(int64_t now_ms) {
  auto due = DueTime(cfg_.inspect, now_ms);
  if (!due || now_ms < *due) return json(nullptr);
  // A platform set up after this month's due time owes no run until next month.
  ZQ_ASSIGN_OR_RETURN(int64_t since, svc_.db().ReadValue<int64_t>([](store::Conn& c) {
    return c.QueryInt("SELECT COALESCE(MIN(created_at), 0) FROM departments");
  }));
  if (since == 0 || since > *due) return json(nullptr);
  std::string period = Period(now_ms);
  ZQ_ASSIGN_OR_RETURN(int64_t have, svc_.db().ReadValue<int64_t>([&](store::Conn& c) {
    return c.QueryInt("SELECT COUNT(*) FROM inspections WHERE period = ? AND kind = 'schedule'",
                      {period});
  }));
  if (have > 0) return json(nullptr);
  return Run("schedule", service::Principal::System("scheduler"));
}

}  // namespace zhanqun::inspect
