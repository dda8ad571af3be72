// Incident rules: what one probe result does, given the monitor's state.
//
// DecideProbe is a pure function: no store, no threads, no sleeping, no
// clock of its own. Its "now" is the result's `ts`, which the prober takes
// from the monitor's injected clock (MonitorOptions::now_ms) when the probe
// starts, so a test drives time by writing timestamps. It returns the new
// state to store and the actions, in the order the prober applies them in
// the flush's transaction: alerts to queue, an incident to open (with its
// alert unless silenced), an incident to resolve (with its alert unless it
// was opened silenced). Which channels get an alert is ChannelAccepts, also
// pure. The prober (prober.cc, Flush) reads the inputs from the store and
// writes the outputs back; that is all it decides.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace zhanqun::ops {

struct MonitorSpec {
  int64_t id = 0;
  std::optional<int64_t> site_id;
  std::string kind;  // site | custom
  std::string name;
  std::string domain;
  std::string url;
  int64_t interval_s = 60;
  std::string keyword;
  std::string ip_version;  // any | v4 | v6
  bool home = false;
};

struct ProbeResult {
  MonitorSpec spec;
  int64_t ts = 0;  // wall clock ms at the start of the probe: the rules' now
  bool ok = false;
  std::string outcome;  // ok, http_status, keyword_missing, timeout_connect,
                        // timeout_first_byte, timeout_total, reset, dns, connect, tls, error
  int64_t http_status = 0;
  int64_t latency_ms = 0;
  std::string detail;
  std::optional<int64_t> cert_expires_at;
};

// The part of [monitor] the rules read.
struct RuleConfig {
  int failures_to_open = 2;  // consecutive failed checks that open an incident
  int slow_ms = 3000;        // a successful check slower than this is a warning
};

// The monitor's state as stored (monitor_state) before the result.
struct MonitorState {
  int64_t consecutive_failures = 0;
  int64_t failing_since = 0;  // ts of the first failure of the current run; 0: not failing
  int64_t cert_warned = 0;    // certificate-expiry level already warned of: 0, 30 or 7 (days)
  bool operator==(const MonitorState&) const = default;
};

struct OpenIncident {
  int64_t id = 0;
  bool silenced = false;  // opened inside a maintenance window: never alerted
};

// [starts_at, ends_at); no site_id: every monitor.
struct MaintenanceWindow {
  std::optional<int64_t> site_id;
  int64_t starts_at = 0;
  int64_t ends_at = 0;
};

// Everything around one result, read in the flush's transaction.
struct MonitorContext {
  MonitorState state;
  std::optional<OpenIncident> open;            // the monitor's open incident, if any
  bool protection = false;                     // 重保 mode
  std::span<const MaintenanceWindow> windows;  // at least those covering the result's ts
};

// One alert to queue for every channel that accepts it (EnqueueAlert).
struct Alert {
  std::optional<int64_t> incident_id;
  std::string event;      // incident.opened | incident.resolved | check.failed | check.slow |
                          // certificate.expiring
  std::string severity;   // critical | warning
  std::string dedup_key;  // unique per channel in the outbox: a repeat is dropped there
  std::string subject;
  std::string text;
};

// Open an incident. Its alert needs the incident's id, which the store
// assigns: the prober queues IncidentOpenedAlert(result, *this, id) unless
// `silenced`.
struct OpenIncidentAction {
  std::string cause;        // the result's outcome
  std::string detail;       // the result's detail
  int64_t detected_at = 0;  // first failure of the run
  int64_t opened_at = 0;    // the failure that reached the threshold
  int64_t failures = 0;     // consecutive failures so far
  bool silenced = false;    // inside a maintenance window
  std::string timeline;     // the 'detected' event's detail
};

struct ResolveIncidentAction {
  int64_t incident_id = 0;
  int64_t resolved_at = 0;
  std::optional<Alert> alert;  // absent when the incident was silenced
};

using Action = std::variant<Alert, OpenIncidentAction, ResolveIncidentAction>;

struct Decision {
  MonitorState state;           // to store as the monitor's state
  std::vector<Action> actions;  // to apply in this order
};

Decision DecideProbe(const RuleConfig& config, const MonitorContext& context,
                     const ProbeResult& result);

// The alert of an incident DecideProbe opened, once the store gave it `incident_id`.
Alert IncidentOpenedAlert(const ProbeResult& result, const OpenIncidentAction& open,
                          int64_t incident_id);

// Whether a window silences the monitor of `site_id` at `now` (a window
// without a site silences everything; a monitor without a site only those).
bool InMaintenance(std::span<const MaintenanceWindow> windows, std::optional<int64_t> site_id,
                   int64_t now);

// Routing: whether a channel with this config (alert_channels.config) takes
// an alert. `sites` (empty = all; an alert of no site reaches only channels
// without a site list), `severities` (default both), `notify_resolved`
// (default true) for incident.resolved.
bool ChannelAccepts(const nlohmann::json& channel_config, std::optional<int64_t> site_id,
                    const std::string& event, const std::string& severity);

// Chinese name of an outcome, for alerts and the status page.
std::string OutcomeText(const std::string& outcome);

std::string FormatTime(int64_t ms);  // "2026-11-26 21:30:05"（北京时间）

}  // namespace zhanqun::ops
