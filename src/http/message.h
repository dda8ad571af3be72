// Transport-neutral request and response. The Beast server fills a Request and
// hands it to a Handler on the blocking pool; handlers never see Beast types,
// which keeps Asio/Beast out of widely included headers.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zhanqun::http {

struct Request {
  std::string method;                             // "GET", "POST", ...
  std::string target;                             // raw request target, e.g. "/api/v1/sites?page=2"
  std::string path;                               // percent-decoded path without the query
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;         // in-memory body (JSON and small forms)
  std::string body_file;    // streamed body on disk (multipart uploads); removed after the handler
  std::string remote_addr;  // peer address, no port
  bool tls = false;

  // Route parameters filled by the router ({id} -> "42").
  std::map<std::string, std::string> params;

  std::string_view Header(std::string_view lower_name) const;
  std::string Cookie(std::string_view name) const;
  std::string Query(std::string_view name) const;
};

// A file descriptor open for reading, closed with its last owner.
class OpenFile {
 public:
  // nullptr when path cannot be opened or is not a regular file; *st (when
  // given) is what fstat says about the descriptor.
  static std::shared_ptr<const OpenFile> Open(const std::string& path, struct stat* st = nullptr);
  explicit OpenFile(int fd) noexcept : fd_(fd) {}
  ~OpenFile();
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // An immutable body shared with a cache: written as it is, without a copy
  // (body is ignored).
  std::shared_ptr<const std::string> shared_body;
  // Header lines written before `headers`, each "Name: value\r\n", built
  // once with AppendHeaderLine and reused by many responses. Get() sees them.
  std::shared_ptr<const std::string> header_block;
  // When set, the server streams this file as the body (body is ignored).
  std::string file_path;
  // Or bytes [file_offset, file_offset + file_length) of a file the handler
  // has opened (and checked), so what is sent is the file it looked at even
  // when the path is replaced meanwhile. Takes precedence over file_path.
  std::shared_ptr<const OpenFile> file;
  int64_t file_offset = 0;
  int64_t file_length = 0;

  void Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  std::string_view Get(std::string_view name) const;
  // The in-memory body: *shared_body when set, else body.
  std::string_view Body() const { return shared_body ? std::string_view(*shared_body) : body; }
};

// Header names are tokens; values must not smuggle in a line break or NUL.
bool SafeHeader(std::string_view name, std::string_view value);

// Appends "name: value\r\n" to a header block. False, appending nothing,
// when SafeHeader refuses the pair or the name is one the server writes
// itself (Content-Length, Transfer-Encoding, Connection, Date, Server).
bool AppendHeaderLine(std::string& block, std::string_view name, std::string_view value);

using Handler = std::function<Response(Request&)>;

// Percent-decodes s. Returns false on a malformed escape. '+' is a space only
// when plus_is_space (query strings).
bool PercentDecode(std::string_view s, std::string& out, bool plus_is_space);

// Splits "a=1&b=%E4%B8%AD" into decoded pairs. Malformed pairs are skipped.
std::multimap<std::string, std::string> ParseQuery(std::string_view q);

}  // namespace zhanqun::http
