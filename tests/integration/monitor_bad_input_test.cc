// Bad input to every monitoring endpoint: a 4xx naming the field, and the
// store exactly as it was.
#include <gtest/gtest.h>

#include "http/api/api.h"
#include "support/fingerprint.h"
#include "support/fixture.h"

namespace zhanqun::testing {
namespace {

class MonitorBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = BuildDistrict(tp_);
    admin_ = std::make_unique<Client>(tp_.As("sysadmin"));
    auto m = admin_->Post("/api/v1/monitors", {{"url", "http://127.0.0.1:9/"}, {"interval_s", 60}});
    ASSERT_EQ(m.status, 201) << m.body;
    monitor_ = "/api/v1/monitors/" + std::to_string(m.Json()["id"].get<int64_t>());
    auto ch = admin_->Post("/api/v1/alert-channels",
                           {{"type", "webhook"}, {"url", "http://127.0.0.1:9/hook"}});
    ASSERT_EQ(ch.status, 201) << ch.body;
    channel_ = "/api/v1/alert-channels/" + std::to_string(ch.Json()["id"].get<int64_t>());
  }

  void ExpectRefused(const std::string& method, const std::string& path, const std::string& body,
                     int status, const std::string& field, Client* c = nullptr) {
    Client& client = c ? *c : *admin_;
    std::string before = StoreFingerprint(tp_.service());
    auto r = client.Request(method, path, body);
    SCOPED_TRACE(method + " " + path + " " + body + " -> " + std::to_string(r.status) + " " +
                 r.body);
    EXPECT_EQ(r.status, status);
    auto j = r.Json();
    ASSERT_TRUE(j.is_object() && j.contains("error"));
    EXPECT_EQ(j["error"]["field"], field);
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
    EXPECT_EQ(StoreFingerprint(tp_.service()), before) << "the store changed";
  }

  TestPlatform tp_;
  District d_;
  std::unique_ptr<Client> admin_;
  std::string monitor_, channel_;
};

