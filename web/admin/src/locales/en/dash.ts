// 工作台 (dashboard): the same keys as ../zh-CN/dash.ts.
import type zh from '../zh-CN/dash'

export default {
  welcome: 'Welcome, {name}',
  mySites: 'My sites',
  allSites: 'All sites',
  lastPublish: 'Last publish',
  pending: 'Pending review',
  thisMonth: 'Published this month',
  drafts: 'Drafts',
  quick: 'Shortcuts',
  newArticle: 'New article',
  reviewQueue: 'Awaiting my review',
  sitesCount: 'Sites',
  openSites: 'Open sites',
  roles: 'My roles',
} satisfies Record<keyof typeof zh, string>
