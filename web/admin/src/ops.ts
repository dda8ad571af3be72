// Shapes of the operations endpoints: inspections (docs/openapi.yaml, merged) and
// monitoring / incidents / alerts (the ops branch's docs/openapi.yaml; until the
// running server has them the screens say 服务器尚未提供此接口).
import { ApiError } from './api'

export type CheckStatus = 'ok' | 'warn' | 'fail'
export interface InspectionSummary {
  total: number
  ok: number
  warn: number
  fail: number
}
export interface InspectionCheck {
  id: string
  group: string
  name: string
  status: CheckStatus
  value: string
  threshold: string
  advice: string
  unit: string
  metric: number | null
  previous?: { status: string; value: string } | null
  changed?: boolean
  delta?: number | null
}
export interface InspectionReport {
  id: number
  title: string
  period: string
  started_at: number
  finished_at: number
  duration_ms?: number
  kind: 'manual' | 'schedule' | 'cli'
  actor: string
  operator: string
  host?: string
  version?: string
  engine?: string
  data_dir?: string
  checks: InspectionCheck[]
  summary: InspectionSummary
  groups: { id: string; name: string; ok: number; warn: number; fail: number }[]
  previous?: { id: number; started_at: number; period: string; summary: InspectionSummary } | null
  comparison?: { changed: number; better: number; worse: number }
}
export interface InspectionRun {
  id: number
  started_at: number
  finished_at?: number
  period: string
  kind: 'manual' | 'schedule' | 'cli'
  actor: string
  summary: InspectionSummary
  previous_id?: number | null
}

export type ProbeOutcome =
  | 'ok'
  | 'http_status'
  | 'keyword_missing'
  | 'timeout_connect'
  | 'timeout_first_byte'
  | 'timeout_total'
  | 'reset'
  | 'dns'
  | 'connect'
  | 'tls'
  | 'error'
export interface Monitor {
  id: number
  site_id: number | null
  kind: 'site' | 'custom'
  name: string
  domain: string
  url: string
  interval_s: number
  keyword: string
  ip_version: 'any' | 'v4' | 'v6'
  enabled: boolean
  home: boolean
  created_at: number
  updated_at: number
  state: null | {
    last_checked_at: number
    ok: boolean
    outcome: ProbeOutcome
    outcome_text: string
    http_status: number
    latency_ms: number
    detail: string
    consecutive_failures: number
    cert_expires_at: number | null
  }
}
export interface MonitorResult {
  ts: number
  ok?: boolean
  outcome?: ProbeOutcome
  http_status?: number
  latency_ms?: number
  detail?: string
  checks?: number
  failures?: number
  latency_avg_ms?: number
  latency_max_ms?: number
}
export interface Incident {
  id: number
  monitor_id: number
  site_id?: number | null
  url?: string
  severity?: 'critical' | 'warning'
  status: 'open' | 'resolved'
  cause?: ProbeOutcome
  cause_text?: string
  detail?: string
  detected_at?: number
  opened_at: number
  alerted_at?: number | null
  acknowledged_at: number | null
  acknowledged_by?: number | null
  resolved_at: number | null
  silenced?: boolean
  time_to_acknowledge_s?: number | null
  time_to_resolve_s?: number | null
  acknowledged_within_target?: boolean | null
  timeline: { ts: number; kind: 'detected' | 'alerted' | 'acknowledged' | 'resolved'; detail: string }[]
}
export interface IncidentStats {
  incidents?: number
  acknowledged?: number
  resolved?: number
  target_s?: number
  acknowledged_within_target?: number
  mean_time_to_acknowledge_s?: number | null
  mean_time_to_resolve_s?: number | null
}
export type ChannelType = 'webhook' | 'email' | 'wecom' | 'dingtalk' | 'feishu'
export const CHANNEL_TYPES: ChannelType[] = ['webhook', 'email', 'wecom', 'dingtalk', 'feishu']
export interface AlertChannel {
  id: number
  name: string
  type: ChannelType
  url: string
  enabled: boolean
  sites: number[]
  severities: ('critical' | 'warning')[]
  notify_resolved: boolean
  has_secret: boolean
  created_at: number
  updated_at: number
  to?: string[]
  from?: string
  username?: string
  has_password?: boolean
}
export interface AlertDelivery {
  id: number
  channel_id: number
  incident_id?: number | null
  event: string
  severity?: string
  subject?: string
  text?: string
  status: 'pending' | 'sent' | 'failed'
  attempts: number
  next_attempt_at?: number
  last_error?: string
  created_at?: number
  sent_at?: number | null
}
export interface MaintenanceWindow {
  id: number
  site_id: number | null
  starts_at: number
  ends_at: number
  reason: string
  active: boolean
  created_by?: number | null
  created_at?: number
}
export interface MonitoringSettings {
  protection: boolean
  protection_interval_s?: number
  failures_to_open?: number
  default_interval_s?: number
  prober_running?: boolean
}
export interface AvailabilityDay {
  date: string
  checks: number
  failures: number
  availability: number | null
}
export interface Availability {
  month: string
  method: string
  sites: {
    site_id: number
    code: string
    name: string
    checks: number
    failures: number
    availability: number | null
    days: AvailabilityDay[]
  }[]
}

// The endpoint is not there (yet): the route is unknown to this server.
export function notProvided(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)
}

export const statusTag = (s: string) =>
  (s === 'ok' ? 'success' : s === 'warn' ? 'warning' : 'danger') as 'success' | 'warning' | 'danger'

export function pct(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—'
  return (v * 100).toFixed(digits) + '%'
}

export function thisMonth(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}
