#include "ops/incident_rules.h"

#include <ctime>
#include <map>

#include "ops/monitoring.h"

namespace zhanqun::ops {
namespace {

using json = nlohmann::json;

constexpr int64_t kDayMs = 86400000;

std::string Where(const MonitorSpec& s) {
  return s.site_id ? "站点 " + s.name + "（" + s.url + "）"
                   : "监测项 " + (s.name.empty() ? s.url : s.name + "（" + s.url + "）");
}

// Certificate expiry: warn once at 30 days, again at 7; a renewed
// certificate (more than 30 days left) re-arms both.
void CertificateRule(const ProbeResult& r, const std::string& where, MonitorState& state,
                     std::vector<Action>& actions) {
  if (!r.cert_expires_at) return;
  int64_t days = (*r.cert_expires_at - r.ts) / kDayMs;
  int64_t level = days <= 7 ? 7 : days <= 30 ? 30 : 0;
  if (level == 0) {
    state.cert_warned = 0;
    return;
  }
  if (state.cert_warned != 0 && level >= state.cert_warned) return;
  state.cert_warned = level;
  actions.push_back(Alert{std::nullopt, "certificate.expiring", level == 7 ? "critical" : "warning",
                          "cert:" + std::to_string(r.spec.id) + ":" + std::to_string(level) + ":" +
                              std::to_string(*r.cert_expires_at),
                          "【证书即将过期】" + where,
                          where + " 的 TLS 证书将于 " + FormatTime(*r.cert_expires_at) +
                              " 过期，剩余 " + std::to_string(days) + " 天，请尽快更换。"});
}

}  // namespace

Decision DecideProbe(const RuleConfig& config, const MonitorContext& context,
                     const ProbeResult& r) {
  Decision d;
  d.state = context.state;
  if (r.ok) {
    d.state.consecutive_failures = 0;
    d.state.failing_since = 0;
  } else {
    ++d.state.consecutive_failures;
    if (d.state.failing_since == 0) d.state.failing_since = r.ts;
  }
  const int64_t failures = d.state.consecutive_failures;
  const int64_t failing_since = d.state.failing_since;
  const std::string where = Where(r.spec);
  CertificateRule(r, where, d.state, d.actions);

  if (!r.ok) {
    // One open incident per monitor: further failures change nothing.
    if (context.open) return d;
    if (failures >= config.failures_to_open) {
      bool silenced = InMaintenance(context.windows, r.spec.site_id, r.ts);
      d.actions.push_back(OpenIncidentAction{
          r.outcome, r.detail, failing_since, r.ts, failures, silenced,
          "连续 " + std::to_string(failures) + " 次探测失败：" + OutcomeText(r.outcome) +
              (silenced ? "（维护窗口内，不发送告警）" : "")});
    } else if (context.protection) {
      // 重保: a single failed check is already a warning worth sending (one
      // per run of failures: the key repeats until the monitor recovers).
      d.actions.push_back(
          Alert{std::nullopt, "check.failed", "warning",
                "fail:" + std::to_string(r.spec.id) + ":" + std::to_string(failing_since),
                "【预警】" + where,
                "重保期间：" + where + " 探测失败（" + OutcomeText(r.outcome) + "）。" + r.detail +
                    "。"});
    }
    return d;
  }

  if (context.open) {
    const int64_t id = context.open->id;
    ResolveIncidentAction resolve{id, r.ts, std::nullopt};
    if (!context.open->silenced) {
      resolve.alert = Alert{id,
                            "incident.resolved",
                            "critical",
                            "incident:" + std::to_string(id) + ":resolved",
                            "【恢复】" + where,
                            where + " 已恢复正常（故障编号 #" + std::to_string(id) +
                                "），恢复时间 " + FormatTime(r.ts) + "。"};
    }
    d.actions.push_back(std::move(resolve));
  }
  if (context.protection && r.latency_ms > config.slow_ms) {
    // One per monitor per hour at most.
    d.actions.push_back(
        Alert{std::nullopt, "check.slow", "warning",
              "slow:" + std::to_string(r.spec.id) + ":" + std::to_string(r.ts / 3600000),
              "【预警】" + where + " 响应缓慢",
              "重保期间：" + where + " 响应用时 " + std::to_string(r.latency_ms) + " 毫秒，超过 " +
                  std::to_string(config.slow_ms) + " 毫秒。"});
  }
  return d;
}

Alert IncidentOpenedAlert(const ProbeResult& r, const OpenIncidentAction& open,
                          int64_t incident_id) {
  const std::string where = Where(r.spec);
  const std::string id = std::to_string(incident_id);
  return Alert{incident_id,
               "incident.opened",
               "critical",
               "incident:" + id + ":opened",
               "【故障】" + where,
               where + " 自 " + FormatTime(open.detected_at) + " 起连续 " +
                   std::to_string(open.failures) + " 次探测失败：" + OutcomeText(open.cause) +
                   "。" + open.detail + "。故障编号 #" + id + "，请在 30 分钟内响应。"};
}

bool InMaintenance(std::span<const MaintenanceWindow> windows, std::optional<int64_t> site_id,
                   int64_t now) {
  for (const auto& w : windows) {
    bool covers = !w.site_id || (site_id && *w.site_id == *site_id);
    if (covers && w.starts_at <= now && now < w.ends_at) return true;
  }
  return false;
}

bool ChannelAccepts(const json& channel_config, std::optional<int64_t> site_id,
                    const std::string& event, const std::string& severity) {
  static const json kEmpty = json::object();
  const json& cfg = channel_config.is_object() ? channel_config : kEmpty;
  auto sites = cfg.value("sites", json::array());
  if (!sites.empty()) {
    if (!site_id) return false;
    bool hit = false;
    for (const auto& s : sites)
      hit = hit || (s.is_number_integer() && s.get<int64_t>() == *site_id);
    if (!hit) return false;
  }
  auto sev = cfg.value("severities", json::array({"critical", "warning"}));
  bool sev_ok = false;
  for (const auto& s : sev) sev_ok = sev_ok || (s.is_string() && s.get<std::string>() == severity);
  if (!sev_ok) return false;
  if (event == "incident.resolved" && !cfg.value("notify_resolved", true)) return false;
  return true;
}

std::string OutcomeText(const std::string& o) {
  static const std::map<std::string, std::string> kText = {
      {"ok", "正常"},
      {"http_status", "HTTP 状态码异常"},
      {"keyword_missing", "页面缺少关键字"},
      {"timeout_connect", "连接超时"},
      {"timeout_first_byte", "等待响应超时"},
      {"timeout_total", "响应过慢（总超时）"},
      {"reset", "连接被重置"},
      {"dns", "域名解析失败"},
      {"connect", "无法连接"},
      {"tls", "TLS 证书或握手失败"},
      {"error", "探测出错"},
      {"unknown", "尚未探测"},
  };
  auto it = kText.find(o);
  return it == kText.end() ? o : it->second;
}

std::string FormatTime(int64_t ms) {
  std::time_t t = static_cast<std::time_t>((ms + kCstOffsetMs) / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace zhanqun::ops
