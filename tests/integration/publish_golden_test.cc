// The published bytes of a fixed-seed demo district, pinned. The binary
// builds the demo (`zhanqun demo --sites 3 --seed 7`, content dates from the
// demo's fixed clock); every site's manifest (path, size and SHA-256 of each
// published file) is listed, and the listing's SHA-256 must equal the value
// checked in at tests/fixtures/golden/demo-manifest.sha256, on SQLite and on
// PostgreSQL alike. A refactoring that changes one byte of one page fails
// here; a deliberate change of what the renderer makes bumps kRenderVersion
// and updates the value (see kHowToUpdate).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "publish/files.h"
#include "publish/publisher.h"
#include "support/subprocess.h"
#include "support/test_env.h"

namespace zhanqun::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSites = "3";
constexpr const char* kSeed = "7";
const fs::path kFixtureDir = fs::path(ZQ_SOURCE_DIR) / "tests/fixtures/golden";
// "<render version> <sha256>\n": the value, and the render version it was made by.
const fs::path kValueFile = kFixtureDir / "demo-manifest.sha256";
// The listing the value hashes, one file a line, so that a diff names the pages.
const fs::path kListingFile = kFixtureDir / "demo-manifest.txt";

constexpr const char* kHowToUpdate =
    "Only a deliberate change of the rendered output may update the golden value: bump\n"
    "kRenderVersion (src/publish), say in the commit what pages change and why, then run\n"
    "  ZQ_UPDATE_GOLDEN=1 ctest --test-dir build -R PublishGolden\n"
    "and commit tests/fixtures/golden/demo-manifest.{sha256,txt} (check the .txt diff: it\n"
    "names every page whose bytes changed). Both engines must give the same value.";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "site <code>" then "<path> <size> <sha256>" for every published file of
// every site, in code and path order.
std::string Listing(const fs::path& publish_dir) {
  std::vector<std::string> codes;
  for (const auto& e : fs::directory_iterator(publish_dir)) {
    std::string name = e.path().filename().string();
    if (!name.empty() && name[0] != '.') codes.push_back(name);
  }
  std::sort(codes.begin(), codes.end());
  std::string out;
  for (const auto& code : codes) {
    json m = json::parse(Slurp(publish_dir / code / "manifest.json"), nullptr, false);
    if (m.is_discarded() || !m.contains("files")) {
      ADD_FAILURE() << "no manifest for site " << code;
      continue;
    }
    out += "site " + code + "\n";
    for (const auto& [path, e] : m["files"].items()) {  // (nlohmann: in key order)
      out += path + " " + std::to_string(e["size"].get<int64_t>()) + " " +
             e["sha256"].get<std::string>() + "\n";
    }
  }
  return out;
}

std::set<std::string> Lines(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.insert(line);
  return out;
}

TEST(PublishGolden, DemoDistrictPublishesTheCheckedInBytes) {
  TempDir dir;
  std::vector<std::string> argv = {ZQ_BINARY_PATH, "demo", "--data", dir.path(),
                                   "--sites",      kSites, "--seed", kSeed};
  std::string db = FreshDatabaseUrl();
  if (!db.empty()) {
    argv.push_back("--db");
    argv.push_back(db);
  }
  std::string out;
  ASSERT_EQ(zhanqun::testing::Run(argv, &out), 0) << out;
  const std::string listing = Listing(fs::path(dir.path()) / "publish");
  ASSERT_FALSE(listing.empty());
  const std::string value = std::string(publish::kRenderVersion) + " " + publish::Sha256(listing);

  if (const char* u = std::getenv("ZQ_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    fs::create_directories(kFixtureDir);
    std::ofstream(kValueFile) << value << "\n";
    std::ofstream(kListingFile) << listing;
    GTEST_SKIP() << "golden value written: " << value;
  }
  std::string expected = Slurp(kValueFile);
  while (!expected.empty() && (expected.back() == '\n' || expected.back() == ' '))
    expected.pop_back();
  ASSERT_FALSE(expected.empty()) << kValueFile << " is missing.\n" << kHowToUpdate;
  if (value == expected) return;

  // Say what differs: the render version, and the pages.
  std::ostringstream why;
  const std::string expected_version = expected.substr(0, expected.find(' '));
  if (expected_version != publish::kRenderVersion) {
    why << "kRenderVersion is " << publish::kRenderVersion << " but the golden value was made by "
        << expected_version << ": update the golden value.\n";
  } else {
    why << "The published bytes of the demo district changed (engine " << EngineName()
        << ") without a render-version change.\n";
  }
  std::set<std::string> was = Lines(Slurp(kListingFile)), now = Lines(listing);
  int shown = 0;
  for (const auto& l : was) {
    if (!now.count(l) && shown++ < 20) why << "  - " << l << "\n";
  }
  for (const auto& l : now) {
    if (!was.count(l) && shown++ < 40) why << "  + " << l << "\n";
  }
  FAIL() << why.str() << "expected " << expected << "\n     got " << value << "\n" << kHowToUpdate;
}

}  // namespace
}  // namespace zhanqun::testing
