// Bad input of every kind gets a clear 4xx that names the field, and the
// store is exactly as it was before.
#include <gtest/gtest.h>

#include "support/fingerprint.h"
#include "support/fixture.h"

namespace zhanqun::testing {
namespace {

std::string Id(int64_t id) { return std::to_string(id); }

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = BuildDistrict(tp_);
    admin_ = std::make_unique<Client>(tp_.As("sysadmin"));
    editor_ = std::make_unique<Client>(tp_.As("a_editor"));
  }

  // Sends a request that must be refused with `status` naming `field`, and
  // checks that nothing stored changed.
  void ExpectRefused(Client& c, const std::string& method, const std::string& path,
                     const std::string& body, int status, const std::string& field,
                     const std::vector<std::string>& headers = {}) {
    std::string before = StoreFingerprint(tp_.service());
    auto r = c.Request(method, path, body, headers);
    SCOPED_TRACE(method + " " + path + " " + body.substr(0, 200) + " -> " +
                 std::to_string(r.status) + " " + r.body);
    EXPECT_EQ(r.status, status);
    auto j = r.Json();
    ASSERT_TRUE(j.is_object() && j.contains("error")) << "error shape";
    EXPECT_EQ(j["error"]["field"], field);
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
    EXPECT_FALSE(j["error"]["code"].get<std::string>().empty());
    EXPECT_EQ(StoreFingerprint(tp_.service()), before) << "the store changed";
  }

  TestPlatform tp_;
  District d_;
  std::unique_ptr<Client> admin_, editor_;
};

TEST_F(BadInput, MalformedJson) {
  for (std::string body : {"{", "{\"code\":", "[1,2", "{'code':'x'}", "nul", "{\"a\":1}}"}) {
    ExpectRefused(*admin_, "POST", "/api/v1/sites", body, 400, "body");
  }
  ExpectRefused(*admin_, "POST", "/api/v1/sites", "[]", 400, "body");
}

TEST_F(BadInput, WrongContentType) {
  ExpectRefused(*admin_, "POST", "/api/v1/sites", "code=x&name=y", 415, "Content-Type",
                {"Content-Type: application/x-www-form-urlencoded"});
}

TEST_F(BadInput, WrongTypes) {
  std::string sites = "/api/v1/sites";
  ExpectRefused(*admin_, "POST", sites, R"({"code":1,"name":"x","domains":["a.test"]})", 400,
                "code");
  ExpectRefused(*admin_, "POST", sites, R"({"code":"x1","name":"x","domains":"a.test"})", 400,
                "domains");
  ExpectRefused(*admin_, "POST", sites, R"({"code":"x1","name":"x","domains":[1]})", 400,
                "domains");
  ExpectRefused(*admin_, "POST", sites, R"({"code":"x1","name":["x"],"domains":["a.test"]})", 400,
                "name");
  ExpectRefused(*admin_, "POST", sites,
                R"({"code":"x1","name":"x","domains":["a.test"],"school_id":"1"})", 400,
                "school_id");
  std::string arts = "/api/v1/sites/" + Id(d_.site_a) + "/articles";
  ExpectRefused(*editor_, "POST", arts, R"({"column_id":"1","title":"t","body":"b"})", 400,
                "column_id");
  ExpectRefused(*editor_, "POST", arts,
                json{{"column_id", d_.column_a1}, {"title", 5}, {"body", "b"}}.dump(), 400,
                "title");
  ExpectRefused(
      *editor_, "POST", arts,
      json{{"column_id", d_.column_a1}, {"title", "t"}, {"body", "b"}, {"pinned", "yes"}}.dump(),
      400, "pinned");
  ExpectRefused(
      *editor_, "POST", arts,
      json{{"column_id", d_.column_a1}, {"title", "t"}, {"body", "b"}, {"bogus", 1}}.dump(), 400,
      "bogus");
  ExpectRefused(
      *editor_, "POST", arts,
      json{{"column_id", d_.column_a1}, {"title", "t"}, {"body", "b"}, {"attachments", {"x"}}}
          .dump(),
      400, "attachments");
  ExpectRefused(*admin_, "GET", "/api/v1/sites?page_size=1000", "", 400, "page_size");
  ExpectRefused(*admin_, "GET", "/api/v1/sites?page=abc", "", 400, "page");
}

TEST_F(BadInput, MissingRequiredFields) {
  ExpectRefused(*admin_, "POST", "/api/v1/sites", R"({"name":"x","domains":["a.test"]})", 400,
                "code");
  ExpectRefused(*admin_, "POST", "/api/v1/sites", R"({"code":"x1","name":"x","domains":[]})", 400,
                "domains");
  ExpectRefused(*admin_, "POST", "/api/v1/sites/" + Id(d_.site_a) + "/columns", R"({"name":"x"})",
                400, "type");
  ExpectRefused(*admin_, "POST", "/api/v1/sites/" + Id(d_.site_a) + "/columns",
                R"({"name":"外链","type":"link"})", 400, "link_url");
}

