#include "http/multipart.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace zhanqun::http {
namespace {

namespace fs = std::filesystem;

const std::string kBoundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
const std::string kDash = "--" + kBoundary;

struct Part {
  PartHeaders headers;
  std::string data;
  bool ended = false;
};

struct Outcome {
  std::vector<Part> parts;
  bool ok = true;
  Error error;
};

bool operator==(const Outcome& a, const Outcome& b) {
  if (a.ok != b.ok || a.parts.size() != b.parts.size()) return false;
  if (!a.ok && (a.error.code != b.error.code || a.error.message != b.error.message ||
                a.error.field != b.error.field)) {
    return false;
  }
  for (size_t i = 0; i < a.parts.size(); ++i) {
    const Part& x = a.parts[i];
    const Part& y = b.parts[i];
    if (x.headers.name != y.headers.name || x.headers.filename != y.headers.filename ||
        x.headers.has_filename != y.headers.has_filename ||
        x.headers.content_type != y.headers.content_type || x.data != y.data ||
        x.ended != y.ended) {
      return false;
    }
  }
  return true;
}

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << (o.ok ? "ok" : "error[" + o.error.field + "] " + o.error.message) << " parts:";
  for (const Part& p : o.parts) {
    os << " {" << p.headers.name << (p.headers.has_filename ? "|" + p.headers.filename : "") << " "
       << p.data.size() << "B" << (p.ended ? "" : " open") << "}";
  }
  return os;
}

MultipartParser::Callbacks Recorder(std::vector<Part>* parts) {
  MultipartParser::Callbacks cb;
  cb.on_part_begin = [parts](const PartHeaders& h) -> Status {
    parts->push_back(Part{h, {}, false});
    return {};
  };
  cb.on_part_data = [parts](std::string_view d) -> Status {
    EXPECT_FALSE(d.empty());
    parts->back().data.append(d);
    return {};
  };
  cb.on_part_end = [parts]() -> Status {
    parts->back().ended = true;
    return {};
  };
  return cb;
}

// Feeds body split at the given offsets (ascending), then calls Finish.
Outcome ParseSplit(std::string_view body, const std::vector<size_t>& cuts,
                   const MultipartLimits& limits = {}, const std::string& boundary = kBoundary) {
  Outcome out;
  MultipartParser parser(boundary, limits, Recorder(&out.parts));
  Status s;
  size_t at = 0;
  for (size_t cut : cuts) {
    if (s) s = parser.Feed(body.substr(at, cut - at));
    at = cut;
  }
  if (s) s = parser.Feed(body.substr(at));
  if (s) s = parser.Finish();
  out.ok = s.has_value();
  if (!s) out.error = s.error();
  return out;
}

Outcome Parse(std::string_view body, const MultipartLimits& limits = {},
              const std::string& boundary = kBoundary) {
  return ParseSplit(body, {}, limits, boundary);
}

Outcome ParseBytewise(std::string_view body, const MultipartLimits& limits = {}) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < body.size(); ++i) cuts.push_back(i);
  return ParseSplit(body, cuts, limits);
}

std::string FieldPart(const std::string& name, const std::string& value) {
  return kDash + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value +
         "\r\n";
}

std::string FilePart(const std::string& name, const std::string& disposition_tail,
                     const std::string& data) {
  return kDash + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; " + disposition_tail +
         "\r\nContent-Type: application/octet-stream\r\n\r\n" + data + "\r\n";
}

std::string Close() { return kDash + "--\r\n"; }

// Data that contains every proper prefix of the delimiter, each followed by a
// byte that breaks it, plus all byte values.
std::string TrickyBinary() {
  std::string delimiter = "\r\n" + kDash;
  std::string data = "\r\n--\r\n-\r\r\n\r\n--";
  for (size_t n = 1; n < delimiter.size(); ++n) {
    data += delimiter.substr(0, n);
    data += 'X';
  }
  for (int c = 0; c < 256; ++c) data.push_back(static_cast<char>(c));
  data += "\r\n--" + kBoundary.substr(0, kBoundary.size() - 1) + "\r\n";
  data += "x--" + kBoundary;  // not after CRLF, so not a delimiter
  data += "\r";
  return data;
}

