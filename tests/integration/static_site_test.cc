// The public side, black box: a published tree in a temporary directory,
// served by StaticSites on a real http::Server and, when nginx is installed,
// by nginx with the configuration NginxConf generates. The PublicSites suite
// runs one contract against both; StaticSiteTest covers what only the
// built-in listener does (or does differently).
#include "http/static_site.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "http/nginx_conf.h"
#include "http/server.h"
#include "support/subprocess.h"
#include "support/test_env.h"

namespace zhanqun::http {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using testing::TempDir;

constexpr const char* kNginx = "/usr/sbin/nginx";
constexpr size_t kCacheMaxFile = 64 * 1024;
constexpr size_t kBigSize = (1 << 20) + 17;
// Over the 8 MiB up to which ranges used to be read into memory.
constexpr size_t kHugeSize = (9 << 20) + 3;
constexpr const char* kHashedMedia =
    "/_media/ab/ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12.png";

// ---------------------------------------------------------------------------
// HTTP client: libcurl with the target sent exactly as written (no dot-segment
// removal) and every response header kept.

struct Reply {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  std::string Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return {};
  }
  size_t Count(std::string_view lower_name) const {
    size_t n = 0;
    for (const auto& [k, v] : headers) n += k == lower_name;
    return n;
  }
  bool Has(std::string_view lower_name) const { return Count(lower_name) > 0; }
};

size_t OnBody(char* p, size_t size, size_t n, void* user) {
  static_cast<Reply*>(user)->body.append(p, size * n);
  return size * n;
}

size_t OnHeader(char* p, size_t size, size_t n, void* user) {
  auto* r = static_cast<Reply*>(user);
  std::string line(p, size * n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    r->headers.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r->headers.emplace_back(std::move(name), std::move(value));
  }
  return size * n;
}

