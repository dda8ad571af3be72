#include "security/password.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace zhanqun::security {
namespace {

std::string Why(const Status& s) { return s ? std::string() : s.error().message; }

TEST(PasswordHash, RoundTripIsArgon2id) {
  auto hash = HashPassword("Correct-Horse-7");
  ASSERT_TRUE(hash) << hash.error().internal;
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "Correct-Horse-7"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct-horse-7"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(NeedsRehash(*hash));
}

TEST(PasswordHash, SaltMakesEveryHashDifferent) {
  auto a = HashPassword("Same-Password-1");
  auto b = HashPassword("Same-Password-1");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST(PasswordHash, MalformedHashNeverVerifies) {
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_FALSE(VerifyPassword("not a hash", "not a hash"));
  EXPECT_FALSE(VerifyPassword(std::string(1000, '$'), "x"));
  EXPECT_TRUE(NeedsRehash(""));
  EXPECT_TRUE(NeedsRehash("garbage"));
}

TEST(PasswordHash, WeakerParametersNeedRehash) {
  // A valid argon2id hash at t=2, m=64 MiB differs from the interactive t.
  const std::string weaker =
      "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$"
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  EXPECT_TRUE(NeedsRehash(weaker));
  const std::string argon2i =
      "$argon2i$v=19$m=32768,t=4,p=1$c29tZXNhbHRzb21lc2FsdA$"
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  EXPECT_TRUE(NeedsRehash(argon2i));
}

TEST(PasswordPolicy, DefaultsFollowDengbao) {
  PasswordPolicy p;
  EXPECT_EQ(p.min_length, 8);
  EXPECT_EQ(p.min_classes, 3);
  EXPECT_EQ(p.expiry_days, 90);
  EXPECT_EQ(p.history, 5);
  EXPECT_EQ(p.max_failures, 5);
  EXPECT_EQ(p.lockout_minutes, 15);
  EXPECT_EQ(p.idle_timeout_minutes, 30);
  EXPECT_TRUE(p.Validate());
}

TEST(PasswordPolicy, JsonRoundTrip) {
  PasswordPolicy p;
  p.min_length = 12;
  p.min_classes = 4;
  p.expiry_days = 60;
  p.history = 10;
  p.max_failures = 3;
  p.lockout_minutes = 30;
  p.idle_timeout_minutes = 10;
  auto back = PasswordPolicy::FromJson(p.ToJson());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, p);
  EXPECT_EQ(p.ToJson()["min_length"], 12);
}

TEST(PasswordPolicy, MissingKeysKeepDefaults) {
  auto p = PasswordPolicy::FromJson(nlohmann::json{{"min_length", 10}});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->min_length, 10);
  EXPECT_EQ(p->expiry_days, 90);
}

TEST(PasswordPolicy, FromJsonRangeErrorsNameTheField) {
  struct Case {
    const char* key;
    int below;
    int above;
    const char* message;
  };
  const Case cases[] = {
      {"min_length", 7, 65, "min_length 必须在 8 到 64 之间"},
      {"min_classes", 2, 5, "min_classes 必须在 3 到 4 之间"},
      {"expiry_days", 0, 91, "expiry_days 必须在 1 到 90 之间"},
      {"history", 4, 25, "history 必须在 5 到 24 之间"},
      {"max_failures", 2, 11, "max_failures 必须在 3 到 10 之间"},
      {"lockout_minutes", 0, 1441, "lockout_minutes 必须在 1 到 1440 之间"},
      {"idle_timeout_minutes", 4, 31, "idle_timeout_minutes 必须在 5 到 30 之间"},
  };
  for (const Case& c : cases) {
    for (int v : {c.below, c.above}) {
      auto r = PasswordPolicy::FromJson(nlohmann::json{{c.key, v}});
      ASSERT_FALSE(r) << c.key << "=" << v;
      EXPECT_EQ(r.error().code, Code::kInvalidArgument);
      EXPECT_EQ(r.error().field, c.key);
      EXPECT_EQ(r.error().message, c.message);
    }
  }
}

