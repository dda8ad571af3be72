// 审计日志 (audit log).
export default {
  title: '审计日志',
  actor: '操作者',
  action: '操作',
  targetType: '对象类型',
  targetId: '对象',
  result: '结果',
  success: '成功',
  failure: '失败',
  ip: '地址',
  verify: '校验审计链',
  verifyOk: '审计链完整：共校验 {n} 条记录。',
  verifyBad: '审计链被破坏：第 {seq} 条（{problem}）。{message}',
  seq: '序号',
  hash: '哈希',
}
