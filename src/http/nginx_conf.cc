#include "http/nginx_conf.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "http/static_site.h"

namespace zhanqun::http {
namespace {

// Display-mode cookie states the toggle map knows by name; any other value
// falls through to the regular expressions after them.
constexpr std::string_view kModeStates[] = {"", "large", "contrast", "large,contrast",
                                            "contrast,large"};
constexpr std::string_view kModeSets[] = {"large", "contrast", "reset"};

// open_file_cache: entries (open files) per worker, and how long one is used
// before nginx looks at the path again.
constexpr int kOpenFileCacheMax = 200;
constexpr int kOpenFileCacheValidSeconds = 1;

bool AllOf(std::string_view s, std::string_view extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

bool ValidDomain(std::string_view d) {
  if (d.empty() || d.size() > 253 || !AllOf(d, ".-")) return false;
  if (d.front() == '.' || d.back() == '.' || d.front() == '-') return false;
  return d.find("..") == std::string_view::npos;
}

// Written between double quotes: nothing that ends the string, starts a
// variable or escapes.
bool ValidRoot(std::string_view r) {
  if (r.size() < 2 || r.front() != '/') return false;
  return std::none_of(r.begin(), r.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == '"' || c == '\'' || c == '\\' || c == '$' || c == '{' ||
           c == '}' || c == ';';
  });
}

bool ValidAddress(std::string_view a) {
  return !a.empty() && a.size() <= 256 && std::all_of(a.begin(), a.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view(".:[]/_-").find(c) != std::string_view::npos;
  });
}

// A double-quoted nginx string. Callers pass only text free of '$' unless a
// variable is meant.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

class Writer {
 public:
  void Line(std::string_view s = {}) {
    if (!s.empty()) out_.append(static_cast<size_t>(depth_) * 4, ' ');
    out_ += s;
    out_ += '\n';
  }
  void Open(std::string_view s) {
    Line(std::string(s) + " {");
    ++depth_;
  }
  void Close() {
    --depth_;
    Line("}");
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  int depth_ = 0;
};

// nginx drops inherited add_header directives in any block that has its
// own, so every such block repeats these.
void SecurityHeaders(Writer& w) {
  for (const auto& [name, value] : PublicSecurityHeaders()) {
    w.Line("add_header " + std::string(name) + " " + Quote(value) + " always;");
  }
}

void CacheControl(Writer& w, std::string_view value) {
  w.Line("add_header Cache-Control " + Quote(value) + " always;");
  SecurityHeaders(w);
}

std::string NotFoundPage() {
  return "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<title>站点不存在</title>\n</head>\n<body>\n<main>\n<h1>站点不存在</h1>\n"
         "<p>没有找到与该域名对应的网站，请检查网址是否正确。</p>\n</main>\n</body>\n</html>\n";
}

// One open_file_cache for all the sites (http level: per server it would be
// one cache, and max= open files, per site). docs/public-sites.md says why
// these values.
void OpenFileCache(Writer& w) {
  w.Line("# Open files kept per worker. A publish renames files into place and swaps the");
  w.Line("# site's version symlink: nginx looks again by name (and through disable_symlinks)");
  w.Line("# once a kept entry is 1 s old, so a published change is live within a second;");
  w.Line("# misses are not kept, so new pages are live at once. max= stays under the 1024");
  w.Line("# open files a worker has by default beside Debian's worker_connections 768;");
  w.Line("# raise it together with worker_rlimit_nofile in nginx.conf.");
  w.Line("open_file_cache max=" + std::to_string(kOpenFileCacheMax) + " inactive=60s;");
  w.Line("open_file_cache_valid " + std::to_string(kOpenFileCacheValidSeconds) + "s;");
  w.Line("open_file_cache_min_uses 1;");
  w.Line("open_file_cache_errors off;");
  w.Line();
}

void HttpLevel(Writer& w, const NginxOptions& o) {
  const int burst = std::max(1, o.search_burst);
  const int refill = std::max(1, o.search_refill_seconds);
  w.Line("# /search: " + std::to_string(burst) + " requests per " + std::to_string(refill) +
         " s per client address, as the built-in public listener.");
  w.Line("limit_req_zone $binary_remote_addr zone=zq_search:10m rate=" +
         std::to_string(std::max(1, burst * 60 / refill)) + "r/m;");
  w.Line("map $status $zq_retry_after {");
  w.Line("    default \"\";");
  w.Line("    429 " + std::to_string(std::max(1, refill / burst)) + ";");
  w.Line("}");
  w.Line();
  OpenFileCache(w);
  w.Open("upstream zhanqun_public");
  w.Line("server " + o.upstream + ";");
  w.Line("keepalive 8;");
  w.Close();
  w.Line();

  w.Line("# Display modes (docs/themes.md). /_zq/mode.css imports the theme's mode");
  w.Line("# sheets the zq_mode cookie asks for; $zq_theme is set per server.");
  for (std::string_view mode : {"large", "contrast"}) {
    const std::string m(mode);
    w.Line("map $cookie_zq_mode $zq_mode_css_" + m + " {");
    w.Line("    default \"\";");
    w.Line("    \"~(^|,)" + m + "(,|$)\" \"@import url('/_theme/$zq_theme/mode-" + m +
           ".css');\\n\";");
    w.Line("}");
  }
  w.Line("# /_zq/mode?set=large|contrast|reset toggles a mode: \"$arg_set:$cookie_zq_mode\"");
  w.Line("# -> the new cookie value; \"keep\" leaves the cookie alone (unknown set).");
  w.Line("map \"$arg_set:$cookie_zq_mode\" $zq_mode_next {");
  w.Line("    default keep;");
  for (std::string_view set : kModeSets) {
    for (std::string_view state : kModeStates) {
      DisplayModes m = ParseDisplayModes(state);
      ApplyDisplayModeSet(set, m);
      std::string next = FormatDisplayModes(m);
      w.Line("    " + Quote(std::string(set) + ":" + std::string(state)) + " " +
             Quote(next.empty() ? "clear" : next) + ";");
    }
  }
  w.Line("    # A cookie value this platform never writes counts as no mode.");
  w.Line("    \"~^large:\" large;");
  w.Line("    \"~^contrast:\" contrast;");
  w.Line("    \"~^reset:\" clear;");
  w.Line("}");
  w.Line("map $scheme $zq_cookie_secure {");
  w.Line("    default \"\";");
  w.Line("    https \"; Secure\";");
  w.Line("}");
  w.Line("map $zq_mode_next $zq_mode_set_cookie {");
  w.Line("    default \"\";");
  const std::string attrs = "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly$zq_cookie_secure";
  w.Line("    clear \"zq_mode=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly$zq_cookie_secure\";");
  for (std::string_view v : {"large", "contrast", "large,contrast"}) {
    w.Line("    " + Quote(v) + " \"zq_mode=" + std::string(v) + attrs + "\";");
  }
  w.Line("}");
  w.Line("# back= must be a path on the same site: \"/x\", never \"//host\", \"/\\host\" or a");
  w.Line("# scheme. $arg_back is still percent-encoded: a leading %2F counts as \"/\" and");
  w.Line("# the rest stays encoded, which the browser sends back as it is.");
  w.Line("map $arg_back $zq_mode_back {");
  w.Line("    default /;");
  w.Line(R"(    "~^(/(?![/\\\\])[^\\\\\s]*)$" $1;)");
  w.Line(R"(    "~*^%2F((?!/|%2F|%5C|\\\\)[^\\\\\s]*)$" /$1;)");
  w.Line("}");
  w.Line();
}

void SecurityAndBasics(Writer& w) {
  w.Line("server_tokens off;");
  w.Line("autoindex off;");
  // Relative Location headers, like the built-in listener: correct behind a
  // proxy or on a non-default port.
  w.Line("absolute_redirect off;");
  SecurityHeaders(w);
}

void SiteServer(Writer& w, const NginxSite& s, const std::string& root, const NginxOptions& o) {
  w.Line("# site " + s.code);
  w.Open("server");
  w.Line("listen " + o.listen + ";");
  std::string names = "server_name";
  for (const auto& d : s.domains) names += " " + d;
  w.Line(names + ";");
  w.Line("root " + Quote(root) + ";");
  w.Line("index index.html;");
  w.Line("charset utf-8;");
  w.Line(
      "charset_types text/css text/plain text/xml text/csv application/javascript "
      "application/json application/xml application/rss+xml;");
  // Symlinks below the root are refused outright (404 through try_files);
  // the publisher writes plain files, and the built-in listener refuses
  // those that lead outside the root.
  w.Line("disable_symlinks on from=$document_root;");
  w.Line("sendfile on;");
  w.Line("tcp_nopush on;");
  w.Line("gzip_static on;");
  w.Line("# brotli_static on;  # needs the ngx_brotli module; the publisher already writes .br");
  w.Line("gzip_vary on;");
  w.Line("set $zq_theme " + s.theme + ";");
  w.Line("error_page 404 /404.html;");
  SecurityAndBasics(w);
  w.Line();

  // Exact and ^~ prefix locations win over the regular expressions below.
  w.Line("location ^~ /manifest.json { return 404; }");
  w.Line("location = /api { return 404; }");
  w.Line("location ^~ /api/ { return 404; }");
  w.Line();
  w.Open("location = /_zq/mode.css");
  w.Line("types { }");
  w.Line("default_type \"text/css\";");
  w.Line("add_header Vary Cookie always;");
  CacheControl(w, "private, no-cache");
  w.Line("return 200 \"$zq_mode_css_large$zq_mode_css_contrast\";");
  w.Close();
  w.Open("location = /_zq/mode");
  w.Line("add_header Set-Cookie $zq_mode_set_cookie always;");
  CacheControl(w, "no-store");
  w.Line("return 303 $zq_mode_back;");
  w.Close();
  w.Open("location = /search");
  w.Line("limit_req zone=zq_search burst=" + std::to_string(std::max(0, o.search_burst - 1)) +
         " nodelay;");
  w.Line("limit_req_status 429;");
  w.Line("proxy_pass http://zhanqun_public;");
  w.Line("proxy_http_version 1.1;");
  w.Line("proxy_set_header Connection \"\";");
  w.Line("proxy_set_header Host $host;");
  w.Line("proxy_set_header X-Real-IP $remote_addr;");
  w.Line("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;");
  w.Line("proxy_set_header X-Forwarded-Proto $scheme;");
  for (const auto& [name, value] : PublicSecurityHeaders()) {
    w.Line("proxy_hide_header " + std::string(name) + ";");
  }
  w.Line("proxy_hide_header Retry-After;");
  w.Line("add_header Retry-After $zq_retry_after always;");
  SecurityHeaders(w);
  w.Close();
  w.Line();

  w.Line("# Dotfiles (.git, .env) are never served; the root's /.well-known/ (RFC 8615:");
  w.Line("# security.txt, ACME challenges) is, but no dotfile inside it.");
  w.Line(R"(location ~ "^/\.(?!well-known(/|$))|^/.+/\." { return 404; })");
  w.Line("# Content-hashed theme and media files never change under their name.");
  w.Open("location ~ \"^/_(theme|media)(/.*)?" + std::string(kContentHashedRegex) + "\"");
  w.Line("try_files $uri =404;");
  CacheControl(w, "public, max-age=31536000, immutable");
  w.Close();
  w.Open("location ~ ^/_(theme|media)/");
  w.Line("try_files $uri =404;");
  CacheControl(w, "public, max-age=3600");
  w.Close();
  w.Open("location ~ /rss\\.xml$");
  w.Line("types { }");
  w.Line("default_type application/rss+xml;");
  w.Line("try_files $uri =404;");
  CacheControl(w, "no-cache");
  w.Close();
  w.Line("# Pages, feeds, sitemap: revalidated on every use (ETag, Last-Modified).");
  w.Open("location /");
  w.Line("try_files $uri $uri/ =404;");
  CacheControl(w, "no-cache");
  w.Close();
  w.Close();
  w.Line();
}

}  // namespace

Result<std::string> NginxConf(const std::vector<NginxSite>& sites, const NginxOptions& options) {
  if (!ValidAddress(options.listen)) {
    return Fail(Error::Invalid("listen", "监听地址含有不允许的字符：" + options.listen));
  }
  if (!ValidAddress(options.upstream)) {
    return Fail(Error::Invalid("upstream", "上游地址含有不允许的字符：" + options.upstream));
  }
  std::map<std::string, std::string> owner;  // domain -> site code
  std::vector<std::string> roots;
  for (const NginxSite& s : sites) {
    const std::string field = "sites." + s.code;
    if (s.code.empty() || s.code.size() > 64 || !AllOf(s.code, "_-")) {
      return Fail(Error::Invalid("sites.code", "站点代码无效：" + s.code));
    }
    if (s.theme.empty() || !AllOf(s.theme, "-")) {
      return Fail(Error::Invalid(field + ".theme", "主题名称无效：" + s.theme));
    }
    if (!ValidRoot(s.root)) {
      return Fail(Error::Invalid(field + ".root",
                                 "站点目录须为绝对路径且不含引号、$、{}、; 等字符：" + s.root));
    }
    if (s.domains.empty()) return Fail(Error::Invalid(field + ".domains", "站点没有域名"));
    for (const auto& d : s.domains) {
      if (!ValidDomain(d)) return Fail(Error::Invalid(field + ".domains", "域名无效：" + d));
      auto [it, inserted] = owner.emplace(d, s.code);
      if (!inserted) {
        return Fail(Error::Conflict(field + ".domains",
                                    "域名 " + d + " 同时属于站点 " + it->second + " 和 " + s.code));
      }
    }
    std::string root = s.root;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    roots.push_back(std::move(root));
  }

  Writer w;
  w.Line("# Zhanqun public sites. Generated by zhanqun; edits are overwritten.");
  w.Line("# Goes inside http { } after \"include mime.types;\" (Debian: /etc/nginx/conf.d/).");
  w.Line("# Only /search reaches zhanqun (" + options.upstream +
         "); display modes are answered here,");
  w.Line("# so the sites keep working while zhanqun is down. Sets open_file_cache for the");
  w.Line("# whole http { } block: nginx.conf must not set it too.");
  w.Line();
  HttpLevel(w, options);
  for (size_t i = 0; i < sites.size(); ++i) SiteServer(w, sites[i], roots[i], options);

  w.Line("# Unknown hosts: a plain page, never one of the sites.");
  w.Open("server");
  w.Line("listen " + options.listen + " default_server;");
  w.Line("server_name _;");
  w.Line("charset utf-8;");
  w.Line("types { }");
  w.Line("default_type text/html;");
  SecurityAndBasics(w);
  w.Line("location / { return 404 " + Quote(NotFoundPage()) + "; }");
  w.Close();
  return w.Take();
}

}  // namespace zhanqun::http
