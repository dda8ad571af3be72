#include "content/sanitizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace zhanqun::content {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// What must never come out, whatever went in. `iframe_allowed`: the options
// named a host, so an <iframe> may legitimately remain.
testing::AssertionResult IsSafe(const std::string& out, bool iframe_allowed = false) {
  const std::string lower = Lower(out);
  for (std::string_view bad :
       {"<script", "javascript:", "vbscript:",   "data:text", "<svg",    "<math",
        "<form",   "<object",     "<embed",      "<applet",   "<style",  "<template",
        "<base",   "<meta",       "<link",       "<input",    "<button", "<textarea",
        "<select", "<frame",      "expression(", "srcdoc",    "<!--"}) {
    if (lower.find(bad) != std::string::npos) {
      return testing::AssertionFailure() << "contains \"" << bad << "\": " << out;
    }
  }
  if (!iframe_allowed && lower.find("<iframe") != std::string::npos) {
    return testing::AssertionFailure() << "contains <iframe: " << out;
  }
  static const std::regex kEventHandler(R"(\son[a-z]+\s*=)", std::regex::icase);
  if (std::regex_search(out, kEventHandler)) {
    return testing::AssertionFailure() << "contains an event handler: " << out;
  }
  return testing::AssertionSuccess();
}

// Sanitizes, checks the result is safe and stable, and returns it.
std::string Clean(std::string_view html, const SanitizeOptions& options = {}) {
  const std::string out = SanitizeHtml(html, options);
  EXPECT_TRUE(IsSafe(out, !options.iframe_hosts.empty())) << "input: " << html;
  EXPECT_EQ(SanitizeHtml(out, options), out) << "not idempotent; input: " << html;
  return out;
}

struct Vector {
  const char* name;
  const char* html;
};

