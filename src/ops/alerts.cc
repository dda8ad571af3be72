// Alerts: a durable outbox (alert_outbox) written in the same transaction as
// the incident, and a sender thread that delivers due rows, retries failures
// with exponential backoff, keeps each channel under its rate limit and marks
// a delivery failed only after alert_max_attempts — visible in the API, the
// log and the audit log. Nothing is dropped silently.
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>

#include <deque>

#include "ops/internal.h"
#include "zhanqun/version.h"

namespace zhanqun::ops {
namespace {

using Clock = std::chrono::steady_clock;
using store::Conn;

std::string Base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view msg) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string Hex(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

size_t Collect(char* ptr, size_t size, size_t n, void* user) {
  auto* s = static_cast<std::string*>(user);
  if (s->size() < 65536) s->append(ptr, size * n);
  return size * n;
}

struct ReadState {
  std::string data;
  size_t pos = 0;
};

size_t ReadMail(char* buf, size_t size, size_t n, void* user) {
  auto* st = static_cast<ReadState*>(user);
  size_t len = std::min(size * n, st->data.size() - st->pos);
  memcpy(buf, st->data.data() + st->pos, len);
  st->pos += len;
  return len;
}

// POSTs JSON; "" when the receiver took it (2xx, and for the bot webhooks
// errcode/code 0 in the answer), else why not.
std::string PostJson(const std::string& url, const json& body,
                     const std::vector<std::string>& headers, const std::string& type) {
  CURL* e = curl_easy_init();
  if (!e) return "curl_easy_init 失败";
  std::string payload = body.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string answer;
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_slist* h = curl_slist_append(nullptr, "Content-Type: application/json; charset=utf-8");
  for (const auto& x : headers) h = curl_slist_append(h, x.c_str());
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_USERAGENT, (std::string("zhanqun-alert/") + kVersion).c_str());
  CURLcode code = curl_easy_perform(e);
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  curl_easy_cleanup(e);
  if (code != CURLE_OK) return errbuf[0] ? errbuf : curl_easy_strerror(code);
  if (status < 200 || status >= 300) return "HTTP " + std::to_string(status);
  if (type == "wecom" || type == "dingtalk" || type == "feishu") {
    json a = json::parse(answer, nullptr, false);
    if (a.is_object()) {
      for (const char* k : {"errcode", "code", "StatusCode"}) {
        if (a.contains(k) && a[k].is_number_integer() && a[k].get<int64_t>() != 0) {
          return std::string(k) + "=" + std::to_string(a[k].get<int64_t>()) + " " +
                 a.value("errmsg", a.value("msg", ""));
        }
      }
    }
  }
  return "";
}

std::string SendMail(const std::string& url, const json& cfg, const std::string& subject,
                     const std::string& text) {
  CURL* e = curl_easy_init();
  if (!e) return "curl_easy_init 失败";
  std::string from = cfg.value("from", "zhanqun@localhost");
  curl_slist* rcpt = nullptr;
  std::string to_header;
  for (const auto& t : cfg.value("to", json::array())) {
    std::string addr = t.get<std::string>();
    rcpt = curl_slist_append(rcpt, ("<" + addr + ">").c_str());
    to_header += (to_header.empty() ? "" : ", ") + addr;
  }
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  ReadState st;
  st.data = "Date: " + std::string(date) + "\r\nFrom: " + from + "\r\nTo: " + to_header +
            "\r\nSubject: =?UTF-8?B?" + Base64(subject) +
            "?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n";
  std::string b = Base64(text + "\n\n—— 站群平台监测告警");
  for (size_t i = 0; i < b.size(); i += 76) st.data += b.substr(i, 76) + "\r\n";
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_MAIL_FROM, ("<" + from + ">").c_str());
  curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(e, CURLOPT_READFUNCTION, ReadMail);
  curl_easy_setopt(e, CURLOPT_READDATA, &st);
  curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(e, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  std::string user = cfg.value("username", ""), pass = cfg.value("password", "");
  if (!user.empty()) {
    curl_easy_setopt(e, CURLOPT_USERNAME, user.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, pass.c_str());
  }
  CURLcode code = curl_easy_perform(e);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(e);
  if (code != CURLE_OK) return errbuf[0] ? errbuf : curl_easy_strerror(code);
  return "";
}

}  // namespace