std::string SampleBody() {
  return FieldPart("title", "校园新闻：运动会通知") +
         FilePart("attachment", "filename=\"通知.pdf\"", "%PDF-1.4\r\n" + TrickyBinary()) + kDash +
         "\r\ncontent-disposition: form-data; name=\"empty\"\r\n\r\n\r\n" + Close();
}

TEST(MultipartParserTest, ParsesSampleBody) {
  Outcome o = Parse(SampleBody());
  ASSERT_TRUE(o.ok) << o;
  ASSERT_EQ(o.parts.size(), 3u);
  EXPECT_EQ(o.parts[0].headers.name, "title");
  EXPECT_FALSE(o.parts[0].headers.has_filename);
  EXPECT_EQ(o.parts[0].data, "校园新闻：运动会通知");
  EXPECT_EQ(o.parts[1].headers.name, "attachment");
  EXPECT_TRUE(o.parts[1].headers.has_filename);
  EXPECT_EQ(o.parts[1].headers.filename, "通知.pdf");
  EXPECT_EQ(o.parts[1].headers.content_type, "application/octet-stream");
  EXPECT_EQ(o.parts[1].data, "%PDF-1.4\r\n" + TrickyBinary());
  EXPECT_EQ(o.parts[2].headers.name, "empty");
  EXPECT_EQ(o.parts[2].data, "");
  for (const Part& p : o.parts) EXPECT_TRUE(p.ended);
}

TEST(MultipartParserTest, EverySplitPointGivesSameParts) {
  const std::string body = SampleBody();
  const Outcome whole = Parse(body);
  ASSERT_TRUE(whole.ok);
  for (size_t i = 0; i <= body.size(); ++i) {
    ASSERT_EQ(ParseSplit(body, {i}), whole) << "split at " << i;
  }
}

TEST(MultipartParserTest, EveryPairOfNearbySplitPointsGivesSameParts) {
  // Small enough for the quadratic loop; still has near-delimiters in data.
  const std::string body = FieldPart("a", "1") +
                           FilePart("f", "filename=\"x\"", "\r\n-\r\n--" + kDash + "\r") +
                           FieldPart("b", "") + Close();
  const Outcome whole = Parse(body);
  const size_t span = kDash.size() + 4;
  for (size_t i = 0; i <= body.size(); ++i) {
    for (size_t j = i; j <= std::min(body.size(), i + span); ++j) {
      ASSERT_EQ(ParseSplit(body, {i, j}), whole) << "split at " << i << "," << j;
    }
  }
}

TEST(MultipartParserTest, OneByteAtATime) {
  const std::string body = SampleBody();
  EXPECT_EQ(ParseBytewise(body), Parse(body));
}

TEST(MultipartParserTest, BinaryDataWithCrlfDashesIsNotABoundary) {
  const std::string data = TrickyBinary() + "\r\n--";
  const std::string body = FilePart("f", "filename=\"a.bin\"", data) + Close();
  Outcome o = Parse(body);
  ASSERT_TRUE(o.ok) << o;
  ASSERT_EQ(o.parts.size(), 1u);
  EXPECT_EQ(o.parts[0].data, data);
  EXPECT_EQ(ParseBytewise(body), o);
}

TEST(MultipartParserTest, BodyMayStartWithCrlfBeforeFirstBoundary) {
  Outcome o = Parse("\r\n" + FieldPart("a", "1") + Close());
  ASSERT_TRUE(o.ok) << o;
  ASSERT_EQ(o.parts.size(), 1u);
  EXPECT_EQ(o.parts[0].data, "1");
}

