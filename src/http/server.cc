#include "http/server.h"

// clang-format off
// Kept out of include regrouping: <utility> must precede
// boost/asio/awaitable.hpp on g++ 12, which sorting would undo.
#include <stdlib.h>  // mkstemp
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>
// clang-format on

namespace zhanqun::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

// After an error response whose request body was not read, the client may
// still be sending; closing at once would RST the connection and can destroy
// the response before the client reads it. Drain for a while instead.
constexpr milliseconds kLingerTime{2000};
constexpr size_t kLingerMaxBytes = 1 << 20;
// Connections turned away at the cap get one short write, and only this many
// at a time; beyond that they are closed without an answer.
constexpr milliseconds kBusyWriteTimeout{2000};
constexpr size_t kMaxRejecting = 64;
constexpr size_t kIdleReadBytes = 4096;
// Files are sent in pieces of this size (one pread and one write each).
constexpr size_t kFileChunkBytes = 64 * 1024;

// ---------------------------------------------------------------------------
// Small helpers

// Header names and host names are ASCII; std::tolower would consult the
// locale for every character.
char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

bool IStartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

// Beast 1.74 speaks boost::string_view.
std::string_view SV(beast::string_view s) { return {s.data(), s.size()}; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// IMF-fixdate (RFC 9110 5.6.7), independent of the C locale.
std::string HttpDate(std::chrono::system_clock::time_point tp) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t t = std::chrono::system_clock::to_time_t(tp);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// The Date header of this second, formatted once per second per thread.
const std::string& DateNow() {
  thread_local time_t cached_sec = -1;
  thread_local std::string cached;
  const auto now = std::chrono::system_clock::now();
  const time_t sec = std::chrono::system_clock::to_time_t(now);
  if (sec != cached_sec) {
    cached = HttpDate(now);
    cached_sec = sec;
  }
  return cached;
}

std::string FormatEndpoint(const asio::ip::address& addr, uint16_t port) {
  std::string a = addr.to_string();
  return addr.is_v6() ? "[" + a + "]:" + std::to_string(port) : a + ":" + std::to_string(port);
}

std::string RemoteAddress(const tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return {};
  asio::ip::address a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  }
  return a.to_string();
}

// Error bodies are built from the constant strings below only, so they need
// no JSON escaping.
Response JsonError(int status, std::string_view code, std::string_view message,
                   std::string_view field = {}) {
  Response r;
  r.status = status;
  r.Set("Content-Type", "application/json; charset=utf-8");
  r.Set("Cache-Control", "no-store");
  r.body = R"({"error":{"code":")";
  r.body += code;
  r.body += R"(","message":")";
  r.body += message;
  r.body += '"';
  if (!field.empty()) {
    r.body += R"(,"field":")";
    r.body += field;
    r.body += '"';
  }
  r.body += "}}";
  return r;
}

Response BadRequest(std::string_view field = {}) {
  return JsonError(400, "bad_request", "请求格式错误", field);
}
Response HeaderTooLarge() { return JsonError(431, "header_too_large", "请求头过大", "header"); }
Response PayloadTooLarge() { return JsonError(413, "payload_too_large", "请求体过大", "body"); }
Response Unavailable() { return JsonError(503, "unavailable", "服务器繁忙，请稍后再试"); }
Response InternalError() { return JsonError(500, "internal", "服务器内部错误"); }
Response FileNotFound() { return JsonError(404, "not_found", "文件不存在"); }

bool IsParseError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// A unique file in dir, removed when this goes out of scope: after the
// response is written, or when the session is torn down mid-request.
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }

  bool Create(const std::string& dir) {
    std::string tmpl = dir + "/zq-upload-XXXXXX";
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0) return false;
    ::close(fd);
    path_ = std::move(tmpl);
    return true;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// ---------------------------------------------------------------------------
// Shared state. Sessions hold it by shared_ptr, so coroutine frames destroyed
// together with the io_context can still unregister themselves.