Status EnqueueAlert(Conn& c, int64_t now, std::optional<int64_t> site_id, const Alert& a) {
  ZQ_ASSIGN_OR_RETURN(auto channels,
                      c.Query("SELECT id, config FROM alert_channels WHERE enabled = 1"));
  for (const auto& ch : channels) {
    json cfg = json::parse(ch.Text("config"), nullptr, false);
    if (!ChannelAccepts(cfg, site_id, a.event, a.severity)) continue;
    ZQ_TRY(c.Exec(
        "INSERT INTO alert_outbox (channel_id, incident_id, dedup_key, event, severity, subject, "
        "text, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
        "'pending', 0, ?, ?) ON CONFLICT (channel_id, dedup_key) DO NOTHING",
        {ch.Int("id"), store::Opt(a.incident_id), a.dedup_key, a.event, a.severity, a.subject,
         a.text, now, now}));
  }
  return {};
}

std::string Monitoring::Impl::Deliver(const store::Row& row) {
  std::string type = row.Text("type");
  std::string url = row.Text("url");
  json cfg = json::parse(row.Text("config"), nullptr, false);
  if (!cfg.is_object()) cfg = json::object();
  std::string subject = row.Text("subject");
  std::string text = row.Text("text");
  std::string secret = cfg.value("secret", "");
  int64_t now_ms = owner.Now();
  if (type == "email") return SendMail(url, cfg, subject, text);
  if (type == "wecom") {
    // 企业微信群机器人: msgtype markdown, content up to 4096 bytes.
    return PostJson(
        url, {{"msgtype", "markdown"}, {"markdown", {{"content", "### " + subject + "\n" + text}}}},
        {}, type);
  }
  if (type == "dingtalk") {
    // 钉钉自定义机器人: msgtype markdown; with a 加签 secret, timestamp and
    // sign (HMAC-SHA256 of "timestamp\nsecret", base64, URL-encoded) go in
    // the query string.
    std::string target = url;
    if (!secret.empty()) {
      std::string ts = std::to_string(now_ms);
      std::string sign = UrlEncode(Base64(HmacSha256(secret, ts + "\n" + secret)));
      target += (target.find('?') == std::string::npos ? "?" : "&") + std::string("timestamp=") +
                ts + "&sign=" + sign;
    }
    return PostJson(
        target,
        {{"msgtype", "markdown"},
         {"markdown", {{"title", subject}, {"text", "### " + subject + "\n\n" + text}}}},
        {}, type);
  }
  if (type == "feishu") {
    // 飞书自定义机器人: msg_type text; with a 签名校验 secret, timestamp
    // (seconds) and sign (HMAC-SHA256 keyed by "timestamp\nsecret" over an
    // empty message, base64) go in the body.
    json body = {{"msg_type", "text"}, {"content", {{"text", subject + "\n" + text}}}};
    if (!secret.empty()) {
      std::string ts = std::to_string(now_ms / 1000);
      body["timestamp"] = ts;
      body["sign"] = Base64(HmacSha256(ts + "\n" + secret, ""));
    }
    return PostJson(url, body, {}, type);
  }
  // Generic webhook: our own JSON; with a secret, an HMAC-SHA256 of the body.
  json body = {
      {"event", row.Text("event")},
      {"severity", row.Text("severity")},
      {"subject", subject},
      {"text", text},
      {"incident_id", row.IsNull("incident_id") ? json(nullptr) : json(row.Int("incident_id"))},
      {"alert_id", row.Int("id")},
      {"created_at", row.Int("created_at")}};
  std::vector<std::string> headers;
  if (!secret.empty()) {
    headers.push_back(
        "X-Zhanqun-Signature: sha256=" +
        Hex(HmacSha256(secret, body.dump(-1, ' ', false, json::error_handler_t::replace))));
  }
  return PostJson(url, body, headers, type);
}