TEST(MultipartParserTest, PreambleAndEpilogueAreIgnored) {
  const std::string body = "This is the preamble. " + kDash + " mid-line is not a delimiter.\r\n" +
                           FieldPart("a", "1") + FieldPart("b", "2") + Close() + "epilogue\r\n" +
                           FieldPart("c", "3");
  Outcome o = Parse(body);
  ASSERT_TRUE(o.ok) << o;
  ASSERT_EQ(o.parts.size(), 2u);
  EXPECT_EQ(o.parts[0].data, "1");
  EXPECT_EQ(o.parts[1].data, "2");
  EXPECT_EQ(ParseBytewise(body), o);
}

TEST(MultipartParserTest, CloseDelimiterWithoutTrailingCrlf) {
  Outcome o = Parse(FieldPart("a", "1") + kDash + "--");
  ASSERT_TRUE(o.ok) << o;
  EXPECT_EQ(o.parts.size(), 1u);
}

TEST(MultipartParserTest, EmptyFormIsValid) {
  Outcome o = Parse(Close());
  ASSERT_TRUE(o.ok) << o;
  EXPECT_TRUE(o.parts.empty());
}

TEST(MultipartParserTest, TransportPaddingAfterBoundary) {
  Outcome o =
      Parse(kDash + " \t \r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n" + kDash + "--");
  ASSERT_TRUE(o.ok) << o;
  ASSERT_EQ(o.parts.size(), 1u);
  EXPECT_EQ(o.parts[0].data, "v");
}

TEST(MultipartParserTest, MissingFinalBoundaryIsError) {
  Outcome o = Parse(FieldPart("title", "abc"));
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.code, Code::kInvalidArgument);
  EXPECT_EQ(o.error.message, "上传内容格式错误：缺少结束边界");
  EXPECT_EQ(o.error.field, "title");
}

TEST(MultipartParserTest, TruncatedBodiesAreErrors) {
  const std::string body = FieldPart("a", "1") + FilePart("f", "filename=\"x\"", "data") + Close();
  // Every proper prefix lacks the close delimiter, except those that end
  // inside the final "\r\n" after it.
  for (size_t n = 0; n < body.size() - 2; ++n) {
    Outcome o = Parse(body.substr(0, n));
    ASSERT_FALSE(o.ok) << "prefix " << n;
    EXPECT_EQ(o.error.code, Code::kInvalidArgument);
  }
}

TEST(MultipartParserTest, EmptyBodyIsError) {
  Outcome o = Parse("");
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.message, "上传内容格式错误：找不到分隔边界");
  EXPECT_EQ(o.error.field, "multipart");
}

TEST(MultipartParserTest, GarbageAfterBoundaryIsError) {
  for (const std::string& bad :
       {kDash + "X\r\n", kDash + "-\r\n", kDash + " x\r\n", kDash + "\rX"}) {
    Outcome o = Parse(bad + "Content-Disposition: form-data; name=a\r\n\r\n1\r\n" + Close());
    ASSERT_FALSE(o.ok) << bad;
    EXPECT_EQ(o.error.message, "上传内容格式错误：分隔边界后有多余内容");
  }
  // The boundary must not occur inside a part, even with more characters.
  Outcome o = Parse(FieldPart("a", "x\r\n" + kDash + "more") + Close());
  EXPECT_FALSE(o.ok);
}

TEST(MultipartParserTest, TooManyParts) {
  MultipartLimits limits;
  limits.max_parts = 2;
  EXPECT_TRUE(Parse(FieldPart("a", "1") + FieldPart("b", "2") + Close(), limits).ok);
  Outcome o =
      Parse(FieldPart("a", "1") + FieldPart("b", "2") + FieldPart("c", "3") + Close(), limits);
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.code, Code::kTooLarge);
  EXPECT_EQ(o.error.message, "上传内容的字段过多（最多 2 个）");
  EXPECT_EQ(o.parts.size(), 2u);
}

