#!/usr/bin/env node
// Renders every template of every theme with realistic sample data and checks
// the result against the rules of docs/themes.md that can be read off the
// markup. Output: /tmp/theme-samples/<theme>/ laid out like a published site
// (index.html, news/3.html, a/1100.html, _theme/<theme>/…, _media/…).
//
//   node render-sample.mjs [theme…] [--out DIR]
//
// Exit status 1 on any template lint error or output check failure.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import Mustache from 'mustache';
import { allPages } from './sample-data.mjs';

// Escape like kainjow/mustache (the publisher's engine): & < > " ' only.
const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
Mustache.escape = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);

const here = path.dirname(fileURLToPath(import.meta.url));
const themesDir = path.resolve(here, '..');
const args = process.argv.slice(2);
let outRoot = '/tmp/theme-samples';
const oi = args.indexOf('--out');
if (oi >= 0) {
  outRoot = args[oi + 1];
  args.splice(oi, 2);
}
// The publisher's engine: kainjow/mustache. When its header and a C++ compiler
// are present (libkainjow-mustache-dev, nlohmann-json3-dev, g++), every page is
// also rendered by it and must come out the same (up to whitespace).
let kainjow = null;
if (fs.existsSync('/usr/include/kainjow/mustache.hpp')) {
  const bin = path.join(os.tmpdir(), 'zq-kainjow-render');
  const src = path.join(here, 'kainjow-render.cc');
  try {
    if (!fs.existsSync(bin) || fs.statSync(bin).mtimeMs < fs.statSync(src).mtimeMs) {
      execFileSync('g++', ['-std=c++17', '-O1', '-o', bin, src], { stdio: 'inherit' });
    }
    kainjow = bin;
  } catch (e) {
    console.error(`note: could not build kainjow-render (${e.message}); comparing with kainjow skipped`);
  }
} else {
  console.error('note: /usr/include/kainjow/mustache.hpp missing (apt-get install libkainjow-mustache-dev); comparing with kainjow skipped');
}

const themes = args.length
  ? args
  : fs.readdirSync(themesDir).filter((d) => fs.existsSync(path.join(themesDir, d, 'theme.toml')));

const TEMPLATES = ['home', 'list', 'article', 'page', 'search', '404'];
const REQUIRED_ASSETS = ['style.css', 'mode-large.css', 'mode-contrast.css'];
// Values that may be rendered raw ({{{x}}} / {{&x}}): produced or sanitized by the server.
const RAW_ALLOWED = new Set(['article.body', 'snippet']);
// Names a section may open on. kainjow/mustache treats an empty string as TRUE,
// so a section over a string field would show an empty label: sections open
// only on booleans (is_*, has_*, …) and on lists/objects.
const SECTION_OK = new Set([
  'current', 'last', 'pinned', 'external',
  'page.meta', 'nav', 'breadcrumbs', 'blocks', 'items', 'headlines', 'pagination', 'pages',
  'results', 'article', 'article.attachments', 'prev', 'next',
]);

let failures = 0;
function fail(theme, where, msg) {
  failures++;
  console.error(`FAIL ${theme} ${where}: ${msg}`);
}

function loadTheme(theme) {
  const dir = path.join(themesDir, theme);
  const toml = fs.readFileSync(path.join(dir, 'theme.toml'), 'utf8');
  const nameMatch = toml.match(/^name\s*=\s*"([^"]+)"/m);
  if (!nameMatch || nameMatch[1] !== theme) fail(theme, 'theme.toml', 'name must equal the folder name');
  if (!/^[a-z0-9-]+$/.test(theme)) fail(theme, 'theme.toml', 'name must be [a-z0-9-]');
  for (const key of ['title', 'description', 'version', 'list_page_size', 'home_items_per_column']) {
    if (!new RegExp(`^${key}\\s*=`, 'm').test(toml)) fail(theme, 'theme.toml', `missing ${key}`);
  }
  const templates = {};
  for (const t of TEMPLATES) {
    const f = path.join(dir, 'templates', `${t}.mustache`);
    if (!fs.existsSync(f)) fail(theme, t, 'template missing');
    else templates[t] = fs.readFileSync(f, 'utf8');
  }
  const partials = {};
  const pdir = path.join(dir, 'templates', 'partials');
  for (const f of fs.existsSync(pdir) ? fs.readdirSync(pdir) : []) {
    if (f.endsWith('.mustache')) partials[f.replace(/\.mustache$/, '')] = fs.readFileSync(path.join(pdir, f), 'utf8');
  }
  for (const a of REQUIRED_ASSETS) {
    if (!fs.existsSync(path.join(dir, 'assets', a))) fail(theme, 'assets', `${a} missing`);
  }
  const num = (k, d) => Number((toml.match(new RegExp(`^${k}\\s*=\\s*(\\d+)`, 'm')) || [])[1] || d);
  return { dir, templates, partials, sizes: { pageSize: num('list_page_size', 20), perColumn: num('home_items_per_column', 8) } };
}

