// The site the header switcher points at; site-bound menus follow it.
import { reactive, watch } from 'vue'
import { api, grantSites, role, session, type Site, type ListResult } from './api'

const KEY = 'zq-site'
export const currentSite = reactive({ id: Number(localStorage.getItem(KEY) ?? 0) || 0 })
export const siteOptions = reactive({ items: [] as { id: number; code: string; name: string }[] })

watch(
  () => currentSite.id,
  (v) => {
    if (v) localStorage.setItem(KEY, String(v))
  },
)

export async function loadSiteOptions() {
  if (role.isSys()) {
    const r = await api.get<ListResult<Site>>('/sites', { page_size: 100 })
    siteOptions.items = r.items.map((s) => ({ id: s.id, code: s.code, name: s.name }))
  } else {
    siteOptions.items = grantSites()
  }
  if (!siteOptions.items.some((s) => s.id === currentSite.id)) currentSite.id = siteOptions.items[0]?.id ?? 0
  void session
}
