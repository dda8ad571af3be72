import { describe, it, expect } from 'vitest'
import { diff, stripTags } from '../src/diff'
import { mediaUrl, ApiError } from '../src/api'
import { useFieldErrors } from '../src/forms'

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

describe('mediaUrl', () => {
  it('follows the publisher rule for extensions', () => {
    const h = 'ab' + 'c'.repeat(62)
    expect(mediaUrl({ hash: h, mime: 'image/jpeg', filename: 'x.jpeg' })).toBe(`/_media/ab/${h}.jpg`)
    expect(mediaUrl({ hash: h, mime: 'application/octet-stream', filename: '通知.docx' })).toBe(`/_media/ab/${h}.docx`)
    expect(mediaUrl({ hash: h, mime: 'application/x-foo', filename: 'a.exe' })).toBe(`/_media/ab/${h}.bin`)
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
