// Error pages: the same keys as ../zh-CN/err.ts.
import type zh from '../zh-CN/err'

export default {
  forbidden: 'Forbidden',
  forbiddenText: 'You may not open this page or this site.',
  notFound: 'Not found',
  notFoundText: 'The page does not exist or was deleted.',
  toHome: 'Back to dashboard',
} satisfies Record<keyof typeof zh, string>
