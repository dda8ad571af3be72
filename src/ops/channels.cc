// Alert channels: the 系统管理员 adds, changes and removes where alerts go
// (webhook, email, 企业微信, 钉钉, 飞书), each validated for its type and
// audited; secrets and passwords are never read back. Also the delivery log
// (the outbox as it stands). Sending is alerts.cc; routing, ChannelAccepts.
#include "ops/internal.h"
#include "ops/monitoring.h"
#include "service/input.h"

namespace zhanqun::ops {
namespace {

using service::Input;
using service::TextKind;
using store::Conn;
using store::Row;

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

}  // namespace zhanqun::ops
