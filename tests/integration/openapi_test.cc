// Keeps docs/openapi.yaml from drifting away from the router and the service:
// every route is documented and every documented operation is routed, with
// the same owner and summary; path parameters are declared; every operation
// documents its errors with the shared Error schema. Then, against a live
// platform: each documented GET answers what its 200 schema says, and each
// JSON body documented with `additionalProperties: false` really refuses an
// unknown member (a documented 4xx, never a 500).
//
// yaml-cpp note: `YAML::Node a = ...; a = b;` assigns *into* the node a refers
// to (it would rewrite the document). Nodes here are only ever bound once.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/result.h"
#include "http/api/api.h"
#include "app/platform.h"
#include "support/test_env.h"

namespace zhanqun::testing {
namespace {

const char* const kDocPath = ZQ_SOURCE_DIR "/docs/openapi.yaml";
const char* const kErrorRef = "#/components/schemas/Error";
constexpr int64_t kMissingId = 987654321;

const std::vector<std::string> kMethods = {"get", "post", "patch", "put", "delete"};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Const lookup: never inserts into the document.
// A missing key gives an Undefined node (not yaml-cpp's "zombie", which throws
// on IsMap() and friends).
YAML::Node Get(const YAML::Node& n, const std::string& key) {
  if (!n.IsDefined() || !n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node& cn = n;
  YAML::Node r = cn[key];
  if (!r.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
  return r;
}

std::string Str(const YAML::Node& n) {
  return n.IsDefined() && n.IsScalar() ? n.as<std::string>() : std::string();
}

const YAML::Node& Doc() {
  static const YAML::Node doc = YAML::LoadFile(kDocPath);
  return doc;
}

// Resolves a local JSON pointer such as "#/components/schemas/Site".
std::optional<YAML::Node> Pointer(const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return std::nullopt;
  std::vector<YAML::Node> chain{Doc()};
  std::stringstream ss(ref.substr(2));
  std::string part;
  while (std::getline(ss, part, '/')) {
    std::string key;
    for (size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '~' && i + 1 < part.size()) {
        key += part[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        key += part[i];
      }
    }
    YAML::Node next = Get(chain.back(), key);
    if (!next.IsDefined()) return std::nullopt;
    chain.push_back(next);
  }
  return chain.back();
}

// Follows $ref (chains too) to the node it names; the node itself otherwise.
YAML::Node Resolve(const YAML::Node& n, int depth = 0) {
  std::string ref = Str(Get(n, "$ref"));
  if (ref.empty() || depth > 16) return n;
  auto target = Pointer(ref);
  if (!target) return YAML::Node(YAML::NodeType::Undefined);
  return Resolve(*target, depth + 1);
}

struct Operation {
  std::string method;  // upper case
  std::string path;
  YAML::Node path_item;
  YAML::Node op;
  std::string Name() const { return method + " " + path; }
};

std::vector<Operation> DocumentedOperations() {
  std::vector<Operation> out;
  YAML::Node paths = Get(Doc(), "paths");
  if (!paths.IsMap()) return out;
  for (auto it = paths.begin(); it != paths.end(); ++it) {
    std::string path = it->first.as<std::string>();
    YAML::Node item = it->second;
    for (const auto& m : kMethods) {
      YAML::Node op = Get(item, m);
      if (op.IsDefined()) out.push_back(Operation{Upper(m), path, item, op});
    }
  }
  return out;
}

std::vector<std::string> PatternParams(const std::string& pattern) {
  std::vector<std::string> out;
  size_t i = 0;
  while ((i = pattern.find('{', i)) != std::string::npos) {
    size_t j = pattern.find('}', i);
    if (j == std::string::npos) break;
    out.push_back(pattern.substr(i + 1, j - i - 1));
    i = j + 1;
  }
  return out;
}

// Parameters of an operation, path-level first, each resolved.
std::vector<YAML::Node> Parameters(const Operation& o) {
  std::vector<YAML::Node> out;
  for (const YAML::Node& list : {Get(o.path_item, "parameters"), Get(o.op, "parameters")}) {
    if (!list.IsSequence()) continue;
    for (const auto& p : list) out.push_back(Resolve(p));
  }
  return out;
}

// The JSON schema of a response (resolved), or an undefined node.
YAML::Node ResponseSchema(const YAML::Node& response) {
  YAML::Node r = Resolve(response);
  return Get(Get(Get(r, "content"), "application/json"), "schema");
}

// "text/html" or "application/pdf" when a response documents that body
// instead of JSON; "" otherwise.
std::string NonJsonType(const YAML::Node& response) {
  YAML::Node content = Get(Resolve(response), "content");
  for (const char* t : {"text/html", "application/pdf"}) {
    if (Get(content, t).IsDefined()) return t;
  }
  return {};
}

YAML::Node JsonBodySchema(const Operation& o) {
  YAML::Node body = Resolve(Get(o.op, "requestBody"));
  return Get(Get(Get(body, "content"), "application/json"), "schema");
}

bool IsMultipart(const Operation& o) {
  YAML::Node body = Resolve(Get(o.op, "requestBody"));
  return Get(Get(body, "content"), "multipart/form-data").IsDefined();
}

std::set<int> ResponseCodes(const Operation& o) {
  std::set<int> out;
  YAML::Node rs = Get(o.op, "responses");
  if (!rs.IsMap()) return out;
  for (auto it = rs.begin(); it != rs.end(); ++it) {
    std::string k = it->first.as<std::string>();
    if (k.size() == 3 && k.find_first_not_of("0123456789") == std::string::npos) {
      out.insert(std::stoi(k));
    }
  }
  return out;
}

// Every string value of every "$ref" key in the document.
void CollectRefs(const YAML::Node& n, std::vector<std::string>& out) {
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (it->first.as<std::string>() == "$ref" && it->second.IsScalar()) {
        out.push_back(it->second.as<std::string>());
      } else {
        CollectRefs(it->second, out);
      }
    }
  } else if (n.IsSequence()) {
    for (const auto& e : n) CollectRefs(e, out);
  }
}

// --- a small JSON Schema checker for response bodies ----------------------
// Enough of JSON Schema for this document: $ref, allOf, type (one or a
// list), enum, const, required, properties, items. Objects with declared
// properties must not carry undeclared members, so that a field added to a
// *Json function shows up here until it is documented.
struct View {
  std::set<std::string> types;
  std::map<std::string, std::vector<YAML::Node>> props;
  std::set<std::string> required;
  std::vector<YAML::Node> items;
  std::vector<YAML::Node> enums;  // each a sequence
  std::vector<YAML::Node> consts;
};

void Flatten(const YAML::Node& raw, View& v, int depth = 0) {
  if (depth > 32) return;
  YAML::Node s = Resolve(raw);
  if (!s.IsMap()) return;
  YAML::Node all = Get(s, "allOf");
  if (all.IsSequence()) {
    for (const auto& part : all) Flatten(part, v, depth + 1);
  }
  YAML::Node type = Get(s, "type");
  if (type.IsScalar() && v.types.empty()) v.types.insert(type.as<std::string>());
  if (type.IsSequence() && v.types.empty()) {
    for (const auto& t : type) v.types.insert(t.as<std::string>());
  }
  YAML::Node props = Get(s, "properties");
  if (props.IsMap()) {
    for (auto it = props.begin(); it != props.end(); ++it) {
      v.props[it->first.as<std::string>()].push_back(it->second);
    }
  }
  YAML::Node req = Get(s, "required");
  if (req.IsSequence()) {
    for (const auto& r : req) v.required.insert(r.as<std::string>());
  }
  YAML::Node items = Get(s, "items");
  if (items.IsDefined()) v.items.push_back(items);
  YAML::Node en = Get(s, "enum");
  if (en.IsSequence()) v.enums.push_back(en);
  YAML::Node cn = Get(s, "const");
  if (cn.IsDefined()) v.consts.push_back(cn);
}

bool ScalarEquals(const YAML::Node& y, const json& j) {
  if (y.IsNull()) return j.is_null();
  if (!y.IsScalar()) return false;
  std::string s = y.as<std::string>();
  if (j.is_string()) return j.get<std::string>() == s;
  if (j.is_boolean()) return (j.get<bool>() ? "true" : "false") == s;
  if (j.is_number_integer()) return std::to_string(j.get<int64_t>()) == s;
  return false;
}

bool TypeMatches(const std::string& t, const json& j) {
  if (t == "integer") return j.is_number_integer();
  if (t == "number") return j.is_number();
  if (t == "string") return j.is_string();
  if (t == "boolean") return j.is_boolean();
  if (t == "null") return j.is_null();
  if (t == "array") return j.is_array();
  if (t == "object") return j.is_object();
  return false;
}

void CheckValue(const std::vector<YAML::Node>& schemas, const json& j, const std::string& where,
                std::vector<std::string>& errors) {
  View v;
  for (const auto& s : schemas) Flatten(s, v);
  if (!v.types.empty()) {
    bool ok = false;
    for (const auto& t : v.types) ok = ok || TypeMatches(t, j);
    if (!ok) {
      std::string list;
      for (const auto& t : v.types) list += (list.empty() ? "" : "|") + t;
      errors.push_back(where + ": is " + j.dump() + ", documented type " + list);
      return;
    }
  }
  for (const auto& en : v.enums) {
    bool ok = false;
    for (const auto& e : en) ok = ok || ScalarEquals(e, j);
    if (!ok) errors.push_back(where + ": " + j.dump() + " is not in the documented enum");
  }
  for (const auto& c : v.consts) {
    if (!ScalarEquals(c, j))
      errors.push_back(where + ": " + j.dump() + " is not the documented const");
  }
  if (j.is_object()) {
    for (const auto& r : v.required) {
      if (!j.contains(r)) errors.push_back(where + ": required member \"" + r + "\" is missing");
    }
    if (!v.props.empty()) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        auto p = v.props.find(it.key());
        if (p == v.props.end()) {
          errors.push_back(where + ": member \"" + it.key() + "\" is not documented");
          continue;
        }
        CheckValue(p->second, it.value(), where + "." + it.key(), errors);
      }
    }
  }
  if (j.is_array() && !v.items.empty()) {
    for (size_t i = 0; i < j.size(); ++i) {
      CheckValue(v.items, j[i], where + "[" + std::to_string(i) + "]", errors);
    }
  }
}

