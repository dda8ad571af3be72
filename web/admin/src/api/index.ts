// Thin client for /api/v1: session cookie is sent by the browser (same origin),
// the CSRF token rides along on every state-changing request.
import { reactive } from 'vue'
import type { components } from './schema'

export interface ApiErrorBody {
  code: string
  message: string
  field: string
}

export class ApiError extends Error {
  status: number
  code: string
  field: string
  constructor(status: number, body: ApiErrorBody) {
    super(body.message)
    this.status = status
    this.code = body.code
    this.field = body.field
  }
}

// Shapes from docs/openapi.yaml (src/api/schema.d.ts, made by `npm run gen:api`).
export type Schemas = components['schemas']
export type User = Schemas['User']
export type Me = Schemas['Me']
export type Grant = Schemas['Grant']
export type Site = Schemas['Site']
export type Department = Schemas['Department']
export type Column = Schemas['Column']
export type ArticleStatus = Schemas['ArticleStatus']
export type Article = Schemas['Article']
// An article's attachment; `url` is known for those picked in this session (Media.url).
export type Attachment = NonNullable<Article['attachments']>[number] & { url?: string }
export type Media = Schemas['Media']
export type Theme = Schemas['Theme']
export interface ListResult<T> {
  items: T[]
  total: number
}

export const session = reactive({
  loaded: false,
  user: null as Me | null,
  grants: [] as Grant[],
  csrf: '',
  mustChange: false,
  changeReason: '' as string,
})

// Called when the server says the session is gone (idle timeout, logout elsewhere).
let onUnauthenticated: (() => void) | null = null
export function setUnauthenticatedHandler(fn: () => void) {
  onUnauthenticated = fn
}
let onPasswordChange: (() => void) | null = null
export function setPasswordChangeHandler(fn: () => void) {
  onPasswordChange = fn
}

function qs(params?: Record<string, unknown>): string {
  if (!params) return ''
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    u.set(k, String(v))
  }
  const s = u.toString()
  return s ? '?' + s : ''
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: { query?: Record<string, unknown>; raw?: boolean; form?: FormData } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf
  let payload: BodyInit | undefined
  if (opts.form) payload = opts.form
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let res: Response
  try {
    res = await fetch('/api/v1' + path + qs(opts.query), { method, headers, body: payload, credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, { code: 'network', message: '无法连接服务器 / cannot reach the server', field: '' })
  }
  if (res.status === 204) return undefined as T
  const ct = res.headers.get('Content-Type') ?? ''
  if (res.ok) {
    if (opts.raw || !ct.includes('json')) return (await res.text()) as T
    return (await res.json()) as T
  }
  let err: ApiErrorBody = { code: 'http_' + res.status, message: `HTTP ${res.status}`, field: '' }
  if (ct.includes('json')) {
    try {
      const j = await res.json()
      if (j?.error) err = j.error
    } catch {
      /* keep default */
    }
  }
  const e = new ApiError(res.status, err)
  if (res.status === 401 && path !== '/auth/login' && onUnauthenticated) onUnauthenticated()
  if (err.code === 'password_change_required' && onPasswordChange) onPasswordChange()
  throw e
}

export const api = {
  get: <T>(p: string, query?: Record<string, unknown>) => request<T>('GET', p, undefined, { query }),
  post: <T>(p: string, body?: unknown) => request<T>('POST', p, body),
  patch: <T>(p: string, body?: unknown) => request<T>('PATCH', p, body),
  del: <T>(p: string) => request<T>('DELETE', p),
  upload: <T>(p: string, form: FormData) => request<T>('POST', p, undefined, { form }),
}

export async function loadMe(): Promise<boolean> {
  try {
    const me = await api.get<Schemas['MeResponse']>('/me')
    session.user = me.user
    session.grants = me.user.grants ?? []
    session.csrf = me.csrf
    session.mustChange = me.user.must_change_password
  } catch {
    session.user = null
    session.grants = []
    session.csrf = ''
  }
  session.loaded = true
  return !!session.user
}

export function clearSession() {
  session.user = null
  session.grants = []
  session.csrf = ''
  session.mustChange = false
}

// --- role helpers -------------------------------------------------------
export const role = {
  platform: () => session.user?.platform_role ?? null,
  isSys: () => session.user?.platform_role === 'sysadmin',
  isSec: () => session.user?.platform_role === 'secadmin',
  isAuditor: () => session.user?.platform_role === 'auditor',
  siteRoles(siteId: number): Set<string> {
    return new Set(session.grants.filter((g) => g.site_id === siteId).map((g) => g.role))
  },
  canReadSite(siteId: number) {
    return role.isSys() || session.grants.some((g) => g.site_id === siteId)
  },
  canManageSite(siteId: number) {
    return role.isSys() || role.siteRoles(siteId).has('site_admin')
  },
  canEdit(siteId: number) {
    const r = role.siteRoles(siteId)
    return r.has('editor') || r.has('site_admin')
  },
  canReview(siteId: number) {
    const r = role.siteRoles(siteId)
    return r.has('reviewer') || r.has('site_admin')
  },
  hasAnySiteRole: () => session.grants.length > 0,
  managesAnySite: () => role.isSys() || session.grants.some((g) => g.role === 'site_admin'),
}

export function grantSites(): { id: number; code: string; name: string }[] {
  const m = new Map<number, { id: number; code: string; name: string }>()
  for (const g of session.grants)
    if (!m.has(g.site_id)) m.set(g.site_id, { id: g.site_id, code: g.site_code ?? '', name: g.site_name ?? '' })
  return [...m.values()]
}

export function fmtTime(ms: number | null | undefined): string {
  if (!ms) return '—'
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}
export function fmtSize(n: number): string {
  if (n < 1024) return n + ' B'
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB'
  return (n / 1024 / 1024).toFixed(1) + ' MB'
}
// Article attachments come without a url (docs/openapi.yaml, Article.attachments), so
// the console builds it with the server's rule (MediaUrl in src/core/text.cc). Media
// objects (library, upload) carry their own `url`: use that.
const MEDIA_EXT: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'video/mp4': 'mp4',
  'audio/mpeg': 'mp3',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'application/zip': 'zip',
  'application/msword': 'doc',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.ms-powerpoint': 'ppt',
}
export function attachmentUrl(a: { hash: string; mime: string; filename: string; url?: string }): string {
  if (a.url) return a.url
  let e = MEDIA_EXT[a.mime]
  if (!e) {
    const dot = a.filename.lastIndexOf('.')
    const x = dot >= 0 ? a.filename.slice(dot + 1) : ''
    e = ['docx', 'xlsx', 'pptx'].includes(x) ? x : 'bin'
  }
  return `/_media/${a.hash.slice(0, 2)}/${a.hash}.${e}`
}
