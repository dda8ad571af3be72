// Header, title and language switch: the same keys as ../zh-CN/app.ts.
import type zh from '../zh-CN/app'

export default {
  title: 'Zhanqun Admin',
  subtitle: 'School website cluster',
  lang: 'Language',
  logout: 'Log out',
  site: 'Current site',
  chooseSite: 'Choose a site',
  profile: 'Change password',
  home: 'Home',
} satisfies Record<keyof typeof zh, string>