// host "" sends no Host header at all.
Reply Fetch(uint16_t port, const std::string& host, const std::string& target,
            const std::vector<std::string>& headers = {}, const std::string& method = "GET") {
  Reply r;
  CURL* curl = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + target;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  curl_slist* list = nullptr;
  list = curl_slist_append(list, ("Host:" + (host.empty() ? "" : " " + host)).c_str());
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

// A Location that stays on the site: "/x", never "//x" or "/\x".
bool SameSiteLocation(const std::string& loc) {
  return !loc.empty() && loc[0] == '/' && (loc.size() == 1 || (loc[1] != '/' && loc[1] != '\\')) &&
         loc.find_first_of("\r\n") == std::string::npos;
}

// ---------------------------------------------------------------------------
// The published tree

void Write(const fs::path& p, std::string_view content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

std::string RandomContent(size_t size, unsigned seed) {
  std::string s(size, '\0');
  std::mt19937 gen(seed);
  for (char& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

std::string BigContent() { return RandomContent(kBigSize, 42); }

const std::string& HugeContent() {
  static const std::string content = RandomContent(kHugeSize, 7);
  return content;
}

// publish/alpha: a full site; publish/beta: no 404.html. outside/ holds what
// must never be served.
void BuildTree(const fs::path& base) {
  Write(base / "outside/secret.txt", "TOP-SECRET outside the root");
  const fs::path a = base / "publish/alpha";
  Write(a / "index.html", "<!DOCTYPE html><title>alpha</title><h1>alpha home</h1>");
  Write(a / "404.html", "<!DOCTYPE html><title>404</title><h1>alpha 404</h1>");
  Write(a / "news/index.html", "<h1>alpha news</h1>");
  Write(a / "news/2.html", "<h1>alpha news page 2</h1>");
  Write(a / "news/rss.xml", "<?xml version=\"1.0\"?><rss version=\"2.0\"></rss>");
  Write(a / "news/.hidden", "hidden");
  Write(a / "a/1.html", "<h1>article 1</h1>");
  Write(a / "data.txt", "0123456789");
  Write(a / "sitemap.xml", "<?xml version=\"1.0\"?><urlset/>");
  Write(a / "data.json", "{}");
  Write(a / "app.js", "void 0;");
  Write(a / "doc.pdf", "%PDF-1.4");
  Write(a / "file.docx", "PK");
  Write(a / "img.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
  Write(a / "favicon.ico", "ico");
  Write(a / "font.woff2", "wOF2");
  Write(a / "clip.mp4", "mp4");
  Write(a / "song.mp3", "mp3");
  Write(a / "pic.webp", "webp");
  Write(a / "pic.jpeg", "jpeg");
  Write(a / "blob.xyz", "xyz");
  Write(a / "archive.tar.gz", "\x1f\x8b not really");
  Write(a / "page.html", "IDENTITY-VARIANT");
  Write(a / "page.html.br", "BR-VARIANT");
  Write(a / "page.html.gz", "GZ-VARIANT");
  Write(a / "big.bin", BigContent());
  Write(a / "huge.bin", HugeContent());
  Write(a / ".env", "SECRET=1");
  Write(a / ".well-known/security.txt", "Contact: mailto:security@alpha.test\n");
  Write(a / ".well-known/acme-challenge/tok-123", "tok-123.thumbprint");
  Write(a / ".well-known/.secret", "WELL-KNOWN-DOTFILE");
  Write(a / "news/.well-known/x.txt", "NESTED-WELL-KNOWN");
  Write(a / ".git/config", "[core]");
  Write(a / "manifest.json", "{\"files\":{}}");
  Write(a / "api/v1/sites", "must never be served");
  Write(a / "_theme/qingsong/style.css", "body{margin:0}");
  Write(a / "_theme/qingsong/style.3f2a9c1b.css", "body{margin:0}");
  Write(a / "_theme/qingsong/mode-large.css", "/*large*/html{font-size:125%}");
  Write(a / "_theme/qingsong/mode-contrast.css", "/*contrast*/body{background:#000}");
  Write(a.string() + kHashedMedia, "png");
  Write(a / "_media/logo.png", "png");
  fs::create_symlink("../../outside/secret.txt", a / "link-out");
  fs::create_symlink("../../outside", a / "linkdir-out");
  fs::create_symlink("index.html", a / "link-in");

  // As the publisher lays it out: the site root is a symlink to a version.
  const fs::path b = base / "publish/.versions/beta/1";
  Write(b / "index.html", "<h1>beta home</h1>");
  fs::create_directory_symlink(".versions/beta/1", base / "publish/beta");
}

uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

bool CanConnect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A minimal nginx.conf around the generated one, with every path nginx
// writes inside dir.
std::string WrapForNginx(const std::string& dir) {
  std::string conf = "pid " + dir + "/nginx.pid;\nerror_log " + dir + "/error.log;\n";
  conf += "events { worker_connections 256; }\nhttp {\n";
  conf += "    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n";
  conf += "    access_log off;\n";
  for (std::string temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    conf += "    " + temp + "_temp_path " + dir + "/" + temp + ";\n";
  }
  conf += "    include " + dir + "/zhanqun.conf;\n}\n";
  return conf;
}

// Runs `nginx -t`; returns its output, and whether it passed in *ok.
std::string NginxTest(const std::string& dir, bool* ok) {
  std::string out;
  int rc = zhanqun::testing::Run(
      {kNginx, "-t", "-p", dir, "-e", dir + "/error.log", "-c", dir + "/nginx.conf"}, &out);
  *ok = rc == 0 && out.find("test is successful") != std::string::npos;
  return out;
}

// ---------------------------------------------------------------------------
// One published tree, the built-in listener and (when installed) nginx,
// shared by the tests of a suite.

struct Env {
  TempDir dir;
  std::string alpha_root, beta_root;
  std::unique_ptr<StaticSites> sites;
  std::unique_ptr<Server> server;
  uint16_t port = 0;

  bool nginx_installed = false;
  std::string nginx_error;  // why nginx is not running although installed
  std::unique_ptr<zhanqun::testing::Subprocess> nginx;
  uint16_t nginx_port = 0;

  Env() {
    BuildTree(dir.path());
    alpha_root = dir.path() + "/publish/alpha";
    beta_root = dir.path() + "/publish/beta";

    StaticSites::Options o;
    o.cache_max_file_bytes = kCacheMaxFile;
    sites = std::make_unique<StaticSites>(o);
    SiteRoute alpha{"alpha", alpha_root, "qingsong"};
    SiteRoute beta{"beta", beta_root, "qingsong"};
    sites->SetRoutes({{"alpha.test", alpha}, {"www.alpha.test", alpha}, {"beta.test", beta}});
    sites->search_handler = [](const SiteRoute& site, Request& req) {
      Response r;
      r.Set("Content-Type", "text/html; charset=utf-8");
      r.body = "search " + site.code + ": " + req.Query("q");
      return r;
    };
    ServerOptions so;
    so.name = "public-test";
    so.worker_threads = 4;
    server = std::make_unique<Server>(so, [this](Request& req) { return sites->Handle(req); });
    auto st = server->Start();
    if (!st) std::abort();
    port = server->port();

    nginx_installed = fs::exists(kNginx);
    if (nginx_installed) StartNginx();
  }

  ~Env() {
    nginx.reset();
    server->Stop();
  }

  void StartNginx() {
    const std::string nd = dir.path() + "/nginx";
    fs::create_directories(nd);
    nginx_port = FreePort();
    NginxOptions no;
    no.listen = "127.0.0.1:" + std::to_string(nginx_port);
    no.upstream = "127.0.0.1:" + std::to_string(port);
    auto conf = NginxConf({{"alpha", {"alpha.test", "www.alpha.test"}, alpha_root, "qingsong"},
                           {"beta", {"beta.test"}, beta_root, "qingsong"}},
                          no);
    if (!conf) {
      nginx_error = "NginxConf: " + conf.error().message;
      return;
    }
    Write(nd + "/zhanqun.conf", *conf);
    Write(nd + "/nginx.conf", WrapForNginx(nd));
    bool ok = false;
    std::string out = NginxTest(nd, &ok);
    if (!ok) {
      nginx_error = "nginx -t failed:\n" + out;
      return;
    }
    nginx = std::make_unique<zhanqun::testing::Subprocess>(
        std::vector<std::string>{kNginx, "-p", nd, "-e", nd + "/error.log", "-c",
                                 nd + "/nginx.conf", "-g", "daemon off; master_process off;"});
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!CanConnect(nginx_port)) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::ifstream log(nd + "/error.log");
        nginx_error = "nginx did not start listening: " +
                      std::string(std::istreambuf_iterator<char>(log), {});
        nginx.reset();
        return;
      }
      std::this_thread::sleep_for(20ms);
    }
  }
};

class EnvFixture {
 public:
  static void SetUpEnv() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    env_ = new Env();
  }
  static void TearDownEnv() {
    delete env_;
    env_ = nullptr;
  }

 protected:
  static Env* env_;
};
Env* EnvFixture::env_ = nullptr;

// ---------------------------------------------------------------------------
// The contract, run against the built-in listener and against nginx.

class PublicSites : public ::testing::TestWithParam<std::string>, public EnvFixture {
 protected:
  static void SetUpTestSuite() { SetUpEnv(); }
  static void TearDownTestSuite() { TearDownEnv(); }

  void SetUp() override {
    if (nginx()) {
      if (!env_->nginx_installed) GTEST_SKIP() << "nginx is not installed";
      ASSERT_TRUE(env_->nginx) << env_->nginx_error;
    }
  }

  bool nginx() const { return GetParam() == "nginx"; }
  uint16_t port() const { return nginx() ? env_->nginx_port : env_->port; }
  Reply Get(const std::string& host, const std::string& target,
            const std::vector<std::string>& headers = {}) {
    return Fetch(port(), host, target, headers);
  }
};

INSTANTIATE_TEST_SUITE_P(Listeners, PublicSites, ::testing::Values("builtin", "nginx"),
                         [](const auto& info) { return info.param; });

TEST_P(PublicSites, RoutesByHostIgnoringPortCaseAndTrailingDot) {
  for (std::string host : {"alpha.test", "ALPHA.Test:8080", "alpha.test.", "www.alpha.test"}) {
    Reply r = Get(host, "/");
    EXPECT_EQ(r.status, 200) << host;
    EXPECT_NE(r.body.find("alpha home"), std::string::npos) << host;
  }
  Reply b = Get("beta.test", "/");
  EXPECT_EQ(b.status, 200);
  EXPECT_NE(b.body.find("beta home"), std::string::npos);
}

TEST_P(PublicSites, UnknownHostGetsPlainNotFoundPage) {
  Reply r = Get("evil.test", "/");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("站点不存在"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("alpha"), std::string::npos);
  EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
}

TEST_P(PublicSites, MissingHostIs400) { EXPECT_EQ(Get("", "/").status, 400); }

TEST_P(PublicSites, ApiIsNeverServed) {
  for (std::string host : {"alpha.test", "evil.test"}) {
    for (std::string target : {"/api", "/api/", "/api/v1/sites"}) {
      Reply r = Get(host, target);
      EXPECT_EQ(r.status, 404) << host << target;
      EXPECT_EQ(r.body.find("must never be served"), std::string::npos) << host << target;
    }
  }
}

TEST_P(PublicSites, PathTraversalNeverLeavesTheRoot) {
  for (std::string target :
       {"/../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/%2e%2e%2foutside%2fsecret.txt",
        "/..%2f..%2foutside/secret.txt", "/..%5c..%5coutside%5csecret.txt",
        "/a/../../outside/secret.txt", "/a/%2e%2e/%2e%2e/outside/secret.txt",
        "/.%2e/outside/secret.txt", "/news/%00/../../outside/secret.txt", "/index.html%00.txt",
        "/link-out", "/linkdir-out/secret.txt", "//../outside/secret.txt"}) {
    Reply r = Get("alpha.test", target);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << target << " -> " << r.status;
    EXPECT_EQ(r.body.find("TOP-SECRET"), std::string::npos) << target;
  }
}

TEST_P(PublicSites, DotfilesAndManifestAreNotFound) {
  for (std::string target :
       {"/.env", "/.git/config", "/news/.hidden", "/manifest.json", "/%2eenv", "/.git/"}) {
    Reply r = Get("alpha.test", target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_NE(r.body.find("alpha 404"), std::string::npos) << target << ": " << r.body;
  }
}

TEST_P(PublicSites, WellKnownAtTheRootIsServedButNoOtherDotfile) {
  Reply sec = Get("alpha.test", "/.well-known/security.txt");
  EXPECT_EQ(sec.status, 200);
  EXPECT_EQ(sec.body, "Contact: mailto:security@alpha.test\n");
  EXPECT_EQ(sec.Header("content-type").rfind("text/plain", 0), 0u) << sec.Header("content-type");
  EXPECT_EQ(sec.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(Get("alpha.test", "/%2ewell-known/security.txt").body,
            "Contact: mailto:security@alpha.test\n");
  Reply acme = Get("alpha.test", "/.well-known/acme-challenge/tok-123");
  EXPECT_EQ(acme.status, 200);
  EXPECT_EQ(acme.body, "tok-123.thumbprint");

  for (std::string target :
       {"/.well-known/.secret", "/news/.well-known/x.txt", "/.well-known/../.env",
        "/.well-known/%2e%2e/.env", "/.well-knownx/security.txt", "/.well-known/./.secret",
        "//.well-known/.secret"}) {
    Reply r = Get("alpha.test", target);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << target << " -> " << r.status;
    EXPECT_EQ(r.body.find("WELL-KNOWN-DOTFILE"), std::string::npos) << target;
    EXPECT_EQ(r.body.find("NESTED-WELL-KNOWN"), std::string::npos) << target;
    EXPECT_EQ(r.body.find("SECRET=1"), std::string::npos) << target;
  }
}

TEST_P(PublicSites, MissingFileGetsTheSitesOwn404Page) {
  Reply r = Get("alpha.test", "/no/such/page.html");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("alpha 404"), std::string::npos);
  EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(Get("beta.test", "/no/such/page.html").status, 404);
}

TEST_P(PublicSites, DirectoriesServeIndexAndAreNeverListed) {
  EXPECT_NE(Get("alpha.test", "/news/").body.find("alpha news"), std::string::npos);
  Reply r = Get("alpha.test", "/_theme/qingsong/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("style.css"), std::string::npos);
}

TEST_P(PublicSites, ContentTypesByExtension) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/a/1.html", "text/html; charset=utf-8"},
      {"/_theme/qingsong/style.css", "text/css; charset=utf-8"},
      {"/data.txt", "text/plain; charset=utf-8"},
      {"/data.json", "application/json"},
      {"/news/rss.xml", "application/rss+xml"},
      {"/img.svg", "image/svg+xml"},
      {"/_media/logo.png", "image/png"},
      {"/pic.jpeg", "image/jpeg"},
      {"/pic.webp", "image/webp"},
      {"/favicon.ico", "image/x-icon"},
      {"/doc.pdf", "application/pdf"},
      {"/file.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"/font.woff2", "font/woff2"},
      {"/clip.mp4", "video/mp4"},
      {"/song.mp3", "audio/mpeg"},
      {"/blob.xyz", "application/octet-stream"},
  };
  for (const auto& [target, type] : cases) {
    Reply r = Get("alpha.test", target);
    EXPECT_EQ(r.status, 200) << target;
    EXPECT_EQ(r.Header("content-type").rfind(type, 0), 0u)
        << target << ": " << r.Header("content-type");
  }
}

TEST_P(PublicSites, CacheControlFollowsThePathAndHashedNames) {
  EXPECT_EQ(Get("alpha.test", "/").Header("cache-control"), "no-cache");
  EXPECT_EQ(Get("alpha.test", "/sitemap.xml").Header("cache-control"), "no-cache");
  EXPECT_EQ(Get("alpha.test", "/_theme/qingsong/style.css").Header("cache-control"),
            "public, max-age=3600");
  EXPECT_EQ(Get("alpha.test", "/_theme/qingsong/style.3f2a9c1b.css").Header("cache-control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(Get("alpha.test", kHashedMedia).Header("cache-control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(Get("alpha.test", "/_media/logo.png").Header("cache-control"), "public, max-age=3600");
}

TEST_P(PublicSites, SecurityHeadersOnEveryResponse) {
  std::vector<Reply> replies = {
      Get("alpha.test", "/"),
      Get("alpha.test", "/nope"),
      Get("alpha.test", "/.env"),
      Get("evil.test", "/"),
      Get("alpha.test", "/_zq/mode.css"),
      Get("alpha.test", "/_zq/mode?set=large&back=/"),
      Get("alpha.test", "/search?q=x"),
      Get("alpha.test", "/_media/logo.png"),
  };
  Reply first = Get("alpha.test", "/a/1.html");
  replies.push_back(Get("alpha.test", "/a/1.html", {"If-None-Match: " + first.Header("etag")}));
  EXPECT_EQ(replies.back().status, 304);
  for (const Reply& r : replies) {
    SCOPED_TRACE(std::to_string(r.status) + " " + r.body.substr(0, 40));
    const std::string csp = r.Header("content-security-policy");
    EXPECT_EQ(csp,
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'");
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.Header("referrer-policy"), "strict-origin-when-cross-origin");
    EXPECT_EQ(r.Header("permissions-policy"), "camera=(), microphone=(), geolocation=()");
    EXPECT_EQ(r.Header("x-frame-options"), "SAMEORIGIN");
    EXPECT_FALSE(r.Has("strict-transport-security"));  // plain HTTP
    for (std::string name :
         {"content-security-policy", "x-frame-options", "content-type", "cache-control"}) {
      EXPECT_LE(r.Count(name), 1u) << name;
    }
  }
}

TEST_P(PublicSites, ETagAndLastModifiedGive304) {
  for (std::string target : {"/news/2.html", "/big.bin"}) {
    Reply r = Get("alpha.test", target);
    ASSERT_EQ(r.status, 200) << target;
    const std::string etag = r.Header("etag"), lm = r.Header("last-modified");
    ASSERT_FALSE(etag.empty()) << target;
    ASSERT_FALSE(lm.empty()) << target;
    EXPECT_EQ(etag.front(), '"') << "strong: " << etag;

    Reply by_etag = Get("alpha.test", target, {"If-None-Match: " + etag});
    EXPECT_EQ(by_etag.status, 304) << target;
    EXPECT_TRUE(by_etag.body.empty());
    EXPECT_EQ(by_etag.Header("etag"), etag);
    EXPECT_EQ(Get("alpha.test", target, {"If-None-Match: \"other\", " + etag}).status, 304);
    EXPECT_EQ(Get("alpha.test", target, {"If-None-Match: \"other\""}).status, 200);

    EXPECT_EQ(Get("alpha.test", target, {"If-Modified-Since: " + lm}).status, 304) << target;
    EXPECT_EQ(
        Get("alpha.test", target, {"If-Modified-Since: Thu, 01 Jan 1998 00:00:00 GMT"}).status,
        200);
  }
}

TEST_P(PublicSites, SingleRangesGet206AndUnsatisfiableGet416) {
  struct Case {
    std::string range, body, content_range;
  };
  for (const Case& c :
       {Case{"bytes=2-5", "2345", "bytes 2-5/10"}, Case{"bytes=7-", "789", "bytes 7-9/10"},
        Case{"bytes=-3", "789", "bytes 7-9/10"}, Case{"bytes=8-100", "89", "bytes 8-9/10"}}) {
    Reply r = Get("alpha.test", "/data.txt", {"Range: " + c.range});
    EXPECT_EQ(r.status, 206) << c.range;
    EXPECT_EQ(r.body, c.body) << c.range;
    EXPECT_EQ(r.Header("content-range"), c.content_range) << c.range;
  }
  Reply bad = Get("alpha.test", "/data.txt", {"Range: bytes=10-"});
  EXPECT_EQ(bad.status, 416);
  EXPECT_EQ(bad.Header("content-range"), "bytes */10");
  EXPECT_EQ(bad.Count("content-type"), 1u);
  EXPECT_EQ(Get("alpha.test", "/data.txt").Header("accept-ranges"), "bytes");

  // A range of a file too large for the cache.
  const std::string big = BigContent();
  Reply part = Get("alpha.test", "/big.bin", {"Range: bytes=1000-1999"});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, big.substr(1000, 1000));
  EXPECT_EQ(part.Header("content-range"), "bytes 1000-1999/" + std::to_string(big.size()));
}

TEST_P(PublicSites, RangesOfAFileOverEightMiBGet206) {
  const std::string& huge = HugeContent();
  const std::string total = "/" + std::to_string(huge.size());
  Reply part = Get("alpha.test", "/huge.bin", {"Range: bytes=8388600-8388700"});
  EXPECT_EQ(part.status, 206);
  EXPECT_TRUE(part.body == huge.substr(8388600, 101));
  EXPECT_EQ(part.Header("content-range"), "bytes 8388600-8388700" + total);
  EXPECT_EQ(part.Header("content-length"), "101");

  // Longer than 8 MiB itself, to the end.
  Reply tail = Get("alpha.test", "/huge.bin", {"Range: bytes=100-"});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body.size(), huge.size() - 100);
  EXPECT_TRUE(tail.body == huge.substr(100));
  EXPECT_EQ(tail.Header("content-range"), "bytes 100-" + std::to_string(huge.size() - 1) + total);

  Reply suffix = Get("alpha.test", "/huge.bin", {"Range: bytes=-5"});
  EXPECT_EQ(suffix.status, 206);
  EXPECT_TRUE(suffix.body == huge.substr(huge.size() - 5));

  Reply head = Fetch(port(), "alpha.test", "/huge.bin", {"Range: bytes=0-9"}, "HEAD");
  EXPECT_EQ(head.status, 206);
  EXPECT_EQ(head.Header("content-length"), "10");
  EXPECT_TRUE(head.body.empty());

  Reply beyond =
      Get("alpha.test", "/huge.bin", {"Range: bytes=" + std::to_string(huge.size()) + "-"});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.Header("content-range"), "bytes */" + std::to_string(huge.size()));
}

TEST_P(PublicSites, GzipVariantIsChosenByAcceptEncodingWithVary) {
  Reply gz = Get("alpha.test", "/page.html", {"Accept-Encoding: gzip"});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.body, "GZ-VARIANT");
  EXPECT_EQ(gz.Header("content-encoding"), "gzip");
  EXPECT_EQ(gz.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(gz.Header("vary"), "Accept-Encoding");

  Reply plain = Get("alpha.test", "/page.html");
  EXPECT_EQ(plain.body, "IDENTITY-VARIANT");
  EXPECT_FALSE(plain.Has("content-encoding"));
  EXPECT_EQ(plain.Header("vary"), "Accept-Encoding");
  EXPECT_NE(plain.Header("etag"), gz.Header("etag"));

  // A variant asked for by its own name is never served as the page.
  Reply direct = Get("alpha.test", "/page.html.gz");
  EXPECT_EQ(direct.Header("content-type").find("text/"), std::string::npos);
  EXPECT_FALSE(direct.Has("content-encoding"));
}

TEST_P(PublicSites, DisplayModeCookieFlow) {
  Reply none = Get("alpha.test", "/_zq/mode.css");
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.Header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(none.Header("cache-control"), "private, no-cache");
  EXPECT_EQ(none.Header("vary"), "Cookie");
  EXPECT_TRUE(none.body.empty()) << none.body;

  Reply set = Get("alpha.test", "/_zq/mode?set=large&back=/news/2.html");
  EXPECT_EQ(set.status, 303);
  EXPECT_EQ(set.Header("location"), "/news/2.html");
  EXPECT_EQ(set.Header("set-cookie"),
            "zq_mode=large; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");

  auto css = [&](const std::string& cookie) {
    return Get("alpha.test", "/_zq/mode.css", {"Cookie: zq_mode=" + cookie}).body;
  };
  // nginx imports the theme's sheets; the built-in listener inlines them.
  const std::string large = nginx() ? "/_theme/qingsong/mode-large.css" : "/*large*/";
  const std::string contrast = nginx() ? "/_theme/qingsong/mode-contrast.css" : "/*contrast*/";
  EXPECT_NE(css("large").find(large), std::string::npos);
  EXPECT_EQ(css("large").find(contrast), std::string::npos);
  EXPECT_NE(css("large,contrast").find(large), std::string::npos);
  EXPECT_NE(css("large,contrast").find(contrast), std::string::npos);
  EXPECT_NE(css("contrast").find(contrast), std::string::npos);
  EXPECT_TRUE(css("bogus").empty());

  auto toggle = [&](const std::string& cookie, const std::string& what) {
    return Get("alpha.test", "/_zq/mode?set=" + what + "&back=/",
               cookie.empty() ? std::vector<std::string>{}
                              : std::vector<std::string>{"Cookie: zq_mode=" + cookie})
        .Header("set-cookie");
  };
  const std::string attrs = "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly";
  EXPECT_EQ(toggle("large", "contrast"), "zq_mode=large,contrast" + attrs);
  EXPECT_EQ(toggle("large,contrast", "large"), "zq_mode=contrast" + attrs);
  EXPECT_EQ(toggle("contrast", "contrast"), "zq_mode=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly");
  EXPECT_EQ(toggle("large,contrast", "reset"),
            "zq_mode=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly");
  EXPECT_EQ(toggle("large", "bogus"), "");  // unknown set: cookie left alone

  // Nothing but a path on this site is a place to go back to.
  for (std::string back :
       {"//evil.com", "//evil.com/x", "http://evil.com", "https:evil.com", "/%2F/evil.com",
        "%2F%2Fevil.com", "/%5Cevil.com", "%5C%5Cevil.com", "/%0d%0aSet-Cookie:%20x=1",
        "/%09/evil.com", "javascript:alert(1)", ""}) {
    Reply r = Get("alpha.test", "/_zq/mode?set=large&back=" + back);
    EXPECT_EQ(r.status, 303) << back;
    const std::string loc = r.Header("location");
    EXPECT_TRUE(SameSiteLocation(loc)) << back << " -> " << loc;
    // nginx keeps a harmless encoded rest ("/%2F/evil.com" is a path here).
    if (!nginx()) {
      EXPECT_EQ(loc, "/") << back;
    }
    EXPECT_EQ(r.Header("set-cookie").find("x=1"), std::string::npos);
  }
  EXPECT_EQ(Get("alpha.test", "/_zq/mode?set=large&back=http://evil.com").Header("location"), "/");
  EXPECT_EQ(Get("alpha.test", "/_zq/mode?set=large&back=//evil.com").Header("location"), "/");
  EXPECT_EQ(Get("alpha.test", "/_zq/mode?set=large").Header("location"), "/");
}

TEST_P(PublicSites, SearchGoesToTheSearchHandlerAndIsRateLimited) {
  Reply r = Get("alpha.test", "/search?q=%E6%A0%A1%E5%9B%AD");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "search alpha: 校园");
  EXPECT_EQ(r.Header("x-frame-options"), "SAMEORIGIN");

  // 30 per 10 s per client; nginx counts by its peer address, the built-in
  // listener by X-Real-IP from a trusted (loopback) proxy.
  const std::vector<std::string> client = {"X-Real-IP: 192.0.2.77"};
  int ok = 0;
  Reply limited;
  for (int i = 0; i < 40 && limited.status == 0; ++i) {
    Reply s = Get("alpha.test", "/search?q=x", client);
    if (s.status == 200) {
      ++ok;
    } else {
      limited = s;
    }
  }
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.Header("retry-after").empty());
  if (!nginx()) {
    EXPECT_EQ(ok, 30);
  }
  EXPECT_LE(ok, 30);
}