TEST(MultipartParserTest, OversizeField) {
  MultipartLimits limits;
  limits.max_field_bytes = 10;
  EXPECT_TRUE(Parse(FieldPart("body", std::string(10, 'x')) + Close(), limits).ok);
  const std::string body = FieldPart("body", std::string(11, 'x')) + Close();
  Outcome o = Parse(body, limits);
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.code, Code::kTooLarge);
  EXPECT_EQ(o.error.field, "body");
  EXPECT_EQ(o.error.message, "字段内容过长（最多 10 字节）");
  EXPECT_EQ(ParseBytewise(body, limits), o);
}

TEST(MultipartParserTest, FileLimitAppliesToFilesOnly) {
  MultipartLimits limits;
  limits.max_field_bytes = 4;
  limits.max_file_bytes = 2 << 20;
  EXPECT_TRUE(
      Parse(FilePart("f", "filename=\"a.txt\"", std::string(2 << 20, 'x')) + Close(), limits).ok);
  Outcome o =
      Parse(FilePart("f", "filename=\"a.txt\"", std::string((2 << 20) + 1, 'x')) + Close(), limits);
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.code, Code::kTooLarge);
  EXPECT_EQ(o.error.field, "f");
  EXPECT_EQ(o.error.message, "上传的文件过大（最多 2 MB）");
}

TEST(MultipartParserTest, HeaderTooLong) {
  MultipartLimits limits;
  limits.max_header_bytes = 100;
  const std::string head = "Content-Disposition: form-data; name=a\r\n";
  const std::string pad = "X-Pad: " + std::string(100 - head.size() - 2 - 9, 'p') + "\r\n";
  ASSERT_EQ(head.size() + pad.size() + 2, 100u);
  EXPECT_TRUE(Parse(kDash + "\r\n" + head + pad + "\r\nv\r\n" + Close(), limits).ok);
  const std::string body = kDash + "\r\n" + head + "X" + pad + "\r\nv\r\n" + Close();
  Outcome o = Parse(body, limits);
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.code, Code::kTooLarge);
  EXPECT_EQ(o.error.message, "上传内容格式错误：分段头部过长");
  EXPECT_EQ(ParseBytewise(body, limits), o);
  // Without a blank line the header block never ends; memory stays bounded.
  o = Parse(kDash + "\r\nX-Long: " + std::string(1 << 20, 'a'), limits);
  EXPECT_EQ(o.error.code, Code::kTooLarge);
}

TEST(MultipartParserTest, HeaderNamesAreCaseInsensitive) {
  Outcome o = Parse(kDash +
                    "\r\nCONTENT-DISPOSITION: Form-Data; NAME=\"a\"; FileName=\"x.txt\"\r\n"
                    "content-TYPE:   text/plain  \r\nX-Other: 1\r\n\r\nv\r\n" +
                    Close());
  ASSERT_TRUE(o.ok) << o;
  ASSERT_EQ(o.parts.size(), 1u);
  EXPECT_EQ(o.parts[0].headers.name, "a");
  EXPECT_EQ(o.parts[0].headers.filename, "x.txt");
  EXPECT_EQ(o.parts[0].headers.content_type, "text/plain");
}

TEST(MultipartParserTest, FoldedHeaderLine) {
  Outcome o =
      Parse(kDash + "\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nv\r\n" + Close());
  ASSERT_TRUE(o.ok) << o;
  EXPECT_EQ(o.parts[0].headers.name, "a");
}

TEST(MultipartParserTest, QuotedStringEscapes) {
  Outcome o = Parse(kDash +
                    "\r\nContent-Disposition: form-data; name=\"a\\\"b\\\\c;d\"; "
                    "filename=\"C:\\Users\\me\\My \\\"Doc\\\".txt\"\r\n\r\nv\r\n" +
                    Close());
  ASSERT_TRUE(o.ok) << o;
  EXPECT_EQ(o.parts[0].headers.name, "a\"b\\c;d");
  EXPECT_EQ(o.parts[0].headers.filename, "My \"Doc\".txt");
}

