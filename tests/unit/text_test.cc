#include "core/text.h"

#include <gtest/gtest.h>

#include <string>

namespace zhanqun {
namespace {

// Returns the message of the error, or "" when the check passed.
std::string Why(const Status& s) { return s ? std::string() : s.error().message; }

TEST(Utf8, AcceptsValidText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("hello"));
  EXPECT_TRUE(IsValidUtf8("学校新闻"));
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));          // U+0080
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));      // U+D7FF
  EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));      // U+E000
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(IsValidUtf8(std::string_view("a\0b", 3)));
}

TEST(Utf8, RejectsOverlongForms) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));  // '/' in 2 bytes
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));  // '/' in 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // '/' in 4 bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));
}

TEST(Utf8, RejectsSurrogatesAndBeyondMax) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(Utf8, RejectsTruncatedAndStrayBytes) {
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("a\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xE5\xAD"));  // first two bytes of 学
  EXPECT_FALSE(IsValidUtf8("\xE5\xAD\x41"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));
}

TEST(Utf8, LengthCountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("学校"), 2u);
  EXPECT_EQ(Utf8Length("a学😀"), 3u);
}

TEST(CheckText, RequiredEmptyOrBlankIsRefused) {
  auto s = CheckText("title", "", 200, true);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Code::kInvalidArgument);
  EXPECT_EQ(s.error().field, "title");
  EXPECT_EQ(s.error().message, "title 不能为空");
  EXPECT_EQ(Why(CheckText("title", " \t\n　", 200, true)), "title 不能为空");
  EXPECT_EQ(Why(CheckText("title", "", 200, false)), "");
}

TEST(CheckText, InvalidUtf8IsRefused) {
  auto s = CheckText("title", "ab\xC0\xAF", 200, true);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "title 不是有效的 UTF-8 文本");
  EXPECT_EQ(s.error().field, "title");
}

TEST(CheckText, LengthCountsCharactersNotBytes) {
  const std::string ten_chinese = "学校学校学校学校学校";  // 30 bytes
  EXPECT_TRUE(CheckText("title", ten_chinese, 10, true));
  EXPECT_EQ(Why(CheckText("title", ten_chinese + "a", 10, true)), "title 长度不能超过 10 个字符");
  EXPECT_EQ(Why(CheckText("title", std::string(201, 'x'), 200, true)),
            "title 长度不能超过 200 个字符");
}

TEST(CheckText, ControlCharactersAreRefusedButTabAndNewlinesPass) {
  EXPECT_TRUE(CheckText("body", "line1\r\nline2\tend", 200, true));
  EXPECT_EQ(Why(CheckText("body", std::string("a\0b", 3), 200, true)), "body 不能包含控制字符");
  EXPECT_EQ(Why(CheckText("body", "a\x1b[31mred", 200, true)), "body 不能包含控制字符");
  EXPECT_EQ(Why(CheckText("body", "a\x7f", 200, true)), "body 不能包含控制字符");
}

TEST(CheckLine, RefusesNewlines) {
  EXPECT_TRUE(CheckLine("title", "学校\t新闻", 200, true));
  EXPECT_EQ(Why(CheckLine("title", "a\nb", 200, true)), "title 不能包含换行符");
  EXPECT_EQ(Why(CheckLine("title", "a\rb", 200, true)), "title 不能包含换行符");
  EXPECT_EQ(Why(CheckLine("title", "", 200, true)), "title 不能为空");
  EXPECT_EQ(Why(CheckLine("title", "\n", 200, false)), "title 不能包含换行符");
}

TEST(CheckCode, AcceptsSlugsAndUsernames) {
  for (const char* ok : {"a", "0", "school-a", "zhang.san", "user_01", "a.b-c_d",
                         "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01"}) {
    EXPECT_TRUE(CheckCode("slug", ok)) << ok;
  }
}