struct Conn {
  explicit Conn(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;  // used only on its io_context's thread
};

struct State {
  State(ServerOptions o, Handler h, asio::thread_pool::executor_type p)
      : opts(std::move(o)), handler(std::move(h)), pool(p) {}

  const ServerOptions opts;
  const Handler handler;
  const asio::thread_pool::executor_type pool;

  std::atomic<bool> stopping{false};
  std::atomic<size_t> active{0};     // sessions
  std::atomic<size_t> rejecting{0};  // connections being turned away at the cap

  std::mutex mu;
  uint64_t next_id = 1;                                     // GUARDED_BY(mu)
  std::unordered_map<uint64_t, std::weak_ptr<Conn>> conns;  // GUARDED_BY(mu)
};

// One connection, counted in *counter from the accept loop on (so the cap
// check and the count agree) and registered for Stop() once its stream
// exists. Moved into the connection's coroutine.
class Slot {
 public:
  Slot(std::shared_ptr<State> st, std::atomic<size_t>& counter)
      : st_(std::move(st)), counter_(&counter) {
    ++*counter_;
  }
  Slot(Slot&& o) noexcept : st_(std::move(o.st_)), counter_(o.counter_), id_(o.id_) { o.id_ = 0; }
  Slot& operator=(Slot&&) = delete;
  ~Slot() {
    if (!st_) return;
    std::lock_guard<std::mutex> lock(st_->mu);
    if (id_ != 0) st_->conns.erase(id_);
    --*counter_;
  }

  void Register(const std::shared_ptr<Conn>& conn) {
    std::lock_guard<std::mutex> lock(st_->mu);
    id_ = st_->next_id++;
    st_->conns.emplace(id_, conn);
  }

 private:
  std::shared_ptr<State> st_;
  std::atomic<size_t>* counter_;
  uint64_t id_ = 0;
};

// ---------------------------------------------------------------------------
// The handler runs on the blocking pool; its result is posted back to the
// connection's io_context.

Response CallHandler(const State& st, Request& req) {
  try {
    return st.handler(req);
  } catch (const std::exception& e) {
    spdlog::error("[{}] handler failed on {} {}: {}", st.opts.name, req.method, req.path, e.what());
  } catch (...) {
    spdlog::error("[{}] handler failed on {} {}: unknown exception", st.opts.name, req.method,
                  req.path);
  }
  return InternalError();
}

template <typename Token>
auto RunHandler(std::shared_ptr<State> st, Request& req, Token&& token) {
  return asio::async_initiate<Token, void(Response)>(
      [](auto completion, std::shared_ptr<State> st, Request* req) {
        // Keeps the io_context from running out of work while the pool is busy.
        auto back = asio::prefer(asio::get_associated_executor(completion),
                                 asio::execution::outstanding_work.tracked);
        asio::post(st->pool, [completion = std::move(completion), back = std::move(back), st,
                              req]() mutable {
          Response res = CallHandler(*st, *req);
          asio::post(back, [completion = std::move(completion), res = std::move(res)]() mutable {
            completion(std::move(res));
          });
        });
      },
      token, std::move(st), &req);
}

// ---------------------------------------------------------------------------
// Writing

bool BodyForbidden(int status) { return status == 204 || status == 304; }

void AppendDecimal(std::string& out, uint64_t v) {
  char buf[24];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, static_cast<size_t>(buf + sizeof buf - p));
}

