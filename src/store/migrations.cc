#include "store/migrations.h"

#include <chrono>
#include <string>

namespace zhanqun::store {
namespace {

// Times are milliseconds since the Unix epoch (UTC) in BIGINT columns;
// booleans are BIGINT 0/1, so one SQL text serves both engines.
constexpr const char* kV1 = R"SQL(
CREATE TABLE departments (
  id {{pk}},
  parent_id BIGINT REFERENCES departments(id),
  kind TEXT NOT NULL CHECK (kind IN ('district','school','department')),
  name TEXT NOT NULL,
  code TEXT,
  school_type TEXT,
  sort_order BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX uq_departments__code ON departments(code);
CREATE INDEX ix_departments_parent ON departments(parent_id);

CREATE TABLE users (
  id {{pk}},
  username TEXT NOT NULL,
  display_name TEXT NOT NULL,
  department_id BIGINT REFERENCES departments(id),
  platform_role TEXT CHECK (platform_role IN ('sysadmin','secadmin','auditor')),
  password_hash TEXT NOT NULL,
  password_changed_at BIGINT NOT NULL,
  must_change_password BIGINT NOT NULL DEFAULT 1,
  failed_logins BIGINT NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
  expires_at BIGINT,
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  last_login_at BIGINT,
  last_login_ip TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX uq_users__username ON users(username);

CREATE TABLE password_history (
  id {{pk}},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX ix_password_history_user ON password_history(user_id);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ix_sessions_user ON sessions(user_id);

CREATE TABLE sites (
  id {{pk}},
  school_id BIGINT REFERENCES departments(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  theme TEXT NOT NULL DEFAULT 'default',
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
  site_id_code TEXT NOT NULL DEFAULT '',
  icp TEXT NOT NULL DEFAULT '',
  police_record TEXT NOT NULL DEFAULT '',
  sponsor TEXT NOT NULL DEFAULT '',
  contact_name TEXT NOT NULL DEFAULT '',
  contact_phone TEXT NOT NULL DEFAULT '',
  contact_email TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX uq_sites__code ON sites(code);

CREATE TABLE site_domains (
  domain TEXT NOT NULL,
  site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  position BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX uq_site_domains__domains ON site_domains(domain);
CREATE INDEX ix_site_domains_site ON site_domains(site_id);

CREATE TABLE columns (
  id {{pk}},
  site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  parent_id BIGINT REFERENCES columns(id),
  name TEXT NOT NULL,
  slug TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('list','page','link')),
  update_class TEXT NOT NULL DEFAULT 'news' CHECK (update_class IN ('news','notice','planning','static')),
  link_url TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  keywords TEXT NOT NULL DEFAULT '',
  sort_order BIGINT NOT NULL DEFAULT 0,
  visible BIGINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX uq_columns__slug ON columns(site_id, slug);
CREATE INDEX ix_columns_parent ON columns(parent_id);

CREATE TABLE blobs (
  hash TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  mime TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE media (
  id {{pk}},
  site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  hash TEXT NOT NULL REFERENCES blobs(hash),
  filename TEXT NOT NULL,
  mime TEXT NOT NULL,
  size BIGINT NOT NULL,
  alt TEXT NOT NULL DEFAULT '',
  width BIGINT,
  height BIGINT,
  uploaded_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX ix_media_site ON media(site_id);

CREATE TABLE articles (
  id {{pk}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  column_id BIGINT NOT NULL REFERENCES columns(id),
  title TEXT NOT NULL,
  subtitle TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL DEFAULT '',
  cover_media_id BIGINT REFERENCES media(id),
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','pending','approved','published','withdrawn')),
  pinned BIGINT NOT NULL DEFAULT 0,
  sort_order BIGINT NOT NULL DEFAULT 0,
  publish_at BIGINT,
  published_at BIGINT,
  created_by BIGINT REFERENCES users(id),
  updated_by BIGINT REFERENCES users(id),
  submitted_by BIGINT REFERENCES users(id),
  reviewed_by BIGINT REFERENCES users(id),
  review_comment TEXT NOT NULL DEFAULT '',
  version BIGINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX ix_articles_column ON articles(column_id, status, pinned, published_at);
CREATE INDEX ix_articles_site ON articles(site_id, status);

CREATE TABLE article_revisions (
  id {{pk}},
  article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  version BIGINT NOT NULL,
  snapshot TEXT NOT NULL,
  editor_id BIGINT REFERENCES users(id),
  note TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX uq_article_revisions__version ON article_revisions(article_id, version);

CREATE TABLE article_attachments (
  article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  media_id BIGINT NOT NULL REFERENCES media(id),
  position BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (article_id, media_id)
);

CREATE TABLE grants (
  id {{pk}},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  column_id BIGINT REFERENCES columns(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('site_admin','editor','reviewer')),
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX uq_grants__role ON grants(user_id, site_id, COALESCE(column_id, 0), role);
CREATE INDEX ix_grants_site ON grants(site_id);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  ts BIGINT NOT NULL,
  actor_id BIGINT,
  actor TEXT NOT NULL,
  ip TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  result TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX ix_audit_ts ON audit_log(ts);

CREATE TABLE audit_head (
  id BIGINT PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
)SQL";

// The audit log is append-only at the database level too.
constexpr const char* kV1Sqlite = R"SQL(
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)SQL";

constexpr const char* kV1Pg = R"SQL(
CREATE FUNCTION zq_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION zq_audit_append_only();
)SQL";

// Version 2 is the monitoring schema (issue 5, src/ops). Version 3: the
// monthly inspections (巡检), each run kept whole as its JSON report so that a
// later run can compare with it; the counts are columns for listing. The
// scheduler's heartbeat and last failure live in scheduler_state (not in
// settings, which is configuration).
constexpr const char* kV3 = R"SQL(
CREATE TABLE inspections (
  id {{pk}},
  started_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL,
  period TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('manual','schedule','cli')),
  actor TEXT NOT NULL,
  total BIGINT NOT NULL,
  ok_count BIGINT NOT NULL,
  warn_count BIGINT NOT NULL,
  fail_count BIGINT NOT NULL,
  previous_id BIGINT REFERENCES inspections(id),
  report TEXT NOT NULL
);
CREATE INDEX ix_inspections_started ON inspections(started_at);
CREATE INDEX ix_inspections_period ON inspections(period, kind);

CREATE TABLE scheduler_state (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
)SQL";

// 7×24 monitoring (src/ops): monitors, their results as a time series with
// rollups, incidents with their timeline, alert channels and the durable
// outbox of alert deliveries, maintenance windows.
constexpr const char* kV2 = R"SQL(
CREATE TABLE monitors (
  id {{pk}},
  site_id BIGINT REFERENCES sites(id) ON DELETE CASCADE,
  domain TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL CHECK (kind IN ('site','custom')),
  name TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL,
  interval_s BIGINT NOT NULL,
  keyword TEXT NOT NULL DEFAULT '',
  ip_version TEXT NOT NULL DEFAULT 'any' CHECK (ip_version IN ('any','v4','v6')),
  enabled BIGINT NOT NULL DEFAULT 1,
  home BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX uq_monitors__url ON monitors(url, ip_version);
CREATE INDEX ix_monitors_site ON monitors(site_id);

CREATE TABLE monitor_state (
  monitor_id BIGINT PRIMARY KEY REFERENCES monitors(id) ON DELETE CASCADE,
  last_ts BIGINT NOT NULL,
  ok BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  http_status BIGINT NOT NULL DEFAULT 0,
  latency_ms BIGINT NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT '',
  consecutive_failures BIGINT NOT NULL DEFAULT 0,
  failing_since BIGINT,
  cert_expires_at BIGINT,
  cert_warned BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE monitor_results (
  id {{pk}},
  monitor_id BIGINT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  ts BIGINT NOT NULL,
  ok BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  http_status BIGINT NOT NULL DEFAULT 0,
  latency_ms BIGINT NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ix_monitor_results_monitor ON monitor_results(monitor_id, ts);
CREATE INDEX ix_monitor_results_ts ON monitor_results(ts);

CREATE TABLE monitor_rollups (
  monitor_id BIGINT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  bucket_s BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  checks BIGINT NOT NULL,
  failures BIGINT NOT NULL,
  latency_sum BIGINT NOT NULL,
  latency_max BIGINT NOT NULL,
  PRIMARY KEY (monitor_id, bucket_s, ts)
);
CREATE INDEX ix_monitor_rollups_ts ON monitor_rollups(bucket_s, ts);

CREATE TABLE incidents (
  id {{pk}},
  monitor_id BIGINT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  site_id BIGINT,
  severity TEXT NOT NULL CHECK (severity IN ('critical','warning')),
  status TEXT NOT NULL CHECK (status IN ('open','resolved')),
  cause TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  detected_at BIGINT NOT NULL,
  opened_at BIGINT NOT NULL,
  alerted_at BIGINT,
  acknowledged_at BIGINT,
  acknowledged_by BIGINT REFERENCES users(id),
  resolved_at BIGINT,
  silenced BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX ix_incidents_monitor ON incidents(monitor_id, status);
CREATE INDEX ix_incidents_opened ON incidents(opened_at);

CREATE TABLE incident_events (
  id {{pk}},
  incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  ts BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('detected','alerted','acknowledged','resolved')),
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ix_incident_events_incident ON incident_events(incident_id);

CREATE TABLE alert_channels (
  id {{pk}},
  name TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL CHECK (type IN ('webhook','email','wecom','dingtalk','feishu')),
  url TEXT NOT NULL,
  config TEXT NOT NULL DEFAULT '{}',
  enabled BIGINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE alert_outbox (
  id {{pk}},
  channel_id BIGINT NOT NULL REFERENCES alert_channels(id) ON DELETE CASCADE,
  incident_id BIGINT REFERENCES incidents(id) ON DELETE SET NULL,
  dedup_key TEXT NOT NULL,
  event TEXT NOT NULL,
  severity TEXT NOT NULL,
  subject TEXT NOT NULL,
  text TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending','sent','failed')),
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  sent_at BIGINT
);
CREATE UNIQUE INDEX uq_alert_outbox__dedup ON alert_outbox(channel_id, dedup_key);
CREATE INDEX ix_alert_outbox_due ON alert_outbox(status, next_attempt_at);

CREATE TABLE maintenance_windows (
  id {{pk}},
  site_id BIGINT REFERENCES sites(id) ON DELETE CASCADE,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX ix_maintenance_windows_site ON maintenance_windows(site_id, ends_at);
)SQL";

// The publisher reads every published article's list fields (not its
// body) on each publish: an index holding them all answers from the index
// alone, in order of site, instead of visiting 10,000 table rows.
constexpr const char* kV4 = R"SQL(
CREATE INDEX ix_articles_publish ON articles(site_id, status, column_id, version, cover_media_id,
  pinned, sort_order, published_at, updated_at, id);
)SQL";

// Every run of a background job (ops/scheduler.h): what ran, when, how it
// ended. Consecutive idle runs of a job share one row (repeats).
constexpr const char* kV5 = R"SQL(
CREATE TABLE job_runs (
  id {{pk}},
  job TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok','idle','failed','overran','cancelled')),
  repeats BIGINT NOT NULL DEFAULT 1,
  summary TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX ix_job_runs_job ON job_runs(job, id);
CREATE INDEX ix_job_runs_started ON job_runs(started_at);
)SQL";

// The console's article list at 100,000 articles: indexes in the list's own
// order (pinned, sort_order, time, id; the time is the expression the query
// sorts on, which both engines match), one per filter the console offers, so
// a page is read from an index instead of sorting the site; and a counter per
// (site, column, status) kept by triggers, so the total is a sum of a few
// rows instead of a count of every article. A title search reads titles from
// their own index rather than the articles' rows.
constexpr const char* kV6 = R"SQL(
CREATE INDEX ix_articles_list ON articles(site_id, pinned, sort_order,
  (COALESCE(published_at, updated_at)), id);
CREATE INDEX ix_articles_list_status ON articles(site_id, status, pinned, sort_order,
  (COALESCE(published_at, updated_at)), id);
CREATE INDEX ix_articles_list_column ON articles(column_id, pinned, sort_order,
  (COALESCE(published_at, updated_at)), id);
CREATE INDEX ix_articles_list_column_status ON articles(column_id, status, pinned, sort_order,
  (COALESCE(published_at, updated_at)), id);
CREATE INDEX ix_articles_title ON articles(site_id, title);
CREATE TABLE article_counts (
  site_id BIGINT NOT NULL,
  column_id BIGINT NOT NULL,
  status TEXT NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (site_id, column_id, status)
);
INSERT INTO article_counts (site_id, column_id, status, n)
  SELECT site_id, column_id, status, COUNT(*) FROM articles GROUP BY site_id, column_id, status;
)SQL";

constexpr const char* kV6Sqlite = R"SQL(
CREATE TRIGGER tr_article_counts_insert AFTER INSERT ON articles BEGIN
  INSERT INTO article_counts (site_id, column_id, status, n)
    VALUES (NEW.site_id, NEW.column_id, NEW.status, 1)
    ON CONFLICT (site_id, column_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tr_article_counts_delete AFTER DELETE ON articles BEGIN
  UPDATE article_counts SET n = n - 1
    WHERE site_id = OLD.site_id AND column_id = OLD.column_id AND status = OLD.status;
END;
CREATE TRIGGER tr_article_counts_update AFTER UPDATE OF site_id, column_id, status ON articles
  WHEN OLD.site_id <> NEW.site_id OR OLD.column_id <> NEW.column_id OR OLD.status <> NEW.status
BEGIN
  UPDATE article_counts SET n = n - 1
    WHERE site_id = OLD.site_id AND column_id = OLD.column_id AND status = OLD.status;
  INSERT INTO article_counts (site_id, column_id, status, n)
    VALUES (NEW.site_id, NEW.column_id, NEW.status, 1)
    ON CONFLICT (site_id, column_id, status) DO UPDATE SET n = n + 1;
END;
)SQL";

constexpr const char* kV6Pg = R"SQL(
CREATE FUNCTION zq_article_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE article_counts SET n = n - 1
      WHERE site_id = OLD.site_id AND column_id = OLD.column_id AND status = OLD.status;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO article_counts (site_id, column_id, status, n)
      VALUES (NEW.site_id, NEW.column_id, NEW.status, 1)
      ON CONFLICT (site_id, column_id, status) DO UPDATE SET n = article_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER tr_article_counts_insert_delete AFTER INSERT OR DELETE ON articles
  FOR EACH ROW EXECUTE FUNCTION zq_article_counts();
CREATE TRIGGER tr_article_counts_update AFTER UPDATE OF site_id, column_id, status ON articles
  FOR EACH ROW WHEN ((OLD.site_id, OLD.column_id, OLD.status) IS DISTINCT FROM
                     (NEW.site_id, NEW.column_id, NEW.status))
  EXECUTE FUNCTION zq_article_counts();
)SQL";

std::string Expand(const char* sql, Engine engine) {
  std::string s(sql);
  const std::string pk = engine == Engine::kSqlite
                             ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                             : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
  for (size_t p; (p = s.find("{{pk}}")) != std::string::npos;) s.replace(p, 6, pk);
  return s;
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration> kAll = {
      {1, "core schema", kV1, kV1Sqlite, kV1Pg},
      {2, "monitoring, incidents and alerts", kV2, nullptr, nullptr},
      {3, "inspections", kV3, nullptr, nullptr},
      {4, "covering index for publishing", kV4, nullptr, nullptr},
      {5, "job runs", kV5, nullptr, nullptr},
      {6, "article list indexes and counters", kV6, kV6Sqlite, kV6Pg},
  };
  return kAll;
}

Result<int> SchemaVersion(Db& db) {
  return db.ReadValue<int>([](Conn& c) -> Result<int> {
    auto v = c.QueryInt("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!v) return Fail(std::move(v.error()));
    return static_cast<int>(*v);
  });
}

Result<int> Migrate(Db& db) {
  auto created = db.Write([](Conn& c) -> Status {
    return c.ExecScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  });
  if (!created) return Fail(std::move(created.error()));
  int applied = 0;
  for (const auto& m : AllMigrations()) {
    bool did = false;
    auto st = db.Write([&](Conn& c) -> Status {
      if (c.engine() == Engine::kPostgres) {
        // Serializes concurrent starts of several nodes on one database.
        ZQ_TRY(c.Exec("SELECT pg_advisory_xact_lock(7012026)"));
      }
      auto have = c.QueryInt("SELECT COUNT(*) FROM schema_migrations WHERE version = ?",
                             {int64_t{m.version}});
      if (!have) return Fail(std::move(have.error()));
      if (*have > 0) return {};
      ZQ_TRY(c.ExecScript(Expand(m.sql, c.engine())));
      const char* extra = c.engine() == Engine::kSqlite ? m.sqlite_only : m.pg_only;
      if (extra) ZQ_TRY(c.ExecScript(extra));
      ZQ_TRY(c.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    {int64_t{m.version}, std::string(m.name), NowMs()}));
      did = true;
      return {};
    });
    if (!st) return Fail(std::move(st.error()));
    if (did) ++applied;
  }
  return applied;
}

}  // namespace zhanqun::store
