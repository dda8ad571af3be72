#include <libpq-fe.h>

#include <cstdlib>
#include <string>
#include <unordered_map>

#include "store/db.h"
#include "store/pool.h"

namespace zhanqun::store {
namespace {

// OIDs from pg_type.
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kOidOid = 26;
constexpr Oid kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700;

// Rewrites `?` placeholders to `$1..$n`, leaving quoted text alone.
std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool in_single = false, in_double = false;
  for (char c : sql) {
    if (c == '\'' && !in_double) in_single = !in_single;
    if (c == '"' && !in_single) in_double = !in_double;
    if (c == '?' && !in_single && !in_double) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

Error PgError(PGconn* conn, const PGresult* res, std::string_view sql) {
  Error e;
  std::string msg = res ? PQresultErrorMessage(res) : (conn ? PQerrorMessage(conn) : "");
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  std::string sqlstate = state ? state : "";
  e.internal = "postgres: " + sqlstate + " " + msg + " [" + std::string(sql.substr(0, 200)) + "]";
  if (sqlstate == "23505") {
    e.code = Code::kConflict;
    e.field = FieldFromConstraint(constraint ? constraint : msg);
    e.message = e.field.empty() ? "数据已存在" : e.field + " 已存在";
  } else if (sqlstate == "23503") {
    e.code = Code::kConflict;
    e.message = "数据仍被引用，或引用的数据不存在";
  } else if (sqlstate == "23502" || sqlstate == "23514" || sqlstate.rfind("22", 0) == 0) {
    e.code = Code::kInvalidArgument;
    e.message = "数据不符合约束";
  } else if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
    e.code = Code::kUnavailable;
    e.message = "数据库忙，请稍后重试";
  } else if (sqlstate == "P0001" && msg.find("append-only") != std::string::npos) {
    e.code = Code::kForbidden;
    e.message = "该数据不允许修改";
  } else if (sqlstate.rfind("08", 0) == 0 || sqlstate.empty()) {
    e.code = Code::kUnavailable;
    e.message = "数据库连接失败";
  } else {
    e.code = Code::kInternal;
    e.message = "服务器内部错误";
  }
  return e;
}

class PgConn : public Conn {
 public:
  explicit PgConn(PGconn* c) : conn_(c) {}
  ~PgConn() override { PQfinish(conn_); }
  Engine engine() const override { return Engine::kPostgres; }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    Rows rows;
    auto st = Run(sql, params, &rows, nullptr);
    if (!st) return Fail(std::move(st.error()));
    return rows;
  }

  Result<int64_t> Exec(std::string_view sql, const Params& params) override {
    int64_t changed = 0;
    auto st = Run(sql, params, nullptr, &changed);
    if (!st) return Fail(std::move(st.error()));
    return changed;
  }

  Status ExecScript(std::string_view sql) override {
    std::string s(sql);
    PGresult* res = PQexec(conn_, s.c_str());
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      Error e = PgError(conn_, res, sql);
      PQclear(res);
      return Fail(std::move(e));
    }
    PQclear(res);
    return {};
  }

  bool Broken() const { return PQstatus(conn_) != CONNECTION_OK; }

 private:
  const std::string& Translate(std::string_view sql) {
    std::string key(sql);
    auto it = translated_.find(key);
    if (it == translated_.end()) it = translated_.emplace(key, NumberPlaceholders(sql)).first;
    return it->second;
  }

