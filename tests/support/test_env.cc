#include "test_env.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "security/password.h"
#include "service/internal.h"

namespace zhanqun::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "zqtest-XXXXXX").string();
  char* p = mkdtemp(tmpl.data());
  if (!p) std::abort();
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!std::getenv("ZQ_KEEP_TEST_DIRS")) fs::remove_all(path_, ec);
}

std::string EngineName() {
  const char* pg = std::getenv("ZHANQUN_TEST_PG");
  return pg && *pg ? "postgres" : "sqlite";
}

std::string FreshDatabaseUrl() {
  const char* pg = std::getenv("ZHANQUN_TEST_PG");
  if (!pg || !*pg) return "";
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::string schema = "t" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
                       std::to_string(rd() % 100000);
  PGconn* c = PQconnectdb(pg);
  if (PQstatus(c) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to ZHANQUN_TEST_PG: " << PQerrorMessage(c);
    PQfinish(c);
    return "";
  }
  PGresult* r = PQexec(c, ("CREATE SCHEMA " + schema).c_str());
  if (PQresultStatus(r) != PGRES_COMMAND_OK) ADD_FAILURE() << PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  std::string url = pg;
  url += url.find('?') == std::string::npos ? "?" : "&";
  url += "options=-csearch_path%3D" + schema;
  return url;
}

json HttpResult::Json() const {
  json j = json::parse(body, nullptr, false);
  return j;
}

namespace {

size_t WriteBody(char* ptr, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(ptr, size * n);
  return size * n;
}

size_t WriteHeader(char* ptr, size_t size, size_t n, void* user) {
  auto* h = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(ptr, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*h)[name] = value;
  }
  return size * n;
}

}  // namespace

HttpResult Client::Request(const std::string& method, const std::string& path,
                           const std::string& body, const std::vector<std::string>& extra_headers,
                           bool send_csrf) {
  HttpResult out;
  CURL* curl = curl_easy_init();
  std::string url = base_ + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &out.headers);
  struct curl_slist* hdrs = nullptr;
  if (!body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    bool has_ct = false;
    for (const auto& h : extra_headers) {
      if (strncasecmp(h.c_str(), "content-type:", 13) == 0) has_ct = true;
    }
    if (!has_ct) hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
  }
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!cookie_.empty()) hdrs = curl_slist_append(hdrs, ("Cookie: zq_session=" + cookie_).c_str());
  if (send_csrf && !csrf_.empty())
    hdrs = curl_slist_append(hdrs, ("X-CSRF-Token: " + csrf_).c_str());
  hdrs = curl_slist_append(hdrs, "Expect:");
  for (const auto& h : extra_headers) hdrs = curl_slist_append(hdrs, h.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(curl);
  return out;
}

HttpResult Client::Upload(const std::string& path, const std::string& file_field,
                          const std::string& filename, const std::string& content,
                          const std::map<std::string, std::string>& fields) {
  HttpResult out;
  CURL* curl = curl_easy_init();
  std::string url = base_ + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &out.headers);
  curl_mime* mime = curl_mime_init(curl);
  for (const auto& [k, v] : fields) {
    curl_mimepart* part = curl_mime_addpart(mime);
    curl_mime_name(part, k.c_str());
    curl_mime_data(part, v.c_str(), v.size());
  }
  curl_mimepart* part = curl_mime_addpart(mime);
  curl_mime_name(part, file_field.c_str());
  curl_mime_filename(part, filename.c_str());
  curl_mime_data(part, content.data(), content.size());
  curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
  struct curl_slist* hdrs = nullptr;
  if (!cookie_.empty()) hdrs = curl_slist_append(hdrs, ("Cookie: zq_session=" + cookie_).c_str());
  if (!csrf_.empty()) hdrs = curl_slist_append(hdrs, ("X-CSRF-Token: " + csrf_).c_str());
  hdrs = curl_slist_append(hdrs, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  curl_slist_free_all(hdrs);
  curl_mime_free(mime);
  curl_easy_cleanup(curl);
  return out;
}

