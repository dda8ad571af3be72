#!/usr/bin/env node
// Opens every rendered sample (run render-sample.mjs first) in headless
// Chromium, in each display mode (standard, 长者模式, 高对比度, both) at 1366 and
// 360 px wide, and
//   - runs axe-core with the WCAG 2.0/2.1 A and AA rules,
//   - fails when the page scrolls sideways,
//   - checks that a focused link shows an outline,
//   - with --shots, saves full-page screenshots to /tmp/theme-shots/<theme>/.
//
//   node check-browser.mjs [theme…] [--shots] [--chromium /usr/bin/chromium]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const args = process.argv.slice(2);
const shots = args.includes('--shots');
let exe = '/usr/bin/chromium';
const ci = args.indexOf('--chromium');
if (ci >= 0) exe = args[ci + 1];
const themes = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--chromium');
const list = themes.length ? themes : fs.readdirSync('/tmp/theme-samples').filter((d) => fs.existsSync(`/tmp/theme-samples/${d}/index.html`));

const PAGES = [
  ['home', '/'],
  ['list-1', '/news/'],
  ['list-3', '/news/3.html'],
  ['list-5', '/news/5.html'],
  ['list-empty', '/culture/'],
  ['article', '/a/1100.html'],
  ['article-wide-table', '/a/1206.html'],
  ['page', '/about/'],
  ['page-empty', '/about-empty/'],
  ['search', '/search.html'],
  ['search-none', '/search-empty.html'],
  ['404', '/no-such-page.html'],
];
const MODES = { standard: '', large: 'large', contrast: 'contrast', both: 'contrast.large' };
const WIDTHS = [1366, 360];
const SHOT_SET = new Set(['home', 'list-3', 'article', 'article-wide-table', 'search', 'search-none', 'page', '404', 'list-empty']);

const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
let problems = 0;
let axeRuns = 0;

