#include "http/console.h"

#include <sys/stat.h>

#include <filesystem>
#include <string_view>

#include "http/static_site.h"

namespace zhanqun::http {

namespace fs = std::filesystem;

namespace {

Response NotBuilt() {
  Response r;
  r.status = 200;
  r.Set("Content-Type", "text/html; charset=utf-8");
  r.Set("Cache-Control", "no-store");
  r.body =
      "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
      "<title>站群管理平台</title></head><body><main><h1>站群管理平台</h1>"
      "<p>管理控制台尚未构建：请运行 <code>make build</code>（或 <code>scripts/build.sh</code>）。"
      "管理接口位于 <code>/api/v1</code>。</p></main></body></html>\n";
  return r;
}

// A path inside the console: no empty, "." or ".." segment, no dotfile, no
// backslash or NUL. Returns the relative path, or "" when refused.
std::string SafeRelative(std::string_view path) {
  if (path.empty() || path.front() != '/') return "";
  std::string out;
  size_t i = 1;
  while (i <= path.size()) {
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(i, end - i);
    if (seg.empty()) {
      if (end == path.size()) break;  // trailing slash
      return "";
    }
    if (seg.front() == '.' || seg.find('\\') != std::string_view::npos ||
        seg.find('\0') != std::string_view::npos) {
      return "";
    }
    if (!out.empty()) out += '/';
    out += seg;
    i = end + 1;
  }
  return out;
}

std::string ETagOf(const struct stat& st) {
  char buf[64];
  std::snprintf(
      buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
      static_cast<unsigned long long>(st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec));
  return buf;
}

}  // namespace

void AddConsoleSecurityHeaders(Response& r) {
  r.Set("Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'");
  r.Set("X-Content-Type-Options", "nosniff");
  r.Set("Referrer-Policy", "same-origin");
  r.Set("X-Frame-Options", "DENY");
  r.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
}

Response ConsoleFiles::Handle(const Request& req) const {
  Response r;
  if (req.method != "GET" && req.method != "HEAD") {
    r.status = 405;
    r.Set("Allow", "GET, HEAD");
    r.Set("Content-Type", "text/plain; charset=utf-8");
    r.body = "405 Method Not Allowed\n";
    AddConsoleSecurityHeaders(r);
    return r;
  }
  const fs::path root(dir_);
  struct stat st {};
  if (dir_.empty() || ::stat((root / "index.html").c_str(), &st) != 0) {
    r = NotBuilt();
    AddConsoleSecurityHeaders(r);
    return r;
  }
  std::string rel = SafeRelative(req.path);
  std::string file;
  bool asset = false;
  if (!rel.empty() && ::stat((root / rel).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    file = (root / rel).string();
    asset = rel.starts_with("assets/");
  } else if (rel.starts_with("assets/")) {
    // A missing asset is a 404, not the app: a stale page asking for an old
    // chunk must fail loudly rather than parse HTML as JavaScript.
    r.status = 404;
    r.Set("Content-Type", "text/plain; charset=utf-8");
    r.Set("Cache-Control", "no-store");
    r.body = "404 Not Found\n";
    AddConsoleSecurityHeaders(r);
    return r;
  } else {
    file = (root / "index.html").string();
    if (::stat(file.c_str(), &st) != 0) return NotBuilt();
  }
  const std::string etag = ETagOf(st);
  r.Set("Content-Type", std::string(MimeTypeFor(file)));
  r.Set("ETag", etag);
  // Vite names every file under assets/ by its content ("index-BxY7a9Qz.js").
  r.Set("Cache-Control", asset ? "public, max-age=31536000, immutable" : "no-cache");
  AddConsoleSecurityHeaders(r);
  if (req.Header("if-none-match") == etag) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.file_path = file;
  return r;
}

}  // namespace zhanqun::http
