import { createI18n } from 'vue-i18n'
import zh from './locales/zh-CN'
import en from './locales/en'

export const LANG_KEY = 'zq-lang'
export const i18n = createI18n({
  legacy: false,
  locale: localStorage.getItem(LANG_KEY) ?? 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
})
