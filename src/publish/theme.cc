#include "publish/theme.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

#include "core/text.h"
#include "publish/files.h"

namespace zhanqun::publish {

namespace fs = std::filesystem;
namespace mu = kainjow::mustache;
using nlohmann::json;

namespace {

// The layers of Theme::Render as a mustache context: sections push their
// value on top. Lookups follow kainjow's own context (a dotted name resolves
// in the first layer that has all of it), without splitting the name into
// new strings at every lookup.
class Layers final : public mu::basic_context<std::string> {
 public:
  explicit Layers(std::initializer_list<const Value*> layers) {
    for (auto it = std::rbegin(layers); it != std::rend(layers); ++it) items_.push_back(*it);
  }
  void push(const Value* v) override { items_.push_back(v); }
  void pop() override { items_.pop_back(); }

  const Value* get(const std::string& name) const override {
    if (name.size() == 1 && name[0] == '.') return items_.back();
    if (name.find('.') == std::string::npos) return get_partial(name);
    thread_local std::string part;
    for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
      const Value* v = *it;
      for (size_t start = 0; v && start < name.size();) {
        size_t end = std::min(name.find('.', start), name.size());
        part.assign(name, start, end - start);
        v = v->get(part);
        start = end + 1;
      }
      if (v) return v;
    }
    return nullptr;
  }
  const Value* get_partial(const std::string& name) const override {
    for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
      if (const Value* v = (*it)->get(name)) return v;
    }
    return nullptr;
  }

 private:
  std::vector<const Value*> items_;  // the top of the stack last
};

// Collects the rendered text (kainjow renders into anything with <<).
struct Sink {
  std::string& out;
  Sink& operator<<(const std::string& s) {
    out += s;
    return *this;
  }
};

int64_t NewestMtime(const fs::path& dir) {
  int64_t newest = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    auto t = fs::last_write_time(it->path(), ec);
    if (ec) continue;
    newest = std::max<int64_t>(newest, t.time_since_epoch().count());
  }
  return newest;
}

Status ExpandPartials(const std::string& text, const std::string& file,
                      const std::map<std::string, std::string>& partials, int depth,
                      std::string& out) {
  if (depth > 8)
    return Fail(Error::Invalid(file, "主题模板 " + file + " 的局部模板嵌套过深（可能互相引用）"));
  static const std::regex kPartial("\\{\\{>\\s*([A-Za-z0-9_.-]+)\\s*\\}\\}");
  size_t last = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), kPartial), end; it != end; ++it) {
    const auto& m = *it;
    out.append(text, last, static_cast<size_t>(m.position(0)) - last);
    last = static_cast<size_t>(m.position(0) + m.length(0));
    auto p = partials.find(m[1]);
    if (p == partials.end()) {
      int line = 1;
      for (size_t i = 0; i < static_cast<size_t>(m.position(0)); ++i) line += text[i] == '\n';
      return Fail(Error::Invalid(file + ":" + std::to_string(line),
                                 "主题模板 " + file + " 第 " + std::to_string(line) +
                                     " 行引用了不存在的局部模板 " + std::string(m[1])));
    }
    ZQ_TRY(ExpandPartials(p->second, "templates/partials/" + p->first + ".mustache", partials,
                          depth + 1, out));
  }
  out.append(text, last, std::string::npos);
  return {};
}

}  // namespace

Value ToValue(const json& j) {
  switch (j.type()) {
    case json::value_t::object: {
      Value o(Value::type::object);
      for (auto it = j.begin(); it != j.end(); ++it) o[it.key()] = ToValue(it.value());
      return o;
    }
    case json::value_t::array: {
      mu::list l;
      l.reserve(j.size());
      for (const auto& e : j) l.push_back(ToValue(e));
      return Value(l);
    }
    case json::value_t::boolean:
      return Value(j.get<bool>());
    case json::value_t::string:
      return Value(j.get_ref<const std::string&>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return Value(std::to_string(j.get<int64_t>()));
    case json::value_t::number_float:
      return Value(j.dump());
    default:
      return Value(false);
  }
}

int LineOf(const std::string& text, size_t offset) {
  int line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
  }
  return line;
}

struct Theme::Impl {
  std::map<std::string, std::string> sources;  // template name -> text
  std::map<std::string, std::unique_ptr<mu::mustache>> compiled;
  std::map<std::string, std::string> partials;  // partial name -> text
};

Theme::~Theme() = default;