TEST(CheckCode, RefusesUnsafeCodes) {
  EXPECT_EQ(Why(CheckCode("slug", "")), "slug 不能为空");
  EXPECT_EQ(Why(CheckCode("slug", "School")), "slug 只能使用小写字母");
  EXPECT_EQ(Why(CheckCode("slug", ".hidden")), "slug 必须以小写字母或数字开头");
  EXPECT_EQ(Why(CheckCode("slug", "-x")), "slug 必须以小写字母或数字开头");
  EXPECT_EQ(Why(CheckCode("slug", "_x")), "slug 必须以小写字母或数字开头");
  EXPECT_EQ(Why(CheckCode("slug", "a..b")), "slug 不能包含连续的点（..）");
  EXPECT_EQ(Why(CheckCode("slug", std::string(65, 'a'))), "slug 长度不能超过 64 个字符");
  for (const char* bad : {"a/b", "a b", "a\\b", "学校", "a%2e", "a\n"}) {
    auto s = CheckCode("slug", bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().field, "slug");
  }
}

TEST(CheckDomain, AcceptsHostNames) {
  for (const char* ok : {"localhost", "example.cn", "www.school-a.edu.cn", "xn--fiqs8s.cn",
                         "a.b.c.d.e", "123.example.com", "x1.y2"}) {
    EXPECT_TRUE(CheckDomain("domain", ok)) << ok;
  }
  std::string max_label(63, 'a');
  EXPECT_TRUE(CheckDomain("domain", max_label + ".cn"));
}

TEST(CheckDomain, RefusesBadHostNames) {
  EXPECT_EQ(Why(CheckDomain("domain", "")), "domain 不能为空");
  EXPECT_EQ(Why(CheckDomain("domain", "example.cn:8080")), "domain 不能包含端口号");
  EXPECT_EQ(Why(CheckDomain("domain", "example.cn.")), "domain 不能以点结尾");
  EXPECT_EQ(Why(CheckDomain("domain", "Example.cn")), "domain 只能使用小写字母");
  EXPECT_EQ(Why(CheckDomain("domain", "school")),
            "domain 必须是完整的域名（如 www.example.edu.cn）");
  EXPECT_EQ(Why(CheckDomain("domain", "https://example.cn")),
            "domain 只需填写域名，不要包含 http:// 或路径");
  EXPECT_EQ(Why(CheckDomain("domain", "192.168.1.1")), "domain 必须是域名，不能是 IP 地址");
  EXPECT_EQ(Why(CheckDomain("domain", "-a.cn")), "domain 的每一段不能以连字符开头或结尾");
  EXPECT_EQ(Why(CheckDomain("domain", "a-.cn")), "domain 的每一段不能以连字符开头或结尾");
  EXPECT_EQ(Why(CheckDomain("domain", "a..cn")), "domain 不能包含空的标签（连续的点或以点开头）");
  EXPECT_EQ(Why(CheckDomain("domain", ".a.cn")), "domain 不能包含空的标签（连续的点或以点开头）");
  EXPECT_EQ(Why(CheckDomain("domain", std::string(64, 'a') + ".cn")),
            "domain 的每一段不能超过 63 个字符");
  for (const char* bad : {"a_b.cn", "学校.cn", "a b.cn", "a*.cn"}) {
    EXPECT_FALSE(CheckDomain("domain", bad)) << bad;
  }
  std::string long_name;
  while (long_name.size() < 254) long_name += "abcdefghi.";
  long_name += "cn";
  EXPECT_EQ(Why(CheckDomain("domain", long_name)), "domain 长度不能超过 253 个字符");
}

TEST(CheckUrl, AcceptsHttpAndHttps) {
  for (const char* ok :
       {"http://example.cn", "https://www.example.edu.cn/", "HTTPS://Example.cn/a?b=c#d",
        "https://example.cn:8443/x", "http://[::1]:8080/", "http://127.0.0.1/",
        "https://example.cn/新闻/1.html", "https://example.cn/@user", "https://example.cn?q=a@b"}) {
    EXPECT_TRUE(CheckUrl("url", ok)) << ok;
  }
}

