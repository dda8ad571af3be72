// The incident rules without a prober, a store or a clock: each test writes
// the monitor's state and the result's timestamps and reads the decision.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ops/incident_rules.h"

namespace zhanqun::ops {
namespace {

using nlohmann::json;

constexpr int64_t kT0 = 1'790'000'000'000;  // 2026-09-21 14:13:20 UTC, any fixed instant
constexpr int64_t kMin = 60'000;
constexpr int64_t kDay = 86'400'000;

MonitorSpec SiteMonitor() {
  MonitorSpec s;
  s.id = 5;
  s.site_id = 3;
  s.kind = "site";
  s.name = "sa.test";
  s.domain = "sa.test";
  s.url = "http://sa.test/";
  return s;
}

MonitorSpec CustomMonitor(const std::string& name = "") {
  MonitorSpec s;
  s.id = 9;
  s.kind = "custom";
  s.name = name;
  s.url = "http://portal.test/";
  return s;
}

ProbeResult Fail(int64_t ts, const MonitorSpec& spec = SiteMonitor()) {
  ProbeResult r;
  r.spec = spec;
  r.ts = ts;
  r.ok = false;
  r.outcome = "http_status";
  r.http_status = 500;
  r.latency_ms = 12;
  r.detail = "HTTP 500";
  return r;
}

ProbeResult Ok(int64_t ts, int64_t latency_ms = 12, const MonitorSpec& spec = SiteMonitor()) {
  ProbeResult r;
  r.spec = spec;
  r.ts = ts;
  r.ok = true;
  r.outcome = "ok";
  r.http_status = 200;
  r.latency_ms = latency_ms;
  return r;
}

template <typename T>
std::vector<T> All(const Decision& d) {
  std::vector<T> out;
  for (const auto& a : d.actions)
    if (const auto* x = std::get_if<T>(&a)) out.push_back(*x);
  return out;
}

// A monitor as the store holds it, with the prober's way of applying a
// decision: state written back, incidents numbered from 100, every alert the
// channels would get (before the outbox drops repeated keys).
struct Monitor {
  RuleConfig config;
  MonitorState state;
  std::optional<OpenIncident> open;
  bool protection = false;
  std::vector<MaintenanceWindow> windows;
  std::vector<Alert> alerts;
  std::vector<OpenIncidentAction> opened;
  std::vector<ResolveIncidentAction> resolved;
  int64_t next_id = 100;

  Decision Feed(const ProbeResult& r) {
    MonitorContext ctx{state, open, protection, windows};
    Decision d = DecideProbe(config, ctx, r);
    state = d.state;
    for (const auto& a : d.actions) {
      if (const auto* alert = std::get_if<Alert>(&a)) {
        alerts.push_back(*alert);
      } else if (const auto* o = std::get_if<OpenIncidentAction>(&a)) {
        EXPECT_FALSE(open) << "a second incident opened";
        open = OpenIncident{next_id, o->silenced};
        opened.push_back(*o);
        if (!o->silenced) alerts.push_back(IncidentOpenedAlert(r, *o, next_id));
        ++next_id;
      } else if (const auto* x = std::get_if<ResolveIncidentAction>(&a)) {
        EXPECT_TRUE(open && open->id == x->incident_id);
        open.reset();
        resolved.push_back(*x);
        if (x->alert) alerts.push_back(*x->alert);
      }
    }
    return d;
  }

  std::vector<std::string> Events() const {
    std::vector<std::string> out;
    for (const auto& a : alerts) out.push_back(a.event);
    return out;
  }
};

// --- Threshold, flapping, recovery ----------------------------------------------

TEST(IncidentRules, FirstFailureBelowTheThresholdOnlyCounts) {
  Decision d = DecideProbe(RuleConfig{}, MonitorContext{}, Fail(kT0));
  EXPECT_TRUE(d.actions.empty());
  EXPECT_EQ(d.state, (MonitorState{1, kT0, 0}));
}

TEST(IncidentRules, SecondConsecutiveFailureOpensAnIncidentAndAlertsIt) {
  Monitor m;
  m.Feed(Fail(kT0));
  Decision d = m.Feed(Fail(kT0 + kMin));
  auto opened = All<OpenIncidentAction>(d);
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].cause, "http_status");
  EXPECT_EQ(opened[0].detail, "HTTP 500");
  EXPECT_EQ(opened[0].detected_at, kT0) << "detected at the first failure";
  EXPECT_EQ(opened[0].opened_at, kT0 + kMin) << "opened at the one that reached the threshold";
  EXPECT_EQ(opened[0].failures, 2);
  EXPECT_FALSE(opened[0].silenced);
  EXPECT_EQ(opened[0].timeline, "连续 2 次探测失败：HTTP 状态码异常");
  EXPECT_EQ(d.state, (MonitorState{2, kT0, 0}));

