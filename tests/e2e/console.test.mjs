// The admin console in a real browser: the core editorial flow, site isolation,
// the forced password change, server errors next to the field, and a screenshot
// of every main screen.
import assert from 'node:assert/strict'
import { openSelect, ADMIN, DEMO_PASSWORD, PNG, PDF, apiAs, browser, fetchPublic, login, loginOk, platformLogins, shot, siteCodes, test, run, until } from './lib.mjs'

const [A, B] = siteCodes()            // school A and school B
const host = (code) => `${code}.demo.test`
const oneTime = platformLogins()
const NEW_PW = { sysadmin: 'Qz7#mountain-River', secadmin: 'Qz7#secure-Harbor', auditor: 'Qz7#ledger-Canyon' }
const state = {}

async function siteIdOf(code) {
  const api = await apiAs(`${code}.admin`)
  const me = (await api.get('/me')).body
  await api.dispose()
  return me.user.grants.find((g) => g.site_code === code).site_id
}

async function forcedChange(page, name) {
  await login(page, name, oneTime[name])
  await page.waitForSelector('[data-test=change-reason]')
  await page.fill('#pw-new', NEW_PW[name])
  await page.fill('#pw-confirm', NEW_PW[name])
  await page.click('[data-test=change-submit]')
  await page.waitForSelector('[data-test=whoami]')
}

test('a platform account must change its one-time password at first login', async () => {
  assert.ok(oneTime.sysadmin, 'one-time sysadmin password found in the demo output')
  const ctx = await browser()
  const page = ctx.pages()[0] ?? await ctx.newPage()
  await login(page, 'sysadmin', oneTime.sysadmin)
  await page.waitForSelector('[data-test=change-reason]')
  await shot(page, '01-login-forced-password-change')
  // A password that breaks the policy: the server's message sits under the field.
  await page.fill('#pw-new', 'sysadmin1')
  await page.fill('#pw-confirm', 'sysadmin1')
  await page.click('[data-test=change-submit]')
  const err = page.locator('.el-form-item:has(#pw-new) .el-form-item__error')
  await err.waitFor()
  assert.ok((await err.textContent()).trim().length > 0)
  await page.fill('#pw-new', NEW_PW.sysadmin)
  await page.fill('#pw-confirm', NEW_PW.sysadmin)
  await page.click('[data-test=change-submit]')
  await page.waitForSelector('[data-test=whoami]')
  assert.match(await page.textContent('[data-test=whoami]'), /sysadmin/)
  await shot(page, '02-dashboard-sysadmin')
  await ctx.close()
  // The old password no longer works; the new one does.
  const api = await apiAs('sysadmin', NEW_PW.sysadmin)
  assert.equal((await api.get('/me')).body.user.must_change_password, false)
  await api.dispose()
  state.sysChanged = true
})

test('a school editor writes an article with an image and an attachment and submits it', async () => {
  state.siteA = await siteIdOf(A)
  const ctx = await browser()
  const page = ctx.pages()[0] ?? await ctx.newPage()
  await loginOk(page, `${A}.editor`)
  await shot(page, '03-dashboard-editor')
  await page.click('[data-menu=articles]')
  await page.waitForSelector('[data-test=article-table]')
  await shot(page, '04-articles-list')
  await page.click('[data-test=new-article]')
  await page.waitForSelector('[data-slate-editor]')
  state.title = `E2E 校园开放日通知 ${Date.now()}`
  await page.fill('#a-title', state.title)
  await openSelect(page, 'a-column')
  await page.locator('.el-tree-node__content:visible', { hasText: '新闻动态' }).first().click()
  await page.click('[data-slate-editor]')
  await page.keyboard.type('欢迎家长参加本周六的校园开放日活动。')
  // An image without alt text is refused.
  await page.click('[data-test=insert-image]')
  await page.setInputFiles('[data-test=upload-file]', { name: 'campus.png', mimeType: 'image/png', buffer: PNG })
  await page.click('[data-test=upload-submit]')
  await page.locator('.el-form-item:has(#up-alt) .el-form-item__error').waitFor()
  await page.fill('#up-alt', '校园开放日现场照片')
  await page.click('[data-test=upload-submit]')
  await page.locator('[data-slate-editor] img[alt="校园开放日现场照片"]').waitFor()
  await page.click('[data-test=add-attachment]')
  await page.setInputFiles('[data-test=upload-file]', { name: '开放日安排.pdf', mimeType: 'application/pdf', buffer: PDF })
  await page.click('[data-test=upload-submit]')
  await page.locator('[data-test=attachment]', { hasText: '开放日安排.pdf' }).waitFor()
  await shot(page, '05-article-editor')
  await page.click('[data-test=submit]')
  await until(async () => (await page.textContent('[data-test=article-status]'))?.includes('待审核'), 'status 待审核')
  state.articleId = Number(page.url().match(/articles\/(\d+)/)[1])
  assert.ok(state.articleId > 0)
  await ctx.close()
})

