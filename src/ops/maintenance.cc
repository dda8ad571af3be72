// The two switches the incident rules read from the store: maintenance
// windows (incidents inside one are recorded but not alerted) and 重保 mode
// (shorter intervals, every warning alerted). Set by the 系统管理员, audited,
// and the prober woken so that they apply at once.
#include "ops/internal.h"
#include "ops/monitoring.h"
#include "service/input.h"

namespace zhanqun::ops {
namespace {

using service::Input;
using service::TextKind;
using store::Conn;

}  // namespace

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

}  // namespace zhanqun::ops