// --- fixture ----------------------------------------------------------------

// The static checks need only the router: a platform opened on a fresh data
// directory (store migrated, API built) but neither bootstrapped nor started,
// which keeps each of these tests well under a second.
class OpenApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      (void)Doc();
    } catch (const std::exception& e) {
      load_error_ = e.what();
    }
    dir_ = new TempDir();
    app::OpenOptions o;
    o.data_dir = dir_->path();
    std::string db = FreshDatabaseUrl();
    if (!db.empty()) o.overrides["database.url"] = db;
    auto p = app::Platform::Open(o);
    if (p) {
      platform_ = p->release();
    } else {
      open_error_ = p.error().message + " " + p.error().internal;
    }
  }
  static void TearDownTestSuite() {
    delete platform_;
    platform_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_EQ(load_error_, "") << "cannot load " << kDocPath;
    ASSERT_NE(platform_, nullptr) << "cannot open a platform: " << open_error_;
  }

  static const std::vector<http::Route>& Routes() { return platform_->api().router().routes(); }

  static const http::Route* FindRoute(const std::string& method, const std::string& pattern) {
    for (const auto& r : Routes()) {
      if (r.method == method && r.pattern == pattern) return &r;
    }
    return nullptr;
  }

  static inline TempDir* dir_ = nullptr;
  static inline app::Platform* platform_ = nullptr;
  static inline std::string load_error_, open_error_;
};

