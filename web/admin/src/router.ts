import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'
import { session, loadMe, role } from './api'
import { currentSite } from './site'

type Check = (to: RouteLocationNormalized) => boolean
declare module 'vue-router' {
  interface RouteMeta {
    allow?: Check
    title?: string
    public?: boolean
    site?: boolean
  }
}

const siteIdOf = (to: RouteLocationNormalized) => Number(to.params.siteId)
const contentUser = () => role.isSys() || role.hasAnySiteRole()

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { public: true } },
    {
      path: '/',
      component: () => import('./views/Shell.vue'),
      children: [
        {
          path: '',
          name: 'dashboard',
          component: () => import('./views/Dashboard.vue'),
          meta: { title: 'menu.dashboard' },
        },
        {
          path: 'sites',
          name: 'sites',
          component: () => import('./views/Sites.vue'),
          meta: { title: 'menu.sites', allow: () => role.managesAnySite() },
        },
        {
          path: 'sites/:siteId(\\d+)/columns',
          name: 'columns',
          component: () => import('./views/Columns.vue'),
          meta: { title: 'menu.columns', site: true, allow: (to) => role.canManageSite(siteIdOf(to)) },
        },
        {
          path: 'sites/:siteId(\\d+)/articles',
          name: 'articles',
          component: () => import('./views/Articles.vue'),
          meta: { title: 'menu.articles', site: true, allow: (to) => role.canReadSite(siteIdOf(to)) },
        },
        {
          path: 'sites/:siteId(\\d+)/articles/new',
          name: 'article-new',
          component: () => import('./views/ArticleEdit.vue'),
          meta: { title: 'art.create', site: true, allow: (to) => role.canEdit(siteIdOf(to)) },
        },
        {
          path: 'sites/:siteId(\\d+)/articles/:id(\\d+)',
          name: 'article-edit',
          component: () => import('./views/ArticleEdit.vue'),
          meta: { title: 'common.edit', site: true, allow: (to) => role.canReadSite(siteIdOf(to)) },
        },
        {
          path: 'sites/:siteId(\\d+)/media',
          name: 'media',
          component: () => import('./views/Media.vue'),
          meta: { title: 'menu.media', site: true, allow: (to) => role.canReadSite(siteIdOf(to)) },
        },
        {
          path: 'users',
          name: 'users',
          component: () => import('./views/Users.vue'),
          meta: { title: 'menu.users', allow: () => role.isSys() || role.isSec() },
        },
        {
          path: 'audit',
          name: 'audit',
          component: () => import('./views/Audit.vue'),
          meta: { title: 'menu.audit', allow: () => role.isAuditor() },
        },
        {
          path: 'security',
          name: 'security',
          component: () => import('./views/Security.vue'),
          meta: { title: 'menu.security', allow: () => role.isSec() },
        },
        {
          path: 'inspections',
          name: 'inspections',
          component: () => import('./views/Inspections.vue'),
          meta: { title: 'menu.inspections', allow: () => role.isSys() || role.isAuditor() },
        },
        {
          path: 'inspections/:id(\\d+)',
          name: 'inspection',
          component: () => import('./views/Inspections.vue'),
          meta: { title: 'insp.detail', allow: () => role.isSys() || role.isAuditor() },
        },
        {
          path: 'monitoring/:tab(monitors|incidents|channels|windows|availability|deliveries)?',
          name: 'monitoring',
          component: () => import('./views/Monitoring.vue'),
          meta: { title: 'menu.monitoring', allow: () => role.isSys() },
        },
        {
          path: 'forbidden',
          name: 'forbidden',
          component: () => import('./views/ErrorPage.vue'),
          props: { kind: 'forbidden' },
          meta: { title: 'err.forbidden' },
        },
        {
          path: ':pathMatch(.*)*',
          name: 'notfound',
          component: () => import('./views/ErrorPage.vue'),
          props: { kind: 'notfound' },
          meta: { title: 'err.notFound' },
        },
      ],
    },
  ],
})

router.beforeEach(async (to) => {
  if (!session.loaded) await loadMe()
  if (to.meta.public) return true
  if (!session.user) return { name: 'login', query: { redirect: to.fullPath } }
  if (session.mustChange) return { name: 'login', query: { redirect: to.fullPath } }
  if (to.name === 'dashboard' && role.isAuditor()) return { name: 'audit' }
  if (to.name === 'dashboard' && role.isSec()) return { name: 'users' }
  if (to.meta.site) {
    const id = siteIdOf(to)
    if (!role.canReadSite(id)) return { name: 'forbidden', query: { from: to.fullPath } }
    currentSite.id = id
  }
  if (to.meta.allow && !contentUser() && to.meta.site) return { name: 'forbidden', query: { from: to.fullPath } }
  if (to.meta.allow && !to.meta.allow(to)) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
})
