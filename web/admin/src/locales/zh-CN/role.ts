// Role names.
export default {
  sysadmin: '系统管理员',
  secadmin: '安全管理员',
  auditor: '审计管理员',
  site_admin: '站点管理员',
  editor: '编辑',
  reviewer: '审核员',
}
