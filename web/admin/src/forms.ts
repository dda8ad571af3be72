// Server errors shown next to the field they name; anything else as a message.
import { reactive } from 'vue'
import { ElMessage } from 'element-plus'
import { ApiError } from './api'

export function useFieldErrors(fields: string[]) {
  const errors = reactive<Record<string, string>>({})
  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
  }
  function apply(e: unknown): void {
    clear()
    if (e instanceof ApiError) {
      if (e.status === 401 && !e.field) return // session gone: handled globally (return to login)
      // "password_policy.min_length", "items[0].x" → match on the last segment too.
      const f = e.field ?? ''
      const key =
        fields.find((k) => k === f) ?? fields.find((k) => f.endsWith('.' + k) || f.startsWith(k + '[') || f === k)
      if (key) {
        errors[key] = e.message
        return
      }
      ElMessage({ type: 'error', message: e.message, showClose: true, duration: 6000 })
      return
    }
    ElMessage.error(String(e))
  }
  return { errors, clear, apply }
}

export function showError(e: unknown) {
  if (e instanceof ApiError && e.status === 401 && !e.field) return
  ElMessage({ type: 'error', message: e instanceof Error ? e.message : String(e), showClose: true, duration: 6000 })
}