  ASSERT_EQ(m.alerts.size(), 1u);
  const Alert& a = m.alerts[0];
  EXPECT_EQ(a.event, "incident.opened");
  EXPECT_EQ(a.severity, "critical");
  EXPECT_EQ(a.incident_id, 100);
  EXPECT_EQ(a.dedup_key, "incident:100:opened");
  EXPECT_EQ(a.subject, "【故障】站点 sa.test（http://sa.test/）");
  EXPECT_EQ(a.text, "站点 sa.test（http://sa.test/） 自 " + FormatTime(kT0) +
                        " 起连续 2 次探测失败：HTTP 状态码异常。HTTP 500。故障编号 #100，请在 30 "
                        "分钟内响应。");
}

TEST(IncidentRules, TheThresholdIsTheConfiguredNumberOfFailures) {
  Monitor m;
  m.config.failures_to_open = 4;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(m.Feed(Fail(kT0 + i * kMin)).actions.empty()) << i;
  EXPECT_EQ(All<OpenIncidentAction>(m.Feed(Fail(kT0 + 3 * kMin))).size(), 1u);
  EXPECT_EQ(m.opened[0].failures, 4);
  EXPECT_EQ(m.opened[0].detected_at, kT0);
}

TEST(IncidentRules, FailuresWhileAnIncidentIsOpenChangeNothingButTheCount) {
  Monitor m;
  m.Feed(Fail(kT0));
  m.Feed(Fail(kT0 + kMin));
  for (int i = 2; i < 30; ++i) {
    Decision d = m.Feed(Fail(kT0 + i * kMin));
    EXPECT_TRUE(d.actions.empty()) << "failure " << i + 1;
    EXPECT_EQ(d.state.consecutive_failures, i + 1);
    EXPECT_EQ(d.state.failing_since, kT0);
  }
  EXPECT_EQ(m.opened.size(), 1u);
  EXPECT_EQ(m.Events(), std::vector<std::string>{"incident.opened"});
}

TEST(IncidentRules, FlappingEveryOtherCheckNeverOpens) {
  Monitor m;
  for (int i = 0; i < 40; ++i) {
    Decision d = i % 2 ? m.Feed(Ok(kT0 + i * kMin)) : m.Feed(Fail(kT0 + i * kMin));
    EXPECT_TRUE(d.actions.empty()) << i;
    EXPECT_LE(d.state.consecutive_failures, 1);
    EXPECT_EQ(d.state.failing_since, i % 2 ? 0 : kT0 + i * kMin) << "a new run each time";
  }
  EXPECT_TRUE(m.opened.empty());
  EXPECT_TRUE(m.alerts.empty());
}

TEST(IncidentRules, FirstSuccessResolvesTheIncidentWithOneAlert) {
  Monitor m;
  m.Feed(Fail(kT0));
  m.Feed(Fail(kT0 + kMin));
  Decision d = m.Feed(Ok(kT0 + 2 * kMin));
  auto resolved = All<ResolveIncidentAction>(d);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].incident_id, 100);
  EXPECT_EQ(resolved[0].resolved_at, kT0 + 2 * kMin);
  ASSERT_TRUE(resolved[0].alert);
  const Alert& a = *resolved[0].alert;
  EXPECT_EQ(a.event, "incident.resolved");
  EXPECT_EQ(a.severity, "critical");
  EXPECT_EQ(a.incident_id, 100);
  EXPECT_EQ(a.dedup_key, "incident:100:resolved");
  EXPECT_EQ(a.subject, "【恢复】站点 sa.test（http://sa.test/）");
  EXPECT_EQ(a.text, "站点 sa.test（http://sa.test/） 已恢复正常（故障编号 #100），恢复时间 " +
                        FormatTime(kT0 + 2 * kMin) + "。");
  EXPECT_EQ(d.state, (MonitorState{0, 0, 0}));

  // Staying up sends nothing more; failing again is a new run and, at the
  // threshold, a new incident.
  EXPECT_TRUE(m.Feed(Ok(kT0 + 3 * kMin)).actions.empty());
  m.Feed(Fail(kT0 + 4 * kMin));
  m.Feed(Fail(kT0 + 5 * kMin));
  ASSERT_EQ(m.opened.size(), 2u);
  EXPECT_EQ(m.opened[1].detected_at, kT0 + 4 * kMin);
  EXPECT_EQ(m.Events(),
            (std::vector<std::string>{"incident.opened", "incident.resolved", "incident.opened"}));
  EXPECT_EQ(m.alerts.back().dedup_key, "incident:101:opened");
}

