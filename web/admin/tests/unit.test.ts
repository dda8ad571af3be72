import { describe, it, expect } from 'vitest'
import { diff, stripTags } from '../src/diff'
import { attachmentUrl, ApiError } from '../src/api'
import { useFieldErrors } from '../src/forms'
import { reorderItems } from '../src/columns'
import type { Column } from '../src/api'

describe('diff', () => {
  it('marks Chinese characters inserted and deleted', () => {
    const d = diff('校园开放日', '校园体育开放日活动')
    expect(
      d
        .filter((p) => p.op === 'ins')
        .map((p) => p.text)
        .join(''),
    ).toBe('体育活动')
    expect(
      d
        .filter((p) => p.op !== 'ins')
        .map((p) => p.text)
        .join(''),
    ).toBe('校园开放日')
  })
  it('strips tags and keeps paragraphs apart', () => {
    expect(stripTags('<p>第一段</p><p>第二&amp;段</p>')).toBe('第一段\n第二&段')
  })
})

describe('attachmentUrl', () => {
  it('follows the publisher rule for extensions', () => {
    const h = 'ab' + 'c'.repeat(62)
    expect(attachmentUrl({ hash: h, mime: 'image/jpeg', filename: 'x.jpeg' })).toBe(`/_media/ab/${h}.jpg`)
    expect(attachmentUrl({ hash: h, mime: 'application/octet-stream', filename: '通知.docx' })).toBe(
      `/_media/ab/${h}.docx`,
    )
    expect(attachmentUrl({ hash: h, mime: 'application/x-foo', filename: 'a.exe' })).toBe(`/_media/ab/${h}.bin`)
    expect(attachmentUrl({ hash: h, mime: 'application/x-foo', filename: 'docx' })).toBe(`/_media/ab/${h}.bin`)
  })
  it('uses the url the server gave', () => {
    expect(attachmentUrl({ hash: 'ab', mime: 'image/png', filename: 'a.png', url: '/_media/ab/x.png' })).toBe(
      '/_media/ab/x.png',
    )
  })
})

describe('useFieldErrors', () => {
  it('puts the server message under the field it names, nested names included', () => {
    const f = useFieldErrors(['title', 'min_length'])
    f.apply(new ApiError(400, { code: 'invalid_argument', message: '标题太长', field: 'title' }))
    expect(f.errors.title).toBe('标题太长')
    f.apply(new ApiError(400, { code: 'invalid_argument', message: '至少 8', field: 'password_policy.min_length' }))
    expect(f.errors.min_length).toBe('至少 8')
    expect(f.errors.title).toBeUndefined()
  })
})

describe('reorderItems', () => {
  const col = (id: number, parent_id: number | null, sort_order: number) =>
    ({ id, parent_id, sort_order }) as unknown as Column
  it('sends the moved column and the siblings whose place changed, nothing else', () => {
    // 3 was dragged from under 9 to the top level, between 1 and 2.
    const items = reorderItems([col(1, null, 0), col(3, 9, 0), col(2, null, 10)], 3, null)
    expect(items).toEqual([
      { id: 3, parent_id: null, sort_order: 10 },
      { id: 2, sort_order: 20 },
    ])
  })
  it('sends nothing when the drop changed nothing', () => {
    expect(reorderItems([col(1, 5, 0), col(2, 5, 10)], 2, 5)).toEqual([])
  })
})