for (const theme of list) {
  const server = await startServer(theme);
  const base = `http://127.0.0.1:${server.address().port}`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-theme-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: exe, args: launchArgs, headless: true });
  const page = ctx.pages()[0] || (await ctx.newPage());
  const outDir = `/tmp/theme-shots/${theme}`;
  if (shots) fs.mkdirSync(outDir, { recursive: true });

  for (const [modeName, cookie] of Object.entries(MODES)) {
    await ctx.clearCookies();
    if (cookie) await ctx.addCookies([{ name: 'zq_mode', value: cookie, url: base }]);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, p] of PAGES) {
        const tag = `${theme} ${name} ${modeName} ${width}px`;
        await page.goto(base + p, { waitUntil: 'load' });
        // sideways scrolling
        const overflow = await page.evaluate(() => {
          const w = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= w) return null;
          const culprits = [];
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > w + 1 && getComputedStyle(el).position !== 'absolute') {
              let inScroller = false;
              for (let a = el.parentElement; a; a = a.parentElement) {
                const ox = getComputedStyle(a).overflowX;
                if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') { inScroller = true; break; }
              }
              if (!inScroller) culprits.push(`${el.tagName.toLowerCase()}.${el.className}`);
            }
          }
          return { scrollWidth: document.documentElement.scrollWidth, w, culprits: culprits.slice(0, 5) };
        });
        if (overflow) {
          problems++;
          console.log(`FAIL ${tag}: scrolls sideways (${overflow.scrollWidth} > ${overflow.w}) ${overflow.culprits.join(' ')}`);
        }
        // 适老化: line height ≥ 1.5 on every text, paragraph spacing ≥ 1.3 × line height in article bodies
        const spacing = await page.evaluate(() => {
          const bad = new Set();
          for (const el of document.querySelectorAll('body *')) {
            if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
            const cs = getComputedStyle(el);
            if (cs.display === 'none' || cs.visibility === 'hidden' || el.closest('.visually-hidden')) continue;
            const fs = parseFloat(cs.fontSize);
            const lh = cs.lineHeight === 'normal' ? 0 : parseFloat(cs.lineHeight);
            if (lh < 1.5 * fs - 0.5) bad.add(`line-height ${el.tagName.toLowerCase()}.${el.className} ${(lh / fs).toFixed(2)}`);
          }
          for (const p of document.querySelectorAll('.article-body p')) {
            if (!p.nextElementSibling) continue;
            const cs = getComputedStyle(p);
            if (parseFloat(cs.marginBottom) < 1.3 * parseFloat(cs.lineHeight) - 0.5) bad.add(`paragraph spacing ${(parseFloat(cs.marginBottom) / parseFloat(cs.lineHeight)).toFixed(2)}× line height`);
          }
          return [...bad].slice(0, 6);
        });
        for (const b of spacing) {
          problems++;
          console.log(`FAIL ${tag}: ${b}`);
        }
        // the 长者模式 link works end to end (server cookie + /_zq/mode.css)
        if (name === 'home' && width === 1366 && modeName === 'standard') {
          const before = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
          await page.click('a[href^="/_zq/mode?set=large"]');
          await page.waitForLoadState('load');
          const after = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
          await page.click('a[href^="/_zq/mode?set=reset"]');
          await page.waitForLoadState('load');
          const reset = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
          if (!(after > before && reset === before)) {
            problems++;
            console.log(`FAIL ${tag}: 长者模式/标准模式 links do not switch (${before}px → ${after}px → ${reset}px)`);
          }
        }
        // a focused link must show an outline
        if (name === 'home' && width === 1366) {
          await page.keyboard.press('Tab');
          const focus = await page.evaluate(() => {
            const el = document.activeElement;
            const cs = getComputedStyle(el);
            return { cls: el.className, outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2, top: el.getBoundingClientRect().top };
          });
          if (focus.cls !== 'skip-link' || !focus.outline || focus.top < 0) {
            problems++;
            console.log(`FAIL ${tag}: first Tab does not show the skip link with an outline (${JSON.stringify(focus)})`);
          }
          if (shots) await page.screenshot({ path: `${outDir}/skip-link-${modeName}.png`, clip: { x: 0, y: 0, width: 1366, height: 300 } });
          await page.keyboard.press('Tab');
          await page.keyboard.press('Tab');
          if (shots) await page.screenshot({ path: `${outDir}/focus-${modeName}.png`, clip: { x: 0, y: 0, width: 1366, height: 300 } });
          await page.evaluate(() => document.activeElement && document.activeElement.blur());
        }
        // axe
        await page.addScriptTag({ content: axeSource });
        const result = await page.evaluate(async () => {
          // eslint-disable-next-line no-undef
          const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
          const out = r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 200)}`) }));
          // axe files 1:1 text (same colour as its background) under "incomplete",
          // not "violations": a ratio it could measure and found too low is a failure here.
          for (const v of r.incomplete.filter((x) => x.id === 'color-contrast')) {
            const low = v.nodes.filter((n) => n.any.some((a) => a.data && typeof a.data.contrastRatio === 'number' && a.data.contrastRatio > 0 && a.data.contrastRatio < 4.5));
            if (low.length) out.push({ id: 'color-contrast(incomplete)', impact: 'serious', help: 'measured contrast too low', nodes: low.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.any.map((a) => a.message).join(' ')}`) });
          }
          return out;
        });
        axeRuns++;
        for (const v of result) {
          problems++;
          console.log(`FAIL ${tag}: axe ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes.join('\n    ')}`);
        }
        if (shots && SHOT_SET.has(name) && (modeName === 'standard' || ['home', 'article', 'list-3'].includes(name))) {
          await page.screenshot({ path: `${outDir}/${name}-${modeName}-${width}.png`, fullPage: true });
        }
      }
    }
  }
  await ctx.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
  console.log(`${theme}: done`);
}
console.log(`${axeRuns} axe runs, ${problems} problem(s)`);
process.exit(problems ? 1 : 0);
