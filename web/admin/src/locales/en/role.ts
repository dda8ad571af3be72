// Role names: the same keys as ../zh-CN/role.ts.
import type zh from '../zh-CN/role'

export default {
  sysadmin: 'System administrator',
  secadmin: 'Security administrator',
  auditor: 'Auditor',
  site_admin: 'Site administrator',
  editor: 'Editor',
  reviewer: 'Reviewer',
} satisfies Record<keyof typeof zh, string>
