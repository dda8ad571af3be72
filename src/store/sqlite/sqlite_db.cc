#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <unordered_map>

#include "store/db.h"
#include "store/pool.h"

namespace zhanqun::store {
namespace {

Error SqliteError(sqlite3* db, int rc, std::string_view sql) {
  int ext = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  Error e;
  e.internal = "sqlite: " + msg + " [" + std::string(sql.substr(0, 200)) + "]";
  switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      e.code = Code::kConflict;
      e.field = FieldFromConstraint(msg);
      e.message = e.field.empty() ? "数据已存在" : e.field + " 已存在";
      return e;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      e.code = Code::kConflict;
      e.message = "数据仍被引用，或引用的数据不存在";
      return e;
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_CHECK:
      e.code = Code::kInvalidArgument;
      e.field = FieldFromConstraint(msg);
      e.message = "数据不符合约束";
      return e;
    case SQLITE_CONSTRAINT_TRIGGER:
      e.code = Code::kForbidden;
      e.message = "该数据不允许修改";
      return e;
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      e.code = Code::kUnavailable;
      e.message = "数据库忙，请稍后重试";
      return e;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      e.code = Code::kCorruption;
      e.message = "数据库文件损坏";
      return e;
    default:
      e.code = Code::kInternal;
      e.message = "服务器内部错误";
      return e;
  }
}

class SqliteConn : public Conn {
 public:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  ~SqliteConn() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  Engine engine() const override { return Engine::kSqlite; }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    Rows rows;
    auto st = Run(sql, params, &rows);
    if (!st) return Fail(std::move(st.error()));
    return rows;
  }

  Result<int64_t> Exec(std::string_view sql, const Params& params) override {
    auto st = Run(sql, params, nullptr);
    if (!st) return Fail(std::move(st.error()));
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Status ExecScript(std::string_view sql) override {
    char* err = nullptr;
    std::string s(sql);
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      Error e = SqliteError(db_, rc, sql);
      if (err) {
        e.internal += std::string(" ") + err;
        sqlite3_free(err);
      }
      return Fail(std::move(e));
    }
    return {};
  }

 private:
  Status Run(std::string_view sql, const Params& params, Rows* out) {
    sqlite3_stmt* stmt = nullptr;
    std::string key(sql);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                  SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, sql));
      cache_.emplace(key, stmt);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else {
        const auto& s = std::get<std::string>(v);
        rc = sqlite3_bind_text64(stmt, idx, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, sql));
    }
    std::shared_ptr<std::vector<std::string>> names;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Error e = SqliteError(db_, rc, sql);
        sqlite3_reset(stmt);
        return Fail(std::move(e));
      }
      if (!out) continue;
      int n = sqlite3_column_count(stmt);
      if (!names) {
        names = std::make_shared<std::vector<std::string>>();
        for (int i = 0; i < n; ++i) names->push_back(sqlite3_column_name(stmt, i));
      }
      Row row;
      row.names = names;
      row.values.reserve(n);
      for (int i = 0; i < n; ++i) {
        switch (sqlite3_column_type(stmt, i)) {
          case SQLITE_INTEGER:
            row.values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
            break;
          case SQLITE_FLOAT:
            row.values.emplace_back(sqlite3_column_double(stmt, i));
            break;
          case SQLITE_NULL:
            row.values.emplace_back(std::monostate{});
            break;
          default: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
            int len = sqlite3_column_bytes(stmt, i);
            row.values.emplace_back(std::string(p ? p : "", len));
          }
        }
      }
      out->push_back(std::move(row));
    }
    sqlite3_reset(stmt);
    return {};
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

class SqliteDb : public PooledDb {
 public:
  SqliteDb(std::string path, Factory f, int size) : PooledDb(std::move(f), size), path_(path) {}
  Engine engine() const override { return Engine::kSqlite; }
  std::string Describe() const override { return "sqlite:" + path_; }

 protected:
  std::string_view BeginSql(bool write) const override {
    return write ? "BEGIN IMMEDIATE" : "BEGIN";
  }
  bool Retryable(const Error& e) const override { return e.code == Code::kUnavailable; }

 private:
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<Db>> OpenSqlite(const std::string& path, const DbOptions& options) {
  if (path.empty()) return Fail(Error::Invalid("database.url", "SQLite 数据库路径为空"));
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return Fail(Error::Invalid("database.url", "数据库所在目录不存在：" + parent.string()));
  }
  int busy = options.busy_timeout_ms;
  bool durable = options.durable;
  auto factory = [path, busy, durable]() -> Result<std::unique_ptr<Conn>> {
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      Error e = SqliteError(db, rc, "open");
      e.message = "无法打开数据库 " + path;
      sqlite3_close_v2(db);
      return Fail(std::move(e));
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy);
    auto conn = std::make_unique<SqliteConn>(db);
    // FULL: a committed write survives power loss, not just a killed process.
    auto st = conn->ExecScript(
        std::string("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF;") +
        (durable ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=OFF;"));
    if (!st) return Fail(std::move(st.error()));
    auto fk = conn->QueryInt("PRAGMA foreign_keys");
    if (!fk || *fk != 1) return Fail(Error::Internal("sqlite: foreign keys could not be enabled"));
    return std::unique_ptr<Conn>(std::move(conn));
  };
  auto db = std::make_unique<SqliteDb>(path, factory, std::max(1, options.pool_size));
  auto st = db->Prime();
  if (!st) return Fail(std::move(st.error()));
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace zhanqun::store