TEST_F(MonitorBadInput, Monitors) {
  const std::string m = "/api/v1/monitors";
  ExpectRefused("POST", m, "{", 400, "body");
  ExpectRefused("POST", m, "[]", 400, "body");
  ExpectRefused("POST", m, R"({"interval_s":60})", 400, "url");
  ExpectRefused("POST", m, R"({"url":"ftp://x.test/"})", 400, "url");
  ExpectRefused("POST", m, R"x({"url":"javascript:alert(1)"})x", 400, "url");
  ExpectRefused("POST", m, R"({"url":5})", 400, "url");
  ExpectRefused("POST", m, R"({"url":"http://a.test/","interval_s":4})", 400, "interval_s");
  ExpectRefused("POST", m, R"({"url":"http://a.test/","interval_s":"60"})", 400, "interval_s");
  ExpectRefused("POST", m, R"({"url":"http://a.test/","interval_s":86401})", 400, "interval_s");
  ExpectRefused("POST", m, R"({"url":"http://a.test/","keyword":["x"]})", 400, "keyword");
  ExpectRefused("POST", m, R"({"url":"http://a.test/","ip_version":"v5"})", 400, "ip_version");
  ExpectRefused("POST", m, R"({"url":"http://a.test/","enabled":"yes"})", 400, "enabled");
  ExpectRefused("POST", m, R"({"url":"http://a.test/","intervall_s":60})", 400, "intervall_s");
  ExpectRefused("POST", m, R"({"url":"http://127.0.0.1:9/"})", 409, "url");  // duplicate
  ExpectRefused("PATCH", monitor_, R"({"interval_s":0})", 400, "interval_s");
  ExpectRefused("PATCH", monitor_, R"({"url":"not a url"})", 400, "url");
  ExpectRefused("GET", monitor_ + "/results?resolution=2m", "", 400, "resolution");
  ExpectRefused("GET", monitor_ + "/results?limit=0", "", 400, "limit");
  ExpectRefused("GET", monitor_ + "/results?from=yesterday", "", 400, "from");
  ExpectRefused("GET", "/api/v1/monitors?site_id=x", "", 400, "site_id");
  ExpectRefused("GET", "/api/v1/monitors/999999", "", 404, "");
  ExpectRefused("DELETE", "/api/v1/monitors/999999", "", 404, "");
  // Permission first: an editor learns nothing about the body.
  Client editor = tp_.As("a_editor");
  ExpectRefused("POST", m, R"({"url":5})", 403, "", &editor);
}

TEST_F(MonitorBadInput, SiteMonitorsKeepTheirUrl) {
  ASSERT_TRUE(tp_.platform().monitoring().SyncSiteMonitors());
  auto list = admin_->Get("/api/v1/monitors?kind=site").Json();
  ASSERT_FALSE(list["items"].empty());
  std::string path = "/api/v1/monitors/" + std::to_string(list["items"][0]["id"].get<int64_t>());
  ExpectRefused("PATCH", path, R"({"url":"http://other.test/"})", 400, "url");
  ExpectRefused("DELETE", path, "", 409, "id");
}

TEST_F(MonitorBadInput, IncidentsAndAvailability) {
  ExpectRefused("GET", "/api/v1/incidents?status=closed", "", 400, "status");
  ExpectRefused("GET", "/api/v1/incidents?month=2026-13", "", 400, "month");
  ExpectRefused("GET", "/api/v1/incidents?monitor_id=abc", "", 400, "monitor_id");
  ExpectRefused("GET", "/api/v1/availability?month=11-2026", "", 400, "month");
  ExpectRefused("POST", "/api/v1/incidents/999999/acknowledge", "{}", 404, "");
}

TEST_F(MonitorBadInput, AlertChannels) {
  const std::string c = "/api/v1/alert-channels";
  ExpectRefused("POST", c, R"({"url":"http://h.test/"})", 400, "type");
  ExpectRefused("POST", c, R"({"type":"sms","url":"http://h.test/"})", 400, "type");
  ExpectRefused("POST", c, R"({"type":"webhook"})", 400, "url");
  ExpectRefused("POST", c, R"({"type":"dingtalk","url":"smtp://mail.test"})", 400, "url");
  ExpectRefused("POST", c, R"({"type":"email","url":"http://mail.test","to":["a@b.cn"]})", 400,
                "url");
  ExpectRefused("POST", c, R"({"type":"email","url":"smtp://mail.test:25"})", 400, "to");
  ExpectRefused("POST", c, R"({"type":"email","url":"smtp://mail.test:25","to":["nobody"]})", 400,
                "to");
  ExpectRefused("POST", c, R"({"type":"wecom","url":"http://h.test/","to":["a@b.cn"]})", 400, "to");
  ExpectRefused("POST", c, R"({"type":"feishu","url":"http://h.test/","sites":[999999]})", 400,
                "sites");
  ExpectRefused("POST", c, R"({"type":"feishu","url":"http://h.test/","sites":"all"})", 400,
                "sites");
  ExpectRefused("POST", c, R"({"type":"feishu","url":"http://h.test/","severities":["info"]})", 400,
                "severities");
  ExpectRefused("POST", c, R"({"type":"feishu","url":"http://h.test/","severities":[]})", 400,
                "severities");
  ExpectRefused("POST", c, R"({"type":"webhook","url":"http://h.test/","secret":1})", 400,
                "secret");
  ExpectRefused("PATCH", channel_, R"({"type":"email"})", 400, "type");
  ExpectRefused("PATCH", channel_, R"({"enabled":1})", 400, "enabled");
  ExpectRefused("PATCH", "/api/v1/alert-channels/999999", R"({"enabled":false})", 404, "");
  ExpectRefused("GET", "/api/v1/alert-deliveries?status=lost", "", 400, "status");
}

TEST_F(MonitorBadInput, MaintenanceWindowsAndSettings) {
  const std::string w = "/api/v1/maintenance-windows";
  ExpectRefused("POST", w, R"({"ends_at":2})", 400, "starts_at");
  ExpectRefused("POST", w, R"({"starts_at":2})", 400, "ends_at");
  ExpectRefused("POST", w, R"({"starts_at":5,"ends_at":5})", 400, "ends_at");
  ExpectRefused("POST", w, R"({"starts_at":0,"ends_at":9999999999})", 400, "ends_at");
  ExpectRefused("POST", w, R"({"starts_at":1,"ends_at":2,"site_id":999999})", 400, "site_id");
  ExpectRefused("POST", w, R"({"starts_at":"now","ends_at":2})", 400, "starts_at");
  ExpectRefused("DELETE", w + "/999999", "", 404, "");
  ExpectRefused("PATCH", "/api/v1/monitoring/settings", R"({"protection":"on"})", 400,
                "protection");
  ExpectRefused("PATCH", "/api/v1/monitoring/settings", R"({"interval":5})", 400, "interval");
}

// The monitoring routes of an API built without monitoring
// (ApiOptions::monitoring unset): 503 with the error body for the
// 系统管理员, 403 for anyone else, never a 500 (they threw before).
TEST(MonitorRoutes, AnswerUnavailableNot500WhenMonitoringIsNotConfigured) {
  TestPlatform tp;
  Client sysadmin = tp.As("sysadmin");
  Client secadmin = tp.As("secadmin");
  http::Api api(tp.service(), http::ApiOptions{});
  const std::vector<std::string> prefixes = {
      "/api/v1/monitors",         "/api/v1/incidents",           "/api/v1/alert-channels",
      "/api/v1/alert-deliveries", "/api/v1/maintenance-windows", "/api/v1/monitoring/",
      "/api/v1/availability"};
  auto call = [&](const http::Route& route, Client& who) {
    http::Request req;
    req.method = route.method;
    req.path = route.pattern;
    if (size_t at = req.path.find("{id}"); at != std::string::npos) req.path.replace(at, 4, "1");
    req.target = req.path;
    req.remote_addr = "127.0.0.1";
    req.headers = {{"cookie", "zq_session=" + who.cookie()},
                   {"x-csrf-token", who.csrf()},
                   {"content-type", "application/json"}};
    if (route.method == "POST" || route.method == "PATCH") req.body = "{}";
    return api.Handle(req);
  };
  int checked = 0;
  for (const auto& route : api.router().routes()) {
    bool monitoring = false;
    for (const auto& p : prefixes) monitoring = monitoring || route.pattern.rfind(p, 0) == 0;
    if (!monitoring) continue;
    ++checked;
    SCOPED_TRACE(route.method + " " + route.pattern);
    http::Response r = call(route, sysadmin);
    std::string body(r.Body());
    EXPECT_EQ(r.status, 503) << body;
    json j = json::parse(body, nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << body;
    EXPECT_EQ(j["error"]["code"], "unavailable");
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
    EXPECT_EQ(call(route, secadmin).status, 403) << "the role is checked first";
  }
  EXPECT_EQ(checked, 19) << "every monitoring route";
}

}  // namespace
}  // namespace zhanqun::testing
