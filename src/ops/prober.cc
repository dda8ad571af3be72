// The prober: every due monitor is one easy handle on one curl multi handle,
// all concurrent, on one thread. Results are written in batches (one
// transaction a second at most), and each batch updates the rollups, the
// per-monitor state and the incidents in the same transaction.
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <ctime>
#include <set>
#include <variant>

#include "ops/internal.h"
#include "zhanqun/version.h"

namespace zhanqun::ops {
namespace {

using Clock = std::chrono::steady_clock;
using store::Conn;

constexpr size_t kMaxBody = 1 << 20;  // keyword search looks at the first MiB

struct Probe {
  MonitorSpec spec;
  CURL* easy = nullptr;
  curl_slist* connect_to = nullptr;
  std::string body;
  bool got_header = false;
  int64_t ts = 0;
  Clock::time_point started;
  char errbuf[CURL_ERROR_SIZE] = {};
};

size_t OnBody(char* ptr, size_t size, size_t n, void* user) {
  auto* p = static_cast<Probe*>(user);
  p->got_header = true;
  size_t len = size * n;
  if (p->body.size() < kMaxBody) p->body.append(ptr, std::min(len, kMaxBody - p->body.size()));
  return len;
}

size_t OnHeader(char*, size_t size, size_t n, void* user) {
  static_cast<Probe*>(user)->got_header = true;
  return size * n;
}

// "Jan  1 00:00:00 2030 GMT" (OpenSSL's ASN1_TIME_print) -> ms since epoch.
std::optional<int64_t> ParseCertDate(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%b %d %H:%M:%S %Y", &tm);
  if (!end) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

std::optional<int64_t> CertExpiry(CURL* e) {
  curl_certinfo* ci = nullptr;
  if (curl_easy_getinfo(e, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
    return std::nullopt;
  for (curl_slist* s = ci->certinfo[0]; s; s = s->next) {
    std::string line = s->data;
    if (line.rfind("Expire date:", 0) == 0) return ParseCertDate(line.substr(12));
  }
  return std::nullopt;
}

int64_t Ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

bool ProtectionMode(Conn& c) {
  auto v = c.Query("SELECT value FROM settings WHERE key = 'monitor.protection'");
  return v && !v->empty() && v->front().Text("value") == "1";
}

Result<std::vector<MaintenanceWindow>> LoadWindows(Conn& c, int64_t from, int64_t to) {
  ZQ_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT site_id, starts_at, ends_at FROM "
                                         "maintenance_windows WHERE starts_at <= ? AND ends_at > ?",
                                         {to, from}));
  std::vector<MaintenanceWindow> out;
  for (const auto& r : rows)
    out.push_back(MaintenanceWindow{r.OptInt("site_id"), r.Int("starts_at"), r.Int("ends_at")});
  return out;
}

Result<std::vector<MonitorSpec>> Monitoring::Impl::LoadMonitors() {
  return owner.db_.ReadValue<std::vector<MonitorSpec>>(
      [](Conn& c) -> Result<std::vector<MonitorSpec>> {
        ZQ_ASSIGN_OR_RETURN(auto rows,
                            c.Query("SELECT id, site_id, kind, name, domain, url, interval_s, "
                                    "keyword, ip_version, home FROM monitors WHERE enabled = 1"));
        std::vector<MonitorSpec> out;
        for (const auto& r : rows) {
          out.push_back(MonitorSpec{r.Int("id"), r.OptInt("site_id"), r.Text("kind"),
                                    r.Text("name"), r.Text("domain"), r.Text("url"),
                                    r.Int("interval_s"), r.Text("keyword"), r.Text("ip_version"),
                                    r.Int("home") != 0});
        }
        return out;
      });
}

void Monitoring::Impl::ProberLoop() {
  const auto& cfg = owner.options_.config;
  CURLM* m = static_cast<CURLM*>(multi);
  std::map<int64_t, MonitorSpec> monitors;
  std::map<int64_t, Clock::time_point> due;
  std::map<CURL*, std::unique_ptr<Probe>> inflight;
  std::set<int64_t> busy;
  std::vector<ProbeResult> pending;
  bool loaded_once = false;
  bool protection = false;
  auto last_flush = Clock::now();
  auto last_reload = Clock::now() - std::chrono::hours(1);
  auto last_housekeeping = Clock::now();

  auto interval_of = [&](const MonitorSpec& s) {
    int64_t i = s.interval_s;
    if (protection) i = std::min<int64_t>(i, cfg.protection_interval_s);
    return std::chrono::seconds(std::max<int64_t>(i, 5));
  };

  auto start_probe = [&](const MonitorSpec& spec) {
    auto p = std::make_unique<Probe>();
    p->spec = spec;
    p->ts = owner.Now();
    p->started = Clock::now();
    CURL* e = curl_easy_init();
    if (!e) return;
    p->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, spec.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(cfg.connect_timeout_ms));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(cfg.total_timeout_ms));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, p.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, p.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->errbuf);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_USERAGENT, (std::string("zhanqun-monitor/") + kVersion).c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, p.get());
    if (spec.url.rfind("https://", 0) == 0) curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
    if (!cfg.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, cfg.ca_file.c_str());
    long resolve = spec.ip_version == "v4"   ? CURL_IPRESOLVE_V4
                   : spec.ip_version == "v6" ? CURL_IPRESOLVE_V6
                                             : CURL_IPRESOLVE_WHATEVER;
    curl_easy_setopt(e, CURLOPT_IPRESOLVE, resolve);
    if (spec.kind == "site" && cfg.site_connect != "dns") {
      // A site's domain (say *.demo.test) need not resolve to this server:
      // connect to the public listener (or the configured address) and send
      // the domain as Host, as a visitor's browser would.
      std::string target = cfg.site_connect == "public" && owner.options_.public_address
                               ? owner.options_.public_address()
                               : cfg.site_connect;
      if (!target.empty() && target != "public") {
        auto colon = target.rfind(':');
        std::string host = target.substr(0, colon);
        std::string port = target.substr(colon + 1);
        if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
        p->connect_to = curl_slist_append(nullptr, ("::" + host + ":" + port).c_str());
        curl_easy_setopt(e, CURLOPT_CONNECT_TO, p->connect_to);
      }
    }
    curl_multi_add_handle(m, e);
    busy.insert(spec.id);
    inflight[e] = std::move(p);
  };

  auto finish = [&](CURL* e, CURLcode code, bool first_byte_timeout) {
    auto it = inflight.find(e);
    if (it == inflight.end()) return;
    std::unique_ptr<Probe> p = std::move(it->second);
    inflight.erase(it);
    busy.erase(p->spec.id);
    ProbeResult r;
    r.spec = p->spec;
    r.ts = p->ts;
    r.latency_ms = Ms(Clock::now() - p->started);
    curl_off_t connect_us = 0;
    curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_us);
    long os_errno = 0;
    curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
    std::string err = p->errbuf[0] ? p->errbuf : curl_easy_strerror(code);
    if (first_byte_timeout) {
      r.outcome = "timeout_first_byte";
      r.detail = "连接已建立，" + std::to_string(cfg.first_byte_timeout_ms) + " 毫秒内没有收到响应";
    } else if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      r.http_status = status;
      if (status < 200 || status >= 400) {
        r.outcome = "http_status";
        r.detail = "HTTP " + std::to_string(status);
      } else if (!p->spec.keyword.empty() && p->body.find(p->spec.keyword) == std::string::npos) {
        r.outcome = "keyword_missing";
        r.detail = "页面中没有找到关键字“" + p->spec.keyword + "”";
      } else {
        r.outcome = "ok";
        r.ok = true;
      }
      if (p->spec.url.rfind("https://", 0) == 0) r.cert_expires_at = CertExpiry(e);
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      if (connect_us == 0) {
        r.outcome = "timeout_connect";
        r.detail = std::to_string(cfg.connect_timeout_ms) + " 毫秒内未能建立连接";
      } else if (!p->got_header) {
        r.outcome = "timeout_first_byte";
        r.detail = "连接已建立，超时前没有收到响应";
      } else {
        r.outcome = "timeout_total";
        r.detail = std::to_string(cfg.total_timeout_ms) + " 毫秒内响应未传输完毕";
      }
    } else if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY) {
      r.outcome = "dns";
      r.detail = "域名解析失败：" + err;
    } else if (code == CURLE_COULDNT_CONNECT) {
      r.outcome = "connect";
      r.detail = "无法连接：" + err;
    } else if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CONNECT_ERROR ||
               code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_CACERT_BADFILE ||
               code == CURLE_SSL_ISSUER_ERROR) {
      r.outcome = "tls";
      r.detail = err.find("expired") != std::string::npos ? "证书已过期（" + err + "）"
                                                          : "TLS 失败：" + err;
    } else if (code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR || code == CURLE_GOT_NOTHING) {
      bool reset = os_errno == ECONNRESET || err.find("reset") != std::string::npos ||
                   code == CURLE_GOT_NOTHING;
      r.outcome = reset ? "reset" : "error";
      r.detail = (code == CURLE_GOT_NOTHING ? "连接被关闭，没有任何响应" : "连接被重置：") +
                 (code == CURLE_GOT_NOTHING ? std::string() : err);
    } else {
      r.outcome = "error";
      r.detail = err;
    }
    curl_multi_remove_handle(m, e);
    curl_easy_cleanup(e);
    if (p->connect_to) curl_slist_free_all(p->connect_to);
    {
      std::lock_guard lock(stats_mu);
      auto& st = stats[r.spec.id];
      st.url = r.spec.url;
      st.outcome = r.outcome;
      st.ok = r.ok;
      st.latency_ms = r.latency_ms;
      if (r.cert_expires_at) st.cert_days = (*r.cert_expires_at - r.ts) / 86400000;
      st.counts[r.outcome]++;
    }
    pending.push_back(std::move(r));
  };

  for (;;) {
    bool do_reload = false;
    {
      std::lock_guard lock(mu);
      if (stop) break;
      do_reload = reload;
      reload = false;
    }
    auto now = Clock::now();
    if (do_reload || now - last_reload > std::chrono::seconds(30)) {
      last_reload = now;
      auto st = owner.SyncSiteMonitors();
      if (!st) spdlog::error("site monitors: {} {}", st.error().message, st.error().internal);
      auto specs = LoadMonitors();
      protection =
          owner.db_.ReadValue<bool>([](Conn& c) -> Result<bool> { return ProtectionMode(c); })
              .value_or(false);
      if (specs) {
        std::map<int64_t, MonitorSpec> next;
        size_t added = 0;
        for (const auto& s : *specs) added += monitors.count(s.id) ? 0 : 1;
        // A bulk import is spread like a start; one or a few new monitors are
        // checked at once.
        bool spread_new = !loaded_once || added > 50;
        for (auto& s : *specs) {
          auto id = s.id;
          bool known = monitors.count(id) > 0;
          bool changed =
              known && (monitors[id].url != s.url || monitors[id].interval_s != s.interval_s);
          if (!known || changed || !due.count(id)) {
            // At start, spread the first checks over the interval so that a
            // thousand monitors do not fire in the same second; a monitor
            // added later is checked at once.
            auto spread =
                !spread_new
                    ? Clock::duration::zero()
                    : std::chrono::milliseconds((id * 7919) % (interval_of(s).count() * 1000));
            due[id] = now + spread;
          } else if (due[id] > now + interval_of(s)) {
            due[id] = now + interval_of(s);  // 重保 mode shortened the interval
          }
          next[id] = std::move(s);
        }
        monitors = std::move(next);
        for (auto it = due.begin(); it != due.end();) {
          it = monitors.count(it->first) ? std::next(it) : due.erase(it);
        }
        loaded_once = true;
      } else {
        spdlog::error("monitors: {}", specs.error().internal);
      }
    }
    now = Clock::now();
    for (auto& [id, when] : due) {
      if (when <= now && !busy.count(id)) {
        start_probe(monitors[id]);
        when = now + interval_of(monitors[id]);
      }
    }
    int running = 0;
    curl_multi_perform(m, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m, &left)) {
      if (msg->msg == CURLMSG_DONE) finish(msg->easy_handle, msg->data.result, false);
    }
    // First-byte timeout: connected, nothing received yet, for too long.
    now = Clock::now();
    std::vector<CURL*> stalled;
    for (auto& [e, p] : inflight) {
      if (p->got_header) continue;
      curl_off_t connect_us = 0;
      curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_us);
      if (connect_us > 0 && Ms(now - p->started) - connect_us / 1000 > cfg.first_byte_timeout_ms) {
        stalled.push_back(e);
      }
    }
    for (CURL* e : stalled) finish(e, CURLE_OK, true);

    if (!pending.empty() &&
        (pending.size() >= 200 || now - last_flush > std::chrono::milliseconds(1000))) {
      auto t0 = Clock::now();
      auto st = Flush(pending);
      double secs = std::chrono::duration<double>(Clock::now() - t0).count();
      owner.metrics_.ObserveJob("monitor_write", secs, static_cast<bool>(st));
      if (!st) spdlog::error("monitor results: {} {}", st.error().message, st.error().internal);
      pending.clear();
      last_flush = Clock::now();
      {
        std::lock_guard lock(mu);
        send_now = true;
      }
      cv.notify_all();
    }
    if (now - last_housekeeping > std::chrono::minutes(10)) {
      last_housekeeping = now;
      auto t0 = Clock::now();
      auto st = Housekeeping();
      owner.metrics_.ObserveJob("monitor_housekeeping",
                                std::chrono::duration<double>(Clock::now() - t0).count(),
                                static_cast<bool>(st));
      if (!st) spdlog::error("monitor housekeeping: {}", st.error().internal);
    }

    // Sleep until the next due check, a socket event, or 200 ms at most
    // while probes are in flight (first-byte timeouts are checked here).
    now = Clock::now();
    int64_t wait_ms = inflight.empty() ? 1000 : 200;
    for (const auto& [id, when] : due) {
      if (!busy.count(id))
        wait_ms = std::min<int64_t>(wait_ms, std::max<int64_t>(0, Ms(when - now)));
    }
    if (!pending.empty()) wait_ms = std::min<int64_t>(wait_ms, 1000);
    if (wait_ms > 0) curl_multi_poll(m, nullptr, 0, static_cast<int>(wait_ms), nullptr);
  }
  for (auto& [e, p] : inflight) {
    curl_multi_remove_handle(m, e);
    curl_easy_cleanup(e);
    if (p->connect_to) curl_slist_free_all(p->connect_to);
  }
  if (!pending.empty()) (void)Flush(pending);
}

