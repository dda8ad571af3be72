// Streaming multipart/form-data (RFC 7578, framing from RFC 2046 §5.1).
//
// The parser never holds a part in memory: besides one part's header block
// (bounded by max_header_bytes) it keeps at most a delimiter-length lookbehind,
// so an upload of any size costs the same memory. Part bodies are handed to
// callbacks as views into the caller's chunk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace zhanqun::http {

struct MultipartLimits {
  size_t max_parts = 64;
  size_t max_header_bytes = 8192;    // one part's header block, blank line included
  size_t max_field_bytes = 1 << 20;  // a part without a filename (kept in memory by callers)
  size_t max_file_bytes = 64 << 20;  // a part with a filename
};

struct PartHeaders {
  std::string name;
  // Basename only, valid UTF-8, no control characters. Taken from filename*
  // (RFC 5987) when present, else from filename. Empty with has_filename set
  // is what a browser sends for a file input left empty.
  std::string filename;
  bool has_filename = false;
  // As the client sent it (trimmed), empty when absent. Never trust it for
  // anything but a hint: sniff the content.
  std::string content_type;
};

class MultipartParser {
 public:
  struct Callbacks {
    std::function<Status(const PartHeaders&)> on_part_begin;
    std::function<Status(std::string_view)> on_part_data;  // view valid only during the call
    std::function<Status()> on_part_end;
  };

  // boundary is the bare parameter value (see BoundaryFromContentType). An
  // invalid boundary makes the first Feed or Finish fail.
  MultipartParser(std::string boundary, MultipartLimits limits, Callbacks callbacks);

  // Any split of the body into chunks, down to one byte each, produces the
  // same callbacks (data may arrive in different pieces) and the same result.
  // Errors are sticky: once Feed fails, later calls return the same error.
  Status Feed(std::string_view chunk);

  // Fails unless the closing delimiter was seen. Bytes after it (the
  // epilogue) are ignored, as is anything before the first delimiter.
  Status Finish();

  // Bytes the parser holds between calls: the lookbehind plus a partial
  // header block. Exposed so tests can check the memory bound.
  size_t buffered_bytes() const { return tail_.size() + header_buf_.size(); }

 private:
  enum class State {
    kPreamble,       // scanning for the first delimiter, discarding
    kAfterBoundary,  // just past "--boundary"
    kCloseDash,      // saw one '-' of a close delimiter
    kPadding,        // transport padding (LWSP) before CRLF
    kBoundaryCr,     // saw CR after the boundary
    kHeaders,        // collecting a part's header block
    kBody,           // scanning part data for the next delimiter
    kEpilogue,       // close delimiter seen; discarding
    kFailed,
    kFinished,
  };

  Status FeedImpl(std::string_view chunk);
  // Consumes body (or preamble) bytes; returns how many were used.
  Result<size_t> ScanBody(std::string_view data);
  Result<size_t> ScanHeaders(std::string_view data);
  Status AfterBoundaryByte(char c);
  Status OnDelimiter();
  Status BeginPart(std::string_view block);
  Status EmitData(std::string_view data);
  Status Stop(Error error);  // makes the error sticky
  Error Malformed(std::string message, std::string internal) const;
  std::string ErrorField() const;

  std::string delimiter_;  // "\r\n--" + boundary
  MultipartLimits limits_;
  Callbacks callbacks_;
  State state_ = State::kPreamble;
  Error error_;
  bool boundary_ok_ = false;

  // A proper prefix of delimiter_ seen at the end of the previous chunk and
  // not yet known to be data. Starts as "\r\n" so a body that opens with
  // "--boundary" matches without special casing.
  std::string tail_;
  std::string header_buf_;
  PartHeaders part_;
  bool in_part_ = false;
  size_t part_count_ = 0;
  uint64_t part_bytes_ = 0;
  uint64_t offset_ = 0;  // body bytes consumed, for log messages
};

// Extracts the boundary from a request's Content-Type, which must be
// multipart/form-data. Type and parameter names are case-insensitive; the
// value may be a token or a quoted string. Errors name the field "Content-Type".
Result<std::string> BoundaryFromContentType(std::string_view content_type);

struct FormPart {
  std::string name;
  std::string filename;      // see PartHeaders::filename
  std::string content_type;  // client's claim; see PartHeaders::content_type
  bool is_file = false;      // the part carried a filename parameter
  std::string value;         // fields
  // Files: a new file in out_dir whose name the server generated. Empty when
  // a browser sent an empty file input (empty filename, no data).
  std::string file_path;
  uint64_t size = 0;  // bytes of value or of the file
};

// Streams the request body stored at body_path through the parser in 64 KiB
// reads. File parts go to new files (mode 0600) in out_dir, which must exist;
// fields stay in memory. On error every file this call created is removed, so
// the caller owns files only on success.
Result<std::vector<FormPart>> ParseMultipartFile(const std::string& body_path,
                                                 std::string_view content_type,
                                                 const std::string& out_dir,
                                                 const MultipartLimits& limits = {});

}  // namespace zhanqun::http