TEST(IncidentRules, SuccessWithoutAnOpenIncidentDoesNothing) {
  MonitorContext ctx;
  ctx.state = MonitorState{1, kT0, 0};
  Decision d = DecideProbe(RuleConfig{}, ctx, Ok(kT0 + kMin));
  EXPECT_TRUE(d.actions.empty());
  EXPECT_EQ(d.state, (MonitorState{0, 0, 0}));
}

// An incident is alerted once, when it opens, to the channels that exist
// then: nothing in the rules re-sends it later (a channel added while the
// incident is open hears only of its recovery).
TEST(IncidentRules, AnOpenIncidentIsNeverAlertedASecondTime) {
  Monitor m;
  m.Feed(Fail(kT0));
  m.Feed(Fail(kT0 + kMin));
  m.alerts.clear();
  for (int i = 2; i < 10; ++i) m.Feed(Fail(kT0 + i * kMin));
  m.protection = true;  // not even in 重保 mode
  for (int i = 10; i < 20; ++i) m.Feed(Fail(kT0 + i * kMin));
  EXPECT_TRUE(m.alerts.empty());
  m.Feed(Ok(kT0 + 20 * kMin));
  EXPECT_EQ(m.Events(), std::vector<std::string>{"incident.resolved"});
}

// --- Maintenance windows ---------------------------------------------------------

TEST(IncidentRules, AMaintenanceWindowSilencesTheIncidentAndItsRecovery) {
  Monitor m;
  m.windows = {MaintenanceWindow{3, kT0 - kMin, kT0 + 10 * kMin}};
  m.Feed(Fail(kT0));
  Decision d = m.Feed(Fail(kT0 + kMin));
  auto opened = All<OpenIncidentAction>(d);
  ASSERT_EQ(opened.size(), 1u) << "still recorded";
  EXPECT_TRUE(opened[0].silenced);
  EXPECT_EQ(opened[0].timeline, "连续 2 次探测失败：HTTP 状态码异常（维护窗口内，不发送告警）");
  // Recovery after the window has ended: still no alert for a silenced incident.
  auto resolved = All<ResolveIncidentAction>(m.Feed(Ok(kT0 + 30 * kMin)));
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_FALSE(resolved[0].alert);
  EXPECT_TRUE(m.alerts.empty());
}

TEST(IncidentRules, TheWindowCountsAtTheFailureThatOpensTheIncident) {
  // The run began inside the window, the threshold is reached after it: alerted.
  Monitor m;
  m.windows = {MaintenanceWindow{std::nullopt, kT0 - kMin, kT0 + kMin}};
  m.Feed(Fail(kT0));
  m.Feed(Fail(kT0 + kMin));  // ends_at is not inside
  ASSERT_EQ(m.opened.size(), 1u);
  EXPECT_FALSE(m.opened[0].silenced);
  EXPECT_EQ(m.Events(), std::vector<std::string>{"incident.opened"});

  // A window that begins during an open incident does not silence its recovery.
  Monitor n;
  n.Feed(Fail(kT0));
  n.Feed(Fail(kT0 + kMin));
  n.windows = {MaintenanceWindow{std::nullopt, kT0 + 2 * kMin, kT0 + 60 * kMin}};
  n.Feed(Ok(kT0 + 3 * kMin));
  EXPECT_EQ(n.Events(), (std::vector<std::string>{"incident.opened", "incident.resolved"}));
}