Status Monitoring::Impl::Flush(std::vector<ProbeResult>& results) {
  const auto& cfg = owner.options_.config;
  const RuleConfig rules{cfg.failures_to_open, cfg.slow_ms};
  return owner.db_.Write([&](Conn& c) -> Status {
    bool protection = ProtectionMode(c);
    int64_t first_ts = INT64_MAX, last_ts = INT64_MIN;
    for (const auto& r : results) {
      first_ts = std::min(first_ts, r.ts);
      last_ts = std::max(last_ts, r.ts);
    }
    ZQ_ASSIGN_OR_RETURN(auto windows, LoadWindows(c, first_ts, last_ts));
    struct Roll {
      int64_t checks = 0, failures = 0, latency_sum = 0, latency_max = 0;
    };
    std::map<std::tuple<int64_t, int64_t, int64_t>, Roll> rolls;
    for (const auto& r : results) {
      // The monitor may have been deleted while the probe ran.
      ZQ_ASSIGN_OR_RETURN(int64_t exists,
                          c.QueryInt("SELECT COUNT(*) FROM monitors WHERE id = ?", {r.spec.id}));
      if (!exists) continue;
      ZQ_TRY(c.Exec(
          "INSERT INTO monitor_results (monitor_id, ts, ok, outcome, http_status, latency_ms, "
          "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
          {r.spec.id, r.ts, int64_t{r.ok}, r.outcome, r.http_status, r.latency_ms, r.detail}));
      for (int64_t bucket : {int64_t{300}, int64_t{3600}}) {
        auto& roll = rolls[{r.spec.id, bucket, r.ts / (bucket * 1000) * bucket * 1000}];
        roll.checks++;
        roll.failures += r.ok ? 0 : 1;
        roll.latency_sum += r.latency_ms;
        roll.latency_max = std::max(roll.latency_max, r.latency_ms);
      }

      // The rules' inputs, as stored; their decision, written back.
      MonitorContext ctx;
      ctx.protection = protection;
      ctx.windows = windows;
      ZQ_ASSIGN_OR_RETURN(auto prev, c.Query("SELECT consecutive_failures, failing_since, "
                                             "cert_warned FROM monitor_state WHERE monitor_id = ?",
                                             {r.spec.id}));
      if (!prev.empty()) {
        ctx.state.consecutive_failures = prev.front().Int("consecutive_failures");
        ctx.state.failing_since = prev.front().Int("failing_since");  // NULL reads as 0
        ctx.state.cert_warned = prev.front().Int("cert_warned");
      }
      ZQ_ASSIGN_OR_RETURN(auto open, c.Query("SELECT id, silenced FROM incidents WHERE "
                                             "monitor_id = ? AND status = 'open'",
                                             {r.spec.id}));
      if (!open.empty())
        ctx.open = OpenIncident{open.front().Int("id"), open.front().Int("silenced") != 0};
      Decision d = DecideProbe(rules, ctx, r);

      ZQ_TRY(c.Exec(
          "INSERT INTO monitor_state (monitor_id, last_ts, ok, outcome, http_status, latency_ms, "
          "detail, consecutive_failures, failing_since, cert_expires_at, cert_warned) VALUES (?, "
          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (monitor_id) DO UPDATE SET last_ts = "
          "excluded.last_ts, ok = excluded.ok, outcome = excluded.outcome, http_status = "
          "excluded.http_status, latency_ms = excluded.latency_ms, detail = excluded.detail, "
          "consecutive_failures = excluded.consecutive_failures, failing_since = "
          "excluded.failing_since, cert_expires_at = COALESCE(excluded.cert_expires_at, "
          "monitor_state.cert_expires_at), cert_warned = excluded.cert_warned",
          {r.spec.id, r.ts, int64_t{r.ok}, r.outcome, r.http_status, r.latency_ms, r.detail,
           d.state.consecutive_failures,
           d.state.failing_since ? store::Value(d.state.failing_since) : store::Null(),
           store::Opt(r.cert_expires_at), d.state.cert_warned}));
      for (const Action& action : d.actions) {
        if (const auto* alert = std::get_if<Alert>(&action)) {
          ZQ_TRY(EnqueueAlert(c, r.ts, r.spec.site_id, *alert));
        } else if (const auto* o = std::get_if<OpenIncidentAction>(&action)) {
          ZQ_ASSIGN_OR_RETURN(
              auto ins,
              c.Query("INSERT INTO incidents (monitor_id, site_id, severity, status, cause, "
                      "detail, detected_at, opened_at, silenced) VALUES (?, ?, 'critical', "
                      "'open', ?, ?, ?, ?, ?) RETURNING id",
                      {r.spec.id, store::Opt(r.spec.site_id), o->cause, o->detail, o->detected_at,
                       o->opened_at, int64_t{o->silenced}}));
          int64_t incident = ins.front().Int("id");
          ZQ_TRY(
              c.Exec("INSERT INTO incident_events (incident_id, ts, kind, detail) VALUES (?, "
                     "?, 'detected', ?)",
                     {incident, o->opened_at, o->timeline}));
          if (!o->silenced)
            ZQ_TRY(EnqueueAlert(c, r.ts, r.spec.site_id, IncidentOpenedAlert(r, *o, incident)));
        } else if (const auto* x = std::get_if<ResolveIncidentAction>(&action)) {
          ZQ_TRY(c.Exec("UPDATE incidents SET status = 'resolved', resolved_at = ? WHERE id = ?",
                        {x->resolved_at, x->incident_id}));
          ZQ_TRY(
              c.Exec("INSERT INTO incident_events (incident_id, ts, kind, detail) VALUES (?, "
                     "?, 'resolved', '探测恢复正常')",
                     {x->incident_id, x->resolved_at}));
          if (x->alert) ZQ_TRY(EnqueueAlert(c, r.ts, r.spec.site_id, *x->alert));
        }
      }
    }
    for (const auto& [key, roll] : rolls) {
      auto [id, bucket, ts] = key;
      ZQ_ASSIGN_OR_RETURN(int64_t exists,
                          c.QueryInt("SELECT COUNT(*) FROM monitors WHERE id = ?", {id}));
      if (!exists) continue;
      ZQ_TRY(c.Exec(
          "INSERT INTO monitor_rollups (monitor_id, bucket_s, ts, checks, failures, latency_sum, "
          "latency_max) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (monitor_id, bucket_s, ts) DO "
          "UPDATE SET checks = monitor_rollups.checks + excluded.checks, failures = "
          "monitor_rollups.failures + excluded.failures, latency_sum = monitor_rollups.latency_sum "
          "+ excluded.latency_sum, latency_max = CASE WHEN excluded.latency_max > "
          "monitor_rollups.latency_max THEN excluded.latency_max ELSE monitor_rollups.latency_max "
          "END",
          {id, bucket, ts, roll.checks, roll.failures, roll.latency_sum, roll.latency_max}));
    }
    return {};
  });
}

// Retention: raw results 7 days, 5-minute rollups 90 days, hourly 2 years,
// delivered alerts 90 days.
Status Monitoring::Impl::Housekeeping() {
  int64_t now = owner.Now();
  constexpr int64_t kDay = 86400000;
  return owner.db_.Write([&](Conn& c) -> Status {
    ZQ_TRY(c.Exec("DELETE FROM monitor_results WHERE ts < ?", {now - 7 * kDay}));
    ZQ_TRY(
        c.Exec("DELETE FROM monitor_rollups WHERE bucket_s = 300 AND ts < ?", {now - 90 * kDay}));
    ZQ_TRY(
        c.Exec("DELETE FROM monitor_rollups WHERE bucket_s = 3600 AND ts < ?", {now - 731 * kDay}));
    ZQ_TRY(c.Exec("DELETE FROM alert_outbox WHERE status = 'sent' AND created_at < ?",
                  {now - 90 * kDay}));
    return {};
  });
}

}  // namespace zhanqun::ops