TEST_F(BadInput, OversizeBody) {
  std::string big =
      json{{"code", "x1"}, {"name", std::string(2 << 20, 'a')}, {"domains", {"a.test"}}}.dump();
  ExpectRefused(*admin_, "POST", "/api/v1/sites", big, 413, "body");
  std::string long_title =
      json{{"column_id", d_.column_a1}, {"title", std::string(201, 'x')}, {"body", "b"}}.dump();
  ExpectRefused(*editor_, "POST", "/api/v1/sites/" + Id(d_.site_a) + "/articles", long_title, 400,
                "title");
}

TEST_F(BadInput, InvalidUtf8) {
  std::string raw = "{\"code\":\"x1\",\"name\":\"\xff\xfe\",\"domains\":[\"a.test\"]}";
  ExpectRefused(*admin_, "POST", "/api/v1/sites", raw, 400, "body");
  std::string overlong = "{\"code\":\"x1\",\"name\":\"\xc0\xaf\",\"domains\":[\"a.test\"]}";
  ExpectRefused(*admin_, "POST", "/api/v1/sites", overlong, 400, "body");
  // A lone surrogate escape decodes to invalid UTF-8.
  std::string surrogate = R"({"code":"x1","name":"\udc00","domains":["a.test"]})";
  auto r = admin_->Request("POST", "/api/v1/sites", surrogate);
  EXPECT_EQ(r.status, 400) << r.body;
  std::string control =
      json{{"code", "x1"}, {"name", std::string("a\x01") + "b"}, {"domains", {"a.test"}}}.dump();
  ExpectRefused(*admin_, "POST", "/api/v1/sites", control, 400, "name");
}

TEST_F(BadInput, DotDotInAnyName) {
  std::string sites = "/api/v1/sites";
  ExpectRefused(*admin_, "POST", sites,
                json{{"code", "../x"}, {"name", "x"}, {"domains", {"a.test"}}}.dump(), 400, "code");
  ExpectRefused(*admin_, "POST", sites,
                json{{"code", "x1"}, {"name", "../../etc/passwd"}, {"domains", {"a.test"}}}.dump(),
                400, "name");
  ExpectRefused(*admin_, "POST", sites,
                json{{"code", "x1"}, {"name", "x"}, {"domains", {"../a.test"}}}.dump(), 400,
                "domains");
  ExpectRefused(
      *admin_, "POST", sites,
      json{{"code", "x1"}, {"name", "x"}, {"domains", {"a.test"}}, {"theme", "../../x"}}.dump(),
      400, "theme");
  std::string cols = "/api/v1/sites/" + Id(d_.site_a) + "/columns";
  ExpectRefused(*admin_, "POST", cols, json{{"name", "..\\..\\x"}, {"type", "list"}}.dump(), 400,
                "name");
  ExpectRefused(*admin_, "POST", cols,
                json{{"name", "栏目"}, {"slug", "../x"}, {"type", "list"}}.dump(), 400, "slug");
  ExpectRefused(
      *admin_, "POST", "/api/v1/users",
      json{{"username", "../root"}, {"display_name", "x"}, {"department_id", d_.school_a}}.dump(),
      400, "username");
  // An uploaded file name with ../ is refused before anything is written.
  std::string before = StoreFingerprint(tp_.service());
  auto up = editor_->Upload("/api/v1/sites/" + Id(d_.site_a) + "/media", "file", "../../evil.png",
                            std::string("\x89PNG\r\n\x1a\n", 8) + "xxxx", {{"alt", "x"}});
  EXPECT_EQ(up.status, 400) << up.body;
  EXPECT_EQ(up.Json()["error"]["field"], "file");
  EXPECT_EQ(StoreFingerprint(tp_.service()), before);
}

TEST_F(BadInput, DuplicateCodesAndDomains) {
  std::string sites = "/api/v1/sites";
  ExpectRefused(*admin_, "POST", sites,
                json{{"code", "sa"}, {"name", "x"}, {"domains", {"new.test"}}}.dump(), 409, "code");
  ExpectRefused(*admin_, "POST", sites,
                json{{"code", "x9"}, {"name", "x"}, {"domains", {"sb.test"}}}.dump(), 409,
                "domains");
  ExpectRefused(*admin_, "POST", sites,
                json{{"code", "x9"}, {"name", "x"}, {"domains", {"n.test", "n.test"}}}.dump(), 400,
                "domains");
  ExpectRefused(*admin_, "PATCH", "/api/v1/sites/" + Id(d_.site_a),
                json{{"domains", {"sb.test"}}}.dump(), 409, "domains");
  ExpectRefused(*admin_, "PATCH", "/api/v1/sites/" + Id(d_.site_a), json{{"code", "sb"}}.dump(),
                409, "code");
  ExpectRefused(
      *admin_, "POST", "/api/v1/users",
      json{{"username", "a_editor"}, {"display_name", "x"}, {"department_id", d_.school_a}}.dump(),
      409, "username");
}