HttpResult Client::Login(const std::string& username, const std::string& password) {
  cookie_.clear();
  csrf_.clear();
  HttpResult r = Post("/api/v1/auth/login", {{"username", username}, {"password", password}});
  auto it = r.headers.find("set-cookie");
  if (it != r.headers.end()) {
    std::string v = it->second;
    auto eq = v.find('=');
    auto semi = v.find(';');
    if (eq != std::string::npos) cookie_ = v.substr(eq + 1, semi - eq - 1);
  }
  json j = r.Json();
  if (j.is_object() && j.contains("csrf")) csrf_ = j["csrf"];
  return r;
}

TestPlatform::TestPlatform(const std::map<std::string, std::string>& overrides) {
  app::OpenOptions o;
  o.data_dir = dir_.path();
  std::string db = FreshDatabaseUrl();
  if (!db.empty()) o.overrides["database.url"] = db;
  o.overrides["server.admin_listen"] = "127.0.0.1:0";
  o.overrides["server.public_listen"] = "127.0.0.1:0";
  // The small fixture theme keeps tests independent of the shipped themes'
  // markup; tests/integration/themes_test.cc covers those.
  o.overrides["publish.themes_dir"] = std::string(ZQ_SOURCE_DIR) + "/tests/fixtures/themes";
  o.overrides["publish.default_theme"] = "plain";
  // No prober unless a test asks for one: probes of the fixture sites would
  // change incidents and results under tests that compare the store.
  o.overrides["monitor.enabled"] = "0";
  for (const auto& [k, v] : overrides) o.overrides[k] = v;
  auto p = app::Platform::Open(o);
  if (!p) {
    ADD_FAILURE() << "open platform: " << p.error().message << " " << p.error().internal;
    std::abort();
  }
  platform_ = std::move(*p);
  auto created = platform_->service().Bootstrap("测试区");
  if (!created) std::abort();
  // Known passwords, already changed, for the three platform accounts.
  auto hash = security::HashPassword(kPassword);
  auto st = service().db().Write([&](store::Conn& c) -> Status {
    return c.Exec("UPDATE users SET password_hash = ?, must_change_password = 0", {*hash})
        .map([](int64_t) {});
  });
  if (!st) std::abort();
  auto started = platform_->Start();
  if (!started) {
    ADD_FAILURE() << "start: " << started.error().message;
    std::abort();
  }
}

TestPlatform::~TestPlatform() { platform_->Stop(); }

std::string TestPlatform::admin_base() const {
  return "http://127.0.0.1:" + std::to_string(platform_->admin_port());
}

std::string TestPlatform::public_base() const {
  return "http://127.0.0.1:" + std::to_string(platform_->public_port());
}

Client TestPlatform::As(const std::string& username) {
  Client c(admin_base());
  auto r = c.Login(username, kPassword);
  EXPECT_EQ(r.status, 200) << username << ": " << r.body;
  return c;
}

int64_t TestPlatform::CreateUser(const std::string& username, int64_t department_id) {
  static const std::string hash = *security::HashPassword(kPassword);
  int64_t now = service().Now();
  auto id = service().db().WriteValue<int64_t>([&](store::Conn& c) -> Result<int64_t> {
    auto rows = c.Query(
        "INSERT INTO users (username, display_name, department_id, password_hash, "
        "password_changed_at, must_change_password, created_at, updated_at) VALUES (?, ?, ?, ?, "
        "?, 0, ?, ?) RETURNING id",
        {username, username, department_id, hash, now, now, now});
    if (!rows) return Fail(std::move(rows.error()));
    return rows->front().Int("id");
  });
  if (!id) {
    ADD_FAILURE() << id.error().internal;
    return 0;
  }
  return *id;
}

int64_t TestPlatform::Grant(int64_t user_id, int64_t site_id, const std::string& role,
                            std::optional<int64_t> column_id) {
  auto id = service().db().WriteValue<int64_t>([&](store::Conn& c) -> Result<int64_t> {
    auto rows = c.Query(
        "INSERT INTO grants (user_id, site_id, column_id, role, created_at) VALUES (?, ?, ?, ?, "
        "?) RETURNING id",
        {user_id, site_id, store::Opt(column_id), role, int64_t{0}});
    if (!rows) return Fail(std::move(rows.error()));
    return rows->front().Int("id");
  });
  if (!id) {
    ADD_FAILURE() << id.error().internal;
    return 0;
  }
  return *id;
}

}  // namespace zhanqun::testing