void Monitoring::Impl::SenderLoop() {
  const auto& cfg = owner.options_.config;
  std::map<int64_t, std::deque<Clock::time_point>> sent;  // per channel, last minute
  for (;;) {
    {
      std::unique_lock lock(mu);
      cv.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop || send_now; });
      if (stop) return;
      send_now = false;
    }
    int64_t now = owner.Now();
    auto due = owner.db_.ReadValue<store::Rows>([&](Conn& c) -> Result<store::Rows> {
      return c.Query(
          "SELECT o.id, o.channel_id, o.incident_id, o.event, o.severity, o.subject, o.text, "
          "o.attempts, o.created_at, ch.type, ch.url, ch.config FROM alert_outbox o JOIN "
          "alert_channels ch ON ch.id = o.channel_id WHERE o.status = 'pending' AND "
          "o.next_attempt_at <= ? ORDER BY o.id LIMIT 50",
          {now});
    });
    if (!due) {
      spdlog::error("alert outbox: {}", due.error().internal);
      continue;
    }
    for (const auto& row : *due) {
      {
        std::lock_guard lock(mu);
        if (stop) return;
      }
      int64_t channel = row.Int("channel_id");
      auto& window = sent[channel];
      auto t = Clock::now();
      while (!window.empty() && t - window.front() > std::chrono::minutes(1)) window.pop_front();
      if (static_cast<int>(window.size()) >= cfg.alert_rate_per_minute) {
        owner.metrics_.CountAlert(row.Text("type"), "rate_limited");
        continue;  // stays pending; sent when the minute has room again
      }
      auto t0 = Clock::now();
      std::string err = Deliver(row);
      owner.metrics_.ObserveJob(
          "alert_delivery", std::chrono::duration<double>(Clock::now() - t0).count(), err.empty());
      int64_t done = owner.Now();
      int64_t attempts = row.Int("attempts") + 1;
      if (err.empty()) window.push_back(Clock::now());
      auto st = owner.db_.Write([&](Conn& c) -> Status {
        if (err.empty()) {
          ZQ_TRY(
              c.Exec("UPDATE alert_outbox SET status = 'sent', attempts = ?, sent_at = ?, "
                     "last_error = '' WHERE id = ?",
                     {attempts, done, row.Int("id")}));
          if (!row.IsNull("incident_id") && row.Text("event") == "incident.opened") {
            ZQ_ASSIGN_OR_RETURN(int64_t first, c.Exec("UPDATE incidents SET alerted_at = ? WHERE "
                                                      "id = ? AND alerted_at IS NULL",
                                                      {done, row.Int("incident_id")}));
            ZQ_TRY(
                c.Exec("INSERT INTO incident_events (incident_id, ts, kind, detail) VALUES (?, "
                       "?, 'alerted', ?)",
                       {row.Int("incident_id"), done,
                        "已通过告警渠道 #" + std::to_string(channel) + "（" + row.Text("type") +
                            "）发送" + (first ? "" : "（另一渠道）")}));
          }
          return {};
        }
        if (attempts >= cfg.alert_max_attempts) {
          ZQ_TRY(
              c.Exec("UPDATE alert_outbox SET status = 'failed', attempts = ?, last_error = ? "
                     "WHERE id = ?",
                     {attempts, err, row.Int("id")}));
          return service::AppendAudit(c, done, Principal::System("monitor"), "alert.failed",
                                      "alert", std::to_string(row.Int("id")), "failure",
                                      {{"channel_id", channel},
                                       {"attempts", attempts},
                                       {"error", err},
                                       {"subject", row.Text("subject")}});
        }
        int64_t backoff = int64_t{cfg.alert_retry_base_s} * 1000;
        for (int64_t i = 1; i < attempts && backoff < int64_t{cfg.alert_retry_max_s} * 1000; ++i)
          backoff *= 2;
        backoff = std::min<int64_t>(backoff, int64_t{cfg.alert_retry_max_s} * 1000);
        ZQ_TRY(
            c.Exec("UPDATE alert_outbox SET attempts = ?, last_error = ?, next_attempt_at = ? "
                   "WHERE id = ?",
                   {attempts, err, done + backoff, row.Int("id")}));
        return {};
      });
      if (!st) spdlog::error("alert outbox update: {}", st.error().internal);
      if (err.empty()) {
        owner.metrics_.CountAlert(row.Text("type"), "sent");
      } else if (attempts >= cfg.alert_max_attempts) {
        owner.metrics_.CountAlert(row.Text("type"), "failed");
        spdlog::error("告警发送失败（已放弃）：渠道 #{} {}：{}", channel, row.Text("subject"), err);
      } else {
        owner.metrics_.CountAlert(row.Text("type"), "retry");
        spdlog::warn("告警发送失败，将重试：渠道 #{} 第 {} 次：{}", channel, attempts, err);
      }
    }
  }
}

}  // namespace zhanqun::ops
