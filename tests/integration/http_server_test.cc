// Black-box tests of http::Server over loopback: libcurl where a real client
// is enough, raw sockets where the test needs exact bytes on one connection.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "http/server.h"

namespace zhanqun::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Polls cond until it holds or the deadline passes.
bool WaitFor(const std::function<bool()>& cond, milliseconds timeout = 5s) {
  const auto deadline = Clock::now() + timeout;
  while (!cond()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return {};
  }
  size_t HeaderCount(std::string_view lower_name) const {
    size_t n = 0;
    for (const auto& [k, v] : headers) n += k == lower_name;
    return n;
  }
};

// One blocking HTTP/1.1 connection with exact control over the bytes sent.
class RawConn {
 public:
  explicit RawConn(uint16_t port, const std::string& host = "127.0.0.1") {
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (host.find(':') != std::string::npos) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(port);
      if (inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1) return;
      len = sizeof(sockaddr_in6);
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(port);
      if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1) return;
      len = sizeof(sockaddr_in);
    }
    fd_ = ::socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    timeval tv{10, 0};  // a send never blocks a test forever
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) Close();
  }
  ~RawConn() { Close(); }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool connected() const { return fd_ >= 0; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads the next final response, skipping 1xx ones. head: no body follows.
  std::optional<RawResponse> Read(bool head = false, milliseconds timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      size_t end;
      while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
        if (!Fill(deadline)) return std::nullopt;
      }
      RawResponse r;
      std::string_view head_text(buf_.data(), end);
      size_t eol = head_text.find("\r\n");
      std::string_view status_line = head_text.substr(0, eol);
      if (status_line.size() < 12) return std::nullopt;
      r.status = std::stoi(std::string(status_line.substr(9, 3)));
      std::string_view rest =
          eol == std::string_view::npos ? std::string_view{} : head_text.substr(eol + 2);
      while (!rest.empty()) {
        size_t e = rest.find("\r\n");
        std::string_view line = rest.substr(0, e);
        rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e + 2);
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        r.headers.emplace_back(Lower(std::string(line.substr(0, colon))), std::string(value));
      }
      buf_.erase(0, end + 4);
      if (r.status >= 100 && r.status < 200) continue;
      if (head || r.status == 204 || r.status == 304) return r;
      std::string cl = r.Header("content-length");
      if (cl.empty()) {  // delimited by close
        while (Fill(deadline)) {
        }
        r.body = std::move(buf_);
        buf_.clear();
        return r;
      }
      size_t n = std::stoul(cl);
      while (buf_.size() < n) {
        if (!Fill(deadline)) return std::nullopt;
      }
      r.body = buf_.substr(0, n);
      buf_.erase(0, n);
      return r;
    }
  }

  // Waits for an interim "100 Continue" (and nothing else).
  bool ReadContinue(milliseconds timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    while (buf_.size() < kContinue.size()) {
      if (!Fill(deadline)) return false;
    }
    if (buf_.compare(0, kContinue.size(), kContinue) != 0) return false;
    buf_.erase(0, kContinue.size());
    return true;
  }

  // True when the server closes (EOF or reset) within timeout. Data that
  // arrives meanwhile is discarded.
  bool WaitClosed(milliseconds timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      int rc = ::poll(&p, 1, static_cast<int>(left.count()));
      if (rc < 0 && errno == EINTR) continue;
      if (rc <= 0) return false;
      char tmp[4096];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return true;
    }
  }

 private:
  bool Fill(Clock::time_point deadline) {
    for (;;) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      int rc = ::poll(&p, 1, static_cast<int>(left.count()));
      if (rc < 0 && errno == EINTR) continue;
      if (rc <= 0) return false;
      char tmp[16384];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<size_t>(n));
      return true;
    }
  }

  int fd_ = -1;
  std::string buf_;
};

std::string Get(std::string_view target, std::string_view extra = {}) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

struct CurlResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  std::string Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return {};
  }
};

size_t CurlWrite(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t CurlHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    static_cast<CurlResult*>(out)->headers.emplace_back(Lower(line.substr(0, colon)), value);
  }
  return size * n;
}

CurlResult Curl(const std::string& url, const std::function<void(CURL*)>& setup = {}) {
  CurlResult r;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CurlWrite);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CurlHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
  if (setup) setup(curl);
  r.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_cleanup(curl);
  return r;
}

