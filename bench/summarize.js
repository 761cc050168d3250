#!/usr/bin/env node
// Turns RESULT lines into the markdown tables of BENCHMARKS.md: median (min–max) per figure.
'use strict';
const fs = require('fs');
const [file, commit, machine] = process.argv.slice(2);
const rows = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('RESULT '))
  .map((l) => Object.fromEntries(l.slice(7).trim().split(/\s+/).map((kv) => kv.split('='))));
const med = (xs) => { const v = xs.map(Number).sort((a, b) => a - b); const n = v.length;
  return n ? (n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : NaN; };
const fmt = (xs) => { const v = xs.map(Number).sort((a, b) => a - b);
  return v.length > 1 ? `${med(v)} (${v[0]}–${v[v.length - 1]})` : `${v[0]}`; };
const out = [`Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, commit ${commit}.`, ''];
const ingest = rows.filter((r) => r.scenario === 'ingest');
if (ingest.length) {
  out.push('| scenario 2: durable ingest | runs | accepted/s | p99 ms | limit (raw INSERT/s) | ÷ limit | ready ms | idle RSS MiB | RSS under load MiB | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const db of ['h2', 'pg']) {
    const r = ingest.filter((x) => x.db === db);
    if (!r.length) continue;
    out.push(`| ${db === 'pg' ? 'PostgreSQL' : 'H2 (embedded)'} | ${r.length} | ${fmt(r.map((x) => x.accepted_per_s))} | ` +
      `${fmt(r.map((x) => x.p99_ms))} | ${fmt(r.map((x) => x.limit_inserts_per_s))} | ${fmt(r.map((x) => x.ratio))} | ` +
      `${fmt(r.map((x) => x.ready_ms))} | ${fmt(r.map((x) => x.idle_rss_mib))} | ${fmt(r.map((x) => x.rss_mib))} | ` +
      `${r.reduce((s, x) => s + Number(x.non2xx), 0)} |`);
  }
  out.push('');
}
const full = rows.filter((r) => (r.scenario || '').startsWith('full-') && r.run);
if (full.length) {
  out.push('| scenario 3: full refresh (N / page) | run | runs | records/s | limit (raw fetch records/s) | ÷ limit | added / updated / unchanged / deleted |',
    '|---|---|---:|---:|---:|---:|---|');
  for (const sc of [...new Set(full.map((r) => r.scenario))]) {
    for (const run of ['first', 'second', 'changed']) {
      const r = full.filter((x) => x.scenario === sc && x.run === run);
      if (!r.length) continue;
      out.push(`| ${sc.slice(5)} | ${run} | ${r.length} | ${fmt(r.map((x) => x.records_per_s))} | ` +
        `${fmt(r.map((x) => x.limit_records_per_s))} | ${fmt(r.map((x) => x.ratio))} | ` +
        `${r[0].added} / ${r[0].updated} / ${r[0].unchanged} / ${r[0].deleted} |`);
    }
  }
  out.push('');
  out.push('| memory (N / page) | runs | peak heap used MiB | peak live heap after GC MiB | peak RSS MiB |', '|---|---:|---:|---:|---:|');
  const procs = rows.filter((x) => x.n && x.page);
  for (const key of [...new Set(procs.map((p) => `${p.n} / ${p.page}`))]) {
    const r = procs.filter((p) => `${p.n} / ${p.page}` === key);
    out.push(`| ${key} | ${r.length} | ${fmt(r.map((x) => x.peak_heap_mib))} | ${fmt(r.map((x) => x.peak_live_heap_after_gc_mib))} | ${fmt(r.map((x) => x.rss_peak_mib))} |`);
  }
  out.push('');
}
const feed = rows.filter((r) => r.feed !== undefined || (r.records_per_s && r.limit_p99_page_ms));
if (feed.length) {
  out.push('| scenario 6: changes feed, limit=1000 | records | records/s | p99 per page ms | limit (raw SELECT records/s) | limit p99 ms | ÷ limit |',
    '|---|---:|---:|---:|---:|---:|---:|');
  for (const f of feed) {
    out.push(`| GET /records | ${f.records} | ${f.records_per_s} | ${f.p99_page_ms} | ${f.limit_records_per_s} | ${f.limit_p99_page_ms} | ${f.ratio} |`);
  }
}
console.log(out.join('\n'));
