#include <openssl/evp.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/text.h"
#include "service/internal.h"

namespace zhanqun::service {

using namespace internal;
namespace fs = std::filesystem;

namespace {

struct Sniffed {
  std::string mime;
  bool image = false;
};

// The type comes from the bytes, never from the client's Content-Type.
std::optional<Sniffed> Sniff(const std::string& head, const std::string& filename) {
  auto starts = [&](std::string_view magic) { return head.rfind(magic, 0) == 0; };
  std::string ext;
  if (auto dot = filename.rfind('.'); dot != std::string::npos) {
    ext = filename.substr(dot + 1);
    for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  if (starts("\x89PNG\r\n\x1a\n")) return Sniffed{"image/png", true};
  if (starts("\xff\xd8\xff")) return Sniffed{"image/jpeg", true};
  if (starts("GIF87a") || starts("GIF89a")) return Sniffed{"image/gif", true};
  if (head.size() >= 12 && starts("RIFF") && head.compare(8, 4, "WEBP") == 0)
    return Sniffed{"image/webp", true};
  if (starts("%PDF-")) return Sniffed{"application/pdf", false};
  if (starts("PK\x03\x04")) {
    if (ext == "docx")
      return Sniffed{"application/vnd.openxmlformats-officedocument.wordprocessingml.document"};
    if (ext == "xlsx")
      return Sniffed{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
    if (ext == "pptx")
      return Sniffed{"application/vnd.openxmlformats-officedocument.presentationml.presentation"};
    if (ext == "zip") return Sniffed{"application/zip"};
    return std::nullopt;
  }
  if (starts("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) {
    if (ext == "doc") return Sniffed{"application/msword"};
    if (ext == "xls") return Sniffed{"application/vnd.ms-excel"};
    if (ext == "ppt") return Sniffed{"application/vnd.ms-powerpoint"};
    return std::nullopt;
  }
  if (head.size() >= 12 && head.compare(4, 4, "ftyp") == 0) return Sniffed{"video/mp4"};
  if (starts("ID3") || (head.size() > 1 && static_cast<unsigned char>(head[0]) == 0xff &&
                        (static_cast<unsigned char>(head[1]) & 0xe0) == 0xe0)) {
    if (ext == "mp3") return Sniffed{"audio/mpeg"};
  }
  if ((ext == "txt" || ext == "csv") &&
      IsValidUtf8(head.substr(0, head.size() - std::min<size_t>(head.size(), 3)))) {
    return Sniffed{ext == "csv" ? "text/csv" : "text/plain"};
  }
  return std::nullopt;
}

Result<std::string> HashFile(const std::string& path, uint64_t& size, std::string& head) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::Internal("cannot open upload " + path));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(64 * 1024);
  size = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto n = in.gcount();
    if (n <= 0) break;
    if (head.size() < 512) head.append(buf.data(), std::min<size_t>(n, 512 - head.size()));
    EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(n));
    size += static_cast<uint64_t>(n);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 15];
  }
  return hex;
}

}  // namespace

Result<json> Service::AddMedia(const Principal& p, int64_t site_id, const std::string& temp_path,
                               const std::string& filename, const std::string& mime_hint,
                               const std::string& alt) {
  (void)mime_hint;
  ZQ_TRY(CheckUpload(p, site_id));
  ZQ_TRY(CheckTextKind("filename", filename, TextKind::kName, 200, true));
  ZQ_TRY(CheckLine("alt", alt, 200, false));
  uint64_t size = 0;
  std::string head;
  ZQ_ASSIGN_OR_RETURN(std::string hash, HashFile(temp_path, size, head));
  if (size == 0) return Fail(Error::Invalid("file", "上传的文件为空"));
  auto sniffed = Sniff(head, filename);
  if (!sniffed) {
    return Fail(Error::Invalid("file",
                               "不支持的文件类型：仅支持图片（PNG/JPEG/GIF/WebP）、PDF、Office "
                               "文档、ZIP、MP4、MP3、TXT、CSV"));
  }
  if (sniffed->image && alt.empty()) {
    return Fail(Error::Invalid("alt", "图片必须填写替代文本（alt），以便读屏软件朗读"));
  }
  fs::path dir = fs::path(options_.data_dir) / "media" / hash.substr(0, 2);
  fs::path dest = dir / hash.substr(2);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(Error::Internal("mkdir " + dir.string() + ": " + ec.message()));
  if (!fs::exists(dest, ec)) {
    // Same filesystem (uploads are under the data directory): rename is atomic.
    fs::rename(temp_path, dest, ec);
    if (ec) {
      fs::copy_file(temp_path, dest.string() + ".tmp", fs::copy_options::overwrite_existing, ec);
      if (!ec) fs::rename(dest.string() + ".tmp", dest, ec);
      if (ec) return Fail(Error::Internal("store media: " + ec.message()));
    }
  }
  int64_t now = Now();
  std::string base = fs::path(filename).filename().string();
  return db_->WriteValue<json>([&](Conn& c) -> Result<json> {
    ZQ_TRY(c.Exec(
        "INSERT INTO blobs (hash, size, mime, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (hash) "
        "DO NOTHING",
        {hash, static_cast<int64_t>(size), sniffed->mime, now}));
    auto rows = c.Query(
        "INSERT INTO media (site_id, hash, filename, mime, size, alt, uploaded_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, site_id, hash, filename, mime, size, alt, "
        "width, height, uploaded_by, created_at",
        {site_id, hash, base, sniffed->mime, static_cast<int64_t>(size), alt, p.user_id, now});
    if (!rows) return Fail(std::move(rows.error()));
    json out = MediaJson(rows->front());
    ZQ_TRY(AppendAudit(c, now, p, "media.create", "media", std::to_string(out["id"].get<int64_t>()),
                       "success", {{"before", nullptr}, {"after", out}}));
    return out;
  });
}