TEST(IncidentRules, WhichWindowsCoverWhichMonitor) {
  std::vector<MaintenanceWindow> site3 = {{3, kT0, kT0 + kMin}};
  std::vector<MaintenanceWindow> all = {{std::nullopt, kT0, kT0 + kMin}};
  EXPECT_TRUE(InMaintenance(site3, 3, kT0)) << "starts_at is inside";
  EXPECT_TRUE(InMaintenance(site3, 3, kT0 + kMin - 1));
  EXPECT_FALSE(InMaintenance(site3, 3, kT0 + kMin)) << "ends_at is outside";
  EXPECT_FALSE(InMaintenance(site3, 3, kT0 - 1));
  EXPECT_FALSE(InMaintenance(site3, 4, kT0)) << "another site's window";
  EXPECT_FALSE(InMaintenance(site3, std::nullopt, kT0)) << "a monitor of no site";
  EXPECT_TRUE(InMaintenance(all, 4, kT0));
  EXPECT_TRUE(InMaintenance(all, std::nullopt, kT0));
  EXPECT_FALSE(InMaintenance({}, 3, kT0));

  // In the rules: another site's window leaves the incident loud.
  Monitor m;
  m.windows = {MaintenanceWindow{4, kT0 - kMin, kT0 + kDay}};
  m.Feed(Fail(kT0));
  m.Feed(Fail(kT0 + kMin));
  ASSERT_EQ(m.opened.size(), 1u);
  EXPECT_FALSE(m.opened[0].silenced);
}

// --- 重保 mode -----------------------------------------------------------------

TEST(IncidentRules, ProtectionModeWarnsOfAFailureBeforeTheIncidentOncePerRun) {
  Monitor m;
  m.protection = true;
  m.config.failures_to_open = 3;
  Decision d = m.Feed(Fail(kT0));
  auto alerts = All<Alert>(d);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].event, "check.failed");
  EXPECT_EQ(alerts[0].severity, "warning");
  EXPECT_FALSE(alerts[0].incident_id);
  EXPECT_EQ(alerts[0].dedup_key, "fail:5:" + std::to_string(kT0));
  EXPECT_EQ(alerts[0].subject, "【预警】站点 sa.test（http://sa.test/）");
  EXPECT_EQ(alerts[0].text,
            "重保期间：站点 sa.test（http://sa.test/） 探测失败（HTTP 状态码异常）。HTTP 500。");
  // The second failure of the run repeats the key: the outbox keeps one.
  auto again = All<Alert>(m.Feed(Fail(kT0 + kMin)));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].dedup_key, alerts[0].dedup_key);
  // The third opens the incident, with its own alert and no warning.
  Decision third = m.Feed(Fail(kT0 + 2 * kMin));
  EXPECT_TRUE(All<Alert>(third).empty());
  EXPECT_EQ(All<OpenIncidentAction>(third).size(), 1u);
  // A new run after recovery warns again, under a new key.
  m.Feed(Ok(kT0 + 3 * kMin));
  auto next = All<Alert>(m.Feed(Fail(kT0 + 4 * kMin)));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].dedup_key, "fail:5:" + std::to_string(kT0 + 4 * kMin));
}

TEST(IncidentRules, OutsideProtectionModeAFailureBelowTheThresholdIsSilent) {
  Monitor m;
  m.config.failures_to_open = 3;
  m.Feed(Fail(kT0));
  m.Feed(Fail(kT0 + kMin));
  EXPECT_TRUE(m.alerts.empty());
}

// 重保 mode checks more often (the prober's interval) and alerts warnings; it
// does not lower the number of failures that open an incident.
TEST(IncidentRules, ProtectionModeKeepsTheThreshold) {
  for (bool protection : {false, true}) {
    Monitor m;
    m.protection = protection;
    m.Feed(Fail(kT0));
    EXPECT_TRUE(m.opened.empty()) << protection;
    m.Feed(Fail(kT0 + kMin));
    EXPECT_EQ(m.opened.size(), 1u) << protection;
  }
}

