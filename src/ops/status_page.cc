// The status page (/status): plain HTML without JavaScript, refreshed every
// 60 s: every site's state, the open incidents, 90 daily availability bars
// per site, the custom monitors. Never fails: when the store cannot be read
// it says so in a page of its own. Served by the admin listener (and the
// public one with monitor.status_public); the caller decides where.
#include <spdlog/spdlog.h>

#include <set>

#include "core/text.h"
#include "ops/internal.h"
#include "ops/monitoring.h"

namespace zhanqun::ops {
namespace {

using store::Conn;

}  // namespace

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

}  // namespace zhanqun::ops