test("that school's reviewer approves and publishes; the article is on the public site", async () => {
  assert.ok(state.articleId, 'needs the previous test')
  const ctx = await browser()
  const page = ctx.pages()[0] ?? await ctx.newPage()
  await loginOk(page, `${A}.reviewer`)
  await page.goto(`${ADMIN}/sites/${state.siteA}/articles?status=pending`)
  await page.locator('[data-test=article-table] .el-link', { hasText: state.title }).click()
  await page.waitForSelector('[data-test=approve]')
  await shot(page, '06-article-review')
  await page.click('[data-test=approve]')
  await until(async () => (await page.textContent('[data-test=article-status]'))?.includes('已通过'), 'status 已通过')
  await page.click('[data-test=publish]')
  await page.click('[data-test=publish-confirm]')
  await until(async () => (await page.textContent('[data-test=article-status]'))?.includes('已发布'), 'status 已发布')
  await page.click('[data-test=revisions]')
  await page.locator('[data-test=revision-table] .el-table__row').first().click()
  await shot(page, '07-article-revisions')
  await ctx.close()
  const pub = await until(async () => {
    const r = await fetchPublic(host(A), `/a/${state.articleId}.html`)
    return r.status === 200 && r.body.includes(state.title) ? r : null
  }, 'the published article')
  assert.match(pub.body, /欢迎家长参加本周六的校园开放日活动/)
  assert.match(pub.body, /<img[^>]+alt="校园开放日现场照片"/)
  assert.match(pub.body, /开放日安排\.pdf/)
  const home = await fetchPublic(host(A), '/')
  assert.ok(home.body.includes(state.title), 'listed on the home page')
})

