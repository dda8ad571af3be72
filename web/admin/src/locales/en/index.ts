// English: one file per area of the console, one key per line.
import type zh from '../zh-CN'
import app from './app'
import menu from './menu'
import role from './role'
import common from './common'
import login from './login'
import dash from './dash'
import site from './site'
import col from './col'
import art from './art'
import media from './media'
import user from './user'
import audit from './audit'
import sec from './sec'
import insp from './insp'
import mon from './mon'
import err from './err'

export default {
  app,
  menu,
  role,
  common,
  login,
  dash,
  site,
  col,
  art,
  media,
  user,
  audit,
  sec,
  insp,
  mon,
  err,
} satisfies {
  [A in keyof typeof zh]: Record<keyof (typeof zh)[A], string>
}