// What a handler saw, copied out under a lock (handlers run on the pool).
class Recorder {
 public:
  void Record(const Request& req) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(req);
  }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }
  Request last() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.empty() ? Request{} : requests_.back();
  }

 private:
  mutable std::mutex mu_;
  std::vector<Request> requests_;  // GUARDED_BY(mu_)
};

Response Text(std::string body, int status = 200) {
  Response r;
  r.status = status;
  r.Set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }

  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "zq-http-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr) << std::strerror(errno);
    dir_ = tmpl;
    upload_dir_ = dir_ / "uploads";
    fs::create_directory(upload_dir_);
  }

  void TearDown() override {
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ServerOptions Options() {
    ServerOptions o;
    o.name = "test";
    o.upload_dir = upload_dir_.string();
    return o;
  }

  void StartServer(ServerOptions o, Handler h) {
    server_ = std::make_unique<Server>(std::move(o), std::move(h));
    Status s = server_->Start();
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_NE(server_->port(), 0);
  }

  // A handler that records the request and answers "ok".
  Handler Recording() {
    return [this](Request& req) {
      recorder_.Record(req);
      return Text("ok");
    };
  }

  std::string Url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(target);
  }
  uint16_t port() const { return server_->port(); }

  bool UploadDirEmpty() const { return fs::is_empty(upload_dir_); }

  fs::path dir_;
  fs::path upload_dir_;
  Recorder recorder_;
  std::unique_ptr<Server> server_;
};

bool IsJsonError(const std::string& body, std::string_view code) {
  return body.find(R"({"error":{"code":")" + std::string(code) + "\"") == 0;
}

// ---------------------------------------------------------------------------

TEST_F(HttpServerTest, GetDecodesChinesePathAndQuery) {
  StartServer(Options(), Recording());
  curl_slist* hdrs = curl_slist_append(nullptr, "X-Mixed-Case: Yes");
  CurlResult r = Curl(Url("/%E7%AB%99%E7%82%B9/%E4%B8%AD%E6%96%87?q=%E4%B8%AD+%E6%96%87&page=2"),
                      [&](CURL* c) { curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs); });
  curl_slist_free_all(hdrs);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.Header("server"), "zhanqun");
  EXPECT_FALSE(r.Header("date").empty());
  EXPECT_EQ(r.Header("content-length"), "2");

  ASSERT_EQ(recorder_.count(), 1u);
  Request req = recorder_.last();
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.path, "/站点/中文");
  EXPECT_EQ(req.target, "/%E7%AB%99%E7%82%B9/%E4%B8%AD%E6%96%87?q=%E4%B8%AD+%E6%96%87&page=2");
  EXPECT_EQ(req.Query("q"), "中 文");
  EXPECT_EQ(req.Query("page"), "2");
  EXPECT_EQ(req.Header("x-mixed-case"), "Yes");
  for (const auto& [name, value] : req.headers) EXPECT_EQ(name, Lower(name));
  EXPECT_EQ(req.remote_addr, "127.0.0.1");
  EXPECT_TRUE(req.body.empty());
  EXPECT_TRUE(req.body_file.empty());
}

