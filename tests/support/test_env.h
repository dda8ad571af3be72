// Test helpers: temporary data directories, the database the suite runs on
// (SQLite by default; PostgreSQL when ZHANQUN_TEST_PG is set, one fresh
// schema per test), an in-process platform on loopback, and an HTTP client
// that keeps the session cookie and CSRF token like the console does.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/platform.h"

namespace zhanqun::testing {

using nlohmann::json;

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// "sqlite" or "postgres": which engine this run of the suite uses.
std::string EngineName();
// A database URL for a new, empty store: "" for SQLite (the data directory's
// default file) or a PostgreSQL URL selecting a fresh schema.
std::string FreshDatabaseUrl();

struct HttpResult {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-cased names, last value wins
  json Json() const;
};

class Client {
 public:
  explicit Client(std::string base) : base_(std::move(base)) {}
  HttpResult Request(const std::string& method, const std::string& path,
                     const std::string& body = "",
                     const std::vector<std::string>& extra_headers = {}, bool send_csrf = true);
  HttpResult Get(const std::string& path) { return Request("GET", path); }
  HttpResult Post(const std::string& path, const json& body) {
    return Request("POST", path, body.dump());
  }
  HttpResult Patch(const std::string& path, const json& body) {
    return Request("PATCH", path, body.dump());
  }
  HttpResult Delete(const std::string& path) { return Request("DELETE", path); }
  // Multipart upload of one file plus text fields.
  HttpResult Upload(const std::string& path, const std::string& file_field,
                    const std::string& filename, const std::string& content,
                    const std::map<std::string, std::string>& fields);
  // Logs in; remembers cookie and CSRF token. Returns the login response.
  HttpResult Login(const std::string& username, const std::string& password);
  void set_csrf(std::string c) { csrf_ = std::move(c); }
  const std::string& csrf() const { return csrf_; }
  const std::string& cookie() const { return cookie_; }
  void set_cookie(std::string c) { cookie_ = std::move(c); }

 private:
  std::string base_;
  std::string cookie_;
  std::string csrf_;
};

// A platform in this process with a fresh store, both listeners on ephemeral
// loopback ports, and the three platform accounts with known passwords.
class TestPlatform {
 public:
  TestPlatform() : TestPlatform(std::map<std::string, std::string>{}) {}
  // Extra configuration ("section.key" -> value) over the test defaults.
  explicit TestPlatform(const std::map<std::string, std::string>& overrides);
  ~TestPlatform();
  app::Platform& platform() { return *platform_; }
  service::Service& service() { return platform_->service(); }
  const std::string& data_dir() const { return dir_.path(); }
  std::string admin_base() const;
  std::string public_base() const;
  // A client logged in as the given platform account (password already changed).
  Client As(const std::string& username);
  // Creates a user with a known, already-changed password; returns its id.
  int64_t CreateUser(const std::string& username, int64_t department_id);
  int64_t Grant(int64_t user_id, int64_t site_id, const std::string& role,
                std::optional<int64_t> column_id = std::nullopt);
  static constexpr const char* kPassword = "Test-Pass-2026!";

 private:
  TempDir dir_;
  std::unique_ptr<app::Platform> platform_;
};

}  // namespace zhanqun::testing