// The status line and header fields of res, up to the empty line, into out.
// Handler headers pass SafeHeader; framing (Content-Length, Connection) is
// the server's business; Server and Date are added unless the handler set
// them. No Content-Length when content_length is negative (204, 304).
void BuildHead(const State& st, const Response& res, unsigned version, bool keep_alive,
               int64_t content_length, std::string& out) {
  out.clear();
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10 % 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
  out += ' ';
  AppendDecimal(out, static_cast<uint64_t>(res.status));
  out += ' ';
  const beast::string_view reason =
      bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(res.status)));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  if (res.header_block) out += *res.header_block;
  bool has_server = false, has_date = false;
  for (const auto& [name, value] : res.headers) {
    if (!SafeHeader(name, value)) {
      spdlog::warn("[{}] dropped a response header with unsafe characters", st.opts.name);
      continue;
    }
    if (IEquals(name, "content-length") || IEquals(name, "transfer-encoding") ||
        IEquals(name, "connection")) {
      continue;
    }
    has_server = has_server || IEquals(name, "server");
    has_date = has_date || IEquals(name, "date");
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!has_server) out += "Server: zhanqun\r\n";
  if (!has_date) {
    out += "Date: ";
    out += DateNow();
    out += "\r\n";
  }
  if (content_length >= 0) {
    out += "Content-Length: ";
    AppendDecimal(out, static_cast<uint64_t>(content_length));
    out += "\r\n";
  }
  // As Beast's keep_alive(): HTTP/1.1 persists unless told, 1.0 only if told.
  if (version >= 11 && !keep_alive) out += "Connection: close\r\n";
  if (version < 11 && keep_alive) out += "Connection: keep-alive\r\n";
  out += "\r\n";
}

// Writes head, then bytes [offset, offset + length) of file, a piece at a
// time; the first piece goes out with the head in one write.
asio::awaitable<beast::error_code> WriteFile(const State& st, beast::tcp_stream& stream,
                                             const std::string& head, const OpenFile& file,
                                             int64_t offset, int64_t length) {
  std::vector<char> buf(static_cast<size_t>(std::min<int64_t>(length, kFileChunkBytes)));
  beast::error_code ec;
  bool first = true;
  while (first || length > 0) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(length, kFileChunkBytes));
    size_t got = 0;
    while (got < want) {
      ssize_t n = ::pread(file.fd(), buf.data() + got, want - got,
                          static_cast<off_t>(offset + static_cast<int64_t>(got)));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    if (got < want) {
      // Truncated under us: the promised length cannot be kept.
      spdlog::warn("[{}] file ended early while sending it", st.opts.name);
      co_return beast::errc::make_error_code(beast::errc::io_error);
    }
    std::array<asio::const_buffer, 2> bufs{first ? asio::buffer(head) : asio::const_buffer{},
                                           asio::buffer(buf.data(), got)};
    co_await asio::async_write(stream, bufs, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
    first = false;
    offset += static_cast<int64_t>(got);
    length -= static_cast<int64_t>(got);
  }
  co_return ec;
}

// head is the connection's buffer for the status line and headers, reused
// from one response to the next. The whole response must be written within
// timeout.
asio::awaitable<beast::error_code> WriteResponse(const State& st, beast::tcp_stream& stream,
                                                 Response& res, unsigned version, bool keep_alive,
                                                 bool head_only, milliseconds timeout,
                                                 std::string& head) {
  if (res.status < 200 || res.status > 999) {
    spdlog::error("[{}] handler returned status {}", st.opts.name, res.status);
    res = InternalError();
  }
  const bool no_body = BodyForbidden(res.status);
  std::shared_ptr<const OpenFile> file;
  int64_t offset = 0, length = 0;
  if (!no_body && res.file) {
    file = res.file;
    offset = std::max<int64_t>(0, res.file_offset);
    length = std::max<int64_t>(0, res.file_length);
  } else if (!no_body && !res.file_path.empty()) {
    struct stat sb {};
    file = OpenFile::Open(res.file_path, &sb);
    if (file) {
      length = sb.st_size;
    } else {
      spdlog::warn("[{}] cannot open {}: {}", st.opts.name, res.file_path, std::strerror(errno));
      res = FileNotFound();
    }
  }
  const std::string_view body = no_body || file ? std::string_view{} : res.Body();
  const int64_t content_length = no_body ? -1 : file ? length : static_cast<int64_t>(body.size());
  BuildHead(st, res, version, keep_alive, content_length, head);

  beast::error_code ec;
  stream.expires_after(timeout);
  if (head_only || no_body) {
    co_await asio::async_write(stream, asio::buffer(head),
                               asio::redirect_error(asio::use_awaitable, ec));
  } else if (file) {
    ec = co_await WriteFile(st, stream, head, *file, offset, length);
  } else {
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head),
                                           asio::buffer(body.data(), body.size())};
    co_await asio::async_write(stream, bufs, asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return ec;
}