// The live checks: the whole platform on loopback (TestPlatform).
class OpenApiLiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { platform_ = new TestPlatform(); }
  static void TearDownTestSuite() {
    delete platform_;
    platform_ = nullptr;
  }
  void SetUp() override {
    try {
      (void)Doc();
    } catch (const std::exception& e) {
      FAIL() << "cannot load " << kDocPath << ": " << e.what();
    }
  }
  static inline TestPlatform* platform_ = nullptr;
};

// --- the document on its own ------------------------------------------------

TEST_F(OpenApiTest, IsOpenApi31WithSharedComponents) {
  const YAML::Node& doc = Doc();
  std::string version = Str(Get(doc, "openapi"));
  EXPECT_EQ(version.rfind("3.1.", 0), 0u) << "openapi: " << version;
  EXPECT_EQ(Str(Get(Get(doc, "info"), "title")), "Zhanqun 站群 API");
  EXPECT_EQ(Str(Get(Get(doc, "info"), "version")), "0.1.0");

  YAML::Node schemes = Get(Get(doc, "components"), "securitySchemes");
  YAML::Node cookie = Get(schemes, "cookieAuth");
  EXPECT_EQ(Str(Get(cookie, "type")), "apiKey");
  EXPECT_EQ(Str(Get(cookie, "in")), "cookie");
  EXPECT_EQ(Str(Get(cookie, "name")), "zq_session");
  YAML::Node csrf = Get(schemes, "csrfToken");
  EXPECT_EQ(Str(Get(csrf, "type")), "apiKey");
  EXPECT_EQ(Str(Get(csrf, "in")), "header");
  EXPECT_EQ(Str(Get(csrf, "name")), "X-CSRF-Token");

  YAML::Node schemas = Get(Get(doc, "components"), "schemas");
  for (const char* name : {"Site", "Column", "Article", "User", "Department", "Grant", "Media",
                           "AuditEntry", "Error", "List"}) {
    EXPECT_TRUE(Get(schemas, name).IsMap()) << "components/schemas/" << name << " is missing";
  }
  YAML::Node list = Get(schemas, "List");
  for (const char* m : {"items", "total"}) {
    EXPECT_TRUE(Get(Get(list, "properties"), m).IsDefined()) << "List has no " << m;
  }
}

