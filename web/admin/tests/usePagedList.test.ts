import { nextTick } from 'vue'
import { describe, expect, it } from 'vitest'
import { usePagedList } from '../src/composables/usePagedList'

// A list of 45 numbered rows served page by page, recording each query.
function server() {
  const queries: Record<string, unknown>[] = []
  const rows = Array.from({ length: 45 }, (_, i) => i + 1)
  const fetchPage = async (q: Record<string, unknown>) => {
    queries.push(q)
    const size = Number(q.page_size)
    const from = (Number(q.page) - 1) * size
    const hit = q.q ? rows.filter((r) => String(r).includes(String(q.q))) : rows
    return { items: hit.slice(from, from + size), total: hit.length }
  }
  return { queries, fetchPage }
}
const settle = async () => {
  for (let i = 0; i < 5; i++) await nextTick()
}

describe('usePagedList', () => {
  it('loads a page with its filters, page and page size', async () => {
    const s = server()
    const l = usePagedList(s.fetchPage, { filters: { q: '' }, pageSize: 20 })
    await l.reload()
    expect(l.items.value).toHaveLength(20)
    expect(l.total.value).toBe(45)
    expect(l.loading.value).toBe(false)
    expect(s.queries.at(-1)).toEqual({ q: '', page: 1, page_size: 20 })
  })
  it('reloads when the page changes, and search goes back to page 1 with one request', async () => {
    const s = server()
    const l = usePagedList(s.fetchPage, { filters: { q: '' } })
    await l.reload()
    l.page.value = 3
    await settle()
    expect(l.items.value).toEqual([41, 42, 43, 44, 45])
    const before = s.queries.length
    l.filters.q = '4'
    await l.search()
    await settle()
    expect(s.queries.length - before).toBe(1)
    expect(s.queries.at(-1)).toMatchObject({ q: '4', page: 1 })
    expect(l.total.value).toBe(10) // 4, 14, 24, 34, 40–45
  })
  it('maps filters to the query and reset restores them', async () => {
    const s = server()
    const l = usePagedList(s.fetchPage, {
      filters: { q: '', range: null as [number, number] | null },
      query: (f) => ({ q: f.q, from: f.range?.[0], to: f.range?.[1] }),
    })
    l.filters.range = [1, 2]
    await l.reload()
    expect(s.queries.at(-1)).toEqual({ q: '', from: 1, to: 2, page: 1, page_size: 20 })
    await l.reset()
    expect(l.filters.range).toBeNull()
    expect(s.queries.at(-1)).toMatchObject({ from: undefined, to: undefined })
  })
  it('drops a response that a newer request overtook', async () => {
    let release: (v: { items: string[]; total: number }) => void = () => {}
    let n = 0
    const l = usePagedList<string>((q) =>
      n++ === 0 ? new Promise((r) => (release = r)) : Promise.resolve({ items: ['new ' + q.page], total: 1 }),
    )
    const slow = l.reload()
    await l.reload()
    release({ items: ['old'], total: 9 })
    await slow
    expect(l.items.value).toEqual(['new 1'])
    expect(l.total.value).toBe(1)
  })
  it('hands an error to onError and keeps the last page', async () => {
    const errors: unknown[] = []
    let fail = false
    const l = usePagedList<number>(
      async () => {
        if (fail) throw new Error('boom')
        return { items: [1], total: 1 }
      },
      { onError: (e) => errors.push(e) },
    )
    await l.reload()
    fail = true
    await l.reload()
    expect(errors).toHaveLength(1)
    expect(l.items.value).toEqual([1])
    expect(l.loading.value).toBe(false)
  })
})
