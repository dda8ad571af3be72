// A theme: mustache templates and assets in themes/<name>/ (docs/themes.md).
#pragma once

#include <initializer_list>
#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"

namespace zhanqun::publish {

// A value the templates see: object, list, string or boolean (kainjow's
// mustache data). The publisher builds page data as these directly.
using Value = kainjow::mustache::data;

// The same value converted from JSON (numbers become their decimal text).
Value ToValue(const nlohmann::json& j);

class Theme {
 public:
  // Loads and compiles every template. A template that does not parse is
  // refused with Error.field "<file>:<line>" and the reason.
  static Result<std::shared_ptr<const Theme>> Load(const std::string& dir);
  ~Theme();

  const std::string& name() const { return name_; }
  const std::string& title() const { return title_; }
  const std::string& description() const { return description_; }
  const std::string& dir() const { return dir_; }
  int list_page_size() const { return list_page_size_; }
  int home_items_per_column() const { return home_items_; }
  // SHA-256 of everything that shapes the pages (templates after partials are
  // inlined, page sizes): a page rendered with an equal fingerprint and equal
  // data has equal bytes.
  const std::string& fingerprint() const { return fingerprint_; }

  // Renders templates/<name>.mustache. A name is looked up in each layer in
  // turn, the first layer first, as if they were one object: a page's own
  // data, then what many pages share (the navigation, the site), which is
  // built once per publish instead of once per page.
  Result<std::string> Render(const std::string& name,
                             std::initializer_list<const Value*> layers) const;

 private:
  struct Impl;
  Theme() = default;
  std::string name_, title_, description_, dir_, fingerprint_;
  int list_page_size_ = 20;
  int home_items_ = 8;
  std::unique_ptr<Impl> impl_;
};

// Caches loaded themes by name; reloads a theme when its files change.
class ThemeSet {
 public:
  explicit ThemeSet(std::string themes_dir) : dir_(std::move(themes_dir)) {}
  Result<std::shared_ptr<const Theme>> Get(const std::string& name);
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::mutex mu_;
  std::map<std::string, std::pair<int64_t, std::shared_ptr<const Theme>>>
      cache_;  // GUARDED_BY(mu_)
};

// Converts a line/offset error position to 1-based line number.
int LineOf(const std::string& text, size_t offset);

}  // namespace zhanqun::publish