TEST(MultipartParserTest, BadContentDisposition) {
  const std::vector<std::string> bad_headers = {
      "",  // no header fields at all
      "Content-Type: text/plain\r\n",
      "Content-Disposition: attachment; name=\"a\"\r\n",
      "Content-Disposition: form-data\r\n",
      "Content-Disposition: form-data; filename=\"a.txt\"\r\n",
      "Content-Disposition: form-data; name=\"unterminated\r\n",
      "Content-Disposition: form-data; name=\"a\" junk\r\n",
      "Content-Disposition: form-data; name=a; name=b\r\n",
      "Content-Disposition: form-data; =x\r\n",
      "Content-Disposition: form-data; name\r\n",
      "Content-Disposition: form-data; name=\r\n",
      "Content-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=b\r\n",
      "Content-Disposition: form-data; name=\"bad\x01name\"\r\n",
      "Content-Disposition: form-data; name=\"\xff\"\r\n",
      "Content-Disposition : form-data; name=a\r\n",
      "No colon here\r\n",
      " folded-first: x\r\nContent-Disposition: form-data; name=a\r\n",
      "Content-Disposition: form-data; name=a\rb\r\n",
  };
  for (const std::string& h : bad_headers) {
    const std::string body = kDash + "\r\n" + h + "\r\nvalue\r\n" + Close();
    Outcome o = Parse(body);
    ASSERT_FALSE(o.ok) << h;
    EXPECT_EQ(o.error.code, Code::kInvalidArgument) << h;
    EXPECT_EQ(o.error.field, "multipart") << h;
    EXPECT_EQ(o.error.message.rfind("上传内容格式错误：", 0), 0u) << o.error.message;
    EXPECT_TRUE(o.parts.empty());
  }
}

Outcome ParseFilename(const std::string& disposition_tail) {
  return Parse(FilePart("upload", disposition_tail, "data") + Close());
}

TEST(MultipartParserTest, TraversalAndControlFilenamesAreRejected) {
  for (const std::string& tail : {
           std::string("filename=\"../../etc/passwd\""),
           std::string("filename=\"..\\\\..\\\\Windows\\\\win.ini\""),
           std::string("filename=\"..\""),
           std::string("filename=\".\""),
           std::string("filename=\"a/../b.txt\""),
           std::string("filename=\"dir/\""),
           std::string("filename*=UTF-8''..%2F..%2Fx.txt"),
           std::string("filename*=UTF-8''a%00b.txt"),
           std::string("filename*=UTF-8''a%0D%0Ab.txt"),
           std::string("filename=\"tab\there.txt\""),
           std::string("filename=\"a\x7f.txt\""),
           std::string("filename*=UTF-8''%E2%80%AEgpj.exe"),  // RIGHT-TO-LEFT OVERRIDE
           std::string("filename*=UTF-8''%E4%B8"),            // truncated UTF-8
           std::string("filename*=UTF-8''%ZZ.txt"),
           std::string("filename*=UTF-8%E4.txt"),
           std::string("filename*=KOI8-R''x.txt"),  // unsupported and no fallback
           std::string("filename=\"") + std::string(256, 'a') + "\"",
       }) {
    Outcome o = ParseFilename(tail);
    ASSERT_FALSE(o.ok) << tail;
    EXPECT_EQ(o.error.code, Code::kInvalidArgument) << tail;
    EXPECT_EQ(o.error.field, "upload") << tail;
    EXPECT_EQ(o.error.message, "上传的文件名无效") << tail;
    EXPECT_FALSE(o.error.internal.empty());
  }
}

TEST(MultipartParserTest, FilenamesAreReducedToBasename) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"filename=\"C:\\Users\\张三\\报告.docx\"", "报告.docx"},
      {"filename=\"/etc/passwd\"", "passwd"},
      {"filename=\"dir/sub/a.txt\"", "a.txt"},
      {"filename=\"\\\\server\\share\\b.txt\"", "b.txt"},
      {"filename=\"..a..txt\"", "..a..txt"},
      {"filename=plain.txt", "plain.txt"},
  };
  for (const auto& [tail, want] : cases) {
    Outcome o = ParseFilename(tail);
    ASSERT_TRUE(o.ok) << tail << ": " << o;
    EXPECT_EQ(o.parts[0].headers.filename, want) << tail;
  }
}