TEST_P(PublicSites, LargeFileIsStreamedIntactAndHeadHasNoBody) {
  const std::string big = BigContent();
  Reply r = Get("alpha.test", "/big.bin");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), big.size());
  EXPECT_TRUE(r.body == big);

  Reply head = Fetch(port(), "alpha.test", "/big.bin", {}, "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), std::to_string(big.size()));
  EXPECT_TRUE(head.body.empty());
  EXPECT_FALSE(head.Header("etag").empty());

  Reply page_head = Fetch(port(), "alpha.test", "/news/2.html", {}, "HEAD");
  EXPECT_EQ(page_head.status, 200);
  EXPECT_EQ(page_head.Header("content-length"),
            std::to_string(std::string("<h1>alpha news page 2</h1>").size()));
  EXPECT_TRUE(page_head.body.empty());
}

// What a publish does to a live site (a file renamed into place, the site's
// version symlink swapped) reaches visitors within a second on nginx, which
// keeps open files for open_file_cache_valid (1 s), and at once on the
// built-in listener; until then only the previous file is served. A symlink
// to outside the root renamed over a kept file is never followed: the old
// file until the next look, then 404.
TEST_P(PublicSites, PublishedChangesAreLiveWithinASecond) {
  const fs::path publish = fs::path(env_->dir.path()) / "publish";
  const fs::path v1 = publish / ".versions/beta/1";
  const fs::path v2 = publish / ".versions/beta/2";
  auto live = [&](const fs::path& version) {
    const fs::path tmp = publish / "beta.tmp";
    fs::remove(tmp);
    fs::create_directory_symlink(fs::relative(version, publish), tmp);
    fs::rename(tmp, publish / "beta");
  };
  auto reset = [&] {
    live(v1);
    fs::remove_all(v2);
    fs::remove(v1 / "fresh.html");
  };
  reset();
  // Polls the page until it is `want`, 5 s at most; every answer before must
  // be `before`. Returns the number of requests and the time it took.
  auto wait_for = [&](const std::string& want, const std::string& before) {
    const auto t0 = std::chrono::steady_clock::now();
    int requests = 0;
    std::string got;
    while (std::chrono::steady_clock::now() - t0 < 5s) {
      Reply r = Get("beta.test", "/fresh.html");
      ++requests;
      EXPECT_EQ(r.body.find("TOP-SECRET"), std::string::npos);
      got = r.status == 200 ? r.body : "status " + std::to_string(r.status);
      if (got == want) break;
      EXPECT_EQ(got, before) << "after " << requests << " requests";
      std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(got, want);
    return std::pair{requests, std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - t0)};
  };
  auto expect_soon = [&](const std::pair<int, std::chrono::milliseconds>& took) {
    if (nginx()) {
      EXPECT_LE(took.second.count(), 2000) << took.first << " requests";
    } else {
      EXPECT_EQ(took.first, 1) << "the built-in listener stats the file on every request";
    }
  };

  Write(v1 / "fresh.html", "fresh one");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Get("beta.test", "/fresh.html").body, "fresh one");

  // Incremental publish: renamed over in the live version.
  Write(v1 / "fresh.html.tmp", "fresh two");
  fs::rename(v1 / "fresh.html.tmp", v1 / "fresh.html");
  expect_soon(wait_for("fresh two", "fresh one"));

  // Full publish: a new version (the unchanged page a hard link), then the swap.
  fs::create_directories(v2);
  fs::create_hard_link(v1 / "index.html", v2 / "index.html");
  Write(v2 / "fresh.html", "fresh three");
  live(v2);
  expect_soon(wait_for("fresh three", "fresh two"));
  EXPECT_NE(Get("beta.test", "/").body.find("beta home"), std::string::npos);

  // A symlink leading out of the root, renamed over the kept file.
  fs::create_symlink("../../../../outside/secret.txt", v2 / "fresh.html.tmp");
  fs::rename(v2 / "fresh.html.tmp", v2 / "fresh.html");
  ASSERT_EQ(fs::read_symlink(v2 / "fresh.html"), "../../../../outside/secret.txt");
  expect_soon(wait_for("status 404", "fresh three"));

  reset();
}