TEST(IncidentRules, ProtectionModeWarnsOfASlowAnswerOncePerHour) {
  Monitor m;
  m.protection = true;
  m.config.slow_ms = 3000;
  EXPECT_TRUE(m.Feed(Ok(kT0, 3000)).actions.empty()) << "at the limit is not slow";
  auto slow = All<Alert>(m.Feed(Ok(kT0 + kMin, 3001)));
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_EQ(slow[0].event, "check.slow");
  EXPECT_EQ(slow[0].severity, "warning");
  EXPECT_EQ(slow[0].dedup_key, "slow:5:" + std::to_string((kT0 + kMin) / 3600000));
  EXPECT_EQ(slow[0].subject, "【预警】站点 sa.test（http://sa.test/） 响应缓慢");
  EXPECT_EQ(slow[0].text,
            "重保期间：站点 sa.test（http://sa.test/） 响应用时 3001 毫秒，超过 3000 毫秒。");
  // The same hour repeats the key; the next hour does not.
  int64_t next_hour = ((kT0 + kMin) / 3600000 + 1) * 3600000;
  EXPECT_EQ(All<Alert>(m.Feed(Ok(kT0 + 2 * kMin, 5000)))[0].dedup_key, slow[0].dedup_key);
  EXPECT_NE(All<Alert>(m.Feed(Ok(next_hour, 5000)))[0].dedup_key, slow[0].dedup_key);

  // Slow but failed is a failure, not a slow answer; slow outside 重保 is silent.
  Monitor q;
  q.protection = true;
  ProbeResult f = Fail(kT0);
  f.latency_ms = 9000;
  for (const auto& a : All<Alert>(q.Feed(f))) EXPECT_NE(a.event, "check.slow");
  Monitor quiet;
  EXPECT_TRUE(quiet.Feed(Ok(kT0, 9000)).actions.empty());
}

TEST(IncidentRules, RecoveryThatIsSlowInProtectionModeResolvesThenWarns) {
  Monitor m;
  m.protection = true;
  m.Feed(Fail(kT0));
  m.Feed(Fail(kT0 + kMin));
  m.alerts.clear();
  Decision d = m.Feed(Ok(kT0 + 2 * kMin, 4000));
  ASSERT_EQ(d.actions.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<ResolveIncidentAction>(d.actions[0]));
  ASSERT_TRUE(std::holds_alternative<Alert>(d.actions[1]));
  EXPECT_EQ(std::get<Alert>(d.actions[1]).event, "check.slow");
}

// --- Certificates ---------------------------------------------------------------

ProbeResult WithCert(ProbeResult r, int64_t days_left) {
  r.cert_expires_at = r.ts + days_left * kDay + kMin;
  return r;
}

TEST(IncidentRules, CertificateWarnsAtThirtyDaysThenCriticalAtSevenOnceEach) {
  Monitor m;
  EXPECT_TRUE(m.Feed(WithCert(Ok(kT0), 31)).actions.empty());
  EXPECT_EQ(m.state.cert_warned, 0);

  ProbeResult r30 = WithCert(Ok(kT0 + kDay), 30);
  auto a = All<Alert>(m.Feed(r30));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].event, "certificate.expiring");
  EXPECT_EQ(a[0].severity, "warning");
  EXPECT_FALSE(a[0].incident_id);
  EXPECT_EQ(a[0].dedup_key, "cert:5:30:" + std::to_string(*r30.cert_expires_at));
  EXPECT_EQ(a[0].subject, "【证书即将过期】站点 sa.test（http://sa.test/）");
  EXPECT_EQ(a[0].text, "站点 sa.test（http://sa.test/） 的 TLS 证书将于 " +
                           FormatTime(*r30.cert_expires_at) + " 过期，剩余 30 天，请尽快更换。");
  EXPECT_EQ(m.state.cert_warned, 30);
  EXPECT_TRUE(m.Feed(WithCert(Ok(kT0 + 2 * kDay), 8)).actions.empty()) << "30 already warned";

  auto c = All<Alert>(m.Feed(WithCert(Ok(kT0 + 3 * kDay), 7)));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].severity, "critical");
  EXPECT_EQ(m.state.cert_warned, 7);
  EXPECT_TRUE(m.Feed(WithCert(Ok(kT0 + 4 * kDay), 1)).actions.empty()) << "7 already warned";
  // A result without certificate details leaves the level as it is.
  EXPECT_TRUE(m.Feed(Ok(kT0 + 5 * kDay)).actions.empty());
  EXPECT_EQ(m.state.cert_warned, 7);

  // Renewed: the levels re-arm, and the next certificate is warned of too.
  EXPECT_TRUE(m.Feed(WithCert(Ok(kT0 + 6 * kDay), 90)).actions.empty());
  EXPECT_EQ(m.state.cert_warned, 0);
  EXPECT_EQ(All<Alert>(m.Feed(WithCert(Ok(kT0 + 7 * kDay), 5)))[0].severity, "critical");
}