TEST(MultipartParserTest, Utf8Filenames) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"filename=\"中文 文件名.pdf\"", "中文 文件名.pdf"},
      {"filename*=UTF-8''%E4%B8%AD.pdf", "中.pdf"},
      {"filename=\"fallback.pdf\"; filename*=UTF-8''%E4%B8%AD.pdf", "中.pdf"},
      {"filename*=utf-8'zh-CN'%E9%80%9A%E7%9F%A5.doc; filename=\"x.doc\"", "通知.doc"},
      {"filename*=ISO-8859-1''caf%E9.txt", "café.txt"},
      {"filename*=KOI8-R''x.txt; filename=\"fallback.txt\"", "fallback.txt"},
      {"filename=\"\xB1\xA8\xB8\xE6.doc\"", "报告.doc"},  // GBK from old Windows clients
  };
  for (const auto& [tail, want] : cases) {
    Outcome o = ParseFilename(tail);
    ASSERT_TRUE(o.ok) << tail << ": " << o;
    EXPECT_TRUE(o.parts[0].headers.has_filename);
    EXPECT_EQ(o.parts[0].headers.filename, want) << tail;
  }
}

TEST(MultipartParserTest, EmptyFilenameIsAnUnusedFileInput) {
  Outcome o = ParseFilename("filename=\"\"");
  ASSERT_TRUE(o.ok) << o;
  EXPECT_TRUE(o.parts[0].headers.has_filename);
  EXPECT_EQ(o.parts[0].headers.filename, "");
}

TEST(MultipartParserTest, PartWithoutHeaderFieldsStartsBodyAfterBlankLine) {
  // "--B\r\n\r\n" is a part with no header fields; it still needs a name.
  Outcome o =
      Parse(kDash + "\r\n\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n" + Close());
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.message, "上传内容格式错误：分段缺少 Content-Disposition");
}

TEST(MultipartParserTest, InvalidBoundaryFailsFeedAndFinish) {
  for (const std::string& boundary : {std::string(""), std::string(71, 'a'), std::string("a\rb"),
                                      std::string("trailing "), std::string("semi;colon")}) {
    MultipartParser parser(boundary, {}, {});
    auto s = parser.Feed("--x");
    ASSERT_FALSE(s) << boundary;
    EXPECT_EQ(s.error().field, "Content-Type");
    EXPECT_FALSE(parser.Finish());
  }
}

TEST(MultipartParserTest, CallbackErrorPropagatesAndIsSticky) {
  MultipartParser::Callbacks cb;
  int begins = 0;
  cb.on_part_begin = [&](const PartHeaders& h) -> Status {
    ++begins;
    if (h.name == "stop") return Fail(Error::Invalid("stop", "停止"));
    return {};
  };
  MultipartParser parser(kBoundary, {}, cb);
  ASSERT_TRUE(parser.Feed(FieldPart("a", "1")));
  auto s = parser.Feed(FieldPart("stop", "2") + FieldPart("b", "3"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "停止");
  auto again = parser.Feed(Close());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, "停止");
  EXPECT_FALSE(parser.Finish());
  EXPECT_EQ(begins, 2);
}

TEST(MultipartParserTest, MemoryStaysBoundedForLargeParts) {
  MultipartParser::Callbacks cb;
  uint64_t received = 0;
  cb.on_part_data = [&](std::string_view d) -> Status {
    received += d.size();
    return {};
  };
  MultipartParser parser(kBoundary, {}, cb);
  ASSERT_TRUE(
      parser.Feed(kDash + "\r\nContent-Disposition: form-data; name=f; filename=a\r\n\r\n"));
  // Chunks that end in ever longer delimiter prefixes force the lookbehind.
  const std::string delimiter = "\r\n" + kDash;
  uint64_t sent = 0;
  for (int i = 0; i < 4096; ++i) {
    std::string chunk(1000, static_cast<char>('a' + i % 26));
    chunk += delimiter.substr(0, 1 + i % (delimiter.size() - 1));
    sent += chunk.size();
    ASSERT_TRUE(parser.Feed(chunk));
    EXPECT_LT(parser.buffered_bytes(), delimiter.size());
  }
  ASSERT_TRUE(parser.Feed(delimiter + "--"));
  ASSERT_TRUE(parser.Finish());
  EXPECT_EQ(received, sent);
}