TEST_F(OpenApiTest, ErrorSchemaListsEveryStableCode) {
  YAML::Node error = Get(Get(Get(Get(Doc(), "components"), "schemas"), "Error"), "properties");
  YAML::Node inner = Get(Get(error, "error"), "properties");
  for (const char* m : {"code", "message", "field"}) {
    EXPECT_TRUE(Get(inner, m).IsDefined()) << "Error.error has no " << m;
  }
  std::set<std::string> documented;
  YAML::Node en = Get(Get(inner, "code"), "enum");
  ASSERT_TRUE(en.IsSequence()) << "Error.error.code needs an enum of the stable codes";
  for (const auto& e : en) documented.insert(e.as<std::string>());
  // Every code of core/result.cc, plus the two the HTTP server makes itself.
  std::set<std::string> expected = {"bad_request", "header_too_large"};
  for (int i = 0; i <= static_cast<int>(Code::kInternal); ++i) {
    expected.insert(std::string(CodeName(static_cast<Code>(i))));
  }
  for (const auto& c : expected) EXPECT_TRUE(documented.count(c)) << "code not documented: " << c;
  for (const auto& c : documented) EXPECT_TRUE(expected.count(c)) << "no such code: " << c;
}

TEST_F(OpenApiTest, EveryRefResolves) {
  std::vector<std::string> refs;
  CollectRefs(Doc(), refs);
  EXPECT_GT(refs.size(), 50u);
  for (const auto& r : refs) EXPECT_TRUE(Pointer(r).has_value()) << "dangling $ref: " << r;
}

TEST_F(OpenApiTest, OperationIdsAreUnique) {
  std::map<std::string, std::string> seen;
  for (const auto& o : DocumentedOperations()) {
    std::string id = Str(Get(o.op, "operationId"));
    EXPECT_FALSE(id.empty()) << o.Name() << " has no operationId";
    if (id.empty()) continue;
    auto [it, inserted] = seen.emplace(id, o.Name());
    EXPECT_TRUE(inserted) << "operationId " << id << " is used by " << it->second << " and "
                          << o.Name();
  }
}

// --- the document against the router -----------------------------------------

TEST_F(OpenApiTest, EveryRouteIsDocumented) {
  ASSERT_GT(Routes().size(), 30u);
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& o : DocumentedOperations()) documented.emplace(o.method, o.path);
  for (const auto& r : Routes()) {
    EXPECT_TRUE(documented.count({r.method, r.pattern}))
        << "route not in docs/openapi.yaml: " << r.method << " " << r.pattern << " (" << r.summary
        << ", owner " << r.owner << ")";
  }
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsRouted) {
  auto ops = DocumentedOperations();
  ASSERT_GT(ops.size(), 30u);
  for (const auto& o : ops) {
    EXPECT_NE(FindRoute(o.method, o.path), nullptr) << "documented but not routed: " << o.Name()
                                                    << " (" << Str(Get(o.op, "operationId")) << ")";
  }
}

