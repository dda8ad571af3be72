#include <string>

#include "core/text.h"
#include "security/crypto.h"
#include "service/service.h"

namespace zhanqun::service {
namespace {

using store::Conn;
using store::Row;

// The bytes hashed for one entry: every field, in a fixed order, as a compact
// JSON array (unambiguous, unlike plain concatenation).
std::string Canonical(int64_t seq, int64_t ts, const std::optional<int64_t>& actor_id,
                      const std::string& actor, const std::string& ip, const std::string& action,
                      const std::string& target_type, const std::string& target_id,
                      const std::string& result, const std::string& detail,
                      const std::string& prev_hash) {
  json a = json::array({seq, ts, actor_id ? json(*actor_id) : json(nullptr), actor, ip, action,
                        target_type, target_id, result, detail, prev_hash});
  return a.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string EntryHash(const std::string& prev_hash, const std::string& canonical) {
  return security::Sm3Hex(prev_hash + "\n" + canonical);
}

}  // namespace

Status AppendAudit(Conn& c, int64_t now, const Principal& actor, const std::string& action,
                   const std::string& target_type, const std::string& target_id,
                   const std::string& result, const json& detail) {
  // Taking the head row first serializes appenders (row lock on PostgreSQL,
  // the write lock on SQLite), so the chain has no forks.
  auto head = c.Query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash");
  if (!head) return Fail(std::move(head.error()));
  if (head->empty()) return Fail(Error::Internal("audit_head row missing"));
  int64_t seq = head->front().Int("seq");
  std::string prev = head->front().Text("hash");
  std::optional<int64_t> actor_id;
  if (actor.user_id > 0) actor_id = actor.user_id;
  std::string actor_name = actor.username.empty() ? "-" : actor.username;
  std::string detail_text = detail.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string canonical = Canonical(seq, now, actor_id, actor_name, actor.ip, action, target_type,
                                    target_id, result, detail_text, prev);
  std::string hash = EntryHash(prev, canonical);
  ZQ_TRY(
      c.Exec("INSERT INTO audit_log (seq, ts, actor_id, actor, ip, action, target_type, target_id, "
             "result, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {seq, now, store::Opt(actor_id), actor_name, actor.ip, action, target_type, target_id,
              result, detail_text, prev, hash}));
  ZQ_TRY(c.Exec("UPDATE audit_head SET hash = ? WHERE id = 1", {hash}));
  return {};
}

Status Service::RecordEvent(const Principal& p, const std::string& action,
                            const std::string& target_type, const std::string& target_id,
                            const std::string& result, const json& detail) {
  return db_->Write([&](Conn& c) -> Status {
    return AppendAudit(c, Now(), p, action, target_type, target_id, result, detail);
  });
}

Result<AuditVerifyReport> Service::VerifyAudit() {
  return db_->ReadValue<AuditVerifyReport>([&](Conn& c) -> Result<AuditVerifyReport> {
    AuditVerifyReport rep;
    std::string prev(64, '0');
    int64_t expected = 1;
    int64_t last_seq = 0;
    // Read in pages so that a long log does not sit in memory at once.
    constexpr int64_t kBatch = 2000;
    for (;;) {
      auto rows = c.Query(
          "SELECT seq, ts, actor_id, actor, ip, action, target_type, target_id, result, detail, "
          "prev_hash, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
          {last_seq, kBatch});
      if (!rows) return Fail(std::move(rows.error()));
      for (const Row& r : *rows) {
        int64_t seq = r.Int("seq");
        last_seq = seq;
        ++rep.entries;
        auto fail = [&](std::string problem, std::string message) {
          rep.ok = false;
          rep.first_bad_seq = seq;
          rep.problem = std::move(problem);
          rep.message = std::move(message);
        };
        if (seq != expected) {
          fail("removed", "审计记录 " + std::to_string(expected) + " 缺失（下一条为 " +
                              std::to_string(seq) + "）");
          rep.first_bad_seq = expected;
          return rep;
        }
        std::string canonical =
            Canonical(seq, r.Int("ts"), r.OptInt("actor_id"), r.Text("actor"), r.Text("ip"),
                      r.Text("action"), r.Text("target_type"), r.Text("target_id"),
                      r.Text("result"), r.Text("detail"), r.Text("prev_hash"));
        std::string recomputed = EntryHash(r.Text("prev_hash"), canonical);
        if (recomputed != r.Text("hash")) {
          fail("altered", "审计记录 " + std::to_string(seq) + " 的内容被修改");
          return rep;
        }
        if (r.Text("prev_hash") != prev) {
          fail("reordered",
               "审计记录 " + std::to_string(seq) + " 与前一条记录不相接（被删除、插入或调换）");
          return rep;
        }
        prev = r.Text("hash");
        ++expected;
      }
      if (static_cast<int64_t>(rows->size()) < kBatch) break;
    }
    auto head = c.QueryOne("SELECT seq, hash FROM audit_head WHERE id = 1", {}, "审计链头");
    if (!head) return Fail(std::move(head.error()));
    if (head->Int("seq") != expected - 1 || head->Text("hash") != prev) {
      rep.ok = false;
      rep.first_bad_seq = expected;
      rep.problem = "truncated";
      rep.message = "审计链末尾缺失：链头记录到第 " + std::to_string(head->Int("seq")) +
                    " 条，实际只有 " + std::to_string(expected - 1) + " 条";
      return rep;
    }
    rep.message = "审计链完整，共 " + std::to_string(rep.entries) + " 条记录";
    return rep;
  });
}

Result<json> Service::ListAudit(const Principal& p, const Page& page, const json& filters) {
  if (!p.IsAuditor()) return Fail(Error::Forbidden("仅审计管理员可以查看审计日志"));
  return db_->ReadValue<json>([&](Conn& c) -> Result<json> {
    std::string where = " WHERE 1=1";
    store::Params params;
    auto add_text = [&](const char* key, const char* clause) {
      if (filters.contains(key) && filters[key].is_string() &&
          !filters[key].get<std::string>().empty()) {
        where += clause;
        params.emplace_back(filters[key].get<std::string>());
      }
    };
    add_text("actor", " AND actor = ?");
    add_text("action", " AND action = ?");
    add_text("target_type", " AND target_type = ?");
    add_text("result", " AND result = ?");
    if (filters.contains("q") && filters["q"].is_string() &&
        !filters["q"].get<std::string>().empty()) {
      where += std::string(" AND (detail LIKE ?") + kLikeEscape + " OR target_id = ? OR actor LIKE ?" +
               kLikeEscape + ")";
      std::string q = filters["q"].get<std::string>();
      params.emplace_back(LikeContains(q));
      params.push_back(q);
      params.emplace_back(LikeContains(q));
    }
    if (filters.contains("from") && filters["from"].is_number_integer()) {
      where += " AND ts >= ?";
      params.push_back(filters["from"].get<int64_t>());
    }
    if (filters.contains("to") && filters["to"].is_number_integer()) {
      where += " AND ts < ?";
      params.push_back(filters["to"].get<int64_t>());
    }
    auto total = c.QueryInt("SELECT COUNT(*) FROM audit_log" + where, params);
    if (!total) return Fail(std::move(total.error()));
    store::Params p2 = params;
    p2.push_back(page.page_size);
    p2.push_back((page.page - 1) * page.page_size);
    auto rows = c.Query(
        "SELECT seq, ts, actor_id, actor, ip, action, target_type, target_id, result, detail, "
        "hash FROM audit_log" +
            where + " ORDER BY seq DESC LIMIT ? OFFSET ?",
        p2);
    if (!rows) return Fail(std::move(rows.error()));
    json items = json::array();
    for (const Row& r : *rows) {
      json d = json::parse(r.Text("detail"), nullptr, false);
      items.push_back({{"seq", r.Int("seq")},
                       {"ts", r.Int("ts")},
                       {"actor_id", r.IsNull("actor_id") ? json(nullptr) : json(r.Int("actor_id"))},
                       {"actor", r.Text("actor")},
                       {"ip", r.Text("ip")},
                       {"action", r.Text("action")},
                       {"target_type", r.Text("target_type")},
                       {"target_id", r.Text("target_id")},
                       {"result", r.Text("result")},
                       {"detail", d.is_discarded() ? json(r.Text("detail")) : d},
                       {"hash", r.Text("hash")}});
    }
    return json{{"items", items}, {"total", *total}};
  });
}

}  // namespace zhanqun::service
