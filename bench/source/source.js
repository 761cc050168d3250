#!/usr/bin/env node
// A local paginated source for the full-refresh benchmark. No dependencies; 127.0.0.1 only.
//
//   node source.js [PORT]              (default 19910)
//
//   GET  /contacts?cursor=N&limit=L    -> {"items":[...], "next_cursor": "M" | null}
//                                         records are generated, never held: memory stays flat
//   POST /config {"total":N,"version":V}  V=1: the original data; V=2: 1 % of records changed
//                                         (id % 100 == 0) and 1 % deleted (id % 100 == 1)
//   GET  /stats                        -> {"requests":N,"records":N}
'use strict';
const http = require('http');
const port = Number(process.argv[2] || 19910);
let total = 100000, version = 1, requests = 0, records = 0;

function contact(i) {
  const changed = version >= 2 && i % 100 === 0;
  return `{"id":"c${i}","email":"user${i}@example.com","first_name":"First${i}","last_name":"Last${i}",` +
    `"country":"gb","lifecycle":"${changed ? 'customer' : 'lead'}","ltv_cents":${i % 5000},` +
    `"updated_at":"2026-11-2${changed ? 1 : 0}T10:00:00Z"}`;
}

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (req.method === 'POST' && url.pathname === '/config') {
    let body = '';
    req.on('data', (c) => body += c);
    req.on('end', () => {
      const c = JSON.parse(body || '{}');
      total = c.total ?? total; version = c.version ?? version; requests = 0; records = 0;
      res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ total, version }));
    });
    return;
  }
  if (url.pathname === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ requests, records }));
  }
  if (url.pathname !== '/contacts') { res.writeHead(404); return res.end(); }
  requests++;
  const from = Number(url.searchParams.get('cursor') || 0);
  const limit = Number(url.searchParams.get('limit') || 100);
  const out = [];
  let i = from;
  for (; i < total && out.length < limit; i++) {
    if (version >= 2 && i % 100 === 1) continue; // deleted at the source
    out.push(contact(i));
  }
  records += out.length;
  const body = `{"items":[${out.join(',')}],"next_cursor":${i < total ? `"${i}"` : 'null'}}`;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(port, '127.0.0.1', () => process.stdout.write(`source on http://127.0.0.1:${port}\n`));

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
