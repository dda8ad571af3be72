import { nextTick, reactive } from 'vue'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { blankForm, formFromSnapshot, previewPayload, savePayload } from '../src/components/article/form'
import { useAutosave } from '../src/composables/useAutosave'

const filled = () => ({
  ...blankForm(),
  column_id: 4,
  title: '开放日',
  body: '<p>正文</p>',
  pinned: true,
  sort_order: 5,
  publish_at: 1_800_000_000_000,
  attachments: [{ id: 7, filename: '安排.pdf', mime: 'application/pdf', size: 10, hash: 'ab' }],
})

describe('article form', () => {
  it('a save sends column and schedule, except for a published article corrected in place', () => {
    const f = filled()
    expect(savePayload(f, false)).toMatchObject({ column_id: 4, publish_at: 1_800_000_000_000, attachments: [7] })
    const live = savePayload(f, true)
    expect(live).not.toHaveProperty('column_id')
    expect(live).not.toHaveProperty('publish_at')
    expect(live).toMatchObject({ title: '开放日', pinned: true, sort_order: 5 })
  })
  it('a preview sends only what PreviewArticle accepts', () => {
    const p = previewPayload(filled(), 12)
    expect(Object.keys(p).sort()).toEqual(
      ['attachments', 'author', 'body', 'column_id', 'id', 'source', 'subtitle', 'summary', 'title'].sort(),
    )
    expect(p).toMatchObject({ id: 12, attachments: [7] })
  })
  it('a restored revision keeps the names of attachments the form knows', () => {
    const f = formFromSnapshot({ title: '旧标题', body: '<p>旧</p>', attachments: [7, 9] }, filled())
    expect(f.title).toBe('旧标题')
    expect(f.column_id).toBe(4)
    expect(f.attachments.map((a) => a.filename)).toEqual(['安排.pdf', '#9'])
  })
})

// An in-memory Storage (the browser's API, kept here instead of localStorage).
function memoryStorage(): Storage {
  const m = new Map<string, string>()
  return {
    get length() {
      return m.size
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  }
}

describe('useAutosave', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('keeps a copy a moment after a change, once started, and offers it back', async () => {
    const storage = memoryStorage()
    const data = reactive({ title: '' })
    const a = useAutosave({ key: () => 'k', data, enabled: () => true, storage, delay: 800 })
    data.title = '加载中'
    await nextTick()
    vi.advanceTimersByTime(1000)
    expect(storage.getItem('k')).toBeNull() // not started: the page is still loading
    a.start()
    data.title = '草稿'
    await nextTick()
    vi.advanceTimersByTime(500)
    expect(storage.getItem('k')).toBeNull()
    vi.advanceTimersByTime(500)
    expect(a.savedAt.value).toBeGreaterThan(0)
    expect(a.pending()?.data).toEqual({ title: '草稿' })
  })
  it('writes nothing for what the server already has, and drops a copy older than the server', async () => {
    const storage = memoryStorage()
    const data = reactive({ title: '已保存' })
    const a = useAutosave({ key: () => 'k', data, enabled: () => true, storage })
    a.markSaved()
    a.start()
    a.write()
    expect(storage.getItem('k')).toBeNull()
    data.title = '改过'
    a.write()
    const at = a.pending()!.savedAt
    expect(a.pending(at + 1)).toBeNull()
    expect(storage.getItem('k')).toBeNull()
  })
  it('keeps nothing while the form is read-only, and drop forgets the copy', async () => {
    const storage = memoryStorage()
    const data = reactive({ title: 'x' })
    let editable = false
    const a = useAutosave({ key: () => 'k', data, enabled: () => editable, storage })
    a.start()
    a.write()
    expect(storage.getItem('k')).toBeNull()
    editable = true
    a.write()
    expect(storage.getItem('k')).not.toBeNull()
    a.drop()
    expect(storage.getItem('k')).toBeNull()
    expect(a.savedAt.value).toBe(0)
  })
})
