#!/usr/bin/env node
// Every page of a demo district, checked as the public serves it: builds a
// demo district with the real binary, then
//   1. runs the W3C Nu HTML checker (--errors-only) over every published
//      .html file, plus the pages the server renders at request time
//      (/search results, no results, the 404 answer);
//   2. serves the district with `zhanqun serve` on loopback and opens every
//      page in headless Chromium by its real host name (*.demo.test is mapped
//      to the public listener with --host-resolver-rules), runs axe-core with
//      the WCAG 2.0/2.1 A and AA rules, and checks the status code;
//   3. repeats the axe run for a sample of every site's pages (home, a list
//      page, an article, the single page, search, 404) in 长者模式, 高对比度
//      and both, set by the zq_mode cookie as the mode links set it.
// Exits 1 naming page URL and rule of every problem.
//
//   node check-demo.mjs --binary build/zhanqun [--sites 2] [--seed 7]
//                       [--chromium /usr/bin/chromium] [--keep]

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const vnuJar = require.resolve('vnu-jar/build/dist/vnu.jar');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const binary = path.resolve(option('--binary', 'build/zhanqun'));
const sites = option('--sites', '2');
const seed = option('--seed', '7');
const exe = option('--chromium', '/usr/bin/chromium');
const keep = process.argv.includes('--keep');
// Two-character Chinese queries: one a few articles contain ("科技节"),
// one nearly every article does (so results have a second page).
const QUERY = '科技';
const COMMON = '活动';
// A page planted in the first site's published tree with known faults (no
// lang, an image without alt): vnu and axe must both report it, or the check
// itself is broken.
const PLANTED = '/zq-selftest-planted.html';
const PLANTED_HTML = '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>planted</title>\n</head>\n<body>\n<main>\n<h1>planted</h1>\n<img src="/nothing.png">\n</main>\n</body>\n</html>\n';
const MODES = { large: 'large', contrast: 'contrast', both: 'large,contrast' };

