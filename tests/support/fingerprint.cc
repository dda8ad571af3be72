#include "fingerprint.h"

#include "security/crypto.h"

namespace zhanqun::testing {

std::string StoreFingerprint(service::Service& s) {
  static const char* kTables[] = {"departments",
                                  "users",
                                  "password_history",
                                  "sites",
                                  "site_domains",
                                  "columns",
                                  "blobs",
                                  "media",
                                  "articles",
                                  "article_revisions",
                                  "article_attachments",
                                  "grants",
                                  "settings",
                                  "audit_log",
                                  "audit_head",
                                  "monitors",
                                  "incidents",
                                  "incident_events",
                                  "alert_channels",
                                  "alert_outbox",
                                  "maintenance_windows"};
  std::string all;
  auto st = s.db().Read([&](store::Conn& c) -> Status {
    for (const char* t : kTables) {
      auto rows = c.Query(std::string("SELECT * FROM ") + t + " ORDER BY 1, 2");
      if (!rows) return Fail(std::move(rows.error()));
      all += std::string("#") + t + "\n";
      for (const auto& r : *rows) {
        for (const auto& v : r.values) {
          if (auto* i = std::get_if<int64_t>(&v))
            all += std::to_string(*i);
          else if (auto* d = std::get_if<double>(&v))
            all += std::to_string(*d);
          else if (auto* str = std::get_if<std::string>(&v))
            all += *str;
          else
            all += "NULL";
          all += '\x1f';
        }
        all += '\n';
      }
    }
    return {};
  });
  if (!st) return "error: " + st.error().internal;
  return security::Sha256Hex(all);
}

}  // namespace zhanqun::testing
