// 审计日志 (audit log): the same keys as ../zh-CN/audit.ts.
import type zh from '../zh-CN/audit'

export default {
  title: 'Audit log',
  actor: 'Actor',
  action: 'Action',
  targetType: 'Target type',
  targetId: 'Target',
  result: 'Result',
  success: 'Success',
  failure: 'Failure',
  ip: 'Address',
  verify: 'Verify chain',
  verifyOk: 'Chain intact: {n} entries checked.',
  verifyBad: 'Chain broken at entry {seq} ({problem}). {message}',
  seq: 'Seq',
  hash: 'Hash',
} satisfies Record<keyof typeof zh, string>