TEST(IncidentRules, TheCertificateAlertComesBeforeTheIncident) {
  Monitor m;
  m.Feed(Fail(kT0));
  ProbeResult r = WithCert(Fail(kT0 + kMin), 20);
  r.outcome = "keyword_missing";
  Decision d = m.Feed(r);
  ASSERT_EQ(d.actions.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<Alert>(d.actions[0]));
  EXPECT_EQ(std::get<Alert>(d.actions[0]).event, "certificate.expiring");
  EXPECT_TRUE(std::holds_alternative<OpenIncidentAction>(d.actions[1]));
  EXPECT_EQ(d.state, (MonitorState{2, kT0, 30}));
}

// --- Wording -------------------------------------------------------------------

TEST(IncidentRules, AlertsNameTheMonitorBySiteOrByName) {
  Monitor named;
  named.Feed(Fail(kT0, CustomMonitor("区门户")));
  named.Feed(Fail(kT0 + kMin, CustomMonitor("区门户")));
  ASSERT_EQ(named.alerts.size(), 1u);
  EXPECT_EQ(named.alerts[0].subject, "【故障】监测项 区门户（http://portal.test/）");
  Monitor bare;
  bare.Feed(Fail(kT0, CustomMonitor()));
  bare.Feed(Fail(kT0 + kMin, CustomMonitor()));
  ASSERT_EQ(bare.alerts.size(), 1u);
  EXPECT_EQ(bare.alerts[0].subject, "【故障】监测项 http://portal.test/");
}

TEST(IncidentRules, OutcomesHaveChineseNamesAndTimesAreBeijingTime) {
  EXPECT_EQ(OutcomeText("timeout_first_byte"), "等待响应超时");
  EXPECT_EQ(OutcomeText("tls"), "TLS 证书或握手失败");
  EXPECT_EQ(OutcomeText("something_new"), "something_new");
  EXPECT_EQ(FormatTime(0), "1970-01-01 08:00:00");
  EXPECT_EQ(FormatTime(1'795'701'000'000), "2026-11-26 21:50:00");
}

// --- Routing to channels ---------------------------------------------------------

TEST(AlertRouting, ADefaultChannelTakesEverything) {
  for (const json& cfg : {json::object(), json(nullptr), json("garbage")}) {
    EXPECT_TRUE(ChannelAccepts(cfg, 3, "incident.opened", "critical")) << cfg;
    EXPECT_TRUE(ChannelAccepts(cfg, std::nullopt, "check.failed", "warning")) << cfg;
    EXPECT_TRUE(ChannelAccepts(cfg, 3, "incident.resolved", "critical")) << cfg;
  }
}

TEST(AlertRouting, ASiteListLimitsTheChannelToThoseSites) {
  json cfg = {{"sites", {3, 4}}};
  EXPECT_TRUE(ChannelAccepts(cfg, 3, "incident.opened", "critical"));
  EXPECT_TRUE(ChannelAccepts(cfg, 4, "incident.opened", "critical"));
  EXPECT_FALSE(ChannelAccepts(cfg, 5, "incident.opened", "critical"));
  EXPECT_FALSE(ChannelAccepts(cfg, std::nullopt, "incident.opened", "critical"))
      << "a monitor of no site only reaches channels without a site list";
  EXPECT_TRUE(
      ChannelAccepts(json{{"sites", json::array()}}, std::nullopt, "incident.opened", "critical"))
      << "an empty list is all sites";
}

TEST(AlertRouting, SeveritiesAndRecoveryNoticesFilter) {
  json critical_only = {{"severities", {"critical"}}};
  EXPECT_TRUE(ChannelAccepts(critical_only, 3, "incident.opened", "critical"));
  EXPECT_FALSE(ChannelAccepts(critical_only, 3, "check.failed", "warning"));
  json quiet = {{"notify_resolved", false}};
  EXPECT_FALSE(ChannelAccepts(quiet, 3, "incident.resolved", "critical"));
  EXPECT_TRUE(ChannelAccepts(quiet, 3, "incident.opened", "critical"));
  EXPECT_TRUE(ChannelAccepts(quiet, 3, "certificate.expiring", "critical"));
}

}  // namespace
}  // namespace zhanqun::ops
