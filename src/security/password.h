// Password hashing (Argon2id) and the password policy of 等保2.0 8.1.4.1:
// complexity, periodic change, no reuse, lockout after failed logins, idle
// timeout, no default or weak passwords.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace zhanqun::security {

// Longest password accepted by CheckPasswordStrength, in characters.
inline constexpr int kMaxPasswordChars = 128;

// Argon2id in libsodium's "$argon2id$v=19$m=...,t=...,p=1$salt$hash" format at
// OPSLIMIT/MEMLIMIT_INTERACTIVE (64 MiB, ~60 ms here): run it on the blocking
// pool, never on a network thread. Fails only when memory runs out.
Result<std::string> HashPassword(std::string_view password);

// False for a wrong password and for a malformed or unsupported hash.
bool VerifyPassword(std::string_view hash, std::string_view password);

// True when `hash` was made with other parameters than HashPassword uses now
// (or is malformed): rehash after the next successful login.
bool NeedsRehash(std::string_view hash);

// Changed at run time by the 安全管理员; initial values come from the
// [security] section of the configuration.
struct PasswordPolicy {
  int min_length = 8;             // characters, 8..64
  int min_classes = 3;            // of lower, upper, digit, other; 3..4
  int expiry_days = 90;           // 1..90
  int history = 5;                // previous passwords not reusable, 5..24
  int max_failures = 5;           // failed logins before lockout, 3..10
  int lockout_minutes = 15;       // 1..1440
  int idle_timeout_minutes = 30;  // 5..30

  nlohmann::json ToJson() const;

  // Keys absent from `j` keep their defaults; unknown keys, non-integers and
  // out-of-range values are refused with Error.field = the key. To apply a
  // partial update, merge it into the current ToJson() first.
  static Result<PasswordPolicy> FromJson(const nlohmann::json& j);

  // Checks every field against the ranges above.
  Status Validate() const;

  bool operator==(const PasswordPolicy&) const = default;
};

// Error.field is "password". Checks, in order: valid UTF-8 without control
// characters; min_length..kMaxPasswordChars characters; at least min_classes
// of {a-z, A-Z, 0-9, anything else}; does not contain `username`
// (case-insensitive) when it has 3 or more characters; not a well-known
// weak/default password (case-insensitive).
Status CheckPasswordStrength(const PasswordPolicy& policy, std::string_view username,
                             std::string_view password);

// 16 characters drawn uniformly from an alphabet without look-alikes (no
// 0/O/1/l/I), always containing all four classes.
std::string GenerateTemporaryPassword();

// As above, max(16, policy.min_length) characters, and guaranteed to pass
// CheckPasswordStrength(policy, username, result).
std::string GenerateTemporaryPassword(const PasswordPolicy& policy, std::string_view username);

}  // namespace zhanqun::security
