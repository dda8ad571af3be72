// 工作台 (dashboard).
export default {
  welcome: '欢迎，{name}',
  mySites: '我的站点',
  allSites: '全部站点',
  lastPublish: '最近发布',
  pending: '待审核',
  thisMonth: '本月发布',
  drafts: '草稿',
  quick: '快捷操作',
  newArticle: '新建信息',
  reviewQueue: '待我审核',
  sitesCount: '站点数',
  openSites: '开通站点',
  roles: '我的角色',
}
