// 安全设置 (security settings): the same keys as ../zh-CN/sec.ts.
import type zh from '../zh-CN/sec'

export default {
  title: 'Security settings',
  passwordPolicy: 'Password policy',
  session: 'Sessions',
  minLength: 'Minimum length',
  minClasses: 'Character classes',
  expiryDays: 'Password lifetime (days)',
  history: 'Recent passwords refused',
  maxFailures: 'Failures before lockout',
  lockoutMinutes: 'Lockout (minutes)',
  idleTimeout: 'Idle timeout (minutes)',
  saved: 'Security settings saved',
} satisfies Record<keyof typeof zh, string>
