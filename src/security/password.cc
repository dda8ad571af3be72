#include "security/password.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/password_limits.h"
#include "core/text.h"
#include "security/crypto.h"

namespace zhanqun::security {
namespace {

constexpr std::string_view kField = "password";
constexpr size_t kTemporaryLength = 16;

// Defaults of devices and systems, and the patterns people pick to satisfy
// "upper, lower, digit, symbol" rules; all lower-case, all ≥ 8 characters
// with ≥ 3 classes (anything weaker fails the other rules first).
constexpr std::array<std::string_view, 40> kWeakPasswords = {
    "admin@123",  "admin@1234",   "admin@123456", "admin123!",  "admin#123",    "p@ssw0rd",
    "p@ssword1",  "p@ssw0rd123",  "passw0rd!",    "password1!", "password@123", "password123!",
    "aa123456",   "aa123456!",    "aa@123456",    "abc@1234",   "abc@123456",   "abc12345!",
    "abcd@1234",  "abcd1234!",    "qwer1234!",    "qwer@1234",  "qwe123!@#",    "1qaz@wsx",
    "1qaz!qaz",   "1qaz2wsx#edc", "!qaz2wsx",     "1qaz2wsx!",  "zhanqun@123",  "zhanqun123!",
    "huawei@123", "huawei12#$",   "changeme_123", "root@123",   "root@1234",    "test@123",
    "test@1234",  "welcome@123",  "woaini@1314",  "school@123",
};

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status Reject(std::string message) {
  return Fail(Error::Invalid(std::string(kField), std::move(message)));
}

struct FieldSpec {
  const char* name;
  int PasswordPolicy::*member;
  int min;
  int max;
};

constexpr std::array<FieldSpec, 7> kFields = {{
    {"min_length", &PasswordPolicy::min_length, password_limits::kMinLength.min,
     password_limits::kMinLength.max},
    {"min_classes", &PasswordPolicy::min_classes, password_limits::kMinClasses.min,
     password_limits::kMinClasses.max},
    {"expiry_days", &PasswordPolicy::expiry_days, password_limits::kExpiryDays.min,
     password_limits::kExpiryDays.max},
    {"history", &PasswordPolicy::history, password_limits::kHistory.min,
     password_limits::kHistory.max},
    {"max_failures", &PasswordPolicy::max_failures, password_limits::kMaxFailures.min,
     password_limits::kMaxFailures.max},
    {"lockout_minutes", &PasswordPolicy::lockout_minutes, password_limits::kLockoutMinutes.min,
     password_limits::kLockoutMinutes.max},
    {"idle_timeout_minutes", &PasswordPolicy::idle_timeout_minutes,
     password_limits::kIdleTimeoutMinutes.min, password_limits::kIdleTimeoutMinutes.max},
}};

Error RangeError(const FieldSpec& f) {
  return Error::Invalid(f.name, std::string(f.name) + " 必须在 " + std::to_string(f.min) + " 到 " +
                                    std::to_string(f.max) + " 之间");
}

constexpr std::string_view kLower = "abcdefghijkmnpqrstuvwxyz";  // no l, o
constexpr std::string_view kUpper = "ABCDEFGHJKLMNPQRSTUVWXYZ";  // no I, O
constexpr std::string_view kDigits = "23456789";                 // no 0, 1
// No quotes, backslash, backtick, '&', '<', '>' or space: the password gets
// read aloud, pasted into shells and e-mails.
constexpr std::string_view kSymbols = "!#$%*+-=?@^_";

std::string RandomPassword(size_t length) {
  static const std::string alphabet =
      std::string(kLower) + std::string(kUpper) + std::string(kDigits) + std::string(kSymbols);
  EnsureSodium();
  std::string out(length, '\0');
  // Rejection sampling keeps every accepted password equally likely.
  for (;;) {
    for (char& c : out) {
      c = alphabet[randombytes_uniform(static_cast<uint32_t>(alphabet.size()))];
    }
    const auto has_any = [&](std::string_view set) {
      return out.find_first_of(set) != std::string::npos;
    };
    if (has_any(kLower) && has_any(kUpper) && has_any(kDigits) && has_any(kSymbols)) {
      return out;
    }
  }
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Fail(Error::Internal("crypto_pwhash_str failed (out of memory?)"));
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  EnsureSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string z(hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(z.c_str(), password.data(), password.size()) == 0;
}

bool NeedsRehash(std::string_view hash) {
  EnsureSodium();
  if (hash.size() >= crypto_pwhash_STRBYTES) return true;
  if (hash.substr(0, std::string_view(crypto_pwhash_argon2id_STRPREFIX).size()) !=
      crypto_pwhash_argon2id_STRPREFIX) {
    return true;  // argon2i or anything else: move to argon2id
  }
  const std::string z(hash);
  return crypto_pwhash_str_needs_rehash(z.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

nlohmann::json PasswordPolicy::ToJson() const {
  nlohmann::json j = nlohmann::json::object();
  for (const FieldSpec& f : kFields) j[f.name] = this->*f.member;
  return j;
}

Result<PasswordPolicy> PasswordPolicy::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Fail(Error::Invalid("", "密码策略必须是 JSON 对象"));
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    const bool known = std::any_of(kFields.begin(), kFields.end(),
                                   [&](const FieldSpec& f) { return key == f.name; });
    if (!known) return Fail(Error::Invalid(key, "未知的密码策略项 " + key));
  }
  PasswordPolicy p;
  for (const FieldSpec& f : kFields) {
    const auto it = j.find(f.name);
    if (it == j.end()) continue;
    if (!it->is_number_integer()) {
      return Fail(Error::Invalid(f.name, std::string(f.name) + " 必须是整数"));
    }
    int64_t v;
    if (it->is_number_unsigned()) {
      const uint64_t u = it->get<uint64_t>();
      v = u > static_cast<uint64_t>(f.max) ? int64_t{f.max} + 1 : static_cast<int64_t>(u);
    } else {
      v = it->get<int64_t>();
    }
    if (v < f.min || v > f.max) return Fail(RangeError(f));
    p.*f.member = static_cast<int>(v);
  }
  return p;
}

Status PasswordPolicy::Validate() const {
  for (const FieldSpec& f : kFields) {
    const int v = this->*f.member;
    if (v < f.min || v > f.max) return Fail(RangeError(f));
  }
  return {};
}

Status CheckPasswordStrength(const PasswordPolicy& policy, std::string_view username,
                             std::string_view password) {
  if (!IsValidUtf8(password)) return Reject("密码不是有效的 UTF-8 文本");
  for (char c : password) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return Reject("密码不能包含控制字符");
  }
  const size_t chars = Utf8Length(password);
  if (chars < static_cast<size_t>(policy.min_length)) {
    return Reject("密码长度不能少于 " + std::to_string(policy.min_length) + " 位");
  }
  if (chars > static_cast<size_t>(kMaxPasswordChars)) {
    return Reject("密码长度不能超过 " + std::to_string(kMaxPasswordChars) + " 位");
  }
  bool lower = false, upper = false, digit = false, other = false;
  for (char c : password) {
    if (c >= 'a' && c <= 'z') {
      lower = true;
    } else if (c >= 'A' && c <= 'Z') {
      upper = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      other = true;  // punctuation, space, or any non-ASCII character
    }
  }
  const int classes = int{lower} + int{upper} + int{digit} + int{other};
  if (classes < policy.min_classes) {
    return Reject("密码需包含大写字母、小写字母、数字、特殊字符中的至少 " +
                  std::to_string(policy.min_classes) + " 类");
  }
  std::string folded = AsciiLower(password);
  Status result;
  if (Utf8Length(username) >= 3 && folded.find(AsciiLower(username)) != std::string::npos) {
    result = Reject("密码不能包含用户名");
  } else if (std::find(kWeakPasswords.begin(), kWeakPasswords.end(), folded) !=
             kWeakPasswords.end()) {
    result = Reject("密码过于常见，请换一个");
  }
  Wipe(folded);
  return result;
}

std::string GenerateTemporaryPassword() { return RandomPassword(kTemporaryLength); }

std::string GenerateTemporaryPassword(const PasswordPolicy& policy, std::string_view username) {
  const size_t length = std::max(kTemporaryLength, static_cast<size_t>(policy.min_length));
  for (;;) {
    std::string pw = RandomPassword(length);
    if (CheckPasswordStrength(policy, username, pw)) return pw;
    Wipe(pw);
  }
}

}  // namespace zhanqun::security
