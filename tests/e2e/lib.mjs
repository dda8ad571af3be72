// Shared helpers for the console end-to-end tests (playwright-core + Debian's Chromium).
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'

const web = process.env.E2E_WEB ?? path.resolve(import.meta.dirname, '../../web/admin')
const require = createRequire(path.join(web, 'package.json'))
export const { chromium, request } = require('playwright-core')

export const ADMIN = process.env.E2E_ADMIN ?? 'http://127.0.0.1:8081'
export const PUBLIC_PORT = Number(process.env.E2E_PUBLIC_PORT ?? 8080)
export const SHOTS = process.env.E2E_SCREENSHOTS ?? path.resolve(import.meta.dirname, '../../build/e2e-screenshots')
export const DEMO_PASSWORD = 'Zq-Demo-2026!'
fs.mkdirSync(SHOTS, { recursive: true })

// The one-time platform passwords: DEMO-LOGINS.txt when the demo writes it, else the demo's output.
export function platformLogins() {
  const texts = []
  const data = process.env.E2E_DATA
  if (data && fs.existsSync(path.join(data, 'DEMO-LOGINS.txt'))) texts.push(fs.readFileSync(path.join(data, 'DEMO-LOGINS.txt'), 'utf8'))
  if (process.env.E2E_DEMO_OUT) texts.push(fs.readFileSync(process.env.E2E_DEMO_OUT, 'utf8'))
  const out = {}
  for (const text of texts) for (const name of ['sysadmin', 'secadmin', 'auditor']) {
    const m = text.match(new RegExp(`^\\s*${name}\\s+(\\S+)\\s*$`, 'm'))
    if (m && !out[name]) out[name] = m[1]
  }
  return out
}
export function siteCodes() {
  const text = fs.readFileSync(process.env.E2E_DEMO_OUT, 'utf8')
  return [...text.matchAll(/^站点\s+(\S+)\s/gm)].map((m) => m[1])
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

let profileN = 0
export async function browser(extraArgs = []) {
  const dir = fs.mkdtempSync(path.join(process.env.E2E_TMP ?? '/tmp', `chromium-${profileN++}-`))
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [...ARGS, ...extraArgs],
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
  })
  ctx.setDefaultTimeout(30000) // generous: CI machines are slow and shared
  return ctx
}

export async function shot(page, name) {
  await page.waitForTimeout(300) // let transitions settle
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: false })
}

export async function login(page, username, password) {
  await page.goto(ADMIN + '/login')
  await page.fill('#login-username', username)
  await page.fill('#login-password', password)
  await page.click('[data-test=login-submit]')
}
export async function loginOk(page, username, password = DEMO_PASSWORD) {
  await login(page, username, password)
  await page.waitForSelector('[data-test=whoami]')
}

// API client with its own cookie jar (for set-up and for the XSS test).
export async function apiAs(username, password = DEMO_PASSWORD) {
  const ctx = await request.newContext({ baseURL: ADMIN })
  const r = await ctx.post('/api/v1/auth/login', { data: { username, password } })
  if (!r.ok()) throw new Error(`login ${username}: ${r.status()} ${await r.text()}`)
  const { csrf } = await r.json()
  const call = async (method, url, data, opts = {}) => {
    const res = await ctx.fetch('/api/v1' + url, { method, data, headers: { 'X-CSRF-Token': csrf }, ...opts })
    const text = await res.text()
    let body = text
    try { body = JSON.parse(text) } catch { /* not JSON */ }
    if (!res.ok() && !opts.allowError) throw new Error(`${method} ${url}: ${res.status()} ${text}`)
    return { status: res.status(), body }
  }
  return { ctx, call, get: (u) => call('GET', u), post: (u, d) => call('POST', u, d), dispose: () => ctx.dispose() }
}

// Public page through the public listener, picked by Host.
export async function fetchPublic(host, p) {
  const http = await import('node:http')
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PUBLIC_PORT, path: p, headers: { Host: host } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

export async function until(fn, what, ms = 30000) {
  const end = Date.now() + ms
  let last
  while (Date.now() < end) {
    try { last = await fn(); if (last) return last } catch (e) { last = e }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out waiting for ${what}: ${last}`)
}

// Tiny runner: named tests, run in order, a summary, non-zero exit on failure.
const tests = []
export function test(name, fn) { tests.push({ name, fn }) }
export async function run(suite) {
  const only = process.env.E2E_ONLY
  let failed = 0, passed = 0
  for (const t of tests) {
    if (only && !t.name.includes(only)) continue
    const t0 = Date.now()
    try {
      await t.fn()
      passed++
      console.log(`PASS  ${suite} › ${t.name} (${Date.now() - t0} ms)`)
    } catch (e) {
      failed++
      console.log(`FAIL  ${suite} › ${t.name} (${Date.now() - t0} ms)\n      ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n      ')}`)
    }
  }
  console.log(`${suite}: ${passed} passed, ${failed} failed`)
  process.exit(failed ? 1 : 0)
}

// A valid 2×2 PNG and a small PDF, so the server's type sniffing accepts them.
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64')
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')

// Element Plus selects keep their <input> tiny; click the visible wrapper.
export async function openSelect(page, id) {
  await page.locator(`.el-select:has(#${id}) .el-select__wrapper`).click()
}