TEST(CheckUrl, RefusesOtherSchemes) {
  const std::string want = "url 必须是以 http:// 或 https:// 开头的完整网址";
  for (const char* bad :
       {"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "ftp://example.cn",
        "//example.cn/x", "/relative", "example.cn", "http:/example.cn", "vbscript:x"}) {
    EXPECT_EQ(Why(CheckUrl("url", bad)), want) << bad;
  }
}

TEST(CheckUrl, RefusesCredentials) {
  EXPECT_EQ(Why(CheckUrl("url", "https://user:pw@example.cn/")), "url 不能包含用户名或密码");
  EXPECT_EQ(Why(CheckUrl("url", "https://example.cn@evil.cn/")), "url 不能包含用户名或密码");
}

TEST(CheckUrl, RefusesWhitespaceControlAndInvisibleCharacters) {
  const std::string want = "url 不能包含空白、控制字符或不可见字符";
  for (const char* bad :
       {"https://example.cn/a b", "https://example.cn/\t", "https://exa\nmple.cn", " https://a.cn",
        "https://example.cn/\x7f", "https://example.cn/\xC2\xA0", "https://example.cn/　",
        "https://example.cn/\xE2\x80\x8B", "https://example.cn/\xE2\x80\xAE"}) {
    EXPECT_EQ(Why(CheckUrl("url", bad)), want) << bad;
  }
  EXPECT_EQ(Why(CheckUrl("url", std::string("https://a.cn/\0", 14))), want);
}

TEST(CheckUrl, RefusesBadHostsPortsAndCharacters) {
  EXPECT_EQ(Why(CheckUrl("url", "")), "url 不能为空");
  EXPECT_EQ(Why(CheckUrl("url", "https:///path")), "url 缺少主机名");
  EXPECT_EQ(Why(CheckUrl("url", "https://:80/")), "url 缺少主机名");
  EXPECT_EQ(Why(CheckUrl("url", "https://example.cn:0/")), "url 的端口无效");
  EXPECT_EQ(Why(CheckUrl("url", "https://example.cn:65536/")), "url 的端口无效");
  EXPECT_EQ(Why(CheckUrl("url", "https://example.cn:8a/")), "url 的端口无效");
  EXPECT_EQ(Why(CheckUrl("url", "https://example.cn:/")), "url 的端口无效");
  EXPECT_EQ(Why(CheckUrl("url", "https://学校.cn/")),
            "url 的主机名无效（中文域名请使用 xn-- 形式）");
  EXPECT_EQ(Why(CheckUrl("url", "https://[zz::1]/")), "url 的主机名无效");
  EXPECT_EQ(Why(CheckUrl("url", "https://a..cn/")), "url 的主机名无效");
  EXPECT_EQ(Why(CheckUrl("url", "https:\\\\evil.cn")), "url 不能包含反斜杠（\\）");
  EXPECT_EQ(Why(CheckUrl("url", "https://a.cn/\"onmouseover=x")),
            "url 不能包含 \" < > ` 等字符，请先进行 URL 编码");
  EXPECT_EQ(Why(CheckUrl("url", "https://a.cn/<script>")),
            "url 不能包含 \" < > ` 等字符，请先进行 URL 编码");
  EXPECT_EQ(Why(CheckUrl("url", "https://a.cn/\xC0\xAF")), "url 不是有效的 UTF-8 文本");
  EXPECT_EQ(Why(CheckUrl("url", "https://a.cn/" + std::string(2048, 'x'))),
            "url 长度不能超过 2048 个字符");
}

}  // namespace
}  // namespace zhanqun

namespace zhanqun {
namespace {

TEST(HtmlEscape, EscapesMarkupAndQuotesKeepsChinese) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\" title='y'>甲&乙</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;甲&amp;乙&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape(""), "");
}

}  // namespace
}  // namespace zhanqun