// ---------------------------------------------------------------------------
// Built-in listener only

class StaticSiteTest : public ::testing::Test, public EnvFixture {
 protected:
  static void SetUpTestSuite() { SetUpEnv(); }
  static void TearDownTestSuite() { TearDownEnv(); }
  Reply Get(const std::string& host, const std::string& target,
            const std::vector<std::string>& headers = {}) {
    return Fetch(env_->port, host, target, headers);
  }
};

TEST_F(StaticSiteTest, OtherMethodsGet405WithAllow) {
  for (std::string method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
    Reply r = Fetch(env_->port, "alpha.test", "/", {}, method);
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.Header("allow"), "GET, HEAD") << method;
  }
  EXPECT_EQ(Fetch(env_->port, "alpha.test", "/api/v1/sites", {}, "POST").status, 404);
}

TEST_F(StaticSiteTest, DirectoryWithoutSlashRedirects) {
  Reply r = Get("alpha.test", "/news");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.Header("location"), "/news/");
  // Merged slashes: the redirect can never be protocol-relative.
  Reply twice = Get("alpha.test", "//news");
  EXPECT_EQ(twice.status, 301);
  EXPECT_EQ(twice.Header("location"), "/news/");
}

TEST_F(StaticSiteTest, SymlinkInsideTheRootIsServed) {
  Reply r = Get("alpha.test", "/link-in");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("alpha home"), std::string::npos);
}