// Half-closes, then reads and discards what the client still sends, bounded
// in time and bytes, so the response is not lost to a reset.
asio::awaitable<void> LingerClose(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  stream.expires_after(kLingerTime);
  std::array<char, 8192> sink;
  size_t total = 0;
  while (total < kLingerMaxBytes) {
    size_t n = co_await stream.async_read_some(asio::buffer(sink),
                                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    total += n;
  }
}

enum class Next { kKeepAlive, kClose, kAbort };

// Sends a server-made error and ends the connection.
asio::awaitable<Next> Reject(const State& st, beast::tcp_stream& stream, Response res,
                             unsigned version) {
  std::string head;
  beast::error_code ec = co_await WriteResponse(st, stream, res, version, /*keep_alive=*/false,
                                                /*head_only=*/false, st.opts.write_timeout, head);
  if (!ec) co_await LingerClose(stream);
  co_return Next::kAbort;
}

// ---------------------------------------------------------------------------
// Reading one request

// Fills the transport-neutral parts of req from the header. False when the
// target cannot be decoded.
bool FillRequest(const bhttp::request_header<>& h, Request& req) {
  req.method = SV(h.method_string());
  req.target = SV(h.target());
  std::string_view t = req.target;
  // absolute-form (RFC 9112 3.2.2): keep only the path and query.
  if (IStartsWith(t, "http://") || IStartsWith(t, "https://")) {
    t.remove_prefix(t.find("://") + 3);
    size_t start = t.find_first_of("/?");
    t = start == std::string_view::npos ? std::string_view{} : t.substr(start);
  }
  size_t q = t.find('?');
  std::string_view raw_path = t.substr(0, q);
  std::string_view raw_query = q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
  if (raw_path.empty()) raw_path = "/";
  if (!PercentDecode(raw_path, req.path, /*plus_is_space=*/false)) return false;
  if (req.path.find('\0') != std::string::npos) return false;
  if (req.path.front() != '/' && req.path != "*") return false;
  req.query = ParseQuery(raw_query);
  req.headers.reserve(8);
  for (const auto& f : h) {
    req.headers.emplace_back(Lower(SV(f.name_string())), SV(f.value()));
  }
  return true;
}

// What to do after a failed body read.
asio::awaitable<Next> BodyFailed(const State& st, beast::tcp_stream& stream,
                                 const beast::error_code& ec, unsigned version) {
  if (ec == bhttp::error::body_limit)
    co_return co_await Reject(st, stream, PayloadTooLarge(), version);
  if (IsParseError(ec)) co_return co_await Reject(st, stream, BadRequest("body"), version);
  co_return Next::kAbort;  // timeout (Beast has closed the socket), disconnect, Stop()
}

asio::awaitable<Next> ServeOne(std::shared_ptr<State> st, beast::tcp_stream& stream,
                               beast::flat_buffer& buffer, const std::string& remote,
                               std::string& head_buf) {
  const ServerOptions& o = st->opts;
  beast::error_code ec;

  bhttp::request_parser<bhttp::empty_body> hp;
  hp.header_limit(static_cast<uint32_t>(
      std::min<size_t>(o.max_header_bytes, std::numeric_limits<uint32_t>::max())));
  // The real limit depends on the body kind and is applied below.
  hp.body_limit(std::numeric_limits<uint64_t>::max());
  co_await bhttp::async_read_header(stream, buffer, hp,
                                    asio::redirect_error(asio::use_awaitable, ec));
  if (ec == bhttp::error::header_limit)
    co_return co_await Reject(*st, stream, HeaderTooLarge(), 11);
  if (IsParseError(ec)) co_return co_await Reject(*st, stream, BadRequest(), 11);
  if (ec) co_return Next::kAbort;

  const bhttp::request_header<>& h = hp.get();
  const unsigned version = h.version();
  const bool keep_alive = hp.keep_alive();
  const bool head = h.method() == bhttp::verb::head;
  const bool expect_continue = IEquals(SV(h[bhttp::field::expect]), "100-continue");
  const bool to_file = IStartsWith(SV(h[bhttp::field::content_type]), "multipart/form-data") &&
                       !o.upload_dir.empty();
  const uint64_t limit = to_file ? o.max_upload_bytes : o.max_body_bytes;

  Request req;
  req.remote_addr = remote;
  if (!FillRequest(h, req)) co_return co_await Reject(*st, stream, BadRequest("path"), version);
  if (auto len = hp.content_length(); len && *len > limit) {
    co_return co_await Reject(*st, stream, PayloadTooLarge(), version);
  }

  TempFile upload;  // outlives the handler and the response write
  if (!hp.is_done()) {
    if (expect_continue && version >= 11) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream.expires_after(o.write_timeout);
      co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return Next::kAbort;
    }
    stream.expires_after(o.body_timeout);
    if (to_file) {
      if (!upload.Create(o.upload_dir)) {
        spdlog::error("[{}] cannot create a temporary file in {}: {}", o.name, o.upload_dir,
                      std::strerror(errno));
        co_return co_await Reject(*st, stream, InternalError(), version);
      }
      bhttp::request_parser<bhttp::file_body> fp{std::move(hp)};
      fp.body_limit(limit);
      fp.get().body().open(upload.path().c_str(), beast::file_mode::write, ec);
      if (ec) {
        spdlog::error("[{}] cannot open {}: {}", o.name, upload.path(), ec.message());
        co_return co_await Reject(*st, stream, InternalError(), version);
      }
      co_await bhttp::async_read(stream, buffer, fp, asio::redirect_error(asio::use_awaitable, ec));
      fp.get().body().close();
      if (ec) co_return co_await BodyFailed(*st, stream, ec, version);
      req.body_file = upload.path();
    } else {
      bhttp::request_parser<bhttp::string_body> sp{std::move(hp)};
      sp.body_limit(limit);
      co_await bhttp::async_read(stream, buffer, sp, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return co_await BodyFailed(*st, stream, ec, version);
      req.body = std::move(sp.get().body());
    }
  }

  Response res;
  if (o.run_inline && o.run_inline(req)) {
    res = CallHandler(*st, req);
  } else {
    res = co_await RunHandler(st, req, asio::use_awaitable);
  }
  // Only among the handler's own headers: a header block has no Connection.
  const bool close_asked = std::any_of(res.headers.begin(), res.headers.end(), [](const auto& h) {
    return IEquals(h.first, "connection") && IEquals(h.second, "close");
  });
  const bool keep = keep_alive && !st->stopping && !close_asked;
  const int status = res.status;
  ec = co_await WriteResponse(*st, stream, res, version, keep, head, o.write_timeout, head_buf);
  spdlog::debug("[{}] {} {} {} {}", o.name, remote, req.method, req.target, status);
  if (ec) co_return Next::kAbort;
  co_return keep ? Next::kKeepAlive : Next::kClose;
}

asio::awaitable<void> RunSession(std::shared_ptr<State> st, Slot slot, tcp::socket socket) {
  auto conn = std::make_shared<Conn>(std::move(socket));
  slot.Register(conn);
  // Checked after registering: a Stop() that missed this connection in its
  // sweep set the flag before sweeping.
  if (st->stopping) co_return;
  beast::tcp_stream& stream = conn->stream;
  const std::string remote = RemoteAddress(stream.socket());
  const ServerOptions& o = st->opts;
  beast::flat_buffer buffer;
  std::string head_buf;

  // The first header's deadline runs from accept, so a silent client counts too.
  stream.expires_after(o.header_timeout);
  Next next = Next::kAbort;
  for (bool first = true; !st->stopping; first = false) {
    if (!first) {
      if (buffer.size() == 0) {
        beast::error_code ec;
        stream.expires_after(o.keepalive_timeout);
        size_t n = co_await stream.async_read_some(buffer.prepare(kIdleReadBytes),
                                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        buffer.commit(n);
      }
      stream.expires_after(o.header_timeout);
    }
    next = co_await ServeOne(st, stream, buffer, remote, head_buf);
    if (next != Next::kKeepAlive) break;
  }
  if (next == Next::kClose) {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
  stream.close();
}

asio::awaitable<void> RejectBusy(std::shared_ptr<State> st, Slot slot, tcp::socket socket) {
  auto conn = std::make_shared<Conn>(std::move(socket));
  slot.Register(conn);
  if (st->stopping) co_return;
  beast::tcp_stream& stream = conn->stream;
  Response res = Unavailable();
  std::string head;
  beast::error_code ec = co_await WriteResponse(*st, stream, res, 11, /*keep_alive=*/false,
                                                /*head_only=*/false, kBusyWriteTimeout, head);
  if (!ec) co_await LingerClose(stream);
  stream.close();
}

void LogFailure(const std::string& name, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("[{}] connection failed: {}", name, ex.what());
  } catch (...) {
    spdlog::error("[{}] connection failed: unknown exception", name);
  }
}

// Runs on the first io_context; connections go to the io_contexts in turn,
// each served by its one thread from then on (as nginx's workers), so a
// connection needs no strand and the threads share no scheduler.
asio::awaitable<void> AcceptLoop(std::shared_ptr<State> st, tcp::acceptor& acceptor,
                                 std::vector<asio::io_context*> iocs) {
  const ServerOptions& o = st->opts;
  auto on_done = [name = o.name](std::exception_ptr e) { LogFailure(name, e); };
  for (size_t turn = 0;; ++turn) {
    tcp::socket socket(*iocs[turn % iocs.size()]);
    beast::error_code ec;
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (st->stopping || !acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and the like: back off instead of spinning.
      spdlog::warn("[{}] accept failed: {}", o.name, ec.message());
      asio::steady_timer pause(co_await asio::this_coro::executor, milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (st->active.load() >= o.max_connections) {
      if (st->rejecting.load() < kMaxRejecting) {
        Slot slot(st, st->rejecting);
        auto ex = socket.get_executor();
        asio::co_spawn(ex, RejectBusy(st, std::move(slot), std::move(socket)), on_done);
      }
      continue;  // else the socket's destructor closes it unanswered
    }
    Slot slot(st, st->active);
    auto ex = socket.get_executor();
    asio::co_spawn(ex, RunSession(st, std::move(slot), std::move(socket)), on_done);
  }
}

}  // namespace

// ---------------------------------------------------------------------------

struct Server::Impl {
  Impl(ServerOptions o, Handler h)
      : pool(static_cast<size_t>(std::max(1, o.worker_threads))),
        st(std::make_shared<State>(std::move(o), std::move(h), pool.get_executor())) {
    const int n = std::max(1, st->opts.io_threads);
    for (int i = 0; i < n; ++i) {
      // Hint 1: one thread runs it. Locking stays on, since the pool and
      // Stop() post to it from other threads.
      iocs.push_back(std::make_unique<asio::io_context>(1));
    }
    acceptor.emplace(*iocs.front());
  }

  ~Impl() {
    // A coroutine still pending in an io_context (only when Stop() did not
    // run to the end) may hold a socket of a later one: destroy them in
    // order, the acceptor's first, after the acceptor itself.
    acceptor.reset();
    for (auto& ioc : iocs) ioc.reset();
  }

  // Declaration order is destruction order reversed: the io_contexts go
  // before the state their pending coroutine frames still point to.
  asio::thread_pool pool;
  std::shared_ptr<State> st;
  std::vector<std::unique_ptr<asio::io_context>> iocs;  // one per io thread
  std::optional<tcp::acceptor> acceptor;                // on iocs[0]
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;

  std::mutex life_mu;
  bool started = false;  // GUARDED_BY(life_mu)
  bool stopped = false;  // GUARDED_BY(life_mu)
  std::atomic<uint16_t> port{0};

  void RunIo(asio::io_context& ioc) {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("[{}] io thread: {}", st->opts.name, e.what());
      }
    }
  }
};

Server::Server(ServerOptions opts, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(opts), std::move(handler))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.life_mu);
  const ServerOptions& o = m.st->opts;
  if (m.started || m.stopped) return Fail(Error::Internal("Server::Start called twice"));

  beast::error_code ec;
  asio::ip::address addr = asio::ip::make_address(o.address, ec);
  if (ec) return Fail(Error::Invalid("address", "监听地址不是有效的 IP 地址：" + o.address));
  const tcp::endpoint ep(addr, o.port);
  const std::string where = FormatEndpoint(addr, o.port);
  auto unavailable = [&](std::string_view step) {
    beast::error_code ignored;
    m.acceptor->close(ignored);
    return Fail(Error{Code::kUnavailable, "无法监听 " + where + "：" + ec.message(), "address",
                      std::string(step) + " " + where + ": " + ec.message()});
  };
  m.acceptor->open(ep.protocol(), ec);
  if (ec) return unavailable("open");
  m.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return unavailable("setsockopt");
  m.acceptor->bind(ep, ec);
  if (ec) return unavailable("bind");
  m.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return unavailable("listen");
  m.port = m.acceptor->local_endpoint(ec).port();

  m.started = true;
  std::vector<asio::io_context*> iocs;
  for (auto& ioc : m.iocs) iocs.push_back(ioc.get());
  asio::co_spawn(*m.iocs.front(), AcceptLoop(m.st, *m.acceptor, std::move(iocs)),
                 [name = o.name](std::exception_ptr e) { LogFailure(name, e); });
  for (auto& ioc : m.iocs) {
    m.work.push_back(asio::make_work_guard(*ioc));
    m.threads.emplace_back([&m, &ctx = *ioc] { m.RunIo(ctx); });
  }
  spdlog::info("[{}] listening on {}", o.name, FormatEndpoint(addr, m.port));
  return {};
}