TEST_F(OpenApiTest, OwnersAndSummariesMatchTheRouter) {
  for (const auto& o : DocumentedOperations()) {
    const http::Route* r = FindRoute(o.method, o.path);
    if (!r) continue;  // reported by EveryDocumentedOperationIsRouted
    EXPECT_EQ(Str(Get(o.op, "x-owner")), r->owner)
        << o.Name() << ": x-owner differs from the route";
    EXPECT_EQ(Str(Get(o.op, "summary")), r->summary)
        << o.Name() << ": summary differs from the route";
  }
}

TEST_F(OpenApiTest, PathParametersAreDeclared) {
  for (const auto& o : DocumentedOperations()) {
    auto names = PatternParams(o.path);
    std::set<std::string> declared;
    for (const auto& p : Parameters(o)) {
      if (Str(Get(p, "in")) != "path") continue;
      std::string name = Str(Get(p, "name"));
      declared.insert(name);
      EXPECT_EQ(Str(Get(p, "required")), "true") << o.Name() << ": path parameter " << name;
      // The router: {id} and {…_id} are digits; any other name is a machine code.
      bool numeric = name == "id" || (name.size() > 3 && name.ends_with("_id"));
      EXPECT_EQ(Str(Get(Get(p, "schema"), "type")), numeric ? "integer" : "string")
          << o.Name() << ": path parameter " << name
          << (numeric ? " is digits only, so type integer" : " is a code, so type string");
      EXPECT_NE(std::find(names.begin(), names.end(), name), names.end())
          << o.Name() << ": declares path parameter " << name << " that the path does not have";
    }
    for (const auto& n : names) {
      EXPECT_TRUE(declared.count(n)) << o.Name() << ": path parameter {" << n << "} not declared";
    }
  }
}

TEST_F(OpenApiTest, OperationsDocumentSecurityAndErrors) {
  YAML::Node global_security = Get(Doc(), "security");
  for (const auto& o : DocumentedOperations()) {
    std::string owner = Str(Get(o.op, "x-owner"));
    bool mutating = o.method != "GET";
    auto codes = ResponseCodes(o);
    std::set<int> success;
    for (int c : codes) {
      if (c >= 200 && c < 300) success.insert(c);
    }
    EXPECT_FALSE(success.empty()) << o.Name() << ": no success response";
    for (int c : success) {
      EXPECT_TRUE(c == 200 || c == 201 || c == 202 || c == 204)
          << o.Name() << ": success status " << c;
      YAML::Node r = Resolve(Get(Get(o.op, "responses"), std::to_string(c)));
      if (c == 204) {
        EXPECT_FALSE(Get(r, "content").IsDefined()) << o.Name() << ": 204 has no body";
      } else if (!NonJsonType(r).empty()) {
        // The inspection reports: HTML and PDF documents, described as such.
        EXPECT_TRUE(Get(Get(Get(r, "content"), NonJsonType(r)), "schema").IsDefined())
            << o.Name() << ": " << c << " needs a schema for " << NonJsonType(r);
      } else {
        // JSON, or a page (the preview answers the HTML a publish would write).
        bool html = Get(Get(Get(r, "content"), "text/html"), "schema").IsDefined();
        EXPECT_TRUE(ResponseSchema(r).IsDefined() || html)
            << o.Name() << ": " << c << " needs a JSON (or text/html) schema";
      }
    }

    // Every 4xx uses the shared Error schema; there is at least one.
    int errors = 0;
    for (int c : codes) {
      if (c < 400 || c >= 500) continue;
      ++errors;
      YAML::Node schema = ResponseSchema(Get(Get(o.op, "responses"), std::to_string(c)));
      EXPECT_EQ(Str(Get(schema, "$ref")), kErrorRef) << o.Name() << ": " << c << " must use Error";
    }
    if (o.Name() != "GET /api/v1/health") {
      EXPECT_GT(errors, 0) << o.Name() << ": documents no 4xx response";
    }

    // What the API wrapper answers for every route of its kind.
    auto need = [&](int c, const char* why) {
      EXPECT_TRUE(codes.count(c)) << o.Name() << ": should document " << c << " (" << why << ")";
    };
    if (owner != "anyone") {
      need(401, "no or expired session");
      if (o.path != "/api/v1/me") need(403, "not allowed / password change required");
    }
    if (mutating) {
      need(400, "malformed body");
      need(413, "body too large");
      if (!IsMultipart(o)) need(415, "body that is not JSON");
      if (owner != "anyone") need(403, "missing X-CSRF-Token");
    }
    if (!PatternParams(o.path).empty()) need(404, "no such id");
    for (const auto& p : Parameters(o)) {
      if (Str(Get(p, "name")) == "page") need(400, "bad page");
    }

    // Security: none for "anyone"; the cookie otherwise, plus the CSRF header
    // on every state-changing request.
    YAML::Node own = Get(o.op, "security");
    if (owner == "anyone") {
      EXPECT_TRUE(own.IsSequence() && own.size() == 0) << o.Name() << ": needs `security: []`";
      continue;
    }
    YAML::Node sec = own.IsDefined() ? own : global_security;
    ASSERT_TRUE(sec.IsSequence() && sec.size() > 0) << o.Name() << ": no security requirement";
    for (const auto& req : sec) {
      EXPECT_TRUE(Get(req, "cookieAuth").IsDefined())
          << o.Name() << ": a requirement without cookieAuth";
      if (mutating) {
        EXPECT_TRUE(Get(req, "csrfToken").IsDefined())
            << o.Name() << ": a requirement without csrfToken";
      } else {
        EXPECT_FALSE(Get(req, "csrfToken").IsDefined()) << o.Name() << ": GET needs no CSRF token";
      }
    }
  }
}