TEST_F(StaticSiteTest, BuiltInNotFoundPageWhenTheSiteHasNone) {
  Reply r = Get("beta.test", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("页面不存在"), std::string::npos);
}

TEST_F(StaticSiteTest, BrotliIsPreferredAndRangesGetTheIdentityFile) {
  Reply br = Get("alpha.test", "/page.html", {"Accept-Encoding: gzip, deflate, br"});
  EXPECT_EQ(br.body, "BR-VARIANT");
  EXPECT_EQ(br.Header("content-encoding"), "br");
  EXPECT_EQ(br.Header("vary"), "Accept-Encoding");

  Reply no_br = Get("alpha.test", "/page.html", {"Accept-Encoding: br;q=0, gzip"});
  EXPECT_EQ(no_br.body, "GZ-VARIANT");
  Reply star = Get("alpha.test", "/page.html", {"Accept-Encoding: *"});
  EXPECT_EQ(star.body, "BR-VARIANT");
  Reply none = Get("alpha.test", "/page.html", {"Accept-Encoding: identity"});
  EXPECT_EQ(none.body, "IDENTITY-VARIANT");

  Reply range = Get("alpha.test", "/page.html", {"Accept-Encoding: br, gzip", "Range: bytes=0-7"});
  EXPECT_EQ(range.status, 206);
  EXPECT_EQ(range.body, "IDENTITY");
  EXPECT_FALSE(range.Has("content-encoding"));

  // The variant's own validator.
  Reply again = Get("alpha.test", "/page.html",
                    {"Accept-Encoding: br", "If-None-Match: " + br.Header("etag")});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(Get("alpha.test", "/page.html.br").Header("content-type"), "application/octet-stream");
  EXPECT_EQ(Get("alpha.test", "/archive.tar.gz").Header("content-type"), "application/gzip");
}