function lintTemplate(theme, file, src, partials) {
  let tokens;
  try {
    tokens = Mustache.parse(src);
  } catch (e) {
    fail(theme, file, `does not parse: ${e.message}`);
    return;
  }
  const walk = (list) => {
    for (const t of list) {
      const [type, name] = t;
      if ((type === '&' || type === '{') && !RAW_ALLOWED.has(name)) fail(theme, file, `raw output of "${name}" (only ${[...RAW_ALLOWED].join(', ')} may be raw)`);
      if (type === '#' || type === '^') {
        const last = name.split('.').pop();
        if (!(SECTION_OK.has(name) || last.startsWith('is_') || last.startsWith('has_'))) {
          fail(theme, file, `section on "${name}": open sections on booleans or lists only (kainjow treats "" as true)`);
        }
      }
      if (type === '>' && !(name in partials)) fail(theme, file, `unknown partial "${name}"`);
      if (type === 'name' && name === '.') fail(theme, file, 'implicit iterator {{.}} is not used by the data model');
      if (Array.isArray(t[4])) walk(t[4]);
    }
  };
  walk(tokens);
  if (/(?:src|href)\s*=\s*"(?:https?:)?\/\/(?!beian\.miit\.gov\.cn\/|beian\.mps\.gov\.cn\/)/i.test(src)) {
    fail(theme, file, 'absolute URL in a template (only the 备案 links may be external)');
  }
}

