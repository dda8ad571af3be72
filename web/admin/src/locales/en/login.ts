// Login and password change: the same keys as ../zh-CN/login.ts.
import type zh from '../zh-CN/login'

export default {
  title: 'Sign in',
  username: 'Username',
  password: 'Password',
  submit: 'Sign in',
  locked: 'Account locked',
  expired: 'Your session timed out. Unsaved work is kept on this computer; sign in to continue.',
  changeTitle: 'Change password',
  changeHint: 'Please change your password first.',
  reason_first_login: 'First sign-in: replace the initial password.',
  reason_reset: 'Your password was reset by an administrator.',
  reason_expired: 'Your password has expired.',
  oldPassword: 'Current password',
  newPassword: 'New password',
  confirmPassword: 'Confirm new password',
  mismatch: 'The new passwords do not match',
  changed: 'Password changed',
  policy: 'Long enough, several character classes, no username, not a recent password.',
} satisfies Record<keyof typeof zh, string>
