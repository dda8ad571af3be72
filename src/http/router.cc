#include "http/router.h"

#include <cstdio>
#include <cstdlib>

namespace zhanqun::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsCode(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
      return false;
  }
  return true;
}

}  // namespace

void Router::Add(Route r) {
  if (r.owner.empty()) {
    std::fprintf(stderr, "route %s %s has no owner\n", r.method.c_str(), r.pattern.c_str());
    std::abort();
  }
  routes_.push_back(std::move(r));
}

Router::Match Router::Find(const std::string& method, const std::string& path) const {
  Match m;
  auto segs = Split(path);
  for (const auto& r : routes_) {
    auto pat = Split(r.pattern);
    if (pat.size() != segs.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < pat.size() && ok; ++i) {
      if (pat[i].size() > 2 && pat[i].front() == '{' && pat[i].back() == '}') {
        // {id}, {…_id}: digits; any other name: a machine code ([a-z0-9_.-]).
        std::string_view name = pat[i].substr(1, pat[i].size() - 2);
        bool numeric = name == "id" || (name.size() > 3 && name.substr(name.size() - 3) == "_id");
        if (numeric ? !AllDigits(segs[i]) : !IsCode(segs[i]))
          ok = false;
        else
          params[std::string(pat[i].substr(1, pat[i].size() - 2))] = std::string(segs[i]);
      } else if (pat[i] != segs[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    m.path_matched = true;
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += r.method;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      if (!m.route) {
        m.route = &r;
        m.params = std::move(params);
      }
    }
  }
  return m;
}

}  // namespace zhanqun::http