TEST_F(OpenApiTest, JsonBodiesAreObjectsWithTypedMembers) {
  for (const auto& o : DocumentedOperations()) {
    if (o.method == "GET") {
      EXPECT_FALSE(Get(o.op, "requestBody").IsDefined()) << o.Name() << ": GET with a body";
      continue;
    }
    YAML::Node schema = JsonBodySchema(o);
    if (!schema.IsDefined()) continue;
    View v;
    Flatten(schema, v);
    EXPECT_TRUE(v.types.count("object")) << o.Name() << ": the JSON body is an object";
    for (const auto& [name, parts] : v.props) {
      View pv;
      for (const auto& p : parts) Flatten(p, pv);
      EXPECT_FALSE(pv.types.empty()) << o.Name() << ": body member " << name << " has no type";
    }
    for (const auto& r : v.required) {
      EXPECT_TRUE(v.props.count(r)) << o.Name() << ": required member " << r << " not described";
    }
  }
}

// --- the document against a live platform ------------------------------------

class Live {
 public:
  explicit Live(TestPlatform& p) : p_(p) {}

  // Builds a site with a column, a site administrator, a media file and an
  // article, checking each creation against its documented response.
  void Build() {
    sys_ = std::make_unique<Client>(p_.As("sysadmin"));
    sec_ = std::make_unique<Client>(p_.As("secadmin"));
    aud_ = std::make_unique<Client>(p_.As("auditor"));

    auto depts = sys_->Get("/api/v1/departments");
    ASSERT_EQ(depts.status, 200) << depts.body;
    int64_t district = depts.Json()["items"][0]["id"];

    // Unique names: the suite's tests share one platform.
    static int round = 0;
    std::string n = std::to_string(++round);
    auto site = Created("POST", "/api/v1/sites", sys_.get(),
                        {{"code", "openapi-site" + n},
                         {"name", "接口测试站"},
                         {"domains", {"openapi" + n + ".example.edu.cn"}}});
    site_id_ = site["id"];
    auto column = Created("POST", "/api/v1/sites/{id}/columns", sys_.get(),
                          {{"name", "新闻动态"}, {"type", "list"}}, site_id_);
    column_id_ = column["id"];
    auto user = Created(
        "POST", "/api/v1/users", sys_.get(),
        {{"username", "openapi-tmp" + n}, {"display_name", "临时"}, {"department_id", district}});
    ASSERT_TRUE(user.contains("user"));

    user_id_ = p_.CreateUser("openapi-admin" + n, district);
    auto grant = Created("POST", "/api/v1/users/{id}/grants", sys_.get(),
                         {{"site_id", site_id_}, {"role", "site_admin"}}, user_id_);
    grant_id_ = grant["id"];

    site_admin_ = std::make_unique<Client>(p_.admin_base());
    auto login = site_admin_->Login("openapi-admin" + n, TestPlatform::kPassword);
    ASSERT_EQ(login.status, 200) << login.body;
    Check("POST", "/api/v1/auth/login", 200, login);

    std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(64, '\0');
    auto up = site_admin_->Upload(Path("/api/v1/sites/{id}/media", site_id_), "file", "logo.png",
                                  png, {{"alt", "校徽"}});
    ASSERT_EQ(up.status, 201) << up.body;
    Check("POST", "/api/v1/sites/{id}/media", 201, up);
    int64_t media_id = up.Json()["id"];

    auto article = Created("POST", "/api/v1/sites/{id}/articles", site_admin_.get(),
                           {{"column_id", column_id_},
                            {"title", "开学通知"},
                            {"body", "<p>正文</p>"},
                            {"attachments", {media_id}}},
                           site_id_);
    article_id_ = article["id"];

    auto inspection = Created("POST", "/api/v1/inspections", sys_.get(), json::object());
    inspection_id_ = inspection["id"];
    auto monitor = Created(
        "POST", "/api/v1/monitors", sys_.get(),
        {{"url", "http://127.0.0.1:9/openapi" + n}, {"interval_s", 60}, {"keyword", "欢迎"}});
    monitor_id_ = monitor["id"];
    auto channel = Created("POST", "/api/v1/alert-channels", sys_.get(),
                           {{"type", "wecom"},
                            {"url", "http://127.0.0.1:9/cgi-bin/webhook/send?key=x" + n},
                            {"sites", {site_id_}}});
    channel_id_ = channel["id"];
    auto window = Created("POST", "/api/v1/maintenance-windows", sys_.get(),
                          {{"site_id", site_id_}, {"starts_at", 1}, {"ends_at", 2}});
    window_id_ = window["id"];
  }

