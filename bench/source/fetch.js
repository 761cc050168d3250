#!/usr/bin/env node
// The limit for the full-refresh benchmark: a raw client that fetches and parses every page of
// the source, one after another, as Syncline's poller does, and stores nothing.
//   node fetch.js URL PAGE_SIZE   -> prints {"records":N,"pages":P,"seconds":S,"records_per_s":R}
'use strict';
const http = require('http');
const [base, pageSize] = [process.argv[2], Number(process.argv[3] || 1000)];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(url) {
  return new Promise((resolve, reject) => http.get(url, { agent }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
  }).on('error', reject));
}
(async () => {
  const t0 = process.hrtime.bigint();
  let cursor = null, records = 0, pages = 0;
  do {
    const page = await get(`${base}/contacts?limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`);
    records += page.items.length; pages++; cursor = page.next_cursor;
  } while (cursor);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ records, pages, seconds: +s.toFixed(3), records_per_s: Math.round(records / s) }));
})();