const t0 = Date.now();
const secs = (t) => ((Date.now() - t) / 1000).toFixed(1);
const problems = [];
const fail = (msg) => {
  problems.push(msg);
  console.log(`FAIL ${msg}`);
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-pages-'));
let server;
let ctx;
let profile;

async function main() {
  // 1. the district
  const demo = spawnSync(binary, ['demo', '--data', dir, '--sites', sites, '--seed', seed], { encoding: 'utf8' });
  if (demo.status !== 0) throw new Error(`zhanqun demo failed (${demo.status}):\n${demo.stdout}\n${demo.stderr}`);
  const codes = [...demo.stdout.matchAll(/^站点 (\S+)/gm)].map((m) => m[1]);
  if (codes.length !== Number(sites)) throw new Error(`expected ${sites} sites in the demo output, found ${codes.length}`);
  console.log(`demo: ${codes.length} sites (${codes.join(' ')}) in ${secs(t0)} s`);

  // every published page, per site, as file and as URL path
  const pages = []; // {code, file, url}
  const themes = new Set();
  for (const code of codes) {
    const root = path.join(dir, 'publish', code);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'manifest.json'), 'utf8'));
    const files = Object.keys(manifest.files || manifest).filter((p) => p.endsWith('.html'));
    if (files.length === 0) throw new Error(`${code}: manifest lists no .html file`);
    for (const rel of files.sort()) {
      const clean = rel.replace(/^\//, '');
      let url = '/' + clean.replace(/(^|\/)index\.html$/, '$1');
      if (clean === '404.html') url = '/no-such-page/';
      pages.push({ code, file: path.join(root, clean), url });
    }
    for (const d of fs.readdirSync(path.join(root, '_theme'))) themes.add(d);
  }
  const kinds = {
    home: pages.filter((p) => p.url === '/').length,
    article: pages.filter((p) => p.url.startsWith('/a/')).length,
    'list page ≥ 2': pages.filter((p) => /^\/(?!a\/)[^/]+\/\d+\.html$/.test(p.url)).length,
    'column page 1': pages.filter((p) => /^\/(?!a\/)[^/]+\/$/.test(p.url) && p.url !== '/no-such-page/').length,
    404: pages.filter((p) => p.url === '/no-such-page/').length,
  };
  console.log(`published: ${pages.length} .html files; themes: ${[...themes].join(', ')}; ${JSON.stringify(kinds)}`);
  if (themes.size < 2) fail(`the demo uses only the theme(s) ${[...themes].join(', ')}: raise --sites`);
  const plantedFile = path.join(dir, 'publish', codes[0], PLANTED.slice(1));
  fs.writeFileSync(plantedFile, PLANTED_HTML);
  if (kinds['list page ≥ 2'] === 0) fail('no paginated list page in the demo: nothing checks page 2 and on');

  // 2. the public listener
  server = spawn(binary, ['serve', '--data', dir, '--admin', '127.0.0.1:0', '--public', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let serverOut = '';
  server.stderr.on('data', (d) => (serverOut += d));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`zhanqun serve did not start:\n${serverOut}`)), 30000);
    server.stdout.on('data', (d) => {
      serverOut += d;
      const m = /公网站点：端口 (\d+)/.exec(serverOut);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    server.on('exit', (c) => reject(new Error(`zhanqun serve exited (${c}):\n${serverOut}`)));
  });

  const get = (host, p) =>
    new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: encodeURI(p), headers: { host } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
    });

  // pages rendered at request time: search results (page 1 and, if any, 2),
  // no results, and the 404 as served
  const dynDir = path.join(dir, 'served');
  fs.mkdirSync(dynDir);
  const served = []; // {code, file, url, status}
  for (const code of codes) {
    const host = `${code}.demo.test`;
    const dyn = [
      [`/search?q=${QUERY}`, 200],
      [`/search?q=${COMMON}`, 200],
      ['/search?q=无此词语', 200],
      ['/no-such-page/', 404],
    ];
    const first = await get(host, dyn[0][0]);
    const common = await get(host, dyn[1][0]);
    if (/[?&;]page=2\b/.test(common.body)) dyn.push([`/search?q=${COMMON}&page=2`, 200]);
    else fail(`http://${host}/search?q=${COMMON}: no second page of results to check`);
    for (const [u, want] of dyn) {
      const r = await get(host, u);
      if (r.status !== want) fail(`http://${host}${u}: status ${r.status}, expected ${want}`);
      const file = path.join(dynDir, `${code}-${served.length}.html`);
      fs.writeFileSync(file, r.body);
      served.push({ code, file, url: u, status: want });
    }
    if (!/<mark>/.test(first.body)) fail(`http://${host}/search?q=${QUERY}: no highlighted hit`);
  }

  // 3. vnu over every file
  const t1 = Date.now();
  const vnuFiles = [...pages.map((p) => p.file), ...served.map((p) => p.file), plantedFile];
  const vnu = spawnSync('java', ['-jar', vnuJar, '--errors-only', '--format', 'gnu', ...vnuFiles], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (vnu.error) throw vnu.error;
  const vnuErrors = (vnu.stderr + vnu.stdout).split('\n').filter((l) => l.trim());
  const byFile = new Map([...pages, ...served].map((p) => [p.file, `http://${p.code}.demo.test${p.url}`]));
  let plantedErrors = 0;
  for (const line of vnuErrors) {
    const f = line.replace(/^"?file:/, '').split(/"?:\d/)[0];
    if (f === plantedFile) plantedErrors++;
    else fail(`vnu ${byFile.get(f) || f}: ${line}`);
  }
  if (plantedErrors === 0) fail(`vnu did not report the planted faulty page ${plantedFile}:\n${vnu.stdout}${vnu.stderr}`);
  if (vnu.status !== 0 && vnuErrors.length === 0) fail(`vnu exited ${vnu.status} without output`);
  console.log(`vnu: ${vnuFiles.length - 1} pages (${pages.length} published + ${served.length} served), ${vnuErrors.length - plantedErrors} error(s), ${secs(t1)} s (and ${plantedErrors} on the planted page, as expected)`);

  // 4. axe in Chromium, every page by its host name
  const t2 = Date.now();
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-pages-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: exe,
    headless: true,
    bypassCSP: true,
    viewport: { width: 1366, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--host-resolver-rules=MAP *.demo.test 127.0.0.1:${port}`],
  });
  await ctx.addInitScript({ content: axeSource });
  const page = ctx.pages()[0] || (await ctx.newPage());
  let axeRuns = 0;
  const check = async (url, want, mode, expectFaults = false) => {
    const tag = mode ? `${url} [${mode}]` : url;
    const res = await page.goto(url, { waitUntil: 'load' });
    if (!res || res.status() !== want) {
      fail(`${tag}: status ${res ? res.status() : 'none'}, expected ${want}`);
      return;
    }
    const out = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      const v = r.violations.map((x) => ({ id: x.id, help: x.help, nodes: x.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 200)}`) }));
      // axe files a contrast it measured but could not be sure of under
      // "incomplete"; a measured ratio below 4.5:1 counts as a failure here.
      for (const x of r.incomplete.filter((i) => i.id === 'color-contrast')) {
        const low = x.nodes.filter((n) => n.any.some((a) => a.data && typeof a.data.contrastRatio === 'number' && a.data.contrastRatio > 0 && a.data.contrastRatio < 4.5));
        if (low.length) v.push({ id: 'color-contrast(incomplete)', help: 'measured contrast too low', nodes: low.slice(0, 3).map((n) => n.target.join(' ')) });
      }
      const modeCss = [...document.styleSheets].some((s) => s.href && s.href.endsWith('/_zq/mode.css') && s.cssRules.length > 0);
      return { v, modeCss };
    });
    if (expectFaults) return out.v.map((x) => x.id);
    axeRuns++;
    for (const x of out.v) fail(`axe ${tag}: ${x.id} — ${x.help}\n    ${x.nodes.join('\n    ')}`);
    if (mode && !out.modeCss) fail(`${tag}: /_zq/mode.css is empty although the zq_mode cookie is set`);
  };

  const plantedUrl = `http://${codes[0]}.demo.test${PLANTED}`;
  const plantedRules = (await check(plantedUrl, 200, '', true)) || [];
  if (!plantedRules.includes('image-alt') || !plantedRules.includes('html-has-lang')) fail(`axe did not report image-alt and html-has-lang on the planted page ${plantedUrl} (got: ${plantedRules.join(', ')})`);
  for (const p of pages) await check(`http://${p.code}.demo.test${p.url}`, p.url === '/no-such-page/' ? 404 : 200);
  for (const p of served) if (p.url !== '/no-such-page/') await check(`http://${p.code}.demo.test${p.url}`, p.status);
  const standard = axeRuns;
  const tStd = secs(t2);

  const t3 = Date.now();
  for (const code of codes) {
    const mine = pages.filter((p) => p.code === code);
    const pick = (re) => mine.find((p) => re.test(p.url));
    const sample = [
      pick(/^\/$/),
      pick(/^\/(?!a\/)[^/]+\/\d+\.html$/) || pick(/^\/news\/$/),
      pick(/^\/a\//),
      pick(/^\/about\/$/),
      { url: `/search?q=${QUERY}` },
      { url: '/no-such-page/' },
    ].filter(Boolean);
    for (const [name, value] of Object.entries(MODES)) {
      await ctx.clearCookies();
      await ctx.addCookies([{ name: 'zq_mode', value, domain: `${code}.demo.test`, path: '/' }]);
      for (const p of sample) await check(`http://${code}.demo.test${p.url}`, p.url === '/no-such-page/' ? 404 : 200, name);
    }
  }
  await ctx.clearCookies();
  console.log(`axe: ${standard} pages in standard mode (${tStd} s), ${axeRuns - standard} in 长者模式/高对比度/both (${secs(t3)} s), ${problems.length} problem(s) so far`);
}

let code = 0;
try {
  await main();
} catch (e) {
  console.log(`ERROR ${e.stack || e}`);
  code = 2;
} finally {
  if (ctx) await ctx.close().catch(() => {});
  if (server) server.kill('SIGTERM');
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  if (keep) console.log(`kept ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}
console.log(`${problems.length} problem(s), ${secs(t0)} s in all`);
process.exit(code || (problems.length ? 1 : 0));
