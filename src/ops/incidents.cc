// Incidents as the 系统管理员 sees them: the list with each timeline and the
// month's figures against the contract's 30-minute response target, and the
// acknowledgement (once, audited). Opening and resolving is the rules'
// (incident_rules.h), applied by the prober.
#include "ops/internal.h"
#include "ops/monitoring.h"
#include "service/input.h"

namespace zhanqun::ops {
namespace {

using service::Input;
using service::TextKind;
using store::Conn;

constexpr int64_t kTargetS = 1800;  // the contract's 30-minute response target

}  // namespace

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
      params.emplace_back(std::in_place_type<int64_t>, range->first);
      params.emplace_back(std::in_place_type<int64_t>, range->second);
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

}  // namespace zhanqun::ops
