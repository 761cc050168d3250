#!/usr/bin/env node
// A destination that enforces a rate limit, for scenario 5 (rate adherence). No dependencies.
//   node limited.js PORT LIMIT          (binds 127.0.0.1; LIMIT requests per sliding second)
// Any POST/PUT: 200, unless LIMIT requests already arrived in the last 1000 ms: then 429
// (counted as "beyond": the client sent more than the limit). GET /stats, POST /reset.
// POST /config {"retry_after_once": S}: the next request gets 429 with Retry-After: S. Requests
// already on their way still arrive; pause_ms is the longest silence in the 6 s after the 429
// (from the 429 or from one arrival to the next), i.e. how long the client really held off.
'use strict';
const http = require('http');
const port = Number(process.argv[2] || 19902);
const limit = Number(process.argv[3] || 100);
let arrivals = [];         // arrival times (ms) of the requests answered 200, within the last second
let requests = 0, ok = 0, beyond = 0, first = 0, last = 0, windowMax = 0;
let retryAfterOnce = 0, pausedAt = 0, afterPause = [];
const pauseMs = () => {
  if (!pausedAt || Date.now() - pausedAt < 6000) return -1;
  let prev = pausedAt, gap = 0;
  for (const t of afterPause.filter((x) => x <= pausedAt + 6000)) { gap = Math.max(gap, t - prev); prev = t; }
  return Math.max(gap, pausedAt + 6000 - prev);
};
const reply = (res, status, body, headers = {}) => {
  res.writeHead(status, Object.assign({ 'content-type': 'application/json' }, headers));
  res.end(body);
};
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const now = Date.now();
    if (req.method === 'GET' && req.url === '/stats') {
      return reply(res, 200, JSON.stringify({ requests, ok, beyond, first_ms: first, last_ms: last,
        window_max: windowMax, pause_ms: pauseMs(), limit }));
    }
    if (req.url === '/reset') {
      arrivals = []; requests = ok = beyond = first = last = windowMax = 0; pausedAt = 0; afterPause = [];
      return reply(res, 200, '{}');
    }
    if (req.url === '/config') {
      retryAfterOnce = Number(JSON.parse(Buffer.concat(chunks).toString() || '{}').retry_after_once || 0);
      return reply(res, 200, '{}');
    }
    requests++;
    if (pausedAt && now - pausedAt <= 6000) afterPause.push(now);
    if (retryAfterOnce > 0) {
      const s = retryAfterOnce; retryAfterOnce = 0; pausedAt = now;
      return reply(res, 429, '{"error":"slow down"}', { 'retry-after': String(s) });
    }
    while (arrivals.length && arrivals[0] <= now - 1000) arrivals.shift();
    if (arrivals.length >= limit) { beyond++; return reply(res, 429, '{"error":"rate limited"}'); }
    arrivals.push(now);
    windowMax = Math.max(windowMax, arrivals.length);
    ok++; if (!first) first = now; last = now;
    reply(res, 200, '{"ok":true}');
  });
}).listen(port, '127.0.0.1');