TEST_F(HttpServerTest, MalformedPercentEscapeInPathIs400) {
  StartServer(Options(), Recording());
  RawConn c(port());
  ASSERT_TRUE(c.Send(Get("/a%zz")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(IsJsonError(r->body, "bad_request")) << r->body;
  EXPECT_EQ(r->Header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(HttpServerTest, HandlerHeadersKeptAndServerHeaderAddedOnlyIfAbsent) {
  StartServer(Options(), [](Request&) {
    Response r = Text("x");
    r.Set("Server", "custom");
    r.Set("Set-Cookie", "a=1");
    r.Set("Set-Cookie", "b=2");
    r.Set("X-Evil", "a\r\nInjected: yes");
    return r;
  });
  RawConn c(port());
  ASSERT_TRUE(c.Send(Get("/")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("server"), "custom");
  EXPECT_EQ(r->HeaderCount("server"), 1u);
  EXPECT_EQ(r->HeaderCount("set-cookie"), 2u);
  EXPECT_EQ(r->HeaderCount("injected"), 0u);
  EXPECT_EQ(r->HeaderCount("x-evil"), 0u);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer(Options(), [this](Request& req) {
    recorder_.Record(req);
    return Text(req.path);
  });
  RawConn c(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(Get("/r" + std::to_string(i))));
    auto r = c.Read();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "/r" + std::to_string(i));
  }
  // Pipelined: both requests in one write, answered in order.
  ASSERT_TRUE(c.Send(Get("/p1") + Get("/p2")));
  auto p1 = c.Read();
  auto p2 = c.Read();
  ASSERT_TRUE(p1 && p2);
  EXPECT_EQ(p1->body, "/p1");
  EXPECT_EQ(p2->body, "/p2");
  EXPECT_EQ(server_->active_connections(), 1u);
  EXPECT_EQ(recorder_.count(), 5u);

  // Connection: close is honoured.
  ASSERT_TRUE(c.Send(Get("/last", "Connection: close\r\n")));
  auto last = c.Read();
  ASSERT_TRUE(last);
  EXPECT_EQ(Lower(last->Header("connection")), "close");
  EXPECT_TRUE(c.WaitClosed());
}

TEST_F(HttpServerTest, Http10WithoutKeepAliveIsClosedAfterResponse) {
  StartServer(Options(), Recording());
  RawConn c(port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.0\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");
  EXPECT_TRUE(c.WaitClosed());
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionClosedAfterKeepaliveTimeout) {
  ServerOptions o = Options();
  o.keepalive_timeout = 300ms;
  StartServer(o, Recording());
  RawConn c(port());
  ASSERT_TRUE(c.Send(Get("/")));
  ASSERT_TRUE(c.Read());
  EXPECT_TRUE(c.WaitClosed(3s));
  EXPECT_TRUE(WaitFor([&] { return server_->active_connections() == 0; }));
}

TEST_F(HttpServerTest, PostJsonBodyReachesHandler) {
  StartServer(Options(), [this](Request& req) {
    recorder_.Record(req);
    return Text(req.body);
  });
  const std::string json = R"({"name":"实验小学","sites":[1,2,3]})";
  curl_slist* hdrs = curl_slist_append(nullptr, "Content-Type: application/json");
  CurlResult r = Curl(Url("/api/v1/sites"), [&](CURL* c) {
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json.c_str());
  });
  curl_slist_free_all(hdrs);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, json);
  Request req = recorder_.last();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.body, json);
  EXPECT_EQ(req.Header("content-type"), "application/json");
  EXPECT_TRUE(req.body_file.empty());
}

TEST_F(HttpServerTest, ChunkedBodyIsReassembled) {
  StartServer(Options(), [](Request& req) { return Text(req.body); });
  RawConn c(port());
  ASSERT_TRUE(
      c.Send("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello world");
}

TEST_F(HttpServerTest, ExpectContinueGets100ThenFinalResponse) {
  StartServer(Options(), [](Request& req) { return Text(req.body); });
  RawConn c(port());
  ASSERT_TRUE(
      c.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
             "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
  ASSERT_TRUE(c.ReadContinue());
  ASSERT_TRUE(c.Send("{}"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{}");
}

TEST_F(HttpServerTest, HeaderOverLimitIs431) {
  ServerOptions o = Options();
  o.max_header_bytes = 1024;
  StartServer(o, Recording());
  RawConn c(port());
  ASSERT_TRUE(c.Send(Get("/", "X-Big: " + std::string(4000, 'a') + "\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(r->Header("content-type"), "application/json; charset=utf-8");
  EXPECT_TRUE(IsJsonError(r->body, "header_too_large")) << r->body;
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(HttpServerTest, BodyOverLimitIs413AndHandlerNotCalled) {
  ServerOptions o = Options();
  o.max_body_bytes = 1024;
  StartServer(o, Recording());
  {
    // Declared length over the limit: refused before reading the body.
    RawConn c(port());
    ASSERT_TRUE(
        c.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
               "Content-Length: 4096\r\n\r\n" +
               std::string(4096, 'x')));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->body,
              R"({"error":{"code":"payload_too_large","message":"请求体过大","field":"body"}})");
    EXPECT_TRUE(c.WaitClosed());
  }
  {
    // Chunked: caught while reading.
    RawConn c(port());
    std::string chunk(800, 'y');
    ASSERT_TRUE(
        c.Send("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
               "320\r\n" +
               chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_TRUE(IsJsonError(r->body, "payload_too_large")) << r->body;
  }
  {
    // With Expect: 100-continue the refusal comes instead of the 100.
    RawConn c(port());
    ASSERT_TRUE(
        c.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n"
               "Expect: 100-continue\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(HttpServerTest, MultipartUploadStreamsToTempFileRemovedAfterResponse) {
  std::mutex mu;
  std::string seen_file;
  uintmax_t seen_size = 0;
  std::string seen_length;
  bool body_empty = false;
  StartServer(Options(), [&](Request& req) {
    std::lock_guard<std::mutex> lock(mu);
    seen_file = req.body_file;
    std::error_code ec;
    seen_size = fs::file_size(req.body_file, ec);
    seen_length = std::string(req.Header("content-length"));
    body_empty = req.body.empty();
    return Text("stored");
  });

  std::string data(5 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251);
  curl_mime* mime = nullptr;
  CurlResult r = Curl(Url("/api/v1/media"), [&](CURL* c) {
    mime = curl_mime_init(c);
    curl_mimepart* part = curl_mime_addpart(mime);
    curl_mime_name(part, "file");
    curl_mime_filename(part, "照片.jpg");
    curl_mime_type(part, "image/jpeg");
    curl_mime_data(part, data.data(), data.size());
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
  });
  curl_mime_free(mime);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "stored");

  std::lock_guard<std::mutex> lock(mu);
  ASSERT_FALSE(seen_file.empty());
  EXPECT_TRUE(body_empty);
  EXPECT_EQ(fs::path(seen_file).parent_path(), upload_dir_);
  ASSERT_FALSE(seen_length.empty());
  EXPECT_EQ(seen_size, std::stoull(seen_length));
  EXPECT_GT(seen_size, data.size());
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(seen_file); })) << seen_file;
}

TEST_F(HttpServerTest, MultipartOverUploadLimitIs413AndLeavesNoTempFile) {
  ServerOptions o = Options();
  o.max_upload_bytes = 256 * 1024;
  StartServer(o, Recording());
  {
    RawConn c(port());
    ASSERT_TRUE(
        c.Send("POST /up HTTP/1.1\r\nHost: t\r\n"
               "Content-Type: multipart/form-data; boundary=zz\r\n"
               "Content-Length: 10000000\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  {
    // Chunked, so the server has a temp file open when the limit trips.
    RawConn c(port());
    ASSERT_TRUE(
        c.Send("POST /up HTTP/1.1\r\nHost: t\r\n"
               "Content-Type: Multipart/Form-Data; boundary=zz\r\n"
               "Transfer-Encoding: chunked\r\n\r\n"));
    std::string chunk = "10000\r\n" + std::string(0x10000, 'z') + "\r\n";
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(c.Send(chunk));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  EXPECT_EQ(recorder_.count(), 0u);
  EXPECT_TRUE(WaitFor([&] { return UploadDirEmpty(); }));
}

TEST_F(HttpServerTest, SlowHeaderClientCutOffAfterHeaderTimeout) {
  ServerOptions o = Options();
  o.header_timeout = 1s;
  StartServer(o, Recording());
  const auto start = Clock::now();
  RawConn c(port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: t\r\nX-Drip: "));
  bool closed = false;
  // One byte every 200 ms; the server must hang up although bytes keep coming.
  while (!closed && Clock::now() - start < 5s) {
    if (!c.Send("a")) {
      closed = true;
      break;
    }
    closed = c.WaitClosed(200ms);
  }
  const auto elapsed = Clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_EQ(recorder_.count(), 0u);
  EXPECT_TRUE(WaitFor([&] { return server_->active_connections() == 0; }));
}

TEST_F(HttpServerTest, ConnectionsOverCapGet503) {
  ServerOptions o = Options();
  o.max_connections = 2;
  StartServer(o, Recording());
  auto c1 = std::make_unique<RawConn>(port());
  RawConn c2(port());
  ASSERT_TRUE(WaitFor([&] { return server_->active_connections() == 2; }));

  RawConn c3(port());
  auto busy = c3.Read();
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);
  EXPECT_TRUE(IsJsonError(busy->body, "unavailable")) << busy->body;
  EXPECT_TRUE(c3.WaitClosed());
  EXPECT_EQ(server_->active_connections(), 2u);

  // A freed slot is usable again.
  c1.reset();
  ASSERT_TRUE(WaitFor([&] { return server_->active_connections() == 1; }));
  RawConn c4(port());
  ASSERT_TRUE(c4.Send(Get("/")));
  auto ok = c4.Read();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, HandlerExceptionIs500WithoutItsText) {
  StartServer(Options(), [](Request& req) -> Response {
    if (req.path == "/boom") throw std::runtime_error("secret-dsn postgres://u:p@db");
    return Text("fine");
  });
  RawConn c(port());
  ASSERT_TRUE(c.Send(Get("/boom")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->Header("content-type"), "application/json; charset=utf-8");
  EXPECT_TRUE(IsJsonError(r->body, "internal")) << r->body;
  EXPECT_EQ(r->body.find("secret"), std::string::npos);
  // The connection survives a handler failure.
  ASSERT_TRUE(c.Send(Get("/ok")));
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "fine");
}

TEST_F(HttpServerTest, SlowHandlerDoesNotBlockOtherConnections) {
  ServerOptions o = Options();
  o.io_threads = 1;
  o.worker_threads = 2;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  StartServer(o, [released](Request& req) {
    if (req.path == "/slow") released.wait_for(10s);
    return Text(req.path);
  });
  RawConn slow(port());
  ASSERT_TRUE(slow.Send(Get("/slow")));
  RawConn fast(port());
  ASSERT_TRUE(fast.Send(Get("/fast")));
  auto f = fast.Read();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->body, "/fast");
  release.set_value();
  auto s = slow.Read();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->body, "/slow");
}

TEST_F(HttpServerTest, FilePathResponseStreamsFile) {
  const fs::path file = dir_ / "page.html";
  std::string content;
  for (int i = 0; i < 30000; ++i) content += "<p>第" + std::to_string(i) + "段</p>\n";
  std::ofstream(file, std::ios::binary) << content;
  StartServer(Options(), [&](Request& req) {
    Response r;
    r.Set("Content-Type", "text/html; charset=utf-8");
    r.file_path = req.path == "/page" ? file.string() : (dir_ / "missing.html").string();
    return r;
  });
  CurlResult r = Curl(Url("/page"));
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-length"), std::to_string(content.size()));
  EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_TRUE(r.body == content);

  CurlResult missing = Curl(Url("/missing"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(IsJsonError(missing.body, "not_found")) << missing.body;
}

TEST_F(HttpServerTest, HeadSendsHeadersWithoutBody) {
  StartServer(Options(), [](Request&) { return Text("hello world"); });
  RawConn c(port());
  ASSERT_TRUE(c.Send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto h = c.Read(/*head=*/true);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->Header("content-length"), "11");
  // Had a body been sent, it would be read here as the next response.
  ASSERT_TRUE(c.Send(Get("/")));
  auto g = c.Read();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 200);
  EXPECT_EQ(g->body, "hello world");
}

TEST_F(HttpServerTest, SharedBodyAndHeaderBlockAreWrittenAsTheyAre) {
  auto body = std::make_shared<const std::string>("shared bytes");
  std::string block;
  ASSERT_TRUE(AppendHeaderLine(block, "Content-Type", "text/plain; charset=utf-8"));
  ASSERT_TRUE(AppendHeaderLine(block, "ETag", "\"abc\""));
  auto head = std::make_shared<const std::string>(block);
  StartServer(Options(), [&](Request& req) {
    Response r;
    r.header_block = head;
    r.shared_body = body;
    r.body = "ignored";
    if (req.path == "/304") r.status = 304;
    r.Set("X-Extra", "1");
    return r;
  });
  RawConn c(port());
  ASSERT_TRUE(c.Send(Get("/")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "shared bytes");
  EXPECT_EQ(r->Header("content-length"), "12");
  EXPECT_EQ(r->Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r->Header("etag"), "\"abc\"");
  EXPECT_EQ(r->Header("x-extra"), "1");
  EXPECT_EQ(r->HeaderCount("server"), 1u);
  EXPECT_EQ(r->HeaderCount("date"), 1u);

  // HEAD: the same Content-Length, no body (the next response would show it).
  ASSERT_TRUE(c.Send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto h = c.Read(/*head=*/true);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->Header("content-length"), "12");
  // 304: no body and no Content-Length.
  ASSERT_TRUE(c.Send(Get("/304")));
  auto nm = c.Read();
  ASSERT_TRUE(nm);
  EXPECT_EQ(nm->status, 304);
  EXPECT_EQ(nm->HeaderCount("content-length"), 0u);
  EXPECT_EQ(nm->Header("etag"), "\"abc\"");
  ASSERT_TRUE(c.Send(Get("/")));
  auto again = c.Read();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "shared bytes");
}

TEST_F(HttpServerTest, HeaderBlockRefusesUnsafeAndFramingHeaders) {
  std::string block;
  EXPECT_FALSE(AppendHeaderLine(block, "X-Evil", "a\r\nInjected: yes"));
  EXPECT_FALSE(AppendHeaderLine(block, "Bad Name", "x"));
  EXPECT_FALSE(AppendHeaderLine(block, "", "x"));
  for (std::string own : {"Content-Length", "transfer-encoding", "Connection", "Date", "Server"}) {
    EXPECT_FALSE(AppendHeaderLine(block, own, "1")) << own;
  }
  EXPECT_TRUE(block.empty());
  EXPECT_TRUE(AppendHeaderLine(block, "Cache-Control", "no-cache"));
  EXPECT_EQ(block, "Cache-Control: no-cache\r\n");

  Response r;
  r.header_block = std::make_shared<const std::string>(block);
  r.Set("Vary", "Cookie");
  EXPECT_EQ(r.Get("cache-control"), "no-cache");
  EXPECT_EQ(r.Get("VARY"), "Cookie");
  EXPECT_EQ(r.Get("etag"), "");
}

TEST_F(HttpServerTest, OpenFileSliceIsStreamed) {
  const fs::path file = dir_ / "big.bin";
  std::string content;
  for (int i = 0; i < 200000; ++i) content += static_cast<char>('a' + i % 26);
  std::ofstream(file, std::ios::binary) << content;
  StartServer(Options(), [&](Request& req) {
    Response r;
    r.file = OpenFile::Open(file.string());
    r.file_offset = req.path == "/slice" ? 70000 : 0;
    r.file_length = req.path == "/slice" ? 100000 : static_cast<int64_t>(content.size());
    return r;
  });
  RawConn c(port());
  ASSERT_TRUE(c.Send(Get("/slice")));
  auto slice = c.Read();
  ASSERT_TRUE(slice);
  EXPECT_EQ(slice->Header("content-length"), "100000");
  EXPECT_TRUE(slice->body == content.substr(70000, 100000));
  ASSERT_TRUE(c.Send(Get("/all")));
  auto all = c.Read();
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->body == content);
  EXPECT_EQ(OpenFile::Open((dir_ / "missing").string()), nullptr);
  EXPECT_EQ(OpenFile::Open(dir_.string()), nullptr) << "a directory is no file";
}

TEST_F(HttpServerTest, Http10KeepAliveIsAnsweredInKindAndKept) {
  StartServer(Options(), Recording());
  RawConn c(port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(Lower(r->Header("connection")), "keep-alive");
  ASSERT_TRUE(c.Send("GET /2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto second = c.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "ok");
  EXPECT_EQ(recorder_.count(), 2u);
}

TEST_F(HttpServerTest, StartOnBoundPortReturnsUnavailable) {
  StartServer(Options(), Recording());
  ServerOptions o = Options();
  o.port = port();
  Server second(o, Recording());
  Status s = second.Start();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Code::kUnavailable);
  EXPECT_NE(s.error().message.find("127.0.0.1:" + std::to_string(port())), std::string::npos)
      << s.error().message;
  // The first server is unaffected.
  EXPECT_EQ(Curl(Url("/")).status, 200);
}

TEST_F(HttpServerTest, StartWithInvalidAddressReturnsInvalidArgument) {
  ServerOptions o = Options();
  o.address = "not-an-ip";
  Server s(o, Recording());
  Status st = s.Start();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Code::kInvalidArgument);
  EXPECT_EQ(st.error().field, "address");
}

TEST_F(HttpServerTest, StopWithConnectedClientsReturnsPromptly) {
  StartServer(Options(), Recording());  // default timeouts: 10 s header, 30 s keep-alive
  RawConn idle(port());
  RawConn half(port());
  ASSERT_TRUE(half.Send("GET / HTTP/1.1\r\nHost: t\r\n"));
  RawConn kept(port());
  ASSERT_TRUE(kept.Send(Get("/")));
  ASSERT_TRUE(kept.Read());
  ASSERT_TRUE(WaitFor([&] { return server_->active_connections() == 3; }));

  const auto start = Clock::now();
  server_->Stop();
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(server_->active_connections(), 0u);
  EXPECT_TRUE(idle.WaitClosed(1s));
  EXPECT_TRUE(half.WaitClosed(1s));
  EXPECT_TRUE(kept.WaitClosed(1s));
  server_->Stop();  // idempotent

  RawConn after(port());
  EXPECT_FALSE(after.connected());
}

TEST_F(HttpServerTest, Ipv6LoopbackServes) {
  ServerOptions o = Options();
  o.address = "::1";
  server_ = std::make_unique<Server>(o, Recording());
  if (Status s = server_->Start(); !s) GTEST_SKIP() << "no IPv6 loopback: " << s.error().message;
  RawConn c(port(), "::1");
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(Get("/v6")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(recorder_.last().remote_addr, "::1");
}

}  // namespace
}  // namespace zhanqun::http
