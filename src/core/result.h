// Errors and results shared by every module. HTTP-neutral: http/ maps codes
// to status codes in one place.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace zhanqun {

enum class Code {
  kInvalidArgument,
  kNotFound,
  kConflict,
  kUnauthenticated,
  kForbidden,
  kLocked,
  kPasswordChangeRequired,
  kTooLarge,
  kRateLimited,
  kMethodNotAllowed,
  kUnsupportedMediaType,
  kUnavailable,
  kTimeout,
  kCorruption,
  kInternal,
};

// Stable machine code for the API ("invalid_argument", ...).
std::string_view CodeName(Code code);

struct Error {
  Code code = Code::kInternal;
  std::string message;   // shown to the user (Chinese by default)
  std::string field;     // the offending field or line, if any
  std::string internal;  // for the log only; never sent to a client

  static Error Invalid(std::string field, std::string message) {
    return Error{Code::kInvalidArgument, std::move(message), std::move(field), {}};
  }
  static Error NotFound(std::string message) {
    return Error{Code::kNotFound, std::move(message), {}, {}};
  }
  static Error Conflict(std::string field, std::string message) {
    return Error{Code::kConflict, std::move(message), std::move(field), {}};
  }
  static Error Forbidden(std::string message = "没有权限执行此操作") {
    return Error{Code::kForbidden, std::move(message), {}, {}};
  }
  static Error Unauthenticated(std::string message = "请先登录") {
    return Error{Code::kUnauthenticated, std::move(message), {}, {}};
  }
  static Error Internal(std::string internal) {
    return Error{Code::kInternal, "服务器内部错误", {}, std::move(internal)};
  }
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> Fail(Error e) { return tl::unexpected<Error>(std::move(e)); }

}  // namespace zhanqun

// Propagates an error from an expression returning Result/Status.
#define ZQ_TRY(expr)                                                      \
  do {                                                                    \
    auto zq_try_r_ = (expr);                                              \
    if (!zq_try_r_) return ::zhanqun::Fail(std::move(zq_try_r_.error())); \
  } while (0)

#define ZQ_CONCAT_INNER(a, b) a##b
#define ZQ_CONCAT(a, b) ZQ_CONCAT_INNER(a, b)
#define ZQ_ASSIGN_OR_RETURN(lhs, expr) \
  ZQ_ASSIGN_OR_RETURN_IMPL(ZQ_CONCAT(zq_r_, __LINE__), lhs, expr)
#define ZQ_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)            \
  auto tmp = (expr);                                        \
  if (!tmp) return ::zhanqun::Fail(std::move(tmp.error())); \
  lhs = std::move(*tmp)