TEST_F(BadInput, DeletingAColumnThatHoldsArticles) {
  ExpectRefused(*admin_, "DELETE", "/api/v1/columns/" + Id(d_.column_a1), "", 409, "articles");
  ExpectRefused(*admin_, "DELETE", "/api/v1/sites/" + Id(d_.site_a), "", 409, "id");
  // An empty column goes.
  EXPECT_EQ(admin_->Delete("/api/v1/columns/" + Id(d_.column_a2)).status, 204);
}

TEST_F(BadInput, ColumnCannotBeItsOwnAncestor) {
  auto child = admin_->Post("/api/v1/sites/" + Id(d_.site_a) + "/columns",
                            {{"name", "子栏目"}, {"type", "list"}, {"parent_id", d_.column_a2}});
  ASSERT_EQ(child.status, 201);
  ExpectRefused(*admin_, "PATCH", "/api/v1/columns/" + Id(d_.column_a2),
                json{{"parent_id", child.Json()["id"]}}.dump(), 400, "parent_id");
  ExpectRefused(*admin_, "PATCH", "/api/v1/columns/" + Id(d_.column_a2),
                json{{"parent_id", d_.column_b1}}.dump(), 400, "parent_id");
}

// SQL in every text field is stored as text, or refused by the field's own rule.
TEST_F(BadInput, SqlInjectionStringsInEveryTextField) {
  const std::vector<std::string> payloads = {"'; DROP TABLE sites; --", "\" OR 1=1 --",
                                             "x' UNION SELECT password_hash FROM users --",
                                             "1; DELETE FROM audit_log"};
  struct Target {
    std::string path;
    json base;
    std::vector<std::string> fields;
    Client* client;
  };
  std::vector<Target> targets = {
      {"/api/v1/sites",
       {{"code", "inj"}, {"name", "注入测试"}, {"domains", {"inj.test"}}},
       {"code", "name", "theme", "site_id_code", "icp", "police_record", "sponsor", "contact_name",
        "contact_phone", "contact_email"},
       admin_.get()},
      {"/api/v1/sites/" + Id(d_.site_a) + "/columns",
       {{"name", "栏目"}, {"type", "list"}},
       {"name", "slug", "description", "keywords"},
       admin_.get()},
      {"/api/v1/sites/" + Id(d_.site_a) + "/articles",
       {{"column_id", d_.column_a1}, {"title", "标题"}, {"body", "<p>正文</p>"}},
       {"title", "subtitle", "author", "source", "summary", "body"},
       editor_.get()},
      {"/api/v1/users",
       {{"username", "injuser"}, {"display_name", "注入"}, {"department_id", d_.school_a}},
       {"username", "display_name", "email", "phone"},
       admin_.get()},
  };
  int n = 0;
  for (const auto& t : targets) {
    for (const auto& field : t.fields) {
      for (const auto& payload : payloads) {
        json body = t.base;
        body[field] = payload;
        // Keep unique fields unique so each accepted request stands alone.
        std::string suffix = std::to_string(n++);
        if (field != "code" && body.contains("code")) body["code"] = "inj" + suffix;
        if (body.contains("domains")) body["domains"] = {"inj" + suffix + ".test"};
        if (field != "username" && body.contains("username")) body["username"] = "inj" + suffix;
        std::string before = StoreFingerprint(tp_.service());
        auto r = t.client->Post(t.path, body);
        SCOPED_TRACE(t.path + " " + field + "=" + payload + " -> " + std::to_string(r.status) +
                     " " + r.body);
        if (r.status == 201) {
          auto j = r.Json();
          if (j.contains("user")) j = j["user"];
          if (field == "body") {
            EXPECT_NE(j["body"].get<std::string>().find(payload), std::string::npos);
          } else {
            EXPECT_EQ(j[field], payload) << "stored verbatim";
          }
        } else {
          EXPECT_EQ(r.status, 400);
          EXPECT_EQ(r.Json()["error"]["field"], field);
          EXPECT_EQ(StoreFingerprint(tp_.service()), before);
        }
      }
    }
  }
  // Every table is still there and the audit chain still verifies.
  auto sites = admin_->Get("/api/v1/sites");
  EXPECT_EQ(sites.status, 200);
  auto v = tp_.service().VerifyAudit();
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok) << v->message;
}

TEST_F(BadInput, UnknownRouteAndMethod) {
  auto r = admin_->Get("/api/v1/nope");
  EXPECT_EQ(r.status, 404);
  auto m = admin_->Request("PUT", "/api/v1/sites/" + Id(d_.site_a), "{}");
  EXPECT_EQ(m.status, 405);
  EXPECT_FALSE(m.headers["allow"].empty());
  EXPECT_EQ(admin_->Get("/api/v1/sites/99999").status, 404);
  EXPECT_EQ(admin_->Get("/api/v1/sites/abc").status, 404);
}

}  // namespace
}  // namespace zhanqun::testing