TEST(PasswordPolicy, FromJsonRefusesWrongTypesAndUnknownKeys) {
  auto r = PasswordPolicy::FromJson(nlohmann::json{{"min_length", "12"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "min_length");
  EXPECT_EQ(r.error().message, "min_length 必须是整数");

  r = PasswordPolicy::FromJson(nlohmann::json{{"min_length", 12.5}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "min_length");

  r = PasswordPolicy::FromJson(nlohmann::json{{"min_lenght", 12}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "min_lenght");

  r = PasswordPolicy::FromJson(nlohmann::json::parse(R"({"history": 18446744073709551615})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "history");

  r = PasswordPolicy::FromJson(nlohmann::json::array());
  ASSERT_FALSE(r);
}

TEST(PasswordStrength, LengthRule) {
  PasswordPolicy p;
  EXPECT_EQ(Why(CheckPasswordStrength(p, "zhangsan", "Ab1!xyz")), "密码长度不能少于 8 位");
  EXPECT_EQ(Why(CheckPasswordStrength(p, "zhangsan", "Ab1!wxyz")), "");
  p.min_length = 12;
  EXPECT_EQ(Why(CheckPasswordStrength(p, "zhangsan", "Ab1!wxyzwxy")), "密码长度不能少于 12 位");
  EXPECT_EQ(Why(CheckPasswordStrength(p, "zhangsan", "Ab1!wxyzwxyz")), "");
  EXPECT_EQ(Why(CheckPasswordStrength(p, "zhangsan", "Ab1!" + std::string(125, 'x'))),
            "密码长度不能超过 128 位");
  EXPECT_EQ(Why(CheckPasswordStrength(p, "zhangsan", "Ab1!" + std::string(124, 'x'))), "");
}

TEST(PasswordStrength, LengthCountsCharacters) {
  PasswordPolicy p;
  // 7 characters (but 15 bytes): too short.
  EXPECT_EQ(Why(CheckPasswordStrength(p, "", "Ab1学校学校")), "密码长度不能少于 8 位");
  EXPECT_EQ(Why(CheckPasswordStrength(p, "", "Ab1学校学校学")), "");
}

TEST(PasswordStrength, ClassesRule) {
  PasswordPolicy p;
  const std::string want = "密码需包含大写字母、小写字母、数字、特殊字符中的至少 3 类";
  EXPECT_EQ(Why(CheckPasswordStrength(p, "", "abcdefgh12")), want);
  EXPECT_EQ(Why(CheckPasswordStrength(p, "", "ABCDEFGH!!")), want);
  EXPECT_EQ(Why(CheckPasswordStrength(p, "", "Abcdefgh12")), "");
  EXPECT_EQ(Why(CheckPasswordStrength(p, "", "abcdefgh1!")), "");
  p.min_classes = 4;
  EXPECT_EQ(Why(CheckPasswordStrength(p, "", "Abcdefgh12")),
            "密码需包含大写字母、小写字母、数字、特殊字符中的至少 4 类");
  EXPECT_EQ(Why(CheckPasswordStrength(p, "", "Abcdefg1 2")), "");  // space is "other"
}

TEST(PasswordStrength, UsernameRuleIsCaseInsensitive) {
  PasswordPolicy p;
  EXPECT_EQ(Why(CheckPasswordStrength(p, "zhangsan", "ZhangSan#2024")), "密码不能包含用户名");
  EXPECT_EQ(Why(CheckPasswordStrength(p, "ZhangSan", "x!zhangsan9")), "密码不能包含用户名");
  EXPECT_EQ(Why(CheckPasswordStrength(p, "lisi", "ZhangSan#2024")), "");
  // Usernames shorter than 3 characters are not checked.
  EXPECT_EQ(Why(CheckPasswordStrength(p, "zs", "Zs#2024abc")), "");
}

TEST(PasswordStrength, CommonPasswordsAreRefused) {
  PasswordPolicy p;
  for (const char* weak :
       {"Admin@123", "admin@123", "ADMIN@123", "P@ssw0rd", "Passw0rd!", "Aa123456", "Qwer1234!",
        "Abc@1234", "1qaz@WSX", "Zhanqun@123", "Huawei@123", "Woaini@1314"}) {
    EXPECT_EQ(Why(CheckPasswordStrength(p, "teacher", weak)), "密码过于常见，请换一个") << weak;
  }
  EXPECT_EQ(Why(CheckPasswordStrength(p, "teacher", "Admin@1235x")), "");
}

TEST(PasswordStrength, RefusesInvalidTextAndControlCharacters) {
  PasswordPolicy p;
  auto s = CheckPasswordStrength(p, "", "Abcdef1!\xC0\xAF");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "password");
  EXPECT_EQ(s.error().message, "密码不是有效的 UTF-8 文本");
  EXPECT_EQ(Why(CheckPasswordStrength(p, "", "Abcdef1!\n")), "密码不能包含控制字符");
}

TEST(TemporaryPassword, PassesPolicyAndIsUnambiguous) {
  PasswordPolicy p;
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string pw = GenerateTemporaryPassword();
    ASSERT_EQ(pw.size(), 16u);
    EXPECT_EQ(Why(CheckPasswordStrength(p, "teacher", pw)), "") << pw;
    p.min_classes = 4;
    EXPECT_EQ(Why(CheckPasswordStrength(p, "teacher", pw)), "") << pw;
    p.min_classes = 3;
    EXPECT_EQ(pw.find_first_of("0O1lI\"'`\\ <>&"), std::string::npos) << pw;
    seen.insert(pw);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(TemporaryPassword, FollowsLongerPolicyLength) {
  PasswordPolicy p;
  p.min_length = 24;
  p.min_classes = 4;
  for (int i = 0; i < 20; ++i) {
    const std::string pw = GenerateTemporaryPassword(p, "teacher");
    EXPECT_EQ(pw.size(), 24u);
    EXPECT_EQ(Why(CheckPasswordStrength(p, "teacher", pw)), "") << pw;
  }
}

}  // namespace
}  // namespace zhanqun::security
