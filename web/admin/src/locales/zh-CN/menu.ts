// Side menu.
export default {
  dashboard: '工作台',
  sites: '站点管理',
  columns: '栏目管理',
  articles: '信息管理',
  media: '媒体库',
  users: '用户与权限',
  audit: '审计日志',
  security: '安全设置',
  inspections: '运维巡检',
  monitoring: '监控告警',
}
