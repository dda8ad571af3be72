// Renders one theme template with kainjow/mustache — the engine the publisher
// uses — so render-sample.mjs can compare its output with mustache.js.
//
//   kainjow-render <theme-dir> <data.json>      (data.json: {"template": "home", "data": {…}})
//
// Partials are put into the root data object as kainjow partials (the way
// kainjow's README shows). kainjow looks partials up through the context
// stack like data, so a partial named like any data key (at any depth:
// "pagination", "breadcrumbs", "attachments") would be shadowed by the data
// and render nothing; that is an error here.
// Build: g++ -std=c++17 -O1 -o kainjow-render kainjow-render.cc   (libkainjow-mustache-dev, nlohmann-json3-dev)

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using kainjow::mustache::data;
using kainjow::mustache::mustache;
using kainjow::mustache::partial;

static std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

static data FromJson(const nlohmann::json& j) {
  if (j.is_object()) {
    data d{data::type::object};
    for (const auto& [k, v] : j.items()) d.set(k, FromJson(v));
    return d;
  }
  if (j.is_array()) {
    data d{data::type::list};
    for (const auto& v : j) d.push_back(FromJson(v));
    return d;
  }
  if (j.is_boolean()) return j.get<bool>() ? data{data::type::bool_true} : data{data::type::bool_false};
  if (j.is_string()) return data{j.get<std::string>()};
  if (j.is_number_integer()) return data{std::to_string(j.get<long long>())};
  if (j.is_number()) return data{j.dump()};
  return data{data::type::bool_false};  // null
}

static void CollectKeys(const nlohmann::json& j, std::set<std::string>* keys) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      keys->insert(k);
      CollectKeys(v, keys);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) CollectKeys(v, keys);
  }
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: kainjow-render <theme-dir> <data.json>\n";
    return 2;
  }
  const fs::path theme = argv[1];
  const auto input = nlohmann::json::parse(ReadFile(argv[2]));
  const std::string name = input.at("template").get<std::string>();
  const auto& json = input.at("data");
  data root = FromJson(json);
  std::set<std::string> keys;
  CollectKeys(json, &keys);
  for (const auto& entry : fs::directory_iterator(theme / "templates" / "partials")) {
    if (entry.path().extension() != ".mustache") continue;
    const std::string pname = entry.path().stem().string();
    if (keys.count(pname) != 0) {
      std::cerr << "partial \"" << pname << "\" has the name of a data key: kainjow would render the data, not the partial\n";
      return 1;
    }
    const std::string text = ReadFile(entry.path());
    root.set(pname, data{partial{[text]() { return text; }}});
  }
  mustache tmpl{ReadFile(theme / "templates" / (name + ".mustache"))};
  if (!tmpl.is_valid()) {
    std::cerr << name << ".mustache: " << tmpl.error_message() << "\n";
    return 1;
  }
  const std::string out = tmpl.render(root);
  if (!tmpl.is_valid()) {
    std::cerr << name << ".mustache: " << tmpl.error_message() << "\n";
    return 1;
  }
  std::cout << out;
  return 0;
}