TEST_F(StaticSiteTest, MultipleRangesGetTheWholeFile) {
  Reply r = Get("alpha.test", "/data.txt", {"Range: bytes=0-1,4-5"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "0123456789");
  Reply other_unit = Get("alpha.test", "/data.txt", {"Range: items=0-1"});
  EXPECT_EQ(other_unit.status, 200);
  // A stale If-Range means "send it all".
  Reply stale = Get("alpha.test", "/data.txt", {"Range: bytes=0-1", "If-Range: \"old\""});
  EXPECT_EQ(stale.status, 200);
  const std::string etag = Get("alpha.test", "/data.txt").Header("etag");
  EXPECT_EQ(Get("alpha.test", "/data.txt", {"Range: bytes=0-1", "If-Range: " + etag}).status, 206);
}

TEST_F(StaticSiteTest, MimeTypesBuiltIn) {
  EXPECT_EQ(Get("alpha.test", "/sitemap.xml").Header("content-type"),
            "application/xml; charset=utf-8");
  EXPECT_EQ(Get("alpha.test", "/news/rss.xml").Header("content-type"),
            "application/rss+xml; charset=utf-8");
  EXPECT_EQ(Get("alpha.test", "/app.js").Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(MimeTypeFor("a/B.XLSX"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(MimeTypeFor("x.pptx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation");
  EXPECT_EQ(MimeTypeFor("x.doc"), "application/msword");
  EXPECT_EQ(MimeTypeFor("x.xls"), "application/vnd.ms-excel");
  EXPECT_EQ(MimeTypeFor("x.ppt"), "application/vnd.ms-powerpoint");
  EXPECT_EQ(MimeTypeFor("x.zip"), "application/zip");
  EXPECT_EQ(MimeTypeFor("x.gif"), "image/gif");
  EXPECT_EQ(MimeTypeFor("x.jpg"), "image/jpeg");
  EXPECT_EQ(MimeTypeFor("noext"), "application/octet-stream");
}

TEST_F(StaticSiteTest, ContentHashedNames) {
  EXPECT_TRUE(IsContentHashedName(kHashedMedia));
  EXPECT_TRUE(IsContentHashedName("/_theme/q/style.3f2a9c1b.css"));
  EXPECT_TRUE(IsContentHashedName("/_theme/q/app-0123abcd.js"));
  EXPECT_FALSE(IsContentHashedName("/_theme/q/style.css"));
  EXPECT_FALSE(IsContentHashedName("/_theme/q/logo-2024.png"));
  EXPECT_FALSE(IsContentHashedName("/_theme/q/x3f2a9c1b.css"));
  EXPECT_FALSE(IsContentHashedName("/_media/ab/ABCDEF0123.png"));
  EXPECT_FALSE(IsContentHashedName("/_media/ab/0123abcd"));
}

TEST_F(StaticSiteTest, ModeCssRevalidatesAndBackKeepsUnicodePaths) {
  Reply css = Get("alpha.test", "/_zq/mode.css", {"Cookie: zq_mode=large"});
  ASSERT_FALSE(css.Header("etag").empty());
  Reply again = Get("alpha.test", "/_zq/mode.css",
                    {"Cookie: zq_mode=large", "If-None-Match: " + css.Header("etag")});
  EXPECT_EQ(again.status, 304);
  Reply other = Get("alpha.test", "/_zq/mode.css",
                    {"Cookie: zq_mode=contrast", "If-None-Match: " + css.Header("etag")});
  EXPECT_EQ(other.status, 200);

  Reply r = Get("alpha.test", "/_zq/mode?set=contrast&back=%2F%E6%96%B0%E9%97%BB%2F%3Fp%3D2");
  EXPECT_EQ(r.Header("location"), "/%E6%96%B0%E9%97%BB/?p=2");
}

TEST_F(StaticSiteTest, RateLimitIsPerClientAndTrustsOnlyConfiguredProxies) {
  StaticSites::Options o;
  o.search_burst = 3;
  o.search_refill = std::chrono::hours(1);
  o.trusted_proxies = {"10.0.0.1"};
  StaticSites sites(o);
  sites.SetRoutes({{"alpha.test", SiteRoute{"alpha", env_->alpha_root, "qingsong"}}});
  auto search = [&](const std::string& remote, const std::string& real_ip) {
    Request req;
    req.method = "GET";
    req.path = "/search";
    req.target = "/search?q=x";
    req.remote_addr = remote;
    req.headers = {{"host", "alpha.test"}};
    if (!real_ip.empty()) req.headers.emplace_back("x-real-ip", real_ip);
    return sites.Handle(req);
  };
  // No handler: /search does not exist.
  EXPECT_EQ(search("203.0.113.1", "").status, 404);

  sites.search_handler = [](const SiteRoute&, Request&) {
    Response r;
    r.body = "ok";
    return r;
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(search("203.0.113.1", "").status, 200);
  Response limited = search("203.0.113.1", "");
  EXPECT_EQ(limited.status, 429);
  EXPECT_GE(std::stoi(std::string(limited.Get("Retry-After"))), 1);
  EXPECT_EQ(search("203.0.113.2", "").status, 200);
  // An untrusted peer cannot pick its bucket with X-Real-IP.
  EXPECT_EQ(search("203.0.113.1", "198.51.100.9").status, 429);
  // The trusted proxy's X-Real-IP names the client.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(search("10.0.0.1", "198.51.100.9").status, 200);
  EXPECT_EQ(search("10.0.0.1", "198.51.100.9").status, 429);
  EXPECT_EQ(search("10.0.0.1", "198.51.100.10").status, 200);
  // IPv6 clients share a bucket per /64.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(search("2001:db8:1:2::1", "").status, 200);
  EXPECT_EQ(search("2001:db8:1:2::ffff", "").status, 429);
  EXPECT_EQ(search("2001:db8:1:3::1", "").status, 200);
}

TEST_F(StaticSiteTest, HstsOnlyWhenEnabledAndOverTls) {
  for (bool hsts : {false, true}) {
    StaticSites::Options o;
    o.hsts = hsts;
    StaticSites sites(o);
    sites.SetRoutes({{"alpha.test", SiteRoute{"alpha", env_->alpha_root, "qingsong"}}});
    for (bool tls : {false, true}) {
      Request req;
      req.method = "GET";
      req.path = "/";
      req.target = "/";
      req.tls = tls;
      req.headers = {{"host", "alpha.test"}};
      Response r = sites.Handle(req);
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(!r.Get("Strict-Transport-Security").empty(), hsts && tls) << hsts << tls;
    }
  }
}

TEST_F(StaticSiteTest, RepublishedFileIsServedFreshAndInvalidateFreesTheCache) {
  const std::string path = env_->beta_root + "/fresh.txt";
  Write(path, "version one");
  EXPECT_EQ(Get("beta.test", "/fresh.txt").body, "version one");
  EXPECT_EQ(Get("beta.test", "/fresh.txt").body, "version one");  // from the cache
  const size_t cached = env_->sites->cached_bytes();
  EXPECT_GT(cached, 0u);

  // As the publisher does: write aside, then rename over.
  Write(path + ".tmp", "version two, longer");
  fs::rename(path + ".tmp", path);
  EXPECT_EQ(Get("beta.test", "/fresh.txt").body, "version two, longer");

  env_->sites->Invalidate("beta");
  EXPECT_LT(env_->sites->cached_bytes(), cached + 100);
  EXPECT_EQ(Get("beta.test", "/fresh.txt").body, "version two, longer");
}

TEST_F(StaticSiteTest, SwappingTheVersionSymlinkIsSeenAtOnce) {
  const fs::path publish = fs::path(env_->dir.path()) / "publish";
  Write(publish / ".versions/gamma/1/index.html", "gamma v1");
  Write(publish / ".versions/gamma/2/index.html", "gamma v2");
  fs::create_directory_symlink(".versions/gamma/1", publish / "gamma");
  StaticSites sites(StaticSites::Options{});
  sites.SetRoutes({{"gamma.test", SiteRoute{"gamma", (publish / "gamma").string(), "qingsong"}}});
  auto get = [&] {
    Request req;
    req.method = "GET";
    req.path = "/";
    req.target = "/";
    req.headers = {{"host", "gamma.test"}};
    return std::string(sites.Handle(req).Body());
  };
  EXPECT_EQ(get(), "gamma v1");
  EXPECT_EQ(get(), "gamma v1");  // kept
  fs::create_directory_symlink(".versions/gamma/2", publish / "gamma.tmp");
  fs::rename(publish / "gamma.tmp", publish / "gamma");
  EXPECT_EQ(get(), "gamma v2");
}

// Kept responses: the second request for a path is answered without
// resolving it again, as long as one stat finds the same file.

TEST_F(StaticSiteTest, FileReplacedByRenameGetsNewBytesAndETagFromTheKeptPath) {
  const std::string path = env_->beta_root + "/kept.html";
  Write(path, "<p>version one</p>");
  const Reply first = Get("beta.test", "/kept.html");
  ASSERT_EQ(first.status, 200);
  const uint64_t reused = env_->sites->responses_reused();
  const Reply second = Get("beta.test", "/kept.html");
  EXPECT_EQ(env_->sites->responses_reused(), reused + 1);
  EXPECT_EQ(second.body, "<p>version one</p>");
  EXPECT_EQ(second.Header("etag"), first.Header("etag"));
  EXPECT_EQ(second.Header("last-modified"), first.Header("last-modified"));

  // As the publisher does: write aside, rename over. Same size, new inode.
  Write(path + ".tmp", "<p>version two</p>");
  fs::rename(path + ".tmp", path);
  const Reply third = Get("beta.test", "/kept.html");
  EXPECT_EQ(third.body, "<p>version two</p>");
  EXPECT_NE(third.Header("etag"), first.Header("etag"));
  EXPECT_EQ(env_->sites->responses_reused(), reused + 1) << "the stale response is not sent";
  const Reply fourth = Get("beta.test", "/kept.html", {"If-None-Match: " + third.Header("etag")});
  EXPECT_EQ(fourth.status, 304);
  EXPECT_TRUE(fourth.body.empty());
  EXPECT_EQ(env_->sites->responses_reused(), reused + 2);

  // Removed: the site's 404 (beta has none: the built-in page).
  fs::remove(path);
  EXPECT_EQ(Get("beta.test", "/kept.html").status, 404);
}

TEST_F(StaticSiteTest, KeptResponsesCarryEveryHeaderOnce) {
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    const uint64_t reused = env_->sites->responses_reused();
    Reply r = Get("alpha.test", "/page.html", {"Accept-Encoding: gzip"});
    ASSERT_EQ(r.status, 200);
    if (round == 1) {
      EXPECT_EQ(env_->sites->responses_reused(), reused + 1);
    }
    EXPECT_EQ(r.body, "GZ-VARIANT");
    const std::vector<std::pair<std::string, std::string>> want = {
        {"content-type", "text/html; charset=utf-8"},
        {"cache-control", "no-cache"},
        {"vary", "Accept-Encoding"},
        {"content-encoding", "gzip"},
        {"accept-ranges", "bytes"},
        {"content-length", "10"},
        {"x-content-type-options", "nosniff"},
        {"referrer-policy", "strict-origin-when-cross-origin"},
        {"permissions-policy", "camera=(), microphone=(), geolocation=()"},
        {"x-frame-options", "SAMEORIGIN"},
        {"server", "zhanqun"}};
    for (const auto& [name, value] : want) {
      EXPECT_EQ(r.Header(name), value) << name;
      EXPECT_EQ(r.Count(name), 1u) << name;
    }
    for (std::string name : {"content-security-policy", "etag", "last-modified", "date"}) {
      EXPECT_EQ(r.Count(name), 1u) << name;
    }
    EXPECT_NE(r.Header("content-security-policy").find("default-src 'self'"), std::string::npos);
    EXPECT_EQ(r.Header("etag").substr(r.Header("etag").size() - 4), "-gz\"");
  }
}

TEST_F(StaticSiteTest, EachEncodingGetsItsOwnKeptResponse) {
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(Get("alpha.test", "/page.html", {"Accept-Encoding: br, gzip"}).body, "BR-VARIANT");
    EXPECT_EQ(Get("alpha.test", "/page.html", {"Accept-Encoding: gzip"}).body, "GZ-VARIANT");
    EXPECT_EQ(Get("alpha.test", "/page.html", {"Accept-Encoding: br"}).body, "BR-VARIANT");
    Reply plain = Get("alpha.test", "/page.html");
    EXPECT_EQ(plain.body, "IDENTITY-VARIANT");
    EXPECT_FALSE(plain.Has("content-encoding"));
    EXPECT_EQ(plain.Header("vary"), "Accept-Encoding");
    // Not compressible: one response whatever the client accepts.
    EXPECT_EQ(Get("alpha.test", "/_media/logo.png", {"Accept-Encoding: gzip"}).body, "png");
    EXPECT_EQ(Get("alpha.test", "/_media/logo.png").body, "png");
    // A range still gets the identity file.
    Reply range = Get("alpha.test", "/page.html", {"Accept-Encoding: gzip", "Range: bytes=0-7"});
    EXPECT_EQ(range.status, 206);
    EXPECT_EQ(range.body, "IDENTITY");
  }
}

TEST_F(StaticSiteTest, HeadFromTheKeptPathHasTheLengthAndNoBody) {
  const std::string page = "<h1>alpha news page 2</h1>";
  const std::string big = BigContent();
  ASSERT_EQ(Get("alpha.test", "/news/2.html").status, 200);
  ASSERT_EQ(Get("alpha.test", "/big.bin").status, 200);
  const uint64_t reused = env_->sites->responses_reused();
  for (int i = 0; i < 2; ++i) {
    Reply head = Fetch(env_->port, "alpha.test", "/news/2.html", {}, "HEAD");
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.Header("content-length"), std::to_string(page.size()));
    EXPECT_TRUE(head.body.empty());
    Reply big_head = Fetch(env_->port, "alpha.test", "/big.bin", {}, "HEAD");
    EXPECT_EQ(big_head.Header("content-length"), std::to_string(big.size()));
    EXPECT_TRUE(big_head.body.empty());
  }
  // Streamed from the kept response (a file over the cache's size) intact.
  Reply again = Get("alpha.test", "/big.bin");
  EXPECT_TRUE(again.body == big);
  EXPECT_EQ(env_->sites->responses_reused(), reused + 5);
}

TEST_F(StaticSiteTest, SymlinkedPathsAndNotFoundAreNeverKept) {
  const uint64_t reused = env_->sites->responses_reused();
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(Get("alpha.test", "/link-in").body.find("alpha home"), std::string::npos);
    EXPECT_EQ(Get("alpha.test", "/link-out").status, 404);
    EXPECT_EQ(Get("alpha.test", "/no/such/page.html").status, 404);
  }
  EXPECT_EQ(env_->sites->responses_reused(), reused);
}

TEST_F(StaticSiteTest, InvalidateDropsKeptResponses) {
  Get("alpha.test", "/a/1.html");
  uint64_t reused = env_->sites->responses_reused();
  Get("alpha.test", "/a/1.html");
  EXPECT_EQ(env_->sites->responses_reused(), ++reused);
  env_->sites->Invalidate("alpha");
  EXPECT_EQ(Get("alpha.test", "/a/1.html").body, "<h1>article 1</h1>");
  EXPECT_EQ(env_->sites->responses_reused(), reused);
  Get("alpha.test", "/a/1.html");
  EXPECT_EQ(env_->sites->responses_reused(), reused + 1);
}

TEST_F(StaticSiteTest, RoutesCanBeReplacedWhileServing) {
  EXPECT_EQ(Get("gamma.test", "/").status, 404);
  SiteRoute alpha{"alpha", env_->alpha_root, "qingsong"};
  SiteRoute beta{"beta", env_->beta_root, "qingsong"};
  env_->sites->SetRoutes({{"alpha.test", alpha},
                          {"www.alpha.test", alpha},
                          {"beta.test", beta},
                          {"gamma.test", beta}});
  EXPECT_NE(Get("gamma.test", "/").body.find("beta home"), std::string::npos);
}

// ---------------------------------------------------------------------------
// nginx configuration

std::vector<NginxSite> TwoSites() {
  return {
      {"alpha", {"alpha.test", "www.alpha.test"}, "/srv/zhanqun/data/publish/alpha", "qingsong"},
      {"beta", {"beta.test"}, "/srv/zhanqun/data/publish/beta", "hongqi"}};
}

TEST(NginxConf, PassesNginxTest) {
  if (!fs::exists(kNginx)) GTEST_SKIP() << "nginx is not installed";
  TempDir dir;
  auto conf = NginxConf(TwoSites(), NginxOptions{});
  ASSERT_TRUE(conf) << conf.error().message;
  Write(dir.path() + "/zhanqun.conf", *conf);
  Write(dir.path() + "/nginx.conf", WrapForNginx(dir.path()));
  bool ok = false;
  std::string out = NginxTest(dir.path(), &ok);
  EXPECT_TRUE(ok) << out << "\n----\n" << *conf;
}

TEST(NginxConf, HasTheProductionRules) {
  auto conf = NginxConf(TwoSites(), NginxOptions{"8080", "10.0.0.5:9000"});
  ASSERT_TRUE(conf) << conf.error().message;
  for (std::string want : {"server_name alpha.test www.alpha.test;",
                           "root \"/srv/zhanqun/data/publish/alpha\";",
                           "index index.html;",
                           "try_files $uri $uri/ =404;",
                           "error_page 404 /404.html;",
                           "location ~ \"^/\\.(?!well-known(/|$))|^/.+/\\.\" { return 404; }",
                           "location ^~ /manifest.json { return 404; }",
                           "location ^~ /api/ { return 404; }",
                           "gzip_static on;",
                           "brotli_static",
                           "listen 8080 default_server;",
                           "server 10.0.0.5:9000;",
                           "proxy_pass http://zhanqun_public;",
                           "set $zq_theme hongqi;",
                           "location = /_zq/mode.css",
                           "return 303 $zq_mode_back;",
                           "add_header X-Frame-Options \"SAMEORIGIN\" always;",
                           "immutable",
                           "disable_symlinks on from=$document_root;",
                           "open_file_cache max=200 inactive=60s;",
                           "open_file_cache_valid 1s;",
                           "open_file_cache_errors off;",
                           "sendfile on;",
                           "tcp_nopush on;"}) {
    EXPECT_NE(conf->find(want), std::string::npos) << want;
  }
  EXPECT_EQ(conf->find("unsafe-inline"), std::string::npos);
}

TEST(NginxConf, RefusesValuesThatWouldInjectDirectives) {
  auto with = [](auto change) {
    auto sites = TwoSites();
    change(sites[0]);
    return NginxConf(sites, NginxOptions{});
  };
  auto bad_domain = with([](NginxSite& s) { s.domains = {"a.test; return 200 x"}; });
  ASSERT_FALSE(bad_domain);
  EXPECT_EQ(bad_domain.error().field, "sites.alpha.domains");
  EXPECT_FALSE(with([](NginxSite& s) { s.root = "/srv/$host"; }));
  EXPECT_FALSE(with([](NginxSite& s) { s.root = "/srv/a\"; include /etc/passwd; \""; }));
  EXPECT_FALSE(with([](NginxSite& s) { s.root = "relative/path"; }));
  EXPECT_FALSE(with([](NginxSite& s) { s.theme = "q; x"; }));
  EXPECT_FALSE(with([](NginxSite& s) { s.domains = {}; }));
  auto dup = with([](NginxSite& s) { s.domains = {"beta.test"}; });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Code::kConflict);
  EXPECT_FALSE(NginxConf(TwoSites(), NginxOptions{"80; include x", "127.0.0.1:8080"}));
  EXPECT_FALSE(NginxConf(TwoSites(), NginxOptions{"80", "127.0.0.1:8080 backup"}));
}

}  // namespace
}  // namespace zhanqun::http
