#include "http/admin_files.h"

#include <sys/stat.h>

#include <filesystem>
#include <regex>

#include "http/api/api.h"
#include "http/static_site.h"

namespace zhanqun::http {

namespace fs = std::filesystem;

namespace {

Response PlainError(int status, const char* text) {
  Response r;
  r.status = status;
  r.Set("Content-Type", "text/plain; charset=utf-8");
  r.Set("Cache-Control", "no-store");
  r.Set("X-Content-Type-Options", "nosniff");
  r.body = text;
  return r;
}

Response MethodNotAllowed() {
  Response r = PlainError(405, "405 Method Not Allowed\n");
  r.Set("Allow", "GET, HEAD");
  return r;
}

bool IsRegularFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

Response ServeAdminMedia(service::Service& service, const Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return MethodNotAllowed();
  auto session = service.Authenticate(req.Cookie("zq_session"), req.remote_addr);
  if (!session) return ErrorResponse(session.error());
  if (session->principal.must_change_password) {
    return ErrorResponse(Error{Code::kPasswordChangeRequired, "请先修改密码", "password", {}});
  }
  static const std::regex kPath("/_media/([0-9a-f]{2})/([0-9a-f]{64})\\.([a-z0-9]{1,8})");
  std::smatch m;
  if (!std::regex_match(req.path, m, kPath) || m[2].str().compare(0, 2, m[1].str()) != 0) {
    return ErrorResponse(Error::NotFound("文件不存在"));
  }
  auto file = service.MediaForViewer(session->principal, m[2].str(), m[3].str());
  if (!file) return ErrorResponse(file.error());
  if (!IsRegularFile(file->path)) return ErrorResponse(Error::NotFound("文件不存在"));
  Response r;
  r.status = 200;
  r.Set("Content-Type", file->mime);
  r.Set("X-Content-Type-Options", "nosniff");
  // Private: the admin origin checks who asks. The bytes never change under
  // one hash, so the browser keeps them.
  r.Set("Cache-Control", "private, max-age=31536000, immutable");
  if (file->mime.rfind("image/", 0) != 0) r.Set("Content-Disposition", "attachment");
  r.Set("Content-Security-Policy", "default-src 'none'; sandbox");
  r.file_path = file->path;
  return r;
}

Response ServeThemeAsset(const std::string& themes_dir, const Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return MethodNotAllowed();
  static const std::regex kPath("/_theme/([a-z0-9][a-z0-9_-]{0,63})/(.+)");
  std::smatch m;
  if (themes_dir.empty() || !std::regex_match(req.path, m, kPath)) {
    return PlainError(404, "404 Not Found\n");
  }
  // No empty, dot-leading, backslash or NUL segment; then the canonical path
  // must still be under the theme's assets (a symlink may not lead out).
  const std::string rel = m[2].str();
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string::npos) end = rel.size();
    std::string_view seg(rel.data() + start, end - start);
    if (seg.empty() || seg.front() == '.' || seg.find('\\') != std::string_view::npos ||
        seg.find('\0') != std::string_view::npos) {
      return PlainError(404, "404 Not Found\n");
    }
    start = end + 1;
  }
  std::error_code ec;
  fs::path root = fs::canonical(fs::path(themes_dir) / m[1].str() / "assets", ec);
  if (ec) return PlainError(404, "404 Not Found\n");
  fs::path file = fs::canonical(root / rel, ec);
  if (ec) return PlainError(404, "404 Not Found\n");
  std::string root_s = root.string() + "/";
  if (file.string().rfind(root_s, 0) != 0 || !IsRegularFile(file.string())) {
    return PlainError(404, "404 Not Found\n");
  }
  Response r;
  r.status = 200;
  r.Set("Content-Type", std::string(MimeTypeFor(file.string())));
  r.Set("X-Content-Type-Options", "nosniff");
  r.Set("Cache-Control", "public, max-age=300");
  r.file_path = file.string();
  return r;
}

}  // namespace zhanqun::http
