// Side menu: the same keys as ../zh-CN/menu.ts.
import type zh from '../zh-CN/menu'

export default {
  dashboard: 'Dashboard',
  sites: 'Sites',
  columns: 'Columns',
  articles: 'Articles',
  media: 'Media library',
  users: 'Users & permissions',
  audit: 'Audit log',
  security: 'Security settings',
  inspections: 'Inspections',
  monitoring: 'Monitoring & alerts',
} satisfies Record<keyof typeof zh, string>
