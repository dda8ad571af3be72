// Header, title and language switch.
export default {
  title: '站群管理平台',
  subtitle: '学校网站集群',
  lang: '语言',
  logout: '退出登录',
  site: '当前站点',
  chooseSite: '选择站点',
  profile: '修改密码',
  home: '首页',
}
