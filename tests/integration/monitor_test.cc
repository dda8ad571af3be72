// The prober against real misbehaving servers on loopback: each failure is
// classified correctly within the configured timeouts; an incident opens
// after the second failure and closes on recovery; a webhook receiver gets
// exactly one alert per incident; a channel that is down gets the alert once
// it is back.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "http/static_site.h"
#include "support/bad_servers.h"
#include "support/fixture.h"

namespace zhanqun::testing {
namespace {

using Mode = RawServer::Mode;
using Clock = std::chrono::steady_clock;

std::map<std::string, std::string> FastConfig(const std::string& ca_dir = "") {
  std::map<std::string, std::string> c = {{"monitor.enabled", "1"},
                                          {"monitor.connect_timeout_ms", "1000"},
                                          {"monitor.first_byte_timeout_ms", "1500"},
                                          {"monitor.total_timeout_ms", "3000"},
                                          {"monitor.failures_to_open", "2"},
                                          {"monitor.alert_retry_base_s", "1"},
                                          {"monitor.alert_retry_max_s", "1"}};
  if (!ca_dir.empty()) c["monitor.ca_file"] = ca_dir + "/ca.pem";
  return c;
}

int64_t AddMonitor(Client& c, const std::string& url, const std::string& keyword = "") {
  json body = {{"url", url}, {"interval_s", 5}};
  if (!keyword.empty()) body["keyword"] = keyword;
  auto r = c.Post("/api/v1/monitors", body);
  EXPECT_EQ(r.status, 201) << r.body;
  return r.Json().value("id", int64_t{0});
}

// Polls GET /api/v1/monitors/{id}/results until `n` results exist (bounded).
json WaitResults(Client& c, int64_t id, size_t n, int seconds) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  json items = json::array();
  while (Clock::now() < deadline) {
    auto r = c.Get("/api/v1/monitors/" + std::to_string(id) + "/results");
    if (r.status == 200) {
      items = r.Json()["items"];
      if (items.size() >= n) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // Oldest first.
  std::reverse(items.begin(), items.end());
  return items;
}

json WaitIncident(Client& c, int64_t monitor, const std::string& status, int seconds) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  HttpResult r;
  while (Clock::now() < deadline) {
    r = c.Get("/api/v1/incidents?monitor_id=" + std::to_string(monitor));
    if (r.status == 200) {
      json j = r.Json();
      for (const auto& i : j["items"]) {
        if (i["status"] == status) return i;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ADD_FAILURE() << "no " << status << " incident for monitor " << monitor << ": " << r.status << " "
                << r.body.substr(0, 500);
  return nullptr;
}

int CountEvents(const std::vector<std::string>& bodies, const std::string& event,
                int64_t incident) {
  int n = 0;
  for (const auto& b : bodies) {
    json j = json::parse(b, nullptr, false);
    if (j.is_object() && j.value("event", "") == event && j["incident_id"].is_number_integer() &&
        j["incident_id"].get<int64_t>() == incident)
      ++n;
  }
  return n;
}

TEST(Monitor, MisbehavingServersAreClassifiedWithinTheTimeouts) {
  TempDir ca;
  RawServer hang(Mode::kHang);
  RawServer reset(Mode::kReset);
  RawServer drip(Mode::kDrip);
  RawServer expired(Mode::kTlsExpired, 200, "<p>欢迎</p>", 0, ca.path());
  RawServer valid(Mode::kTlsValid, 200, "<p>欢迎</p>", 0, ca.path());
  RawServer flaky(Mode::kAlternate500, 200, "<p>欢迎访问</p>");
  RawServer keyword(Mode::kStatic, 200, "<p>系统维护中</p>");
  uint16_t closed = FreePort();

  TestPlatform tp(FastConfig(ca.path()));
  Client admin = tp.As("sysadmin");
  auto t0 = Clock::now();
  int64_t m_hang = AddMonitor(admin, hang.url());
  int64_t m_reset = AddMonitor(admin, reset.url());
  int64_t m_drip = AddMonitor(admin, drip.url());
  int64_t m_expired = AddMonitor(admin, expired.url());
  int64_t m_valid = AddMonitor(admin, valid.url(), "欢迎");
  int64_t m_flaky = AddMonitor(admin, flaky.url(), "欢迎");
  int64_t m_keyword = AddMonitor(admin, keyword.url(), "欢迎");
  int64_t m_closed = AddMonitor(admin, "http://127.0.0.1:" + std::to_string(closed) + "/");

  auto first = [&](int64_t id) {
    json items = WaitResults(admin, id, 1, 10);
    EXPECT_FALSE(items.empty()) << "monitor " << id << " has no result";
    return items.empty() ? json::object() : items[0];
  };
  json r = first(m_hang);
  EXPECT_EQ(r["outcome"], "timeout_first_byte") << r;
  // Within the first-byte timeout plus the prober's 200 ms tick.
  EXPECT_GE(r["latency_ms"].get<int64_t>(), 1400) << r;
  EXPECT_LE(r["latency_ms"].get<int64_t>(), 2500) << r;
  r = first(m_reset);
  EXPECT_EQ(r["outcome"], "reset") << r;
  r = first(m_drip);
  EXPECT_EQ(r["outcome"], "timeout_total") << r;
  EXPECT_LE(r["latency_ms"].get<int64_t>(), 3500) << r;
  r = first(m_expired);
  EXPECT_EQ(r["outcome"], "tls") << r;
  EXPECT_NE(r["detail"].get<std::string>().find("证书已过期"), std::string::npos) << r;
  r = first(m_valid);
  EXPECT_EQ(r["outcome"], "ok") << r;
  r = first(m_keyword);
  EXPECT_EQ(r["outcome"], "keyword_missing") << r;
  EXPECT_NE(r["detail"].get<std::string>().find("欢迎"), std::string::npos) << r;
  r = first(m_closed);
  EXPECT_EQ(r["outcome"], "connect") << r;
  // Every first check was concurrent: all done well before they would be in series.
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(8));

  // The certificate that expires in 20 days is known, with its date.
  auto mv = admin.Get("/api/v1/monitors/" + std::to_string(m_valid)).Json();
  ASSERT_TRUE(mv["state"]["cert_expires_at"].is_number_integer()) << mv;
  int64_t days = (mv["state"]["cert_expires_at"].get<int64_t>() -
                  mv["state"]["last_checked_at"].get<int64_t>()) /
                 86400000;
  EXPECT_GE(days, 19);
  EXPECT_LE(days, 20);

  // 500 every other time: the failures are http_status, the rest ok, and
  // no incident (never two failures in a row).
  json fl = WaitResults(admin, m_flaky, 3, 15);
  ASSERT_GE(fl.size(), 3u);
  EXPECT_EQ(fl[0]["outcome"], "http_status");
  EXPECT_EQ(fl[0]["http_status"], 500);
  EXPECT_EQ(fl[1]["outcome"], "ok");
  EXPECT_EQ(fl[2]["outcome"], "http_status");
  auto inc = admin.Get("/api/v1/incidents?monitor_id=" + std::to_string(m_flaky)).Json();
  EXPECT_EQ(inc["total"], 0) << inc;
  // Meanwhile the always-failing ones have opened incidents after their second failure.
  json hi = WaitIncident(admin, m_keyword, "open", 5);
  ASSERT_TRUE(hi.is_object());
  EXPECT_EQ(hi["cause"], "keyword_missing");
  json kr = WaitResults(admin, m_keyword, 2, 1);
  ASSERT_GE(kr.size(), 2u);
  EXPECT_EQ(hi["opened_at"], kr[1]["ts"]) << "opened at the second failure";
  EXPECT_EQ(hi["detected_at"], kr[0]["ts"]) << "detected at the first failure";
}

TEST(Monitor, IncidentOpensOnSecondFailureClosesOnRecoveryOneAlertEach) {
  RawServer site(Mode::kToggle, 200, "<p>欢迎</p>");
  RawServer hook(Mode::kWebhook);
  TestPlatform tp(FastConfig());
  Client admin = tp.As("sysadmin");
  auto ch = admin.Post("/api/v1/alert-channels", {{"type", "webhook"}, {"url", hook.url("/hook")}});
  ASSERT_EQ(ch.status, 201) << ch.body;
  site.set_down(true);
  int64_t m = AddMonitor(admin, site.url(), "欢迎");

  json open = WaitIncident(admin, m, "open", 12);
  ASSERT_TRUE(open.is_object()) << "no incident";
  int64_t id = open["id"];
  json results = WaitResults(admin, m, 2, 1);
  ASSERT_EQ(results.size(), 2u) << "opened after exactly two failures: " << results;
  EXPECT_EQ(results[0]["outcome"], "http_status");
  EXPECT_EQ(open["opened_at"], results[1]["ts"]);
  ASSERT_TRUE(
      hook.WaitBodies([&](auto& b) { return CountEvents(b, "incident.opened", id) >= 1; }, 5000));
  auto deadline = Clock::now() + std::chrono::seconds(3);
  while (Clock::now() < deadline &&
         !WaitIncident(admin, m, "open", 1)["alerted_at"].is_number_integer())
    std::this_thread::sleep_for(std::chrono::milliseconds(100));

  // Acknowledged once; a second time is a conflict.
  auto ack = admin.Post("/api/v1/incidents/" + std::to_string(id) + "/acknowledge",
                        {{"note", "值班已处理"}});
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_TRUE(ack.Json()["acknowledged_at"].is_number_integer());
  EXPECT_EQ(ack.Json()["acknowledged_within_target"], true);
  EXPECT_EQ(
      admin.Post("/api/v1/incidents/" + std::to_string(id) + "/acknowledge", json::object()).status,
      409);

  // A third failure does not alert again.
  WaitResults(admin, m, 3, 8);
  site.set_down(false);
  json resolved = WaitIncident(admin, m, "resolved", 8);
  ASSERT_TRUE(resolved.is_object()) << "not resolved on recovery";
  EXPECT_EQ(resolved["id"], id);
  EXPECT_TRUE(resolved["resolved_at"].is_number_integer());
  EXPECT_TRUE(resolved["time_to_resolve_s"].is_number_integer());
  std::vector<std::string> kinds;
  for (const auto& e : resolved["timeline"]) kinds.push_back(e["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"detected", "alerted", "acknowledged", "resolved"}));
  ASSERT_TRUE(
      hook.WaitBodies([&](auto& b) { return CountEvents(b, "incident.resolved", id) >= 1; }, 5000));
  // Exactly one of each, and nothing more to come: the outbox holds every
  // alert the sender will ever deliver, and both rows are sent, each at the
  // first attempt. (That the failures in between queue nothing is a rule:
  // IncidentRules.FailuresWhileAnIncidentIsOpenChangeNothingButTheCount.)
  json sent;
  auto sent_deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < sent_deadline) {
    sent = admin.Get("/api/v1/alert-deliveries").Json();
    bool all_sent = sent["total"] == 2;
    for (const auto& d : sent["items"]) all_sent = all_sent && d["status"] == "sent";
    if (all_sent) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(sent["total"], 2) << sent;
  for (const auto& d : sent["items"]) {
    EXPECT_EQ(d["status"], "sent") << d;
    EXPECT_EQ(d["attempts"], 1) << d;
    EXPECT_EQ(d["incident_id"], id) << d;
  }
  auto bodies = hook.bodies();
  EXPECT_EQ(CountEvents(bodies, "incident.opened", id), 1);
  EXPECT_EQ(CountEvents(bodies, "incident.resolved", id), 1);
  EXPECT_EQ(bodies.size(), 2u);
  json first = json::parse(bodies[0]);
  EXPECT_NE(first["text"].get<std::string>().find("连续 2 次探测失败"), std::string::npos) << first;

  // The month's figures count it against the 30-minute target.
  auto list = admin.Get("/api/v1/incidents").Json();
  EXPECT_EQ(list["stats"]["acknowledged_within_target"], 1);
  EXPECT_EQ(list["stats"]["target_s"], 1800);
}

TEST(Monitor, AlertForADownChannelIsDeliveredWhenItComesBack) {
  RawServer site(Mode::kStatic, 503, "busy");
  uint16_t port = FreePort();
  TestPlatform tp(FastConfig());
  Client admin = tp.As("sysadmin");
  auto ch = admin.Post(
      "/api/v1/alert-channels",
      {{"type", "webhook"}, {"url", "http://127.0.0.1:" + std::to_string(port) + "/hook"}});
  ASSERT_EQ(ch.status, 201) << ch.body;
  int64_t m = AddMonitor(admin, site.url());
  json open = WaitIncident(admin, m, "open", 12);
  ASSERT_TRUE(open.is_object());
  int64_t id = open["id"];
  // The channel is down: the alert waits in the outbox with its error.
  auto deadline = Clock::now() + std::chrono::seconds(5);
  json pending;
  while (Clock::now() < deadline) {
    auto d = admin.Get("/api/v1/alert-deliveries?status=pending").Json();
    if (!d["items"].empty() && d["items"][0]["attempts"].get<int64_t>() >= 1) {
      pending = d["items"][0];
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(pending.is_object()) << "no failed attempt recorded";
  EXPECT_EQ(pending["incident_id"], id);
  EXPECT_FALSE(pending["last_error"].get<std::string>().empty());
  EXPECT_TRUE(admin.Get("/api/v1/incidents?monitor_id=" + std::to_string(m))
                  .Json()["items"][0]["alerted_at"]
                  .is_null());

  RawServer hook(Mode::kWebhook, 200, "", port);  // the channel comes back
  ASSERT_TRUE(
      hook.WaitBodies([&](auto& b) { return CountEvents(b, "incident.opened", id) == 1; }, 8000))
      << "the queued alert was not delivered";
  json sent;
  deadline = Clock::now() + std::chrono::seconds(3);
  while (Clock::now() < deadline) {
    sent = admin.Get("/api/v1/alert-deliveries?status=sent").Json();
    if (sent["total"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(sent["total"], 1) << sent;
  EXPECT_GE(sent["items"][0]["attempts"].get<int64_t>(), 2);
  deadline = Clock::now() + std::chrono::seconds(3);
  json inc;
  while (Clock::now() < deadline) {
    inc = admin.Get("/api/v1/incidents?monitor_id=" + std::to_string(m)).Json()["items"][0];
    if (inc["alerted_at"].is_number_integer()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(inc["alerted_at"].is_number_integer()) << inc;
}

TEST(Monitor, MaintenanceWindowSilencesTheSite) {
  RawServer site(Mode::kStatic, 500, "down");
  RawServer hook(Mode::kWebhook);
  TestPlatform tp(FastConfig());
  Client admin = tp.As("sysadmin");
  ASSERT_EQ(admin.Post("/api/v1/alert-channels", {{"type", "webhook"}, {"url", hook.url()}}).status,
            201);
  int64_t now = tp.service().Now();
  auto w = admin.Post("/api/v1/maintenance-windows",
                      {{"starts_at", now - 1000}, {"ends_at", now + 3600000}, {"reason", "升级"}});
  ASSERT_EQ(w.status, 201) << w.body;
  int64_t m = AddMonitor(admin, site.url());
  json open = WaitIncident(admin, m, "open", 12);
  ASSERT_TRUE(open.is_object());
  EXPECT_EQ(open["silenced"], true);
  ASSERT_FALSE(open["timeline"].empty());
  EXPECT_NE(open["timeline"][0]["detail"].get<std::string>().find("维护窗口内"), std::string::npos)
      << open;
  // The window reached the rules through the store: no alert was queued.
  // Alerts are written in the incident's transaction, so what the outbox
  // shows now is all there will be for this opening; the rule itself is
  // IncidentRules.AMaintenanceWindowSilencesTheIncidentAndItsRecovery.
  auto queued = admin.Get("/api/v1/alert-deliveries").Json();
  EXPECT_EQ(queued["total"], 0) << queued;
  EXPECT_TRUE(hook.bodies().empty());
}

TEST(Monitor, SitesAreMonitoredThroughThePublicListenerAndShownOnStatusAndMetrics) {
  auto cfg = FastConfig();
  cfg["monitor.default_interval_s"] = "5";
  TestPlatform tp(cfg);
  District d = BuildDistrict(tp);
  tp.platform().monitoring().Wake();
  Client admin = tp.As("sysadmin");
  // Each site's domain got a monitor of its own; the domain (sa.test) does not
  // resolve, yet the check reaches this server's public listener by Host.
  auto monitor_of_a = [&](const char* outcome) -> json {
    auto deadline = Clock::now() + std::chrono::seconds(15);
    while (Clock::now() < deadline) {
      auto list = admin.Get("/api/v1/monitors?site_id=" + std::to_string(d.site_a)).Json();
      if (!list["items"].empty() && list["items"][0]["state"].is_object() &&
          list["items"][0]["state"]["outcome"] == outcome) {
        return list["items"][0];
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return nullptr;
  };
  // Creating its columns published the site: it answers.
  json site_monitor = monitor_of_a("ok");
  ASSERT_TRUE(site_monitor.is_object()) << "site a has no successful check";
  EXPECT_EQ(site_monitor["url"], "http://sa.test/");
  EXPECT_EQ(site_monitor["kind"], "site");
  EXPECT_EQ(site_monitor["home"], true);
  EXPECT_EQ(site_monitor["state"]["http_status"], 200);
  // Its published tree taken away (a broken disk): the public listener answers
  // 404, which is a failure of HTTP status, not of DNS or connection.
  std::filesystem::remove_all(tp.data_dir() + "/publish/sa");
  tp.platform().public_sites().Invalidate("sa");
  site_monitor = monitor_of_a("http_status");
  ASSERT_TRUE(site_monitor.is_object()) << "the broken site was not seen failing";
  EXPECT_EQ(site_monitor["state"]["http_status"], 404);
  // A site monitor is kept with its domain: it cannot be deleted.
  EXPECT_EQ(
      admin.Delete("/api/v1/monitors/" + std::to_string(site_monitor["id"].get<int64_t>())).status,
      409);

  auto avail = admin.Get("/api/v1/availability").Json();
  bool found = false;
  for (const auto& s : avail["sites"]) {
    if (s["site_id"] == d.site_a) {
      found = true;
      EXPECT_GE(s["checks"].get<int64_t>(), 2);
      EXPECT_GE(s["failures"].get<int64_t>(), 1);
      EXPECT_LT(s["failures"].get<int64_t>(), s["checks"].get<int64_t>());
      EXPECT_LT(s["availability"].get<double>(), 1.0);
      EXPECT_GT(s["availability"].get<double>(), 0.0);
    }
  }
  EXPECT_TRUE(found) << avail;

  Client anon(tp.admin_base());
  auto status = anon.Get("/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_NE(status.body.find("站群运行状态"), std::string::npos);
  EXPECT_NE(status.body.find("甲小学网站"), std::string::npos);
  EXPECT_NE(status.body.find("近 90 天"), std::string::npos);
  EXPECT_EQ(status.body.find("<script"), std::string::npos);
  // Internal by default: not on the public listener.
  Client pub(tp.public_base());
  EXPECT_EQ(pub.Get("/status").status, 404);

  auto metrics = anon.Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.headers["content-type"].find("text/plain"), std::string::npos);
  for (const char* name :
       {"zhanqun_probe_up{", "zhanqun_probe_latency_seconds{", "zhanqun_probe_results_total{",
        "zhanqun_incidents_open ", "zhanqun_alert_outbox{", "zhanqun_publish_total{",
        "zhanqun_http_requests_total{listener=\"admin\",status=\"200\"}",
        "zhanqun_http_requests_total{listener=\"public\",status=\"404\"}",
        "zhanqun_job_runs_total{job=\"monitor_write\"}",
        // Every run, not only failed ones (a merge had put it under `if (!due)`).
        "zhanqun_job_runs_total{job=\"scheduled_publish\"}"}) {
    EXPECT_NE(metrics.body.find(name), std::string::npos) << name << "\n" << metrics.body;
  }
}

TEST(Monitor, StatusPageOnThePublicListenerOnlyWhenConfigured) {
  TestPlatform tp(std::map<std::string, std::string>{{"monitor.status_public", "1"}});
  Client pub(tp.public_base());
  auto r = pub.Get("/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("站群运行状态"), std::string::npos);
}

TEST(Monitor, ProtectionModeAlertsEveryWarning) {
  RawServer site(Mode::kStatic, 500, "down");
  RawServer hook(Mode::kWebhook);
  auto cfg = FastConfig();
  cfg["monitor.failures_to_open"] = "3";
  TestPlatform tp(cfg);
  Client admin = tp.As("sysadmin");
  ASSERT_EQ(admin.Post("/api/v1/alert-channels", {{"type", "webhook"}, {"url", hook.url()}}).status,
            201);
  auto s = admin.Patch("/api/v1/monitoring/settings", {{"protection", true}});
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.Json()["protection"], true);
  AddMonitor(admin, site.url());
  // The first failure is only a warning (no incident yet): in 重保 mode it is sent.
  ASSERT_TRUE(hook.WaitBodies(
      [](auto& b) {
        for (const auto& x : b) {
          if (json::parse(x, nullptr, false).value("event", "") == "check.failed") return true;
        }
        return false;
      },
      5000));
}

}  // namespace
}  // namespace zhanqun::testing