TEST(BoundaryFromContentTypeTest, AcceptsValidForms) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"multipart/form-data; boundary=abc", "abc"},
      {"Multipart/Form-Data; BOUNDARY=abc", "abc"},
      {"multipart/form-data; charset=utf-8; boundary=\"a b:c=d\"", "a b:c=d"},
      {"multipart/form-data;boundary=" + kBoundary, kBoundary},
      {"  multipart/form-data ; boundary = xyz ; ", "xyz"},
      {"multipart/form-data; boundary=\"" + std::string(70, 'q') + "\"", std::string(70, 'q')},
  };
  for (const auto& [ct, want] : cases) {
    auto b = BoundaryFromContentType(ct);
    ASSERT_TRUE(b) << ct;
    EXPECT_EQ(*b, want) << ct;
  }
}

TEST(BoundaryFromContentTypeTest, RejectsInvalidForms) {
  for (const std::string& ct : {
           std::string(""),
           std::string("application/json"),
           std::string("multipart/mixed; boundary=abc"),
           std::string("multipart/form-data"),
           std::string("multipart/form-data; boundary="),
           std::string("multipart/form-data; boundary=\"\""),
           std::string("multipart/form-data; boundary=\"abc"),
           std::string("multipart/form-data; boundary=\"abc \""),
           std::string("multipart/form-data; boundary=a; boundary=b"),
           std::string("multipart/form-data; boundary=\"a\rb\""),
           std::string("multipart/form-data; boundary=a\"b"),
           std::string("multipart/form-data; boundary=") + std::string(71, 'q'),
       }) {
    auto b = BoundaryFromContentType(ct);
    ASSERT_FALSE(b) << ct;
    EXPECT_EQ(b.error().code, Code::kInvalidArgument);
    EXPECT_EQ(b.error().field, "Content-Type");
  }
}

class ParseMultipartFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "zq-multipart-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    out_ = root_ / "uploads";
    fs::create_directory(out_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string WriteBody(const std::string& body) {
    std::string path = (root_ / "body").string();
    std::ofstream(path, std::ios::binary) << body;
    return path;
  }
  Result<std::vector<FormPart>> Run(const std::string& body, const MultipartLimits& limits = {}) {
    return ParseMultipartFile(WriteBody(body), "multipart/form-data; boundary=" + kBoundary,
                              out_.string(), limits);
  }
  std::vector<fs::path> Uploads() const {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(out_)) files.push_back(e.path());
    return files;
  }
  // Everything under root_ except the body and the uploads directory itself.
  size_t StrayFiles() const {
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(root_)) {
      if (e.path() != root_ / "body" && e.path() != out_) ++n;
    }
    return n;
  }
  static std::string ReadAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path root_;
  fs::path out_;
};

