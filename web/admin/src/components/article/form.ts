// The article editor's form: what it holds, how an article fills it, and what a save,
// a preview or a restored revision makes of it.
import type { Article, Attachment, Schemas } from '../../api'

export interface ArticleForm {
  column_id: number | undefined
  title: string
  subtitle: string
  author: string
  source: string
  summary: string
  body: string
  pinned: boolean
  sort_order: number
  publish_at: number | null
  attachments: Attachment[]
}
export const ARTICLE_FIELDS = [
  'column_id',
  'title',
  'subtitle',
  'author',
  'source',
  'summary',
  'body',
  'pinned',
  'sort_order',
  'publish_at',
  'attachments',
] as const

export function blankForm(): ArticleForm {
  return {
    column_id: undefined,
    title: '',
    subtitle: '',
    author: '',
    source: '',
    summary: '',
    body: '',
    pinned: false,
    sort_order: 0,
    publish_at: null,
    attachments: [],
  }
}

export function formOf(a: Article): ArticleForm {
  return {
    column_id: a.column_id,
    title: a.title,
    subtitle: a.subtitle,
    author: a.author,
    source: a.source,
    summary: a.summary,
    body: a.body ?? '',
    pinned: a.pinned,
    sort_order: a.sort_order,
    publish_at: a.publish_at,
    attachments: a.attachments ?? [],
  }
}

// A published article corrected in place keeps its column and schedule (they change
// only after a withdraw), so `live` leaves them out.
export function savePayload(f: ArticleForm, live: boolean): Schemas['ArticleUpdate'] {
  const body: Schemas['ArticleUpdate'] = {
    title: f.title,
    subtitle: f.subtitle,
    author: f.author,
    source: f.source,
    summary: f.summary,
    body: f.body,
    pinned: f.pinned,
    sort_order: f.sort_order,
    attachments: f.attachments.map((a) => a.id),
  }
  if (!live) Object.assign(body, { column_id: f.column_id, publish_at: f.publish_at })
  return body
}

// The unsaved content for POST /sites/{id}/preview (PreviewArticle: no pin, order or schedule).
export function previewPayload(f: ArticleForm, id: number | null): Schemas['PreviewArticle'] {
  return {
    id: id ?? undefined,
    column_id: f.column_id,
    title: f.title,
    subtitle: f.subtitle,
    author: f.author,
    source: f.source,
    summary: f.summary,
    body: f.body,
    attachments: f.attachments.map((a) => a.id),
  }
}

// A revision's snapshot back into the form; attachments known to the form keep their
// names, others show as #id until the article is saved and reloaded.
export function formFromSnapshot(s: Record<string, any>, current: ArticleForm): ArticleForm {
  const known = new Map(current.attachments.map((a) => [a.id, a]))
  return {
    column_id: s.column_id ?? current.column_id,
    title: s.title ?? '',
    subtitle: s.subtitle ?? '',
    author: s.author ?? '',
    source: s.source ?? '',
    summary: s.summary ?? '',
    body: s.body ?? '',
    pinned: !!s.pinned,
    sort_order: s.sort_order ?? 0,
    publish_at: s.publish_at ?? null,
    attachments: ((s.attachments ?? []) as number[]).map(
      (id) => known.get(id) ?? { id, filename: '#' + id, mime: '', size: 0, hash: '' },
    ),
  }
}
