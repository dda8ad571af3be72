// Error pages.
export default {
  forbidden: '无权访问',
  forbiddenText: '您没有访问该页面或该站点的权限。',
  notFound: '页面不存在',
  notFoundText: '您访问的页面不存在，或对象已被删除。',
  toHome: '返回工作台',
}
