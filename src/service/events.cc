#include <spdlog/spdlog.h>

#include "service/internal.h"

namespace zhanqun::service {

using namespace internal;

std::string_view WhatName(ContentChange::What w) {
  switch (w) {
    case ContentChange::What::kArticle:
      return "article";
    case ContentChange::What::kColumn:
      return "column";
    case ContentChange::What::kSite:
      return "site";
    case ContentChange::What::kTheme:
      return "theme";
    case ContentChange::What::kMedia:
      return "media";
  }
  return "article";
}

void Service::Subscribe(ContentSubscriber* subscriber) {
  if (subscriber) subscribers_.push_back(subscriber);
}

void Service::Announce(const ContentChange& change) {
  for (ContentSubscriber* s : subscribers_) {
    try {
      s->OnContentChanged(change);
    } catch (const std::exception& e) {
      spdlog::error("change subscriber ({} {} of site {}): {}", WhatName(change.what), change.id,
                    change.site_id, e.what());
    } catch (...) {
      spdlog::error("change subscriber ({} {} of site {}): unknown exception",
                    WhatName(change.what), change.id, change.site_id);
    }
  }
}

Result<std::vector<int64_t>> Service::PublishScheduled(int64_t now_ms) {
  struct Due {
    int64_t id, site_id;
  };
  const Principal scheduler = Principal::System("scheduler");
  auto due = db_->WriteValue<std::vector<Due>>([&](Conn& c) -> Result<std::vector<Due>> {
    ZQ_ASSIGN_OR_RETURN(auto rows,
                        c.Query("SELECT id, site_id, publish_at FROM articles WHERE status = "
                                "'approved' AND publish_at IS NOT NULL AND publish_at <= ? "
                                "ORDER BY publish_at, id",
                                {now_ms}));
    std::vector<Due> out;
    for (const auto& r : rows) {
      int64_t id = r.Int("id");
      ZQ_ASSIGN_OR_RETURN(int64_t n,
                          c.Exec("UPDATE articles SET status = 'published', published_at = "
                                 "publish_at, publish_at = NULL, updated_at = ? WHERE id = ? AND "
                                 "status = 'approved'",
                                 {now_ms, id}));
      if (n != 1) continue;
      ZQ_TRY(AppendAudit(c, now_ms, scheduler, "article.publish", "article", std::to_string(id),
                         "success",
                         {{"before", {{"status", "approved"}}},
                          {"after", {{"status", "published"}}},
                          {"scheduled_at", r.Int("publish_at")}}));
      out.push_back({id, r.Int("site_id")});
    }
    return out;
  });
  if (!due) return Fail(std::move(due.error()));
  std::vector<int64_t> ids;
  for (const Due& d : *due) {
    Announce({ContentChange::What::kArticle, ContentChange::How::kUpdated, d.site_id, d.id, true});
    ids.push_back(d.id);
  }
  return ids;
}

Result<std::vector<Service::SiteDomain>> Service::OpenSiteDomains() {
  return db_->ReadValue<std::vector<SiteDomain>>([](Conn& c) -> Result<std::vector<SiteDomain>> {
    ZQ_ASSIGN_OR_RETURN(auto rows,
                        c.Query("SELECT s.code, s.theme, d.domain FROM sites s JOIN site_domains "
                                "d ON d.site_id = s.id WHERE s.status = 'open' ORDER BY s.code, "
                                "d.position, d.domain"));
    std::vector<SiteDomain> out;
    for (const auto& r : rows) out.push_back({r.Text("code"), r.Text("theme"), r.Text("domain")});
    return out;
  });
}

Result<std::vector<std::string>> Service::SiteCodes(bool open_only) {
  return db_->ReadValue<std::vector<std::string>>([&](Conn& c) -> Result<std::vector<std::string>> {
    ZQ_ASSIGN_OR_RETURN(auto rows, c.Query(open_only ? "SELECT code FROM sites WHERE status "
                                                       "= 'open' ORDER BY code"
                                                     : "SELECT code FROM sites ORDER BY code"));
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.Text("code"));
    return out;
  });
}

}  // namespace zhanqun::service
