// The store's one interface over two engines. SQL is written once with `?`
// placeholders in the subset both SQLite and PostgreSQL accept; the PostgreSQL
// adapter numbers the placeholders. Parameters are always bound, never spliced.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace zhanqun::store {

enum class Engine { kSqlite, kPostgres };

using Value = std::variant<std::monostate, int64_t, double, std::string>;

inline Value Null() { return std::monostate{}; }
inline Value Opt(const std::optional<int64_t>& v) { return v ? Value(*v) : Null(); }
inline Value Opt(const std::optional<std::string>& v) { return v ? Value(*v) : Null(); }

struct Row {
  std::shared_ptr<const std::vector<std::string>> names;
  std::vector<Value> values;

  size_t Index(std::string_view name) const;  // throws logic_error on an unknown name: a bug
  bool IsNull(std::string_view name) const;
  int64_t Int(std::string_view name) const;       // 0 for NULL
  std::string Text(std::string_view name) const;  // "" for NULL
  double Real(std::string_view name) const;
  std::optional<int64_t> OptInt(std::string_view name) const;
  std::optional<std::string> OptText(std::string_view name) const;
};

using Rows = std::vector<Row>;
using Params = std::vector<Value>;

// One connection, used by one thread at a time.
class Conn {
 public:
  virtual ~Conn() = default;
  virtual Engine engine() const = 0;
  virtual Result<Rows> Query(std::string_view sql, const Params& params = {}) = 0;
  // Returns the number of rows changed.
  virtual Result<int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
  // Several statements, no parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;

  // Convenience: first row or NotFound.
  Result<Row> QueryOne(std::string_view sql, const Params& params, std::string_view what);
  // Convenience: first column of the first row as an integer (0 when no row).
  Result<int64_t> QueryInt(std::string_view sql, const Params& params = {});
};

struct DbOptions {
  std::string url;  // "sqlite:/path/zhanqun.db", "/path/x.db", or "postgresql://..."
  int pool_size = 4;
  int busy_timeout_ms = 5000;
  // false: SQLite commits without waiting for the disk (synchronous=OFF) —
  // for building a demo or a bulk import only, never for serving.
  bool durable = true;
};

class Db {
 public:
  virtual ~Db() = default;
  static Result<std::unique_ptr<Db>> Open(const DbOptions& options);

  virtual Engine engine() const = 0;
  // Human-readable target without credentials.
  virtual std::string Describe() const = 0;

  // Runs fn in a transaction: committed when fn succeeds, rolled back when it
  // returns an error (or throws). Writers are serialized on SQLite
  // (BEGIN IMMEDIATE); busy and serialization failures are retried.
  Status Write(const std::function<Status(Conn&)>& fn) { return RunTx(fn, true); }
  // Read-only work on a pooled connection, inside a read transaction so that
  // what it sees is consistent.
  Status Read(const std::function<Status(Conn&)>& fn) { return RunTx(fn, false); }

  template <typename T>
  Result<T> WriteValue(const std::function<Result<T>(Conn&)>& fn) {
    std::optional<T> out;
    auto st = Write([&](Conn& c) -> Status {
      auto r = fn(c);
      if (!r) return Fail(std::move(r.error()));
      out = std::move(*r);
      return {};
    });
    if (!st) return Fail(std::move(st.error()));
    return std::move(*out);
  }
  template <typename T>
  Result<T> ReadValue(const std::function<Result<T>(Conn&)>& fn) {
    std::optional<T> out;
    auto st = Read([&](Conn& c) -> Status {
      auto r = fn(c);
      if (!r) return Fail(std::move(r.error()));
      out = std::move(*r);
      return {};
    });
    if (!st) return Fail(std::move(st.error()));
    return std::move(*out);
  }

 protected:
  virtual Status RunTx(const std::function<Status(Conn&)>& fn, bool write) = 0;
};

// Engine adapters (store/sqlite, store/postgres).
Result<std::unique_ptr<Db>> OpenSqlite(const std::string& path, const DbOptions& options);
Result<std::unique_ptr<Db>> OpenPostgres(const std::string& conninfo, const DbOptions& options);

// Maps a constraint name or message to the API field it concerns, so that a
// unique violation on sites.code answers with field "code".
std::string FieldFromConstraint(std::string_view text);

}  // namespace zhanqun::store
