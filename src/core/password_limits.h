// The ranges the password policy may take (等保 2.0 baseline): one table, read
// by the policy itself (security/password.cc, the 安全管理员's settings) and by
// the configuration's defaults (config/config.cc, [security] password_*), so
// the two can never disagree.
#pragma once

namespace zhanqun {

struct IntRange {
  int min, max;
};

namespace password_limits {
inline constexpr IntRange kMinLength{8, 64};
inline constexpr IntRange kMinClasses{3, 4};
inline constexpr IntRange kExpiryDays{1, 90};
inline constexpr IntRange kHistory{5, 24};
inline constexpr IntRange kMaxFailures{3, 10};
inline constexpr IntRange kLockoutMinutes{1, 1440};
inline constexpr IntRange kIdleTimeoutMinutes{5, 30};
}  // namespace password_limits

}  // namespace zhanqun
