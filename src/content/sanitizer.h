// Server-side HTML sanitizer for rich text (article bodies): an allowlist on
// an HTML5 parser (gumbo). What the browser would run is removed; what a
// reader needs (Chinese text, headings, tables, images, links, lists) stays.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace zhanqun::content {

struct SanitizeOptions {
  // Hosts whose https iframes are kept (video platforms the operator allows),
  // e.g. "player.bilibili.com". Empty: no iframe survives.
  std::vector<std::string> iframe_hosts;
};

// Returns a body fragment (no <html>/<body>), UTF-8, safe to embed in a page.
std::string SanitizeHtml(std::string_view html, const SanitizeOptions& options = {});

}  // namespace zhanqun::content