function lintCss(theme, dir) {
  for (const f of fs.readdirSync(path.join(dir, 'assets'))) {
    if (!f.endsWith('.css')) continue;
    const css = fs.readFileSync(path.join(dir, 'assets', f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    if (/@import|url\(\s*["']?(?:https?:)?\/\//i.test(css)) fail(theme, f, 'external url() or @import');
    if (/@font-face/i.test(css)) fail(theme, f, 'web fonts are not allowed (system fonts only)');
    if (f.startsWith('mode-') && /url\(\s*(?!["']?(?:\/_theme\/|data:))/i.test(css)) {
      fail(theme, f, 'mode CSS is served from /_zq/mode.css: url() must be root-relative to /_theme/<name>/');
    }
  }
}

// Checks on the rendered HTML that need no browser.
function checkOutput(theme, rel, html, data) {
  const where = rel;
  if (!html.startsWith('<!DOCTYPE html>')) fail(theme, where, 'does not start with <!DOCTYPE html>');
  if (!/<html lang="zh-CN">/.test(html)) fail(theme, where, 'missing <html lang="zh-CN">');
  if (!/<meta charset="utf-8">/i.test(html)) fail(theme, where, 'missing <meta charset="utf-8">');
  const h1 = html.match(/<h1[\s>]/g) || [];
  if (h1.length !== 1) fail(theme, where, `${h1.length} <h1> elements (want exactly 1)`);
  const firstFocusable = html.match(/<(a|button|input|select|textarea)\b[^>]*>/);
  if (!firstFocusable || !/class="skip-link" href="#main"/.test(firstFocusable[0])) fail(theme, where, 'skip link is not the first focusable element');
  if (!/<main id="main"/.test(html)) fail(theme, where, 'no <main id="main">');
  if ((html.match(/<main[\s>]/g) || []).length !== 1) fail(theme, where, 'more than one <main>');
  if (!/<header[\s>]/.test(html) || !/<footer[\s>]/.test(html)) fail(theme, where, 'missing <header> or <footer>');
  for (const n of html.match(/<nav\b[^>]*>/g) || []) if (!/aria-label="[^"]+"/.test(n)) fail(theme, where, `nav without aria-label: ${n}`);
  for (const m of ['large_url', 'contrast_url', 'reset_url']) {
    if (!html.includes(`href="${Mustache.escape(data.mode[m])}"`)) fail(theme, where, `mode link ${m} missing`);
  }
  if (!/<link rel="stylesheet" href="\/_zq\/mode\.css">/.test(html)) fail(theme, where, 'missing /_zq/mode.css');
  const themeCss = html.indexOf(`${data.site.theme_assets}/style.css`);
  if (themeCss < 0 || themeCss > html.indexOf('/_zq/mode.css')) fail(theme, where, 'mode.css must come after the theme stylesheet');
  for (const m of data.page.meta) {
    if (!html.includes(`<meta name="${m.name}" content="${Mustache.escape(m.content)}">`)) fail(theme, where, `meta ${m.name} missing`);
  }
  // footer: each field shown exactly when it is set
  const s = data.site;
  const footer = [
    [s.has_icp, 'href="https://beian.miit.gov.cn/"', 'ICP 备案 link'],
    [s.has_icp, Mustache.escape(s.icp), 'ICP 备案号'],
    [s.has_police_record, 'href="https://beian.mps.gov.cn/#/query/webSearch"', '公安备案 link'],
    [s.has_site_id_code, '网站标识码', '网站标识码'],
    [s.has_sponsor, '主办单位', '主办单位'],
    [s.has_error_report, '我为网站找错', '我为网站找错'],
    [s.has_contact_email, 'mailto:', 'contact e-mail'],
    [s.has_contact_phone, Mustache.escape(s.contact_phone || '\u0000'), 'contact phone'],
  ];
  for (const [shown, needle, what] of footer) {
    if (shown && !html.includes(needle)) fail(theme, where, `footer lacks ${what}`);
    if (!shown && html.includes(needle)) fail(theme, where, `footer shows ${what} although it is empty`);
  }
  if (!new RegExp(`<form[^>]*action="${data.search_url}"`).test(html) || !/<input[^>]*name="q"/.test(html)) fail(theme, where, 'no search form');
  // resources: only root-relative
  for (const m of html.matchAll(/<(?:img|script|link|source|iframe|video|audio)\b[^>]*\s(?:src|href)="([^"]*)"/g)) {
    if (!m[1].startsWith('/') || m[1].startsWith('//')) fail(theme, where, `resource not root-relative: ${m[1]}`);
  }
  for (const m of html.matchAll(/<img\b[^>]*>/g)) if (!/\salt="/.test(m[0])) fail(theme, where, `img without alt: ${m[0]}`);
  // dates shown as YYYY-MM-DD
  for (const m of html.matchAll(/<time\b[^>]*>([^<]*)<\/time>/g)) if (!/^\d{4}-\d{2}-\d{2}$/.test(m[1])) fail(theme, where, `date not YYYY-MM-DD: ${m[1]}`);
  if (data.page.is_list && data.items.length === 0 && !html.includes('暂无信息')) fail(theme, where, 'empty list does not say 暂无信息');
  if (data.page.is_home) for (const b of data.blocks) if (!b.has_items && !html.includes('暂无信息')) fail(theme, where, 'empty block does not say 暂无信息');
  if (data.page.is_search && !html.includes(Mustache.escape(data.query))) fail(theme, where, 'search page does not echo the query');
  if (data.page.is_search && /<时刻表>/.test(html)) fail(theme, where, 'query not escaped');
  if (data.breadcrumbs && !data.page.is_home) {
    if (!/<nav[^>]*aria-label="[^"]*"[^>]*>[\s\S]*?aria-current="page"/.test(html)) fail(theme, where, 'breadcrumbs without aria-current');
  }
  if (data.pagination && !/aria-current="page"/.test(html)) fail(theme, where, 'pagination without aria-current="page"');
  if (data.article && data.article.has_attachments) {
    for (const a of data.article.attachments) if (!html.includes(a.url)) fail(theme, where, `attachment ${a.name} not listed`);
  }
}

// Small placeholder pictures for covers and body images (drawn here, nothing downloaded).
function placeholderSvg(label, hue) {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 960 540" width="960" height="540">
<rect width="960" height="540" fill="hsl(${hue},45%,78%)"/>
<rect y="360" width="960" height="180" fill="hsl(${hue + 90},35%,55%)"/>
<rect x="300" y="170" width="360" height="200" fill="hsl(${hue},20%,92%)"/>
<rect x="330" y="210" width="60" height="60" fill="hsl(${hue},30%,60%)"/><rect x="450" y="210" width="60" height="60" fill="hsl(${hue},30%,60%)"/><rect x="570" y="210" width="60" height="60" fill="hsl(${hue},30%,60%)"/>
<path d="M280 170 L480 90 L680 170 Z" fill="hsl(${hue + 180},40%,40%)"/>
<circle cx="820" cy="110" r="50" fill="hsl(45,90%,70%)"/>
<text x="40" y="510" font-size="36" fill="#222" font-family="sans-serif">${label}</text>
</svg>`;
}

function copyDir(src, dst) {
  fs.mkdirSync(dst, { recursive: true });
  for (const f of fs.readdirSync(src)) {
    const s = path.join(src, f);
    const d = path.join(dst, f);
    if (fs.statSync(s).isDirectory()) copyDir(s, d);
    else fs.copyFileSync(s, d);
  }
}

for (const theme of themes) {
  const { dir, templates, partials, sizes } = loadTheme(theme);
  for (const [n, src] of Object.entries(templates)) lintTemplate(theme, `${n}.mustache`, src, partials);
  for (const [n, src] of Object.entries(partials)) lintTemplate(theme, `partials/${n}.mustache`, src, partials);
  lintCss(theme, dir);

  const out = path.join(outRoot, theme);
  fs.rmSync(out, { recursive: true, force: true });
  copyDir(path.join(dir, 'assets'), path.join(out, '_theme', theme));
  fs.mkdirSync(path.join(out, '_zq'), { recursive: true });
  fs.writeFileSync(path.join(out, '_zq', 'mode.css'), '/* standard mode: empty */\n');
  const media = {
    '_media/3f/3f9a00c1.svg': ['开学典礼', 210],
    '_media/3f/3f9a04c1.svg': ['运动会', 120],
    '_media/3f/3f9a08c1.svg': ['社会实践', 30],
    '_media/9c/9c41d2e0a7.svg': ['升旗仪式', 200],
    '_media/5d/5d7e8f9a0b.svg': ['校园全景', 160],
  };
  for (const [p, [label, hue]] of Object.entries(media)) {
    fs.mkdirSync(path.dirname(path.join(out, p)), { recursive: true });
    fs.writeFileSync(path.join(out, p), placeholderSvg(label, hue));
  }

  let n = 0;
  for (const [rel, tpl, data] of allPages(theme, sizes)) {
    if (!templates[tpl]) continue;
    let html;
    try {
      html = Mustache.render(templates[tpl], data, partials);
    } catch (e) {
      fail(theme, rel, `render error: ${e.message}`);
      continue;
    }
    const file = path.join(out, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, html);
    const dataFile = `${file}.json`.replace(/\.html\.json$/, '.data.json');
    fs.writeFileSync(dataFile, JSON.stringify({ template: tpl, data }, null, 1));
    checkOutput(theme, rel, html, data);
    if (kainjow) {
      try {
        const k = execFileSync(kainjow, [dir, dataFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        // the engines indent partials differently; whitespace aside, the bytes must match
        const norm = (x) => x.replace(/\s+/g, ' ').trim();
        if (norm(k) !== norm(html)) {
          const a = norm(html);
          const b = norm(k);
          let i = 0;
          while (i < a.length && a[i] === b[i]) i++;
          fail(theme, rel, `kainjow output differs from mustache.js:\n  mustache.js: …${a.slice(Math.max(0, i - 60), i + 80)}\n  kainjow:     …${b.slice(Math.max(0, i - 60), i + 80)}`);
        }
      } catch (e) {
        fail(theme, rel, `kainjow: ${(e.stderr || e.message).toString().trim()}`);
      }
    }
    n++;
  }
  console.log(`${theme}: rendered ${n} pages into ${out}${kainjow ? ' (same output with kainjow/mustache, up to whitespace)' : ''}`);
}

if (failures) {
  console.error(`${failures} problem(s)`);
  process.exit(1);
}
console.log('all checks passed');