uint16_t Server::port() const { return impl_->port; }

size_t Server::active_connections() const { return impl_->st->active.load(); }

void Server::Stop() {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.life_mu);
  if (!m.started || m.stopped) {
    m.stopped = true;
    return;
  }
  m.stopped = true;
  State& st = *m.st;
  st.stopping = true;

  asio::post(*m.iocs.front(), [&m] {
    beast::error_code ec;
    m.acceptor->close(ec);
  });
  std::vector<std::shared_ptr<Conn>> live;
  {
    std::lock_guard<std::mutex> conns_lock(st.mu);
    for (auto& [id, weak] : st.conns) {
      if (auto conn = weak.lock()) live.push_back(std::move(conn));
    }
  }
  for (auto& conn : live) {
    auto ex = conn->stream.get_executor();
    asio::post(ex, [conn = std::move(conn)] { conn->stream.close(); });
  }
  live.clear();

  // With every socket closed, the io threads run out of work as soon as the
  // coroutines have unwound; a session waiting on a handler finishes it,
  // fails its write and cleans up (temp files included) the normal way.
  m.work.clear();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
  beast::error_code ec;
  m.acceptor->close(ec);  // in case the posted close never ran
  m.pool.join();
  spdlog::info("[{}] stopped", st.opts.name);
}

}  // namespace zhanqun::http