TEST_F(ParseMultipartFileTest, FieldsInMemoryFilesOnDiskWithGeneratedNames) {
  std::string big;
  for (int i = 0; i < 200000; ++i) big += static_cast<char>(i * 7 % 251);  // spans 64 KiB reads
  auto parts = Run(
      FieldPart("title", "标题") +
      FilePart("file", "filename=\"../../作业 1.docx\"; filename*=UTF-8''%E4%BD%9C%E4%B8%9A.docx",
               big) +
      FilePart("photo", "filename=\"C:\\fakepath\\photo.jpg\"", "\xff\xd8\xff") + Close());
  ASSERT_TRUE(parts) << parts.error().message << " " << parts.error().internal;
  ASSERT_EQ(parts->size(), 3u);
  const FormPart& title = (*parts)[0];
  EXPECT_FALSE(title.is_file);
  EXPECT_EQ(title.value, "标题");
  EXPECT_EQ(title.size, std::string("标题").size());
  EXPECT_TRUE(title.file_path.empty());

  const FormPart& file = (*parts)[1];
  EXPECT_TRUE(file.is_file);
  EXPECT_EQ(file.filename, "作业.docx");  // filename* wins over the traversal in filename
  EXPECT_EQ(file.size, big.size());
  EXPECT_TRUE(file.value.empty());
  EXPECT_EQ(fs::path(file.file_path).parent_path(), out_);
  EXPECT_EQ(file.file_path.find("作业"), std::string::npos);
  EXPECT_EQ(ReadAll(file.file_path), big);
  struct stat st;
  ASSERT_EQ(::stat(file.file_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const FormPart& photo = (*parts)[2];
  EXPECT_EQ(photo.filename, "photo.jpg");
  EXPECT_EQ(photo.content_type, "application/octet-stream");
  EXPECT_EQ(ReadAll(photo.file_path), "\xff\xd8\xff");
  EXPECT_NE(photo.file_path, file.file_path);
  EXPECT_EQ(Uploads().size(), 2u);
}

TEST_F(ParseMultipartFileTest, TraversalFilenameWritesNothing) {
  auto parts = Run(FilePart("f", "filename=\"../evil.txt\"", "owned") + Close());
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().field, "f");
  EXPECT_EQ(StrayFiles(), 0u);
}

TEST_F(ParseMultipartFileTest, ErrorRemovesFilesAlreadyWritten) {
  MultipartLimits limits;
  limits.max_file_bytes = 100;
  auto parts =
      Run(FilePart("a", "filename=\"a.txt\"", "ok") + FilePart("b", "filename=\"b.txt\"", "") +
              FilePart("c", "filename=\"c.txt\"", std::string(101, 'x')) + Close(),
          limits);
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().code, Code::kTooLarge);
  EXPECT_EQ(parts.error().field, "c");
  EXPECT_TRUE(Uploads().empty());

  parts = Run(FilePart("a", "filename=\"a.txt\"", "ok"));  // no close delimiter
  ASSERT_FALSE(parts);
  EXPECT_TRUE(Uploads().empty());
}

TEST_F(ParseMultipartFileTest, EmptyFilePart) {
  auto parts = Run(FilePart("empty", "filename=\"empty.txt\"", "") +
                   FilePart("unused", "filename=\"\"", "") + Close());
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  const FormPart& empty = (*parts)[0];
  EXPECT_TRUE(empty.is_file);
  EXPECT_EQ(empty.size, 0u);
  ASSERT_FALSE(empty.file_path.empty());
  EXPECT_TRUE(fs::exists(empty.file_path));
  EXPECT_EQ(fs::file_size(empty.file_path), 0u);
  const FormPart& unused = (*parts)[1];
  EXPECT_TRUE(unused.is_file);
  EXPECT_TRUE(unused.filename.empty());
  EXPECT_TRUE(unused.file_path.empty());
  EXPECT_EQ(Uploads().size(), 1u);
}

TEST_F(ParseMultipartFileTest, BadContentTypeAndMissingBody) {
  auto parts = ParseMultipartFile(WriteBody(Close()), "application/json", out_.string(), {});
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().field, "Content-Type");

  parts = ParseMultipartFile((root_ / "missing").string(),
                             "multipart/form-data; boundary=" + kBoundary, out_.string(), {});
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().code, Code::kInternal);
}

TEST_F(ParseMultipartFileTest, MissingOutDirIsInternalAndLeavesNothing) {
  auto parts = ParseMultipartFile(WriteBody(FilePart("f", "filename=\"a\"", "x") + Close()),
                                  "multipart/form-data; boundary=" + kBoundary,
                                  (root_ / "nope").string(), {});
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().code, Code::kInternal);
  EXPECT_FALSE(parts.error().internal.empty());
}

}  // namespace
}  // namespace zhanqun::http
