#include "store/db.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace zhanqun::store {

size_t Row::Index(std::string_view name) const {
  for (size_t i = 0; i < names->size(); ++i) {
    if ((*names)[i] == name) return i;
  }
  // A misspelt column name is a bug in our SQL: it must not take the process
  // (both listeners) down. The request's or the job's top-level handler logs
  // it and answers Internal.
  throw std::logic_error("store: no column '" + std::string(name) + "' in the result");
}

bool Row::IsNull(std::string_view name) const {
  return std::holds_alternative<std::monostate>(values[Index(name)]);
}

int64_t Row::Int(std::string_view name) const {
  const Value& v = values[Index(name)];
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&v)) return std::strtoll(s->c_str(), nullptr, 10);
  return 0;
}

double Row::Real(std::string_view name) const {
  const Value& v = values[Index(name)];
  if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return std::strtod(s->c_str(), nullptr);
  return 0;
}

std::string Row::Text(std::string_view name) const {
  const Value& v = values[Index(name)];
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  return {};
}

std::optional<int64_t> Row::OptInt(std::string_view name) const {
  if (IsNull(name)) return std::nullopt;
  return Int(name);
}

std::optional<std::string> Row::OptText(std::string_view name) const {
  if (IsNull(name)) return std::nullopt;
  return Text(name);
}

Result<Row> Conn::QueryOne(std::string_view sql, const Params& params, std::string_view what) {
  auto rows = Query(sql, params);
  if (!rows) return Fail(std::move(rows.error()));
  if (rows->empty()) return Fail(Error::NotFound(std::string(what) + "不存在"));
  return std::move(rows->front());
}

Result<int64_t> Conn::QueryInt(std::string_view sql, const Params& params) {
  auto rows = Query(sql, params);
  if (!rows) return Fail(std::move(rows.error()));
  if (rows->empty() || rows->front().values.empty()) return int64_t{0};
  const Value& v = rows->front().values[0];
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&v)) return std::strtoll(s->c_str(), nullptr, 10);
  return int64_t{0};
}

Result<std::unique_ptr<Db>> Db::Open(const DbOptions& options) {
  const std::string& url = options.url;
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPostgres(url, options);
  }
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    return OpenSqlite(path, options);
  }
  if (url.find("://") != std::string::npos) {
    return Fail(
        Error::Invalid("database.url", "不支持的数据库地址：仅支持 sqlite: 与 postgresql://"));
  }
  return OpenSqlite(url, options);
}

std::string FieldFromConstraint(std::string_view text) {
  // PostgreSQL: constraint "uq_sites__code"; SQLite: "UNIQUE constraint failed: sites.code".
  if (auto p = text.rfind("__"); p != std::string_view::npos) {
    std::string_view rest = text.substr(p + 2);
    size_t end = rest.find_first_of("\" ,");
    return std::string(rest.substr(0, end));
  }
  if (auto p = text.rfind('.'); p != std::string_view::npos) {
    std::string_view rest = text.substr(p + 1);
    size_t end = rest.find_first_of("\" ,");
    return std::string(rest.substr(0, end));
  }
  return {};
}

}  // namespace zhanqun::store
