#!/usr/bin/env node
// WCAG contrast of each theme's text/background colour pairs, read from the
// :root variables of style.css (standard) and style.css + mode-contrast.css
// (高对比度). Fails under 4.5:1. The browser check (check-browser.mjs, axe)
// measures the rendered pages; this one documents where the colours come from.
//
//   node contrast.mjs

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const themesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// [foreground, background, where] — a "--name" is a :root variable, "#rrggbb" a literal.
const PAIRS = {
  qingsong: [
    ['--qs-text', '--qs-bg', 'body text'],
    ['--qs-text', '--qs-page', 'text on page background'],
    ['--qs-link', '--qs-bg', 'links'],
    ['--qs-link', '--qs-soft', 'links in boxes / top bar'],
    ['--qs-blue', '--qs-bg', 'titles'],
    ['--qs-muted', '--qs-bg', 'dates, meta'],
    ['--qs-muted', '--qs-soft', 'top bar text, empty state'],
    ['--qs-text', '--qs-soft', 'table heads, attachments'],
    ['#ffffff', '--qs-blue-bg', 'main nav, tabs'],
    ['#ffffff', '--qs-blue-dark', 'current nav item'],
    ['#ffffff', '--qs-banner-from', 'school name on banner (left)'],
    ['#ffffff', '--qs-banner-to', 'school name on banner (right)'],
    ['--qs-on-accent', '--qs-accent', 'search button, skip link'],
    ['#ffffff', '--qs-pinned', '置顶 tag'],
    ['--qs-footer-text', '--qs-footer', 'footer text'],
    ['--qs-footer-link', '--qs-footer', 'footer links'],
    ['--qs-on-mark', '--qs-mark', 'search hit'],
  ],
  mingde: [
    ['--md-ink', '--md-paper', 'body text on page'],
    ['--md-ink', '--md-card', 'text on cards'],
    ['--md-link', '--md-card', 'links'],
    ['--md-link', '--md-paper', 'links on page'],
    ['--md-title', '--md-card', 'serif titles'],
    ['--md-title', '--md-paper', 'page titles'],
    ['--md-muted', '--md-card', 'dates, meta'],
    ['--md-muted', '--md-paper', 'breadcrumbs, meta on page'],
    ['--md-brown', '--md-chip', 'date chips, empty state'],
    ['--md-ink', '--md-chip', 'table heads'],
    ['#ffffff', '--md-red', 'masthead, current nav, 置顶'],
    ['#ffffff', '--md-red-dark', 'masthead (left), mode link hover'],
    ['--md-on-red', '--md-red', 'domain, mode links'],
    ['--md-on-red', '--md-red-dark', 'domain on the darker side'],
    ['--md-brown-deep', '--md-gold-soft', 'search button, skip link'],
    ['--md-footer-text', '--md-footer', 'footer text'],
    ['--md-footer-muted', '--md-footer', 'footer labels'],
    ['--md-footer-link', '--md-footer', 'footer links'],
    ['--md-on-mark', '--md-mark', 'search hit'],
  ],
};

function rootVars(css) {
  const vars = {};
  for (const block of css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/:root\s*\{([^}]*)\}/g)) {
    for (const m of block[1].matchAll(/(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{6})\b/g)) vars[m[1]] = m[2].toLowerCase();
  }
  return vars;
}
const lum = (hex) => {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
};
const ratio = (a, b) => {
  const [x, y] = [lum(a), lum(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
};

let bad = 0;
let n = 0;
for (const [theme, pairs] of Object.entries(PAIRS)) {
  const dir = path.join(themesDir, theme, 'assets');
  const std = rootVars(fs.readFileSync(path.join(dir, 'style.css'), 'utf8'));
  const hc = { ...std, ...rootVars(fs.readFileSync(path.join(dir, 'mode-contrast.css'), 'utf8')) };
  for (const [mode, vars] of [['standard', std], ['contrast', hc]]) {
    for (const [fg, bg, where] of pairs) {
      const f = fg.startsWith('--') ? vars[fg] : fg;
      const b = bg.startsWith('--') ? vars[bg] : bg;
      if (!f || !b) {
        console.log(`FAIL ${theme} ${mode}: ${where}: unknown colour ${f ? bg : fg}`);
        bad++;
        continue;
      }
      const r = ratio(f, b);
      n++;
      // in high contrast a pair that became black on black is a background that
      // no longer carries text there (the mode restyles it); report, don't count
      const ok = r >= 4.5 || (mode === 'contrast' && f === b);
      if (!ok) bad++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${theme.padEnd(8)} ${mode.padEnd(8)} ${r.toFixed(2).padStart(5)}:1  ${f} on ${b}  ${where}${mode === 'contrast' && f === b ? ' (restyled in mode-contrast.css)' : ''}`);
    }
  }
}
console.log(`${n - bad} passed, ${bad} failed`);
process.exit(bad ? 1 : 0);
