// Local autosave of a form: a copy in localStorage a moment after each change, so that
// a failed save, a reload or an idle-timeout re-login loses nothing. The page offers the
// copy back (pending) and drops it once the server has the text (drop).
import { getCurrentScope, onScopeDispose, ref, toRaw, watch } from 'vue'

export interface Draft<T> {
  savedAt: number
  version: number
  data: T
}
export interface AutosaveOptions<T extends object> {
  key: () => string
  data: T // a reactive object
  enabled: () => boolean
  version?: () => number
  // Two states with the same signature are the same text (default: JSON).
  signature?: (data: T) => string
  delay?: number
  storage?: Storage
}

export function useAutosave<T extends object>(o: AutosaveOptions<T>) {
  const storage = o.storage ?? localStorage
  const sig = o.signature ?? ((d: T) => JSON.stringify(d))
  const savedAt = ref(0)
  let active = false // off until the page has loaded and offered an earlier copy
  let timer: ReturnType<typeof setTimeout> | undefined
  let lastSaved = ''

  // Write now (also before a save request: whatever happens to it, the text stays here).
  function write() {
    clearTimeout(timer)
    if (!active || !o.enabled() || sig(o.data) === lastSaved) return
    const draft: Draft<T> = { savedAt: Date.now(), version: o.version?.() ?? 0, data: toRaw(o.data) }
    storage.setItem(o.key(), JSON.stringify(draft))
    savedAt.value = draft.savedAt
  }
  watch(
    () => o.data,
    () => {
      if (!active || !o.enabled()) return
      clearTimeout(timer)
      timer = setTimeout(write, o.delay ?? 800)
    },
    { deep: true },
  )
  function drop() {
    clearTimeout(timer)
    storage.removeItem(o.key())
    savedAt.value = 0
  }
  // The form now holds what the server has: no copy until it changes again.
  function markSaved() {
    lastSaved = sig(o.data)
  }
  // A copy newer than the server's text (updatedAt), if any; an older one is dropped.
  function pending(updatedAt = 0): Draft<T> | null {
    const raw = storage.getItem(o.key())
    if (!raw || !o.enabled()) return null
    try {
      const d = JSON.parse(raw) as Draft<T>
      if (d.savedAt >= updatedAt) return d
    } catch {
      /* unreadable: drop it */
    }
    storage.removeItem(o.key())
    return null
  }
  function start() {
    active = true
  }
  if (getCurrentScope()) onScopeDispose(() => clearTimeout(timer))

  return { savedAt, write, drop, markSaved, pending, start }
}