test('the site admin corrects and pins a published article in place; the live page follows', async () => {
  assert.ok(state.articleId, 'needs the published article')
  const ctx = await browser()
  const page = ctx.pages()[0] ?? await ctx.newPage()
  await loginOk(page, `${A}.admin`)
  await page.goto(`${ADMIN}/sites/${state.siteA}/articles/${state.articleId}`)
  await page.waitForSelector('[data-test=save-live]')
  const fixed = state.title + '（更正）'
  await page.fill('#a-title', fixed)
  const [saved] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/articles/${state.articleId}`)),
    page.click('[data-test=save-live]'),
  ])
  assert.equal(saved.status(), 200)
  assert.match(await page.textContent('[data-test=article-status]'), /已发布/)
  await page.click('[data-test=pin]')
  await until(async () => (await page.textContent('[data-test=pin]')).includes('取消置顶'), 'pinned')
  await shot(page, '07b-published-corrected')
  await ctx.close()
  await until(async () => (await fetchPublic(host(A), `/a/${state.articleId}.html`)).body.includes('（更正）'), 'the live page updated')
  state.title = fixed
})

test('a reviewer sends an article back with a comment; the editor sees it and edits again', async () => {
  state.siteA ??= await siteIdOf(A)
  const ed = await apiAs(`${A}.editor`)
  const col = (await ed.get(`/sites/${state.siteA}/columns`)).body.items.find((c) => c.type === 'list')
  const art = (await ed.post(`/sites/${state.siteA}/articles`, { column_id: col.id, title: '待退回的稿件', body: '<p>初稿</p>' })).body
  await ed.post(`/articles/${art.id}/submit`)
  await ed.dispose()
  let ctx = await browser()
  let page = ctx.pages()[0] ?? await ctx.newPage()
  await loginOk(page, `${A}.reviewer`)
  await page.goto(`${ADMIN}/sites/${state.siteA}/articles/${art.id}`)
  await page.click('[data-test=reject]')
  await page.click('[data-test=reject-confirm]') // empty comment: refused next to the field
  await page.locator('.el-form-item:has(#reject-comment) .el-form-item__error').waitFor()
  await page.fill('#reject-comment', '请补充活动时间和地点。')
  await page.click('[data-test=reject-confirm]')
  await until(async () => (await page.textContent('[data-test=article-status]'))?.includes('草稿'), 'status 草稿')
  await ctx.close()
  ctx = await browser()
  page = ctx.pages()[0] ?? await ctx.newPage()
  await loginOk(page, `${A}.editor`)
  await page.goto(`${ADMIN}/sites/${state.siteA}/articles/${art.id}`)
  await page.waitForSelector('[data-test=review-comment]')
  assert.match(await page.textContent('[data-test=review-comment]'), /请补充活动时间和地点/)
  assert.equal(await page.locator('[data-test=save]').count(), 1, 'editable again')
  await shot(page, '06b-article-rejected')
  await ctx.close()
})

test('an editor of school A can neither see nor reach school B', async () => {
  state.siteA ??= await siteIdOf(A)
  const siteB = await siteIdOf(B)
  const apiB = await apiAs(`${B}.editor`)
  const colB = (await apiB.get(`/sites/${siteB}/columns`)).body.items.find((c) => c.type === 'list')
  const artB = (await apiB.post(`/sites/${siteB}/articles`, { column_id: colB.id, title: 'B 校内部稿件', body: '<p>只属于 B 校</p>' })).body
  await apiB.dispose()

  const ctx = await browser()
  const page = ctx.pages()[0] ?? await ctx.newPage()
  await loginOk(page, `${A}.editor`)
  // By menu: the site switcher offers only school A.
  await openSelect(page, 'site-switch')
  await page.locator('.el-select-dropdown__item:visible').first().waitFor()
  const options = await page.locator('.el-select-dropdown__item:visible').allTextContents()
  assert.ok(options.length >= 1 && options.every((o) => o.includes(A)), `switcher shows only ${A}: ${options}`)
  assert.ok(!options.some((o) => o.includes(B)))
  await page.keyboard.press('Escape')
  for (const m of ['sites', 'users', 'audit', 'security', 'columns']) assert.equal(await page.locator(`[data-menu=${m}]`).count(), 0, `no ${m} menu`)
  // By URL: school B's pages, and B's article under A's site.
  for (const p of [`/sites/${siteB}/articles`, `/sites/${siteB}/articles/${artB.id}`, `/sites/${siteB}/media`, `/sites/${siteB}/columns`, '/users', '/audit']) {
    await page.goto(ADMIN + p)
    await page.waitForSelector('[data-test=error-forbidden]')
    assert.ok(!(await page.content()).includes('B 校内部稿件'))
  }
  await shot(page, '08-forbidden-other-school')
  await page.goto(`${ADMIN}/sites/${state.siteA}/articles/${artB.id}`)
  await page.waitForSelector('[data-test=article-denied]')
  assert.ok(!(await page.content()).includes('只属于 B 校'))
  await ctx.close()
  // School A's site administrator: 站点管理 lists school A only; B's columns are out of reach.
  const ctx2 = await browser()
  const p2 = ctx2.pages()[0] ?? await ctx2.newPage()
  await loginOk(p2, `${A}.admin`)
  await p2.click('[data-menu=sites]')
  await p2.locator('[data-test=site-table] .el-table__row', { hasText: A }).waitFor()
  assert.equal(await p2.locator('[data-test=site-table] .el-table__row', { hasText: B }).count(), 0)
  await p2.goto(`${ADMIN}/sites/${siteB}/columns`)
  await p2.waitForSelector('[data-test=error-forbidden]')
  await ctx2.close()
})

test("bad input shows the server's message next to the field and keeps what was typed", async () => {
  state.siteA ??= await siteIdOf(A)
  const ctx = await browser()
  const page = ctx.pages()[0] ?? await ctx.newPage()
  await loginOk(page, `${A}.editor`)
  await page.goto(`${ADMIN}/sites/${state.siteA}/articles/new`)
  await page.waitForSelector('[data-slate-editor]')
  const long = '超长标题'.repeat(51) // 204 characters; the server allows 200
  await page.fill('#a-title', long)
  await openSelect(page, 'a-column')
  await page.locator('.el-tree-node__content:visible', { hasText: '通知公告' }).first().click()
  await page.click('[data-slate-editor]')
  await page.keyboard.type('这段正文在保存失败后必须还在。')
  await page.click('[data-test=save]')
  const err = page.locator('.el-form-item:has(#a-title) .el-form-item__error')
  await err.waitFor()
  assert.match(await err.textContent(), /200/)
  assert.equal(await page.inputValue('#a-title'), long)
  assert.match(await page.textContent('[data-slate-editor]'), /这段正文在保存失败后必须还在/)
  await shot(page, '09-server-error-next-to-field')
  // The text also survives a reload: the local autosave offers it back.
  await page.waitForSelector('[data-test=autosaved]')
  await page.reload()
  await page.locator('.el-message-box').waitFor()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await until(async () => (await page.inputValue('#a-title')) === long, 'restored title')
  assert.match(await page.textContent('[data-slate-editor]'), /这段正文在保存失败后必须还在/)
  await ctx.close()
})

test('text pasted from Word keeps its words and table, and loses the Word markup', async () => {
  state.siteA ??= await siteIdOf(A)
  const word = `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><style>p.MsoNormal{mso-style-parent:"";margin:0cm;font-family:宋体}</style></head><body lang=ZH-CN>
<!--StartFragment--><p class=MsoNormal style='mso-list:l0 level1 lfo1;text-indent:2em'><span lang=EN-US style='font-size:14.0pt;mso-bidi-font-family:Calibri'>各位家长：本学期课程安排如下。<o:p></o:p></span></p>
<![if !supportLists]><span style='mso-list:Ignore'>1.</span><![endif]>
<table class=MsoTableGrid border=1 style='mso-yfti-tbllook:1184'><tr><td style='mso-border-alt:solid windowtext .5pt'><p class=MsoNormal>星期一</p></td><td><p class=MsoNormal>语文课程表</p></td></tr></table>
<!--EndFragment--></body></html>`
  const ctx = await browser()
  const page = ctx.pages()[0] ?? await ctx.newPage()
  await loginOk(page, `${A}.editor`)
  await page.goto(`${ADMIN}/sites/${state.siteA}/articles/new`)
  await page.waitForSelector('[data-slate-editor]')
  await page.fill('#a-title', '从 Word 粘贴的通知')
  await openSelect(page, 'a-column')
  await page.locator('.el-tree-node__content:visible', { hasText: '通知公告' }).first().click()
  await page.click('[data-slate-editor]')
  // A real paste (Ctrl+V) of what Word puts on the clipboard.
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ADMIN })
  await page.evaluate(async (html) => {
    await navigator.clipboard.write([new ClipboardItem({
      'text/html': new Blob([html], { type: 'text/html' }),
      'text/plain': new Blob(['各位家长：本学期课程安排如下。 星期一 语文课程表'], { type: 'text/plain' }),
    })])
  }, word)
  await page.click('[data-slate-editor]')
  await page.keyboard.press('Control+V')
  await until(async () => (await page.textContent('[data-slate-editor]')).includes('语文课程表'), 'pasted text in the editor')
  await page.click('[data-test=save]')
  await page.waitForURL(/articles\/\d+$/)
  const id = Number(page.url().match(/articles\/(\d+)/)[1])
  await ctx.close()
  const api = await apiAs(`${A}.editor`)
  const body = (await api.get(`/articles/${id}`)).body.body
  await api.dispose()
  assert.match(body, /各位家长：本学期课程安排如下/)
  assert.match(body, /<table[\s>]/)
  assert.match(body, /语文课程表/)
  assert.doesNotMatch(body, /mso-|<o:p|MsoNormal|<!\[if|urn:schemas-microsoft/i)
})

test('after an idle timeout the editor returns to login and gets its unsaved text back', async () => {
  state.siteA ??= await siteIdOf(A)
  const ctx = await browser()
  const page = ctx.pages()[0] ?? await ctx.newPage()
  await loginOk(page, `${A}.editor`)
  await page.goto(`${ADMIN}/sites/${state.siteA}/articles/new`)
  await page.waitForSelector('[data-slate-editor]')
  await page.fill('#a-title', '会话超时前写的标题')
  await openSelect(page, 'a-column')
  await page.locator('.el-tree-node__content:visible', { hasText: '新闻动态' }).first().click()
  await page.click('[data-slate-editor]')
  await page.keyboard.type('会话超时前写的正文，不能丢。')
  // The server forgets the session (as after 30 idle minutes): drop the cookie.
  await ctx.clearCookies()
  await page.click('[data-test=save]')
  await page.waitForSelector('[data-test=expired]')
  await shot(page, '16-login-after-idle-timeout')
  // By keyboard only: type, Tab to the password, Enter to submit.
  await page.focus('#login-username')
  await page.keyboard.type(`${A}.editor`)
  await page.keyboard.press('Tab')
  await page.keyboard.type(DEMO_PASSWORD)
  await page.keyboard.press('Enter')
  await page.locator('.el-message-box').waitFor()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await until(async () => (await page.inputValue('#a-title')) === '会话超时前写的标题', 'restored title')
  assert.match(await page.textContent('[data-slate-editor]'), /会话超时前写的正文，不能丢/)
  await ctx.close()
})

test('a locked account is told so at login', async () => {
  const ctx = await browser()
  const page = ctx.pages()[0] ?? await ctx.newPage()
  const victim = `${siteCodes()[2]}.reviewer`
  let text = ''
  for (let i = 0; i < 8 && !text.includes('锁定'); i++) {
    await login(page, victim, 'wrong-password-' + i)
    await page.waitForSelector('[data-test=login-alert], .el-form-item__error')
    const alert = page.locator('[data-test=login-alert]')
    text = (await alert.count()) ? (await alert.textContent()) ?? '' : ''
  }
  assert.match(text, /锁定/)
  await shot(page, '17-login-locked')
  await ctx.close()
})

test('screens of the platform roles (sites, columns, users, media, audit, security)', async () => {
  state.siteA ??= await siteIdOf(A)
  let ctx = await browser()
  let page = ctx.pages()[0] ?? await ctx.newPage()
  if (state.sysChanged) await loginOk(page, 'sysadmin', NEW_PW.sysadmin)
  else { await forcedChange(page, 'sysadmin'); state.sysChanged = true }
  await page.click('[data-menu=sites]')
  await page.waitForSelector('[data-test=site-table]')
  await shot(page, '10-sites')
  await page.goto(`${ADMIN}/sites/${state.siteA}/columns`)
  await page.waitForSelector('[data-test=column-tree]')
  // Drag 信息公开 above 新闻动态: one reorder request (no PATCH per column), and the
  // new order is what the server now has.
  const columnPatches = []
  const onRequest = (r) => { if (r.method() === 'PATCH' && r.url().includes('/api/v1/columns/')) columnPatches.push(r.url()) }
  page.on('request', onRequest)
  const reorder = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/v1/sites/${state.siteA}/columns/reorder`))
  await page.locator('.el-tree-node__content', { hasText: '信息公开' }).first()
    .dragTo(page.locator('.el-tree-node__content', { hasText: '新闻动态' }).first(), { targetPosition: { x: 30, y: 2 } })
  assert.equal((await reorder).status(), 200, 'the reorder request succeeds')
  page.off('request', onRequest)
  assert.deepEqual(columnPatches, [], 'a drag is one reorder request, not one PATCH per column')
  const sys = await apiAs('sysadmin', NEW_PW.sysadmin)
  await until(async () => {
    const cols = (await sys.get(`/sites/${state.siteA}/columns`)).body.items.filter((c) => !c.parent_id).sort((a, b) => a.sort_order - b.sort_order || a.id - b.id)
    const names = cols.map((c) => c.name)
    return names.indexOf('信息公开') === names.indexOf('新闻动态') - 1
  }, 'the dragged column order saved')
  await sys.dispose()
  await page.locator('.el-tree-node__content', { hasText: '通知公告' }).first().click()
  await page.waitForFunction(() => document.querySelector('#c-name')?.value === '通知公告')
  await shot(page, '11-columns')
  await page.goto(`${ADMIN}/sites/${state.siteA}/media`)
  await page.waitForSelector('[data-test=media-table]')
  await shot(page, '12-media')
  // A site form: the server refuses a malformed e-mail; the message sits under that
  // field and everything typed in the drawer is still there.
  await page.goto(`${ADMIN}/sites`)
  await page.waitForSelector('[data-test=site-table]')
  await page.locator('[data-test=site-table] .el-table__row', { hasText: A }).getByRole('button', { name: '编辑' }).click()
  await page.fill('#st-sponsor', '闵行区教育局（主办）')
  await page.fill('#st-ce', 'not-an-email')
  await page.click('[data-test=site-save]')
  const err = page.locator('.el-form-item:has(#st-ce) .el-form-item__error')
  await err.waitFor()
  assert.ok((await err.textContent()).trim().length > 0)
  assert.equal(await page.inputValue('#st-sponsor'), '闵行区教育局（主办）')
  assert.equal(await page.inputValue('#st-ce'), 'not-an-email')
  await shot(page, '10b-site-form-error')
  await page.keyboard.press('Escape')
  // English is one switch away.
  await openSelect(page, 'lang-switch')
  await page.locator('.el-select-dropdown__item:visible', { hasText: 'English' }).click()
  await page.waitForSelector('[data-menu=sites]:has-text("Sites")')
  await shot(page, '10c-sites-english')
  await openSelect(page, 'lang-switch')
  await page.locator('.el-select-dropdown__item:visible', { hasText: '简体中文' }).click()
  // Create a school site: a bad code is refused next to the field, then a good one.
  await page.click('[data-menu=sites]')
  await page.click('[data-test=new-site]')
  await page.fill('#st-code', 'Bad Code!')
  await page.fill('#st-name', '闵行区实验小学')
  await page.fill('#st-domains', 'e2e-new.demo.test')
  await page.fill('#st-icp', '沪ICP备12345678号')
  await page.click('[data-test=site-save]')
  await page.locator('.el-form-item:has(#st-code) .el-form-item__error').waitFor()
  assert.equal(await page.inputValue('#st-icp'), '沪ICP备12345678号')
  await page.fill('#st-code', 'e2enew')
  await page.click('[data-test=site-save]')
  await page.locator('[data-test=site-table] .el-table__row', { hasText: 'e2enew' }).waitFor()
  // Close it, then reopen it.
  const row = page.locator('[data-test=site-table] .el-table__row', { hasText: 'e2enew' })
  await row.getByRole('button', { name: '关闭站点' }).click()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await row.getByRole('button', { name: '重新开通' }).waitFor()
  await row.getByRole('button', { name: '重新开通' }).click()
  await row.getByRole('button', { name: '关闭站点' }).waitFor()

  // Accounts: create one (temporary password shown once), grant it 编辑 on school A.
  await page.click('[data-menu=users]')
  await page.waitForSelector('[data-test=user-table]')
  await page.click('[data-test=new-user]')
  await page.fill('#u-name', 'e2e.teacher')
  await page.fill('#u-dn', '王老师')
  await openSelect(page, 'u-dept')
  await page.locator('.el-popper:visible .el-tree-node__content', { hasText: '闵行区教育局' }).first().click()
  await page.locator('.el-dialog:visible .el-button--primary').click()
  await page.waitForSelector('[data-test=temp-password]')
  const tempPw = await page.locator('[data-test=temp-password]').evaluate((el) => (el.tagName === 'INPUT' ? el.value : el.querySelector('input').value))
  assert.ok(tempPw.length >= 8, 'a temporary password is shown')
  await page.keyboard.press('Escape')
  await page.fill('#u-q', 'e2e.teacher')
  await page.keyboard.press('Enter')
  const urow = page.locator('[data-test=user-table] .el-table__row', { hasText: 'e2e.teacher' })
  await urow.getByRole('button', { name: '站点权限' }).click()
  await openSelect(page, 'gr-site')
  await page.locator('.el-select-dropdown__item:visible', { hasText: A }).click()
  await page.locator('.el-drawer button:has-text("分配权限")').click()
  await page.locator('.el-drawer .el-table__row', { hasText: '编辑' }).waitFor()
  await page.keyboard.press('Escape')
  await page.fill('#u-q', '')
  await page.keyboard.press('Enter')
  await shot(page, '13-users')
  assert.equal(await page.locator('[data-menu=audit]').count(), 0, 'sysadmin has no audit menu')
  await ctx.close()

  ctx = await browser()
  page = ctx.pages()[0] ?? await ctx.newPage()
  await forcedChange(page, 'secadmin')
  await page.click('[data-menu=security]')
  await page.waitForSelector('[data-test=security-form]')
  await shot(page, '14-security-settings')
  for (const m of ['sites', 'articles', 'audit']) assert.equal(await page.locator(`[data-menu=${m}]`).count(), 0, `secadmin has no ${m} menu`)
  await ctx.close()

  ctx = await browser()
  page = ctx.pages()[0] ?? await ctx.newPage()
  await forcedChange(page, 'auditor')
  await page.waitForSelector('[data-test=audit-table]')
  await page.click('[data-test=verify]')
  await page.waitForSelector('[data-test=verify-result]')
  assert.match(await page.textContent('[data-test=verify-result]'), /完整/)
  await shot(page, '15-audit')
  for (const m of ['sites', 'articles', 'users', 'security']) assert.equal(await page.locator(`[data-menu=${m}]`).count(), 0, `auditor has no ${m} menu`)
  await ctx.close()
})

await run('console')
void DEMO_PASSWORD
