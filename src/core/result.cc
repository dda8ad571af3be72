#include "core/result.h"

namespace zhanqun {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kNotFound:
      return "not_found";
    case Code::kConflict:
      return "conflict";
    case Code::kUnauthenticated:
      return "unauthenticated";
    case Code::kForbidden:
      return "forbidden";
    case Code::kLocked:
      return "locked";
    case Code::kPasswordChangeRequired:
      return "password_change_required";
    case Code::kTooLarge:
      return "payload_too_large";
    case Code::kRateLimited:
      return "rate_limited";
    case Code::kMethodNotAllowed:
      return "method_not_allowed";
    case Code::kUnsupportedMediaType:
      return "unsupported_media_type";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kTimeout:
      return "timeout";
    case Code::kCorruption:
      return "corruption";
    case Code::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace zhanqun
