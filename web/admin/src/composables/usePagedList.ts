// One paged table: filters, page and page size, the current page's items and the total,
// a loading flag, and reload/search/reset. A change of page or page size reloads; a
// response that arrives after a newer request was sent is dropped.
import { reactive, ref, watch, type Ref, type UnwrapRef } from 'vue'
import type { ListResult } from '../api'
import { showError } from '../forms'

export interface PagedListOptions<F extends object> {
  // Initial filter values; reset() returns to them.
  filters?: F
  // Filters → query parameters (default: the filters as they are).
  query?: (filters: UnwrapRef<F>) => Record<string, unknown>
  page?: number
  pageSize?: number
  onError?: (e: unknown) => void
}

export function usePagedList<T, F extends object = Record<string, never>>(
  fetchPage: (query: Record<string, unknown>) => Promise<ListResult<T>>,
  opts: PagedListOptions<F> = {},
) {
  const initial = () => structuredClone(opts.filters ?? ({} as F))
  const filters = reactive(initial()) as UnwrapRef<F>
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  const loading = ref(false)
  const page = ref(opts.page ?? 1)
  const pageSize = ref(opts.pageSize ?? 20)
  let seq = 0

  async function reload(): Promise<void> {
    const mine = ++seq
    loading.value = true
    try {
      const q = opts.query ? opts.query(filters) : { ...(filters as Record<string, unknown>) }
      const r = await fetchPage({ ...q, page: page.value, page_size: pageSize.value })
      if (mine !== seq) return
      items.value = r.items
      total.value = r.total
    } catch (e) {
      if (mine === seq) (opts.onError ?? showError)(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  // New filters: back to the first page (which reloads), or reload the first page.
  function search(): Promise<void> | void {
    if (page.value !== 1) page.value = 1
    else return reload()
  }
  function reset(): Promise<void> | void {
    Object.assign(filters as object, initial())
    return search()
  }
  watch([page, pageSize], () => void reload())

  return { items, total, loading, page, pageSize, filters, reload, search, reset }
}
