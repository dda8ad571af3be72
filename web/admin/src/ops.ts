// Shapes of the operations endpoints (inspections, monitoring, incidents, alerts), from
// docs/openapi.yaml through src/api/schema.d.ts, and small helpers for their screens.
import { ApiError, type Schemas } from './api'

export type CheckStatus = 'ok' | 'warn' | 'fail'
export type InspectionSummary = Schemas['InspectionSummary']
export type InspectionCheck = Schemas['InspectionCheck']
export type InspectionReport = Schemas['InspectionReport']
export type InspectionRun = NonNullable<Schemas['InspectionList']['items']>[number]
export type ProbeOutcome = Schemas['ProbeOutcome']
export type Monitor = Schemas['Monitor']
export type MonitorResult = Schemas['MonitorResults']['items'][number]
export type Incident = Schemas['Incident']
export type IncidentStats = Schemas['IncidentList']['stats']
export type ChannelType = Schemas['AlertChannelType']
export const CHANNEL_TYPES: ChannelType[] = ['webhook', 'email', 'wecom', 'dingtalk', 'feishu']
export type AlertChannel = Schemas['AlertChannel']
export type AlertDelivery = Schemas['AlertDelivery']
export type MaintenanceWindow = Schemas['MaintenanceWindow']
export type MonitoringSettings = Schemas['MonitoringSettings']
export type Availability = Schemas['Availability']
export type AvailabilityDay = Availability['sites'][number]['days'][number]

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