// Attack vectors. Sources:
//   [OWASP] OWASP XSS Filter Evasion Cheat Sheet,
//           https://cheatsheetseries.owasp.org/cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.html
//   [H5SEC] HTML5 Security Cheatsheet, https://html5sec.org/
//   [PORTSWIGGER] PortSwigger Cross-site scripting cheat sheet,
//           https://portswigger.net/web-security/cross-site-scripting/cheat-sheet
//   [MXSS]  mutation-XSS reports against DOMPurify (cure53/DOMPurify advisories, 2019-2020)
//   [OURS]  written for this test
const Vector kVectors[] = {
    // <script> in its many spellings.
    {"script", "<script>alert(1)</script>"},                                          // OWASP
    {"script_src", "<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>"},                 // OWASP
    {"script_slash", "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>"},        // OWASP
    {"script_extra_lt", "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>"},                    // OWASP
    {"script_no_close", "<SCRIPT SRC=http://xss.rocks/xss.js?< B >"},                 // OWASP
    {"script_attr_gt", "<SCRIPT a=\">\" SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>"},  // OWASP
    {"script_after_title", "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>"},               // OWASP
    {"script_split", "<scr<script>ipt>alert(1)</scr</script>ipt>"},                   // OURS
    {"img_quotes_script", "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>"},        // OWASP
    // Event handlers.
    {"img_onerror", "<img src=x onerror=alert(1)>"},                              // OWASP
    {"a_onmouseover", "<a onmouseover=\"alert(document.cookie)\">xxs link</a>"},  // OWASP
    {"img_onmouseover", "<IMG SRC=# onmouseover=\"alert('xxs')\">"},              // OWASP
    {"img_onerror_entities",
     "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114"
     "&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116"
     "&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">"},          // OWASP
    {"body_onload", "<body onload=alert(1)><p>x</p>"},                               // OWASP
    {"body_onload_junk", "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>"},  // OWASP
    {"details_ontoggle", "<details open ontoggle=alert(1)>x</details>"},             // PORTSWIGGER
    {"div_many_handlers", "<div onmouseover=\"a()\" onclick=a() ONLOAD=a() OnFocus = a()>x</div>"},
    {"p_slash_onclick", "<p/onclick=alert(1)>x</p>"},                               // H5SEC
    {"marquee_onstart", "<marquee onstart=alert(1)>x</marquee>"},                   // PORTSWIGGER
    {"unknown_onclick", "<xss onclick=alert(1)>click</xss>"},                       // PORTSWIGGER
    {"video_source_onerror", "<video><source onerror=\"alert(1)\"></video>"},       // H5SEC
    {"audio_onerror", "<audio src=1 onerror=\"javascript:alert(1)\"></audio>"},     // H5SEC
    {"input_autofocus", "<input onfocus=write(1) autofocus>"},                      // H5SEC
    {"select_autofocus", "<select onfocus=alert(1) autofocus><option>x</select>"},  // H5SEC
    {"textarea_autofocus", "<textarea onfocus=alert(1) autofocus>x</textarea>"},    // H5SEC
    // javascript: URLs, obfuscated.
    {"img_js", "<IMG SRC=\"javascript:alert('XSS');\">"},                         // OWASP
    {"img_js_case", "<IMG SRC=JaVaScRiPt:alert('XSS')>"},                         // OWASP
    {"img_js_backtick", "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>"},  // OWASP
    {"img_js_decimal",
     "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;"
     "&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>"},  // OWASP
    {"img_js_hex",
     "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72"
     "&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>"},                                 // OWASP
    {"img_js_tab", "<IMG SRC=\"jav\tascript:alert('XSS');\">"},                    // OWASP
    {"img_js_tab_entity", "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">"},         // OWASP
    {"img_js_newline_entity", "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">"},     // OWASP
    {"img_js_cr_entity", "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">"},          // OWASP
    {"img_js_leading_control", "<IMG SRC=\" &#14;  javascript:alert('XSS');\">"},  // OWASP
    {"a_js_tab_entity", "<a href=\"jav&#x09;ascript:alert(1)\">x</a>"},            // OWASP
    {"a_js_decimal_j", "<a href=\"&#106;avascript:alert(1)\">x</a>"},              // OWASP
    {"a_js_leading_space", "<a href=\"  javascript:alert(1)\">x</a>"},             // OURS
    {"a_js_mixed_case_newline", "<a href=\"JaVa\nScRiPt:alert(1)\">x</a>"},        // OURS
    {"a_js_colon_entity", "<a href=\"javascript&colon;alert(1)\">x</a>"},          // H5SEC
    {"a_js_colon_decimal", "<a href=\"javascript&#58;alert(1)\">x</a>"},           // OWASP
    {"a_js_bom", "<a href=\"&#xFEFF;javascript:alert(1)\">x</a>"},                 // OURS
    {"a_js_nbsp", "<a href=\"&nbsp;javascript:alert(1)\">x</a>"},                  // OURS
    {"a_vbscript", "<a href=\"vbscript:msgbox(1)\">x</a>"},                        // OWASP
    {"a_data_html", "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>"},
    {"a_file", "<a href=\"file:///etc/passwd\">x</a>"},  // OURS
    {"img_data_svg", "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">"},
    {"video_poster_js", "<video poster=javascript:alert(1)//></video>"},   // H5SEC
    {"body_background", "<BODY BACKGROUND=\"javascript:alert('XSS')\">"},  // OWASP
    {"img_dynsrc", "<IMG DYNSRC=\"javascript:alert('XSS')\">"},            // OWASP
    {"table_background", "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><tr><td>x</table>"},
    // SVG and MathML.
    {"svg_onload", "<svg/onload=alert('XSS')>"},             // OWASP
    {"svg_script", "<svg><script>alert(1)</script></svg>"},  // H5SEC
    {"svg_a_xlink", "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>"},
    {"math_xlink", "<math><a xlink:href=\"javascript:alert(1)\">click</a></math>"},  // H5SEC
    {"math_mglyph_style",
     "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"},                 // MXSS
    {"svg_p_style", "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">"},  // MXSS
    // Containers for active content.
    {"template_script", "<template><script>alert(1)</script></template>"},  // OURS
    {"template_in_table", "<table><template><img src=x onerror=alert(1)></template></table>"},
    {"iframe_srcdoc", "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>"},
    {"iframe_js", "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>"},  // OWASP
    {"iframe_data", "<iframe src=\"data:text/html,<script>alert(1)</script>\"></iframe>"},
    {"iframe_unclosed", "<iframe src=http://xss.rocks/scriptlet.html <"},           // OWASP
    {"frameset", "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>"},  // OWASP
    {"object", "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.rocks/s.html\"></OBJECT>"},
    {"object_data", "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">"},
    {"embed", "<EMBED SRC=\"data:image/svg+xml;base64,PHN2Zz4=\" type=\"image/svg+xml\">"},
    {"applet", "<applet code=\"x.class\"><param name=a value=b>x</applet>"},  // OURS
    {"form_action", "<form action=\"javascript:alert(1)\"><input type=submit></form>"},
    {"button_formaction",
     "<form id=\"test\"></form><button form=\"test\" formaction=\"javascript:alert(1)\">X"
     "</button>"},                                                   // H5SEC
    {"isindex", "<isindex action=javascript:alert(1) type=image>"},  // H5SEC
    {"base_href", "<BASE HREF=\"javascript:alert('XSS');//\">"},     // OWASP
    {"meta_refresh", "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">"},
    {"meta_refresh_data",
     "<META HTTP-EQUIV=\"refresh\" "
     "CONTENT=\"0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">"},
    {"link_stylesheet", "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">"},  // OWASP
    {"noscript_title", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">"},
    {"xml_island",
     "<XML ID=\"xss\"><I><B><IMG SRC=\"javas<!-- -->cript:alert('XSS')\"></B></I></XML>"},
    // CSS.
    {"style_element",
     "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE>"
     "<UL><LI>XSS</br>"},                                                             // OWASP
    {"style_import", "<style>@import 'http://xss.rocks/xss.css';</style>"},           // OWASP
    {"style_expression", "<DIV STYLE=\"width: expression(alert('XSS'));\">x</DIV>"},  // OWASP
    {"style_expression_comment", "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">"},
    {"style_url_js", "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">x</DIV>"},
    {"style_width_url", "<p style=\"width: url(javascript:alert(1)); color: red\">x</p>"},
    {"style_escapes",
     "<DIV STYLE=\"width:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072"
     "\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058'\\0029\">x</DIV>"},
    {"style_behavior", "<p style=\"color: behavior(url(xss.htc))\">x</p>"},  // OWASP
    {"style_moz_binding", "<div style=\"-moz-binding:url(http://x/xss.xml#xss)\">x</div>"},
    {"style_entity_expression", "<p style=\"width:&#101;xpression(alert(1))\">x</p>"},
    // Comments, CDATA, conditional comments.
    {"comment_hides_script", "<!--<script>-->alert(1)<!--</script>-->"},  // OURS
    {"comment_unclosed", "<p>a<!-- <script>alert(1)</script>"},           // OURS
    {"conditional_ie", "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->"},
    {"conditional_mso", "<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]-->"},
    {"cdata", "<![CDATA[<script>alert(1)</script>]]>"},                        // H5SEC
    {"cdata_in_svg", "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>"},  // MXSS
    // Malformed nesting.
    {"nested_unclosed", "<div><span><a href=\"#x\"><b><i><u>text"},     // OURS
    {"misnested", "<b><i>a</b>c</i><p><a href=/x>1<div>2</a>3</div>"},  // OURS
    {"table_text", "<table>text<tr><td>1<script>alert(1)</script></td></tr>x</table>"},
    {"img_no_close", "<IMG SRC=\"javascript:alert('XSS')\""},       // OWASP
    {"img_lt_in_src", "<IMG SRC=\"`<javascript:alert>`('XSS')\""},  // OWASP
};

class VectorTest : public testing::TestWithParam<Vector> {};

TEST_P(VectorTest, OutputIsSafeAndStable) { Clean(GetParam().html); }

TEST_P(VectorTest, OutputIsSafeWithIframeHostsToo) {
  Clean(GetParam().html, SanitizeOptions{{"player.bilibili.com"}});
}

INSTANTIATE_TEST_SUITE_P(Xss, VectorTest, testing::ValuesIn(kVectors),
                         [](const testing::TestParamInfo<Vector>& info) {
                           return std::string(info.param.name);
                         });

TEST(SanitizeHtml, VectorsLoseWhatTheyCarry) {
  EXPECT_EQ(Clean("<script>alert(1)</script>"), "");
  EXPECT_EQ(Clean("<img src=x onerror=alert(1)>"), "<img src=\"x\">");
  EXPECT_EQ(Clean("<a href=\"jav&#x09;ascript:alert(1)\">x</a>"), "x");
  EXPECT_EQ(Clean("<a href=\"&#106;avascript:alert(1)\">x</a>"), "x");
  EXPECT_EQ(Clean("<a href=\"  JaVaScRiPt:alert(1)\" title=t>x</a>"), "<a title=\"t\">x</a>");
  EXPECT_EQ(Clean("<details open ontoggle=alert(1)>x</details>"), "x");
  EXPECT_EQ(Clean("<template><script>alert(1)</script></template>ok"), "ok");
  EXPECT_EQ(Clean("<!--<script>-->alert(1)<!--</script>-->"), "alert(1)");
  EXPECT_EQ(Clean("<p style=\"width: expression(alert(1)); color: red\">x</p>"),
            "<p style=\"color: red\">x</p>");
  EXPECT_EQ(Clean("<p style=\"background-color: url(javascript:alert(1))\">x</p>"), "<p>x</p>");
  EXPECT_EQ(Clean("<scr<script>ipt>alert(1)</scr</script>ipt>"), "ipt&gt;alert(1)ipt&gt;");
}

TEST(SanitizeHtml, PlainTextStaysTheSameText) {
  EXPECT_EQ(Clean(""), "");
  EXPECT_EQ(Clean("hello"), "hello");
  EXPECT_EQ(Clean("学校新闻：期末考试安排"), "学校新闻：期末考试安排");
  EXPECT_EQ(Clean("a < b && c > d"), "a &lt; b &amp;&amp; c &gt; d");
  EXPECT_EQ(Clean("line 1\nline 2"), "line 1\nline 2");
  EXPECT_EQ(Clean("\"quoted\" and 'single'"), "\"quoted\" and 'single'");
}

TEST(SanitizeHtml, ChineseParagraphIsByteIdentical) {
  const std::string html =
      "<p>本校于2024年5月20日举行春季运动会，全体师生参加。欢迎家长到场加油！😀👍</p>";
  EXPECT_EQ(Clean(html), html);
}

TEST(SanitizeHtml, TableWithColspanSurvives) {
  const std::string html =
      "<table><caption>成绩</caption><thead><tr><th scope=\"col\">姓名</th><th "
      "scope=\"col\">分数</th></tr></thead><tbody><tr><td colspan=\"2\" rowspan=\"1\">合计</td>"
      "</tr></tbody></table>";
  EXPECT_EQ(Clean(html), html);
}

TEST(SanitizeHtml, TableAttributesAreChecked) {
  EXPECT_EQ(Clean("<table border=1><tr><td colspan=\"2x\" scope=bogus width=9>a</td></tr></table>"),
            "<table><tbody><tr><td>a</td></tr></tbody></table>");
}

TEST(SanitizeHtml, ImageWithAltSurvives) {
  const std::string html =
      "<img src=\"https://www.example.edu.cn/a.png\" alt=\"校门\" width=\"640\" height=\"480\">";
  EXPECT_EQ(Clean(html), html);
  EXPECT_EQ(Clean("<img src=\"/uploads/a.jpg\" alt=\"\" width=\"50%\">"),
            "<img src=\"/uploads/a.jpg\" alt=\"\">");
}

TEST(SanitizeHtml, ImageDataUrlsOnlyForRasterFormats) {
  EXPECT_EQ(Clean("<img src=\"data:image/png;base64,iVBORw0KGgo=\">"),
            "<img src=\"data:image/png;base64,iVBORw0KGgo=\">");
  EXPECT_EQ(Clean("<img src=\"data:image/webp;base64,UklGRg==\">"),
            "<img src=\"data:image/webp;base64,UklGRg==\">");
  EXPECT_EQ(Clean("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\" alt=a>"), "");
  EXPECT_EQ(Clean("<img src=\"data:text/html;base64,PHN2Zz4=\">"), "");
  EXPECT_EQ(Clean("<img src=\"data:image/png;base64,<svg>\">"), "");
}

TEST(SanitizeHtml, HttpsLinkWithTargetBlankGetsRel) {
  EXPECT_EQ(Clean("<a href=\"https://www.moe.gov.cn/\" target=\"_blank\">教育部</a>"),
            "<a href=\"https://www.moe.gov.cn/\" target=\"_blank\" rel=\"noopener "
            "noreferrer\">教育部</a>");
  EXPECT_EQ(Clean("<a href=\"https://x.cn/\" target=\"_top\" rel=\"opener\">x</a>"),
            "<a href=\"https://x.cn/\">x</a>");
}

TEST(SanitizeHtml, LinkSchemes) {
  EXPECT_EQ(Clean("<a href=\"mailto:office@school.cn\">m</a>"),
            "<a href=\"mailto:office@school.cn\">m</a>");
  EXPECT_EQ(Clean("<a href=\"tel:+86-10-1234\">t</a>"), "<a href=\"tel:+86-10-1234\">t</a>");
  EXPECT_EQ(Clean("<a href=\"#top\">t</a>"), "<a href=\"#top\">t</a>");
  EXPECT_EQ(Clean("<a href=\"../news/1.html?a=1&amp;b=2\">t</a>"),
            "<a href=\"../news/1.html?a=1&amp;b=2\">t</a>");
  EXPECT_EQ(Clean("<a href=\"HTTP://X.CN\">t</a>"), "<a href=\"HTTP://X.CN\">t</a>");
  EXPECT_EQ(Clean("<a href=\"ftp://x.cn/\">t</a>"), "t");
  EXPECT_EQ(Clean("<a href=\"java script:alert(1)\">t</a>"), "t");
}

TEST(SanitizeHtml, AllowedIframeHostIsKeptAndSandboxed) {
  const SanitizeOptions options{{"player.bilibili.com"}};
  EXPECT_EQ(Clean("<iframe src=\"https://player.bilibili.com/player.html?bvid=BV1xx&amp;page=1\" "
                  "width=\"640\" height=\"360\" allowfullscreen=\"true\" frameborder=0 "
                  "onload=\"x()\"></iframe>",
                  options),
            "<iframe src=\"https://player.bilibili.com/player.html?bvid=BV1xx&amp;page=1\" "
            "width=\"640\" height=\"360\" allowfullscreen sandbox=\"allow-scripts "
            "allow-same-origin allow-presentation\"></iframe>");
  EXPECT_EQ(Clean("<iframe src=\"https://PLAYER.bilibili.com:443/x\">fallback</iframe>", options),
            "<iframe src=\"https://PLAYER.bilibili.com:443/x\" sandbox=\"allow-scripts "
            "allow-same-origin allow-presentation\"></iframe>");
}

TEST(SanitizeHtml, OtherIframesAreDropped) {
  const SanitizeOptions options{{"player.bilibili.com"}};
  for (const char* html : {
           "<iframe src=\"https://evil.example/\"></iframe>",
           "<iframe src=\"http://player.bilibili.com/x\"></iframe>",
           "<iframe src=\"https://player.bilibili.com@evil.example/\"></iframe>",
           "<iframe src=\"https://player.bilibili.com.evil.example/\"></iframe>",
           "<iframe src=\"https://evil.example\\@player.bilibili.com/\"></iframe>",
           "<iframe src=\"https:player.bilibili.com/x\"></iframe>",
           "<iframe src=\"//player.bilibili.com/x\"></iframe>",
           "<iframe src=\"https://player%2ebilibili.com/x\"></iframe>",
           "<iframe></iframe>",
       }) {
    const std::string out = Clean(html, options);
    EXPECT_EQ(out.find("<iframe"), std::string::npos) << html << " -> " << out;
  }
  EXPECT_EQ(Clean("<iframe src=\"https://player.bilibili.com/x\"></iframe>"), "");
}

TEST(SanitizeHtml, WordPasteComesOutClean) {
  const std::string word =
      "<!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/>"
      "</o:OfficeDocumentSettings></xml><![endif]--><!--[if gte mso 10]><style>"
      "table.MsoNormalTable{mso-style-name:普通表格;}</style><![endif]-->"
      "<p class=MsoNormal align=center style='text-align:center;mso-line-height-alt:12.0pt'>"
      "<b><span lang=ZH-CN style='font-family:宋体;mso-ascii-font-family:Calibri;color:red'>"
      "关于放假的通知<o:p></o:p></span></b></p>\n"
      "<p class=MsoListParagraph style='margin-left:18.0pt;text-indent:-18.0pt;"
      "mso-list:l0 level1 lfo1'><![if !supportLists]><span lang=EN-US "
      "style='mso-fareast-font-family:Calibri'><span style='mso-list:Ignore'>1.<span "
      "style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp; </span></span></span>"
      "<![endif]><span class=SpellE>第一项</span><o:p>&nbsp;</o:p></p>";
  const std::string out = Clean(word);
  EXPECT_EQ(out,
            "<p style=\"text-align: center\"><b><span lang=\"ZH-CN\" style=\"color: red\">"
            "关于放假的通知</span></b></p>\n"
            "<p style=\"margin-left: 18.0pt; text-indent: -18.0pt\"><span lang=\"EN-US\">"
            "1.\u00a0\u00a0 </span>第一项\u00a0</p>");
  for (std::string_view noise : {"mso", "class", "o:p", "xml", "Office", "font-family", "if "}) {
    EXPECT_EQ(out.find(noise), std::string::npos) << noise;
  }
}

// Found by the fuzzer (fuzz/corpus/sanitizer_fuzz/word-style-token): a Word
// list style whose ';' was mangled into a digit glued "mso-list" onto the
// text-indent value, which kept it as one "plain" value.
TEST(SanitizeHtml, StyleValueMustBeWellFormedTokens) {
  EXPECT_EQ(
      Clean("<p style='margin-left:18.0pt;text-indent:-18.0pt7mso-lisobjectevel1 lfo1'>x</p>"),
      "<p style=\"margin-left: 18.0pt\">x</p>");
  EXPECT_EQ(Clean("<p style='text-align:center;mso-li\fe-height-alt:06.0pt'>x</p>"),
            "<p style=\"text-align: center\">x</p>");
  EXPECT_EQ(Clean("<p style='color: xmso-red'>x</p>"), "<p>x</p>");
  EXPECT_EQ(Clean("<p style='width: 12.5.5px; height: 3pxx2'>x</p>"), "<p>x</p>");
  EXPECT_EQ(Clean("<p style='color: rgba(0, 0, 0, 50%); border: 1px dotted #ABCDEF'>x</p>"),
            "<p style=\"color: rgba(0, 0, 0, 50%); border: 1px dotted #ABCDEF\">x</p>");
  EXPECT_EQ(Clean("<p style='color: #12; color: calc(1px)'>x</p>"), "<p>x</p>");
  EXPECT_EQ(Clean("<p style='font-weight: bold !important'>x</p>"),
            "<p style=\"font-weight: bold !important\">x</p>");
}

TEST(SanitizeHtml, StyleKeepsOnlyAllowedProperties) {
  EXPECT_EQ(Clean("<p style=\"COLOR:Red ; TEXT-ALIGN :center;position:fixed;mso-foo:bar;"
                  "font-weight:bold;border:1px  solid #ccc;;\">x</p>"),
            "<p style=\"color: Red; text-align: center; font-weight: bold; border: 1px solid "
            "#ccc\">x</p>");
  EXPECT_EQ(Clean("<p style=\"color: rgb(255, 0, 0); width: 50%\">x</p>"),
            "<p style=\"color: rgb(255, 0, 0); width: 50%\">x</p>");
  EXPECT_EQ(Clean("<p style=\"margin-left: -9999px; color: \\72 ed\">x</p>"), "<p>x</p>");
  EXPECT_EQ(Clean("<p style=\"color: red; } body { color: blue\">x</p>"),
            "<p style=\"color: red\">x</p>");
}

TEST(SanitizeHtml, UnknownElementsAreUnwrapped) {
  EXPECT_EQ(Clean("<font color=red face=宋体>红</font><center>中</center><o:p>词</o:p>"), "红中词");
  EXPECT_EQ(Clean("<section><article><p>x</p></article></section>"), "<p>x</p>");
  EXPECT_EQ(Clean("<span>bare</span><span title=t>titled</span>"),
            "bare<span title=\"t\">titled</span>");
}

TEST(SanitizeHtml, DroppedElementsTakeTheirContent) {
  EXPECT_EQ(Clean("a<style>p{}</style><noscript>n</noscript><select><option>o</select>b"), "ab");
  EXPECT_EQ(Clean("a<object><p>inside</p></object>b"), "ab");
  EXPECT_EQ(Clean("a<svg><text>t</text></svg><math><mi>x</mi></math>b"), "ab");
}

TEST(SanitizeHtml, ListsAndAttributes) {
  EXPECT_EQ(Clean("<ol start=\"3\" type=\"a\" reversed><li>x<ul><li>y</li></ul></li></ol>"),
            "<ol start=\"3\" type=\"a\"><li>x<ul><li>y</li></ul></li></ol>");
  EXPECT_EQ(Clean("<ol start=\"x\" type=\"disc\"><li>x</li></ol>"), "<ol><li>x</li></ol>");
  EXPECT_EQ(Clean("<ul><li>一<ul><li>二<ul><li>三</li></ul></li></ul></li></ul>"),
            "<ul><li>一<ul><li>二<ul><li>三</li></ul></li></ul></li></ul>");
}

TEST(SanitizeHtml, MediaElements) {
  EXPECT_EQ(Clean("<video controls poster=\"/p.jpg\" autoplay><source src=\"/v.mp4\" "
                  "type=\"video/mp4\" onerror=x()>不支持</video>"),
            "<video controls poster=\"/p.jpg\"><source src=\"/v.mp4\" type=\"video/mp4\">"
            "不支持</video>");
  EXPECT_EQ(Clean("<audio src=\"javascript:alert(1)\" controls=\"controls\"></audio>"),
            "<audio controls></audio>");
}

TEST(SanitizeHtml, GlobalAttributes) {
  EXPECT_EQ(Clean("<p title=\"a&quot;b'c\" lang=\"zh-CN\" dir=\"RTL\" id=x class=y "
                  "data-x=1>x</p>"),
            "<p title=\"a&quot;b&#39;c\" lang=\"zh-CN\" dir=\"rtl\">x</p>");
  EXPECT_EQ(Clean("<p lang=\"zh CN\" dir=\"sideways\">x</p>"), "<p>x</p>");
}

TEST(SanitizeHtml, InvalidUtf8AndNulBecomeReplacementCharacters) {
  EXPECT_EQ(Clean(std::string_view("a\0b", 3)), "a\uFFFDb");
  EXPECT_EQ(Clean("a\xFF"
                  "b"),
            "a\uFFFDb");
  EXPECT_EQ(Clean("\xE4\xB8"), "\uFFFD");                  // truncated 中
  EXPECT_EQ(Clean("\xC0\xAF"), "\uFFFD\uFFFD");            // overlong '/'
  EXPECT_EQ(Clean("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");  // surrogate
  EXPECT_EQ(Clean("<p title=\"\xFF\">\xF0\x9F\x98\x80</p>"),
            "<p title=\"\uFFFD\">\xF0\x9F\x98\x80</p>");
}

TEST(SanitizeHtml, CarriageReturnsAreNormalizedOrEscaped) {
  EXPECT_EQ(Clean("a\r\nb\rc"), "a\nb\nc");
  EXPECT_EQ(Clean("<p title=\"x&#13;y\">a&#13;b</p>"), "<p title=\"x&#13;y\">a&#13;b</p>");
}

TEST(SanitizeHtml, PreKeepsLeadingNewline) {
  EXPECT_EQ(Clean("<pre>\n\ncode\n</pre>"), "<pre>\n\ncode\n</pre>");
  EXPECT_EQ(Clean("<pre><o:p>\nx</o:p></pre>"), "<pre>\n\nx</pre>");
  EXPECT_EQ(Clean("<pre><code>int a = 1 &lt; 2;</code></pre>"),
            "<pre><code>int a = 1 &lt; 2;</code></pre>");
}

TEST(SanitizeHtml, DeepNestingIsFlattenedIntoText) {
  std::string html;
  for (int i = 0; i < 150; ++i) html += "<div>";
  html += "deep<b>text</b>";
  const std::string out = Clean(html);
  std::string expected;
  for (int i = 0; i < 100; ++i) expected += "<div>";
  expected += "deeptext";
  for (int i = 0; i < 100; ++i) expected += "</div>";
  EXPECT_EQ(out, expected);
}

TEST(SanitizeHtml, VeryDeepNestingDoesNotOverflowTheStack) {
  std::string html;
  for (int i = 0; i < 30000; ++i) html += "<b>";
  html += "x";
  std::string expected;
  for (int i = 0; i < 100; ++i) expected += "<b>";
  expected += "x";
  for (int i = 0; i < 100; ++i) expected += "</b>";
  EXPECT_EQ(SanitizeHtml(html), expected);
}

// Unclosed formatting elements are rebuilt by the parser in every following
// block: N distinct ones and M blocks make N*M elements.
std::string FormattingBomb(int distinct, int blocks) {
  std::string html = "<div>";
  for (int i = 0; i < distinct; ++i) html += "<b title=" + std::to_string(i) + ">";
  html += "</div>";
  for (int i = 0; i < blocks; ++i) html += "<div>x</div>";
  return html;
}

TEST(SanitizeHtml, FormattingBombIsCapped) {
  const std::string html = FormattingBomb(40, 100);
  const std::string out = Clean(html);
  EXPECT_EQ(std::count(out.begin(), out.end(), 'x'), 100);
  EXPECT_LT(out.size(), 64 * html.size());
}

TEST(SanitizeHtml, MarkupOverTheMemoryBudgetKeepsItsText) {
  EXPECT_EQ(Clean(FormattingBomb(40, 10000)), std::string(10000, 'x'));
}

TEST(SanitizeHtml, MisnestedInputConvergesToAFixedPoint) {
  // Unwrapping <center>/<font> leaves markup the parser would reshape; the
  // result must still be stable.
  EXPECT_EQ(Clean("<li><center><li>x"), "<li></li><li>x</li>");
  EXPECT_EQ(Clean("<h1><font><h2>x</h2></font></h1>"), "<h1></h1><h2>x</h2>");
  Clean("<p><marquee><p>y</p></marquee></p>");
  Clean("<a href=/1><font><a href=/2>x</a></font></a>");
  Clean("<table><tr><td><font><table><tr><td>x</td></tr></table></font></td></tr></table>");
}

TEST(SanitizeHtml, LinkInsideLinkIsUnwrapped) {
  EXPECT_EQ(Clean("<a href=\"/1\"><table><tr><td><a href=\"/2\">x</a></td></tr></table></a>"),
            "<a href=\"/1\"><table><tbody><tr><td>x</td></tr></tbody></table></a>");
}

TEST(SanitizeHtml, IdempotentOnKeptMarkup) {
  for (const char* html : {
           "<h1>标题</h1><h2>副标题</h2><p><strong>粗</strong><em>斜</em><u>下</u><s>删</s>"
           "H<sub>2</sub>O x<sup>2</sup></p>",
           "<blockquote><p>引用</p></blockquote><hr><br><figure><img src=\"a.png\" alt=\"a\">"
           "<figcaption>图1</figcaption></figure>",
           "<table><colgroup><col><col></colgroup><tfoot><tr><td>f</td></tr></tfoot></table>",
           "<div><span style=\"color: red\">a</span><code>b</code></div>",
       }) {
    EXPECT_EQ(Clean(html), Clean(Clean(html)));
  }
}

}  // namespace
}  // namespace zhanqun::content
