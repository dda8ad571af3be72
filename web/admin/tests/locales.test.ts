// Both languages have the same areas and, in each, exactly the same keys, every text
// non-empty and with the same {placeholders}.
import { readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import zh from '../src/locales/zh-CN'
import en from '../src/locales/en'

type Tree = { [k: string]: string | Tree }
function flatten(t: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'string') out.set(prefix + k, v)
    else for (const [kk, vv] of flatten(v, prefix + k + '.')) out.set(kk, vv)
  }
  return out
}
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
const dir = (lang: string) => resolve(import.meta.dirname ?? __dirname, '../src/locales', lang)

describe('locales', () => {
  const z = flatten(zh as unknown as Tree)
  const e = flatten(en as unknown as Tree)

  it('have the same area files', () => {
    expect(readdirSync(dir('en')).sort()).toEqual(readdirSync(dir('zh-CN')).sort())
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort())
  })
  it('have exactly the same keys in both languages', () => {
    expect(z.size).toBeGreaterThan(400)
    expect(
      [...e.keys()].filter((k) => !z.has(k)),
      'keys only in en',
    ).toEqual([])
    expect(
      [...z.keys()].filter((k) => !e.has(k)),
      'keys only in zh-CN',
    ).toEqual([])
  })
  it('have no empty text and the same placeholders', () => {
    for (const [k, v] of z) {
      expect(v.trim(), k).not.toBe('')
      expect(e.get(k)?.trim(), k).not.toBe('')
      expect(placeholders(e.get(k) ?? ''), k).toEqual(placeholders(v))
    }
  })
})