  // The id that exists for the resource named by the segment before {id}.
  int64_t IdFor(const std::string& pattern) const {
    auto at = pattern.find("/{id}");
    std::string before = pattern.substr(0, at);
    std::string kind = before.substr(before.rfind('/') + 1);
    if (kind == "sites") return site_id_;
    if (kind == "columns") return column_id_;
    if (kind == "articles") return article_id_;
    if (kind == "users") return user_id_;
    if (kind == "grants") return grant_id_;
    if (kind == "inspections") return inspection_id_;
    if (kind == "monitors") return monitor_id_;
    if (kind == "alert-channels") return channel_id_;
    if (kind == "maintenance-windows") return window_id_;
    ADD_FAILURE() << "no fixture id for " << pattern;
    return kMissingId;
  }

  static std::string Path(const std::string& pattern, int64_t id) {
    std::string out = pattern;
    auto at = out.find("{id}");
    if (at != std::string::npos) out.replace(at, 4, std::to_string(id));
    return out;
  }

  // A client that may call an operation of this owner.
  Client& For(const std::string& owner) {
    std::string first = owner.substr(0, owner.find('|'));
    if (first == "secadmin") return *sec_;
    if (first == "auditor") return *aud_;
    if (first.rfind("site:", 0) == 0) return *site_admin_;
    return *sys_;
  }

  std::vector<std::pair<std::string, Client*>> AllClients() {
    return {{"sysadmin", sys_.get()},
            {"secadmin", sec_.get()},
            {"auditor", aud_.get()},
            {"site_admin", site_admin_.get()}};
  }

  // The live response matches the documented response for that status.
  static void Check(const std::string& method, const std::string& pattern, long status,
                    const HttpResult& r) {
    auto ops = DocumentedOperations();
    const Operation* op = nullptr;
    for (const auto& o : ops) {
      if (o.method == method && o.path == pattern) op = &o;
    }
    ASSERT_NE(op, nullptr) << method << " " << pattern << " is not documented";
    YAML::Node resp = Get(Get(op->op, "responses"), std::to_string(status));
    ASSERT_TRUE(resp.IsDefined()) << method << " " << pattern << " answered " << status
                                  << ", which is not documented: " << r.body;
    YAML::Node schema = ResponseSchema(resp);
    std::string other = NonJsonType(resp);
    if (!schema.IsDefined() && !other.empty()) {
      auto ct = r.headers.find("content-type");
      ASSERT_NE(ct, r.headers.end()) << method << " " << pattern << ": no Content-Type";
      EXPECT_EQ(ct->second.rfind(other, 0), 0u) << method << " " << pattern << ": Content-Type "
                                                << ct->second << ", documented " << other;
      EXPECT_FALSE(r.body.empty()) << method << " " << pattern << ": empty " << other;
      return;
    }
    if (!schema.IsDefined()) {
      EXPECT_TRUE(r.body.empty()) << method << " " << pattern << ": undocumented body " << r.body;
      return;
    }
    json body = r.Json();
    ASSERT_FALSE(body.is_discarded()) << method << " " << pattern << ": not JSON: " << r.body;
    std::vector<std::string> errors;
    CheckValue({schema}, body, "body", errors);
    for (const auto& e : errors)
      ADD_FAILURE() << method << " " << pattern << " " << status << ": " << e;
  }