  Status Run(std::string_view sql, const Params& params, Rows* out, int64_t* changed) {
    const std::string& text = Translate(sql);
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<Oid> types(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) continue;
      if (auto* n = std::get_if<int64_t>(&v)) {
        storage[i] = std::to_string(*n);
        types[i] = kInt8Oid;
      } else if (auto* d = std::get_if<double>(&v)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", *d);
        storage[i] = buf;
        types[i] = kFloat8Oid;
      } else {
        storage[i] = std::get<std::string>(v);
        // PostgreSQL text cannot hold NUL; refuse rather than truncate.
        if (storage[i].find('\0') != std::string::npos) {
          return Fail(Error::Invalid("", "文本中含有不允许的空字符"));
        }
      }
      values[i] = storage[i].c_str();
    }
    PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), types.data(),
                                 values.data(), nullptr, nullptr, 0);
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      Error e = PgError(conn_, res, sql);
      PQclear(res);
      return Fail(std::move(e));
    }
    if (changed) {
      const char* t = PQcmdTuples(res);
      *changed = (t && *t) ? std::strtoll(t, nullptr, 10) : 0;
    }
    if (out && status == PGRES_TUPLES_OK) {
      int nrows = PQntuples(res), ncols = PQnfields(res);
      auto names = std::make_shared<std::vector<std::string>>();
      std::vector<Oid> oids;
      for (int c = 0; c < ncols; ++c) {
        names->push_back(PQfname(res, c));
        oids.push_back(PQftype(res, c));
      }
      out->reserve(nrows);
      for (int r = 0; r < nrows; ++r) {
        Row row;
        row.names = names;
        row.values.reserve(ncols);
        for (int c = 0; c < ncols; ++c) {
          if (PQgetisnull(res, r, c)) {
            row.values.emplace_back(std::monostate{});
            continue;
          }
          const char* p = PQgetvalue(res, r, c);
          int len = PQgetlength(res, r, c);
          switch (oids[c]) {
            case kInt8Oid:
            case kInt2Oid:
            case kInt4Oid:
            case kOidOid:
              row.values.emplace_back(static_cast<int64_t>(std::strtoll(p, nullptr, 10)));
              break;
            case kBoolOid:
              row.values.emplace_back(static_cast<int64_t>(p[0] == 't' ? 1 : 0));
              break;
            case kFloat4Oid:
            case kFloat8Oid:
            case kNumericOid:
              row.values.emplace_back(std::strtod(p, nullptr));
              break;
            default:
              row.values.emplace_back(std::string(p, len));
          }
        }
        out->push_back(std::move(row));
      }
    }
    PQclear(res);
    return {};
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> translated_;
};

class PgDb : public PooledDb {
 public:
  PgDb(std::string described, Factory f, int size)
      : PooledDb(std::move(f), size), described_(std::move(described)) {}
  Engine engine() const override { return Engine::kPostgres; }
  std::string Describe() const override { return described_; }

 protected:
  std::string_view BeginSql(bool write) const override {
    return write ? "BEGIN" : "BEGIN READ ONLY";
  }
  bool Retryable(const Error& e) const override { return e.code == Code::kUnavailable; }

 private:
  std::string described_;
};

std::string StripPassword(const std::string& url) {
  // postgresql://user:secret@host/db -> postgresql://user@host/db
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + url.substr(at);
}

}  // namespace

Result<std::unique_ptr<Db>> OpenPostgres(const std::string& conninfo, const DbOptions& options) {
  auto factory = [conninfo]() -> Result<std::unique_ptr<Conn>> {
    PGconn* c = PQconnectdb(conninfo.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      Error e;
      e.code = Code::kUnavailable;
      e.message = "无法连接 PostgreSQL 数据库";
      e.field = "database.url";
      e.internal = std::string("postgres: ") + PQerrorMessage(c);
      PQfinish(c);
      return Fail(std::move(e));
    }
    auto conn = std::make_unique<PgConn>(c);
    auto st = conn->ExecScript("SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC';");
    if (!st) return Fail(std::move(st.error()));
    return std::unique_ptr<Conn>(std::move(conn));
  };
  auto db =
      std::make_unique<PgDb>(StripPassword(conninfo), factory, std::max(1, options.pool_size));
  auto st = db->Prime();
  if (!st) return Fail(std::move(st.error()));
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace zhanqun::store
