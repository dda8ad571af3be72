// Transport-neutral request and response. The Beast server fills a Request and
// hands it to a Handler on the blocking pool; handlers never see Beast types,
// which keeps Asio/Beast out of widely included headers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
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

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the server streams this file as the body (body is ignored).
  std::string file_path;

  void Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  std::string_view Get(std::string_view name) const;
};

using Handler = std::function<Response(Request&)>;

// Percent-decodes s. Returns false on a malformed escape. '+' is a space only
// when plus_is_space (query strings).
bool PercentDecode(std::string_view s, std::string& out, bool plus_is_space);

// Splits "a=1&b=%E4%B8%AD" into decoded pairs. Malformed pairs are skipped.
std::multimap<std::string, std::string> ParseQuery(std::string_view q);

}  // namespace zhanqun::http
