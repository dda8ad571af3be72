// Fuzzes MultipartParser and BoundaryFromContentType.
//
// Input: byte 0 chooses where the body is cut into two chunks. If the rest
// opens with a line (under 200 bytes, ending in '\n') that
// BoundaryFromContentType accepts, that boundary is used and the body follows
// the line; otherwise the whole rest is the body and kDefaultBoundary is used.
// Seeds therefore read as "<split byte>multipart/form-data; boundary=...\n<body>".
//
// Besides memory errors it checks an oracle: the body parsed whole, in two
// chunks and (when short) one byte at a time yields the same parts and the
// same result, and what comes out respects the limits and filename rules.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http/multipart.h"

namespace {

using zhanqun::Status;
using zhanqun::http::MultipartLimits;
using zhanqun::http::MultipartParser;
using zhanqun::http::PartHeaders;

constexpr char kDefaultBoundary[] = "zqB";
constexpr size_t kBytewiseMax = 4096;

#define FUZZ_CHECK(cond)                                                          \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (line %d)\n", #cond, __LINE__); \
      std::abort();                                                               \
    }                                                                             \
  } while (0)

MultipartLimits FuzzLimits() {
  MultipartLimits limits;
  limits.max_parts = 8;
  limits.max_header_bytes = 512;
  limits.max_field_bytes = 256;
  limits.max_file_bytes = 4096;
  return limits;
}

struct Run {
  std::vector<std::string> events;  // consecutive data merged
  std::string result;
};

void CheckHeaders(const PartHeaders& h) {
  const std::string& f = h.filename;
  FUZZ_CHECK(h.has_filename || f.empty());
  FUZZ_CHECK(f.find_first_of("/\\") == std::string::npos);
  FUZZ_CHECK(f != "." && f != "..");
  for (char c : f) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  for (char c : h.name) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20);
}

Run Parse(const std::string& boundary, std::string_view body, const std::vector<size_t>& cuts) {
  const MultipartLimits limits = FuzzLimits();
  Run run;
  bool has_filename = false;
  size_t part_bytes = 0;
  MultipartParser::Callbacks cb;
  cb.on_part_begin = [&](const PartHeaders& h) -> Status {
    CheckHeaders(h);
    has_filename = h.has_filename;
    part_bytes = 0;
    run.events.push_back("begin " + h.name + "|" + std::to_string(h.has_filename) + "|" +
                         h.filename + "|" + h.content_type);
    return {};
  };
  cb.on_part_data = [&](std::string_view d) -> Status {
    FUZZ_CHECK(!d.empty());
    part_bytes += d.size();
    FUZZ_CHECK(part_bytes <= (has_filename ? limits.max_file_bytes : limits.max_field_bytes));
    if (run.events.empty() || run.events.back().rfind("data ", 0) != 0)
      run.events.push_back("data ");
    run.events.back().append(d);
    return {};
  };
  cb.on_part_end = [&]() -> Status {
    run.events.push_back("end");
    return {};
  };
  MultipartParser parser(boundary, limits, cb);
  const size_t bound = limits.max_header_bytes + boundary.size() + 4;
  Status s;
  size_t at = 0;
  for (size_t i = 0; i <= cuts.size() && s; ++i) {
    size_t end = i < cuts.size() ? cuts[i] : body.size();
    s = parser.Feed(body.substr(at, end - at));
    at = end;
    FUZZ_CHECK(parser.buffered_bytes() <= bound);
  }
  if (s) s = parser.Finish();
  if (s) {
    run.result = "ok";
  } else {
    const zhanqun::Error& e = s.error();
    FUZZ_CHECK(!e.message.empty() && !e.field.empty());
    run.result = std::string(zhanqun::CodeName(e.code)) + "|" + e.field + "|" + e.message;
  }
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string boundary = kDefaultBoundary;
  std::string_view body = rest;
  size_t eol = rest.substr(0, 200).find('\n');
  std::string_view line = rest.substr(0, eol == std::string_view::npos ? 200 : eol);
  if (auto b = zhanqun::http::BoundaryFromContentType(line)) {
    FUZZ_CHECK(!b->empty() && b->size() <= 70);
    FUZZ_CHECK(b->find_first_of("\r\n\"") == std::string::npos);
    if (eol != std::string_view::npos) {
      boundary = *b;
      body = rest.substr(eol + 1);
    }
  } else {
    FUZZ_CHECK(b.error().field == "Content-Type");
  }

  const Run whole = Parse(boundary, body, {});
  const Run split = Parse(boundary, body, {body.size() * selector / 255});
  FUZZ_CHECK(whole.result == split.result);
  FUZZ_CHECK(whole.events == split.events);
  if (body.size() <= kBytewiseMax) {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < body.size(); ++i) cuts.push_back(i);
    const Run bytewise = Parse(boundary, body, cuts);
    FUZZ_CHECK(whole.result == bytewise.result);
    FUZZ_CHECK(whole.events == bytewise.events);
  }
  return 0;
}
