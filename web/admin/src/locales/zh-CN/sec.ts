// 安全设置 (security settings).
export default {
  title: '安全设置',
  passwordPolicy: '密码策略',
  session: '会话设置',
  minLength: '最短长度（字符）',
  minClasses: '至少包含字符种类',
  expiryDays: '密码有效期（天）',
  history: '不得重复最近几次密码',
  maxFailures: '连续失败锁定次数',
  lockoutMinutes: '锁定时长（分钟）',
  idleTimeout: '空闲超时（分钟）',
  saved: '安全设置已保存',
}
