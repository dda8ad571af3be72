import { createApp } from 'vue'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { setUnauthenticatedHandler, setPasswordChangeHandler, clearSession, session } from './api'
import './style.css'

// Idle timeout or a session ended elsewhere: back to the login page, keeping
// the place (and, through the editor's local autosave, the unsaved text).
setUnauthenticatedHandler(() => {
  if (!session.user) return
  clearSession()
  const cur = router.currentRoute.value
  if (cur.name !== 'login') router.push({ name: 'login', query: { redirect: cur.fullPath, expired: '1' } })
})

// The password expired or was reset during the session: the change form first.
setPasswordChangeHandler(() => {
  session.mustChange = true
  const cur = router.currentRoute.value
  if (cur.name !== 'login') router.push({ name: 'login', query: { redirect: cur.fullPath } })
})

createApp(App).use(router).use(i18n).mount('#app')