 private:
  json Created(const std::string& method, const std::string& pattern, Client* c, const json& body,
               int64_t id = 0) {
    auto r = c->Request(method, Path(pattern, id), body.dump());
    EXPECT_EQ(r.status, 201) << method << " " << pattern << ": " << r.body;
    Check(method, pattern, r.status, r);
    json j = r.Json();
    return j.is_object() ? j : json::object();
  }

  TestPlatform& p_;
  std::unique_ptr<Client> sys_, sec_, aud_, site_admin_;
  int64_t site_id_ = 0, column_id_ = 0, article_id_ = 0, user_id_ = 0, grant_id_ = 0,
          inspection_id_ = 0;
  int64_t monitor_id_ = 0, channel_id_ = 0, window_id_ = 0;
};

TEST_F(OpenApiLiveTest, GetResponsesMatchTheirSchemas) {
  Live live(*platform_);
  ASSERT_NO_FATAL_FAILURE(live.Build());
  int checked = 0;
  for (const auto& o : DocumentedOperations()) {
    if (o.method != "GET") continue;
    std::string owner = Str(Get(o.op, "x-owner"));
    std::string path =
        o.path.find("{id}") == std::string::npos ? o.path : Live::Path(o.path, live.IdFor(o.path));
    auto r = live.For(owner).Get(path);
    EXPECT_EQ(r.status, 200) << o.Name() << " as " << owner << ": " << r.body;
    Live::Check(o.method, o.path, r.status, r);
    ++checked;
  }
  EXPECT_GT(checked, 15);
}

TEST_F(OpenApiLiveTest, UnknownFieldsAreRefused) {
  Live live(*platform_);
  ASSERT_NO_FATAL_FAILURE(live.Build());
  std::set<std::string> codes;
  for (int i = 0; i <= static_cast<int>(Code::kInternal); ++i) {
    codes.insert(std::string(CodeName(static_cast<Code>(i))));
  }
  int strict = 0;
  for (const auto& o : DocumentedOperations()) {
    if (o.method != "POST" && o.method != "PATCH") continue;
    YAML::Node schema = Resolve(JsonBodySchema(o));
    if (Str(Get(schema, "additionalProperties")) != "false") continue;
    ++strict;
    std::vector<int64_t> ids = {0};
    if (o.path.find("{id}") != std::string::npos) ids = {live.IdFor(o.path), kMissingId};
    for (int64_t id : ids) {
      std::string path = Live::Path(o.path, id);
      for (auto& [who, c] : live.AllClients()) {
        auto r = c->Request(o.method, path, R"({"zz_unknown":1})");
        std::string what = o.method + " " + path + " as " + who;
        EXPECT_GE(r.status, 400) << what << " accepted an unknown member: " << r.body;
        EXPECT_LT(r.status, 500) << what << ": " << r.body;
        Live::Check(o.method, o.path, r.status, r);
        json j = r.Json();
        ASSERT_TRUE(j.is_object() && j.contains("error")) << what << ": " << r.body;
        EXPECT_TRUE(codes.count(j["error"].value("code", ""))) << what << ": " << r.body;
        if (r.status == 400) {
          EXPECT_EQ(j["error"].value("field", ""), "zz_unknown")
              << what << ": refused, but not for the unknown member: " << r.body;
        }
      }
    }
  }
  EXPECT_GT(strict, 10) << "expected most JSON bodies to refuse unknown members";
}

}  // namespace
}  // namespace zhanqun::testing
