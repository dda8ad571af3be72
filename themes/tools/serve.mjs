#!/usr/bin/env node
// A tiny stand-in for the public server, for looking at rendered samples in a
// browser: serves /tmp/theme-samples/<theme>/ as a site root, answers
// /_zq/mode.css from the zq_mode cookie (large, contrast, both, or empty),
// /_zq/mode?set=large|contrast|reset&back=/path (cookie + 303), and /search?q=
// by rendering search.mustache live with the sample data.
//
//   node serve.mjs <theme> [port]        (default port 8080)

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mustache from 'mustache';
import { search } from './sample-data.mjs';

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
Mustache.escape = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);

const here = path.dirname(fileURLToPath(import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

function modesOf(req) {
  const m = /(?:^|;\s*)zq_mode=([^;]*)/.exec(req.headers.cookie || '');
  return new Set(m ? m[1].split('.').filter((x) => x === 'large' || x === 'contrast') : []);
}

export function startServer(theme, port = 0, root = '/tmp/theme-samples') {
  const siteRoot = path.join(root, theme);
  const tdir = path.join(here, '..', theme, 'templates');
  const partials = {};
  for (const f of fs.readdirSync(path.join(tdir, 'partials'))) partials[f.replace(/\.mustache$/, '')] = fs.readFileSync(path.join(tdir, 'partials', f), 'utf8');

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const send = (status, type, body, headers = {}) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(body);
    };
    if (url.pathname === '/_zq/mode.css') {
      const modes = modesOf(req);
      let css = '';
      for (const m of ['large', 'contrast']) if (modes.has(m)) css += fs.readFileSync(path.join(siteRoot, '_theme', theme, `mode-${m}.css`), 'utf8');
      return send(200, TYPES['.css'], css);
    }
    if (url.pathname === '/_zq/mode') {
      const modes = modesOf(req);
      const set = url.searchParams.get('set');
      if (set === 'reset') modes.clear();
      else if (set === 'large' || set === 'contrast') modes.has(set) ? modes.delete(set) : modes.add(set);
      let back = url.searchParams.get('back') || '/';
      if (!back.startsWith('/') || back.startsWith('//')) back = '/';
      return send(303, 'text/plain', '', { location: back, 'set-cookie': `zq_mode=${[...modes].sort().join('.')}; Path=/; SameSite=Lax` });
    }
    if (url.pathname === '/search') {
      const q = url.searchParams.get('q') || '';
      const data = search(theme, q, q.includes('开学'));
      const tpl = fs.readFileSync(path.join(tdir, 'search.mustache'), 'utf8');
      return send(200, TYPES['.html'], Mustache.render(tpl, data, partials));
    }
    let p = decodeURIComponent(url.pathname);
    if (p.endsWith('/')) p += 'index.html';
    const file = path.join(siteRoot, path.normalize(p));
    if (!file.startsWith(siteRoot) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      return send(404, TYPES['.html'], fs.readFileSync(path.join(siteRoot, '404.html')));
    }
    return send(200, TYPES[path.extname(file)] || 'application/octet-stream', fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const theme = process.argv[2] || 'qingsong';
  const port = Number(process.argv[3] || 8080);
  startServer(theme, port).then(() => console.log(`${theme} samples on http://127.0.0.1:${port}/`));
}