Status Service::CheckUpload(const Principal& p, int64_t site_id) {
  auto exists = db_->Read([&](Conn& c) -> Status { return LoadSite(c, site_id).map([](Row) {}); });
  if (!exists) return exists;
  if (!p.HasRoleSomewhere(site_id, SiteRole::kEditor)) {
    return Fail(Error::Forbidden("没有在该站点上传文件的权限"));
  }
  return {};
}

Result<json> Service::ListMedia(const Principal& p, int64_t site_id, const Page& page,
                                const json& f) {
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    ZQ_TRY(LoadSite(c, site_id));
    ZQ_TRY(CanReadSite(p, site_id));
    std::string where = " WHERE site_id = ?";
    store::Params params = {site_id};
    std::string kind = f.value("kind", "");
    if (kind == "image") where += " AND mime LIKE 'image/%'";
    if (kind == "file") where += " AND mime NOT LIKE 'image/%'";
    std::string q = f.value("q", "");
    if (!q.empty()) {
      where += std::string(" AND (filename LIKE ?") + kLikeEscape + " OR alt LIKE ?" + kLikeEscape +
               ")";
      params.emplace_back(LikeContains(q));
      params.emplace_back(LikeContains(q));
    }
    ZQ_ASSIGN_OR_RETURN(int64_t total, c.QueryInt("SELECT COUNT(*) FROM media" + where, params));
    params.push_back(page.page_size);
    params.push_back((page.page - 1) * page.page_size);
    auto rows = c.Query(
        "SELECT id, site_id, hash, filename, mime, size, alt, width, height, uploaded_by, "
        "created_at FROM media" +
            where + " ORDER BY id DESC LIMIT ? OFFSET ?",
        params);
    if (!rows) return Fail(std::move(rows.error()));
    json items = json::array();
    for (const auto& r : *rows) items.push_back(MediaJson(r));
    return json{{"items", items}, {"total", total}};
  });
}

Status Service::DeleteMedia(const Principal& p, int64_t media_id) {
  auto loaded = db_->ReadValue<Row>([&](Conn& c) {
    return c.QueryOne(
        "SELECT id, site_id, hash, filename, mime, size, alt, width, height, uploaded_by, "
        "created_at FROM media WHERE id = ?",
        {media_id}, "媒体文件");
  });
  if (!loaded) return Fail(std::move(loaded.error()));
  int64_t site_id = loaded->Int("site_id");
  if (!p.HasRoleSomewhere(site_id, SiteRole::kEditor)) {
    return Fail(Error::Forbidden("没有在该站点管理文件的权限"));
  }
  int64_t now = Now();
  return db_->Write([&](Conn& c) -> Status {
    ZQ_ASSIGN_OR_RETURN(Row r, c.QueryOne("SELECT id, site_id, hash, filename, mime, size, alt, "
                                          "width, height, uploaded_by, created_at FROM media "
                                          "WHERE id = ?",
                                          {media_id}, "媒体文件"));
    std::string hash = r.Text("hash");
    ZQ_ASSIGN_OR_RETURN(
        int64_t used,
        c.QueryInt(
            "SELECT COUNT(*) FROM articles a WHERE a.site_id = ? AND (a.cover_media_id = ? "
            "OR a.body LIKE ? OR EXISTS (SELECT 1 FROM article_attachments t WHERE "
            "t.article_id = a.id AND t.media_id = ?))",
            {site_id, media_id, "%/_media/" + hash.substr(0, 2) + "/" + hash + ".%", media_id}));
    if (used > 0) {
      return Fail(
          Error::Conflict("id", "有 " + std::to_string(used) +
                                    " 篇信息正在使用该文件（附件、封面或正文），请先移除引用"));
    }
    ZQ_TRY(c.Exec("DELETE FROM media WHERE id = ?", {media_id}));
    return AppendAudit(c, now, p, "media.delete", "media", std::to_string(media_id), "success",
                       {{"before", MediaJson(r)}, {"after", nullptr}});
  });
}

}  // namespace zhanqun::service
