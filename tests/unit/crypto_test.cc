#include "security/crypto.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace zhanqun::security {
namespace {

// GB/T 32905-2016, appendix A.
TEST(Sm3, StandardVectors) {
  EXPECT_EQ(Sm3Hex("abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  std::string abcd;
  for (int i = 0; i < 16; ++i) abcd += "abcd";
  EXPECT_EQ(Sm3Hex(abcd), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

TEST(Sm3, EmptyInput) {
  EXPECT_EQ(Sm3Hex(""), "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
}

TEST(Sha256, Fips180Vector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HmacSm3, KnownValues) {
  // RFC 2104 / RFC 4231 test case 2 inputs, HMAC-SM3.
  EXPECT_EQ(HmacSm3Hex("Jefe", "what do ya want for nothing?"),
            "2e87f1d16862e6d964b50a5200bf2b10b764faa9680a296a2405f24bec39f882");
  EXPECT_EQ(HmacSm3Hex("", "abc"),
            "36525058ca466791502435c910517f1a7e86613d5f35ac1f18a94def0eaac81f");
}

TEST(RandomToken, HexOfRequestedLengthAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string t = RandomToken(32);
    ASSERT_EQ(t.size(), 64u);
    EXPECT_EQ(t.find_first_not_of("0123456789abcdef"), std::string::npos) << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(RandomToken(0), "");
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("token", "token"));
  EXPECT_FALSE(ConstantTimeEquals("token", "tokeN"));
  EXPECT_FALSE(ConstantTimeEquals("token", "token2"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST(Wipe, ClearsShortAndLongStrings) {
  std::string small = "secret";
  Wipe(small);
  EXPECT_TRUE(small.empty());
  std::string big(1000, 'x');
  Wipe(big);
  EXPECT_TRUE(big.empty());
  std::string empty;
  Wipe(empty);
  EXPECT_TRUE(empty.empty());
}

}  // namespace
}  // namespace zhanqun::security
