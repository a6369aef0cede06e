// A plain static file server for the browser tests: serves a built site under a sub-path on 127.0.0.1, the way a
// static host does (directory → index.html, the site's 404.html with status 404), and nothing outside the site.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.jsonld': 'application/ld+json', '.ttl': 'text/turtle; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8', '.xml': 'application/xml', '.atom': 'application/atom+xml',
  '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8', '.png': 'image/png',
};

/** Serves `root` at `http://127.0.0.1:<free port><prefix>`; resolves to `{ url, close() }`. */
export function serve(root, prefix) {
  const base = fs.realpathSync(root);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let rel;
    try { rel = decodeURIComponent(url.pathname); } catch { rel = null; }
    if (rel === null || !rel.startsWith(prefix) || rel.includes('\0')) return notFound(res);
    let file = path.resolve(base, '.' + path.sep + rel.slice(prefix.length));
    if (file !== base && !file.startsWith(base + path.sep)) return notFound(res);
    let stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      if (!url.pathname.endsWith('/')) {
        res.writeHead(301, { Location: url.pathname + '/' });
        return res.end();
      }
      file = path.join(file, 'index.html');
      stat = fs.statSync(file, { throwIfNoEntry: false });
    }
    if (!stat?.isFile()) return notFound(res);
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': stat.size });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  });
  function notFound(res) {
    const page = path.join(base, '404.html');
    res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(fs.existsSync(page) ? fs.readFileSync(page) : 'not found');
  }
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}${prefix}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
