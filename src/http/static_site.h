// The public listener's handler: serves published sites (data/publish/<code>)
// from the filesystem by Host, with the same rules the generated nginx
// configuration (http/nginx_conf.h) applies in production.
//
// What it serves: GET and HEAD of files under the site's root, never
// dotfiles (but the root's /.well-known/, RFC 8615, itself without dotfiles),
// /manifest.json or /api; "/" and "/dir/" map to index.html; the site's own
// /404.html on a miss. Plus /_zq/mode.css and /_zq/mode (display modes,
// docs/themes.md) and /search (delegated to search_handler). One "bytes="
// range gets a 206, cut from memory or streamed from the file whatever its
// length.
//
// Caching rules (the same in nginx_conf.cc):
//   - /_theme/ and /_media/ files whose name is content-hashed
//     (IsContentHashedName): "public, max-age=31536000, immutable";
//     other files there: "public, max-age=3600";
//   - everything else (pages, feeds, sitemap): "no-cache" (revalidate by ETag).
// ETag: strong, "<size hex>-<mtime ns hex>" of the file actually sent, plus
// "-br"/"-gz" for a precompressed variant. It costs one stat and no read; the
// publisher replaces files by rename, so every publish changes the mtime, and
// rsync -t keeps it identical across edge nodes.
//
// A file's response (headers as one block, small content shared, not copied)
// is kept per site root, path and Accept-Encoding class and sent again while
// one stat finds the same file (inode, size, mtime); a path is resolved
// component by component only when that misses.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.h"

namespace zhanqun::http {

struct SiteRoute {
  std::string code;
  std::string root;   // data/publish/<code>, absolute
  std::string theme;  // for /_zq/mode.css; [a-z0-9-]
};

class StaticSites {
 public:
  struct Options {
    // Files up to this size are kept in memory; larger ones are streamed.
    size_t cache_max_file_bytes = 256 * 1024;
    // For the file cache, and again for the kept responses (which mostly
    // share the file cache's content).
    size_t cache_max_total_bytes = 64 << 20;
    bool hsts = false;  // send Strict-Transport-Security on requests that came over TLS

    // /search: a token bucket per client holding search_burst requests and
    // refilled completely in search_refill (30 per 10 s, as nginx_conf.cc).
    int search_burst = 30;
    std::chrono::milliseconds search_refill{10000};
    size_t search_max_clients = 10000;  // buckets kept; idle ones are dropped first
    // Peers whose X-Real-IP header names the client (nginx in front). Loopback
    // by default: the generated nginx configuration proxies from there.
    std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};
  };

  explicit StaticSites(Options o);
  ~StaticSites();
  StaticSites(const StaticSites&) = delete;
  StaticSites& operator=(const StaticSites&) = delete;

  // Replaces the host -> site table atomically (domains lower-case, no port).
  void SetRoutes(std::map<std::string, SiteRoute> by_host);
  // Drops cached entries of a site (call after a publish). Entries are also
  // checked against a stat on every hit, so this frees memory sooner and
  // lets a .br/.gz variant added next to an unchanged file be seen.
  void Invalidate(const std::string& code);
  // Thread-safe.
  Response Handle(Request& req);

  // Renders /search for a site. Set it before the listener starts; when unset,
  // /search is 404. Requests reach it only after the rate limit.
  std::function<Response(const SiteRoute&, Request&)> search_handler;

  // Bytes accounted by the file cache and the kept responses (content held
  // by both counts twice), for tests and metrics.
  size_t cached_bytes() const;
  // Requests answered from a kept response (for tests and metrics).
  uint64_t responses_reused() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Headers every public response carries (nginx_conf.cc writes the same), in
// order: Content-Security-Policy (no 'unsafe-inline'; themes need no
// JavaScript), X-Content-Type-Options, Referrer-Policy, Permissions-Policy,
// X-Frame-Options. Strict-Transport-Security is separate (TLS only).
const std::vector<std::pair<std::string_view, std::string_view>>& PublicSecurityHeaders();

// Content-Type for a file name, by extension ("text/html; charset=utf-8");
// application/octet-stream when unknown.
std::string_view MimeTypeFor(std::string_view name);

// True when the last path segment looks content-hashed: "<hex≥8>.<ext>" or
// "<anything>[.-_]<hex≥8>.<ext>" (lower-case hex), e.g. /_media/ab/ab12…ef.png
// or /_theme/qingsong/style.3f2a9c1b.css. nginx_conf.cc uses the same rule as
// a regular expression (kContentHashedRegex).
bool IsContentHashedName(std::string_view path);
extern const char* const kContentHashedRegex;

// Display modes in the zq_mode cookie: "large", "contrast", "large,contrast".
struct DisplayModes {
  bool large = false;
  bool contrast = false;
  bool operator==(const DisplayModes&) const = default;
};
// Unknown words are ignored; the order does not matter.
DisplayModes ParseDisplayModes(std::string_view cookie);
// Canonical cookie value: "", "large", "contrast" or "large,contrast".
std::string FormatDisplayModes(DisplayModes m);
// The /_zq/mode?set= toggle: "large" and "contrast" flip one mode, "reset"
// clears both. False when `set` is none of these (the cookie stays as it is).
bool ApplyDisplayModeSet(std::string_view set, DisplayModes& m);

}  // namespace zhanqun::http