Result<std::shared_ptr<const Theme>> Theme::Load(const std::string& dir) {
  fs::path root(dir);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Fail(Error::Invalid("theme", "主题目录不存在：" + root.string()));
  }
  std::shared_ptr<Theme> t(new Theme());
  t->impl_ = std::make_unique<Impl>();
  t->dir_ = fs::absolute(root).lexically_normal().string();
  t->name_ = root.filename().string();
  // Manifest.
  fs::path manifest = root / "theme.toml";
  try {
    toml::table tbl = toml::parse_file(manifest.string());
    if (auto n = tbl["name"].value<std::string>()) {
      if (*n != t->name_) {
        return Fail(
            Error::Invalid("theme.toml:name",
                           "theme.toml 的 name（" + *n + "）必须与目录名（" + t->name_ + "）一致"));
      }
    }
    t->title_ = tbl["title"].value_or(t->name_);
    t->description_ = tbl["description"].value_or(std::string());
    t->list_page_size_ = static_cast<int>(tbl["list_page_size"].value_or(int64_t{20}));
    t->home_items_ = static_cast<int>(tbl["home_items_per_column"].value_or(int64_t{8}));
    if (t->list_page_size_ < 1 || t->list_page_size_ > 200) {
      return Fail(
          Error::Invalid("theme.toml:list_page_size", "list_page_size 必须在 1 到 200 之间"));
    }
    if (t->home_items_ < 1 || t->home_items_ > 50) {
      return Fail(Error::Invalid("theme.toml:home_items_per_column",
                                 "home_items_per_column 必须在 1 到 50 之间"));
    }
  } catch (const toml::parse_error& e) {
    return Fail(Error::Invalid("theme.toml:" + std::to_string(e.source().begin.line),
                               "主题清单 theme.toml 第 " + std::to_string(e.source().begin.line) +
                                   " 行有误：" + std::string(e.description())));
  }
  // Partials first: templates may use them.
  fs::path partial_dir = root / "templates" / "partials";
  if (fs::is_directory(partial_dir, ec)) {
    for (const auto& e : fs::directory_iterator(partial_dir, ec)) {
      if (e.path().extension() != ".mustache") continue;
      std::string text;
      if (!ReadAll(e.path(), text)) return Fail(Error::Internal("read " + e.path().string()));
      mu::mustache check(text);
      if (!check.is_valid()) {
        std::string file = "templates/partials/" + e.path().filename().string();
        std::smatch m;
        std::string msg = check.error_message();
        int line = 0;
        if (std::regex_search(msg, m, std::regex("at (\\d+)"))) {
          line = LineOf(text, std::stoul(m[1]));
        }
        return Fail(
            Error::Invalid(file + ":" + std::to_string(line),
                           "主题模板 " + file + " 第 " + std::to_string(line) + " 行有误：" + msg));
      }
      t->impl_->partials[e.path().stem().string()] = text;
    }
  }
  for (const char* name : {"home", "list", "article", "page", "search", "404"}) {
    fs::path p = root / "templates" / (std::string(name) + ".mustache");
    std::string text;
    std::string file = "templates/" + std::string(name) + ".mustache";
    if (!ReadAll(p, text)) {
      return Fail(Error::Invalid(file, "主题缺少模板 " + file));
    }
    // Errors are reported against the template as written...
    auto compiled = std::make_unique<mu::mustache>(text);
    if (compiled->is_valid()) {
      // ...then partials are inlined once: kainjow would parse a partial again
      // at every use, which dominated publishing time.
      std::string expanded;
      ZQ_TRY(ExpandPartials(text, file, t->impl_->partials, 0, expanded));
      text = std::move(expanded);
      compiled = std::make_unique<mu::mustache>(text);
    }
    if (!compiled->is_valid()) {
      std::string msg = compiled->error_message();
      std::smatch m;
      int line = 0;
      if (std::regex_search(msg, m, std::regex("at (\\d+)"))) line = LineOf(text, std::stoul(m[1]));
      return Fail(
          Error::Invalid(file + ":" + std::to_string(line),
                         "主题模板 " + file + " 第 " + std::to_string(line) + " 行有误：" + msg));
    }
    // Mustache errors only show in rendering: escape nothing by surprise.
    compiled->set_custom_escape([](const std::string& v) { return HtmlEscape(v); });
    t->impl_->sources[name] = std::move(text);
    t->impl_->compiled[name] = std::move(compiled);
  }
  if (!fs::is_directory(root / "assets", ec)) {
    return Fail(Error::Invalid("assets", "主题缺少 assets 目录"));
  }
  std::string all = t->name_ + "\n" + std::to_string(t->list_page_size_) + "\n" +
                    std::to_string(t->home_items_) + "\n";
  for (const auto& [name, text] : t->impl_->sources) {
    all += name + "\n" + std::to_string(text.size()) + "\n" + text;
  }
  t->fingerprint_ = Sha256(all);
  return std::shared_ptr<const Theme>(t);
}

Result<std::string> Theme::Render(const std::string& name,
                                  std::initializer_list<const Value*> layers) const {
  auto it = impl_->compiled.find(name);
  if (it == impl_->compiled.end()) return Fail(Error::Internal("no template " + name));
  Layers ctx(layers);
  std::string out;
  out.reserve(16384);
  Sink sink{out};
  it->second->render(ctx, sink);
  if (!it->second->is_valid()) {
    return Fail(Error::Invalid("templates/" + name + ".mustache",
                               "模板渲染失败：" + it->second->error_message()));
  }
  return out;
}

Result<std::shared_ptr<const Theme>> ThemeSet::Get(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name.find("..") != std::string::npos ||
      name[0] == '.') {
    return Fail(Error::Invalid("theme", "主题名称无效：" + name));
  }
  fs::path dir = fs::path(dir_) / name;
  int64_t mtime = NewestMtime(dir);
  std::lock_guard lock(mu_);
  auto it = cache_.find(name);
  if (it != cache_.end() && it->second.first == mtime) return it->second.second;
  auto loaded = Theme::Load(dir.string());
  if (!loaded) return loaded;
  cache_[name] = {mtime, *loaded};
  return *loaded;
}

}  // namespace zhanqun::publish
