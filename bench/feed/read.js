#!/usr/bin/env node
// Scenario 6: reads a whole changes feed through GET /records, page by page, as an app does.
//   node read.js BASE_URL API_KEY PROVIDER_CONFIG_KEY CONNECTION_ID MODEL LIMIT
// Prints {"records":N,"pages":P,"seconds":S,"records_per_s":R,"p99_page_ms":L}
'use strict';
const http = require('http');
const [base, key, pck, conn, model, limit] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(path) {
  return new Promise((resolve, reject) => http.get(base + path, {
    agent, headers: { Authorization: `Bearer ${key}`, 'Connection-Id': conn, 'Provider-Config-Key': pck },
  }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString()))
      : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`)));
  }).on('error', reject));
}
(async () => {
  const lat = [];
  const t0 = process.hrtime.bigint();
  let cursor = null, records = 0;
  do {
    const s = process.hrtime.bigint();
    const page = await get(`/records?model=${model}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    lat.push(Number(process.hrtime.bigint() - s) / 1e6);
    records += page.records.length; cursor = page.next_cursor;
  } while (cursor);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort((a, b) => a - b);
  console.log(JSON.stringify({ records, pages: lat.length, seconds: +secs.toFixed(3),
    records_per_s: Math.round(records / secs), p99_page_ms: +lat[Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)].toFixed(2) }));
})().catch((e) => { console.error(e.message); process.exit(1); });
