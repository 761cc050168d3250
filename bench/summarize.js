#!/usr/bin/env node
// Turns RESULT lines into the markdown tables of BENCHMARKS.md: median (min–max) per figure.
'use strict';
const fs = require('fs');
const [file, commit, machine, part] = process.argv.slice(2);
const want = (scenario) => !part || (part === 'outbound') === ['relay', 'events', 'writer', 'rate', 'sql'].includes(scenario);
// the footprint table reads scenario 1's RSS under load, so the inbound part keeps the relay lines too
const keep = (scenario) => want(scenario) || (part === 'inbound' && scenario === 'relay');
const rows = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('RESULT '))
  .map((l) => Object.fromEntries(l.slice(7).trim().split(/\s+/).map((kv) => kv.split('='))))
  .filter((r) => keep(r.scenario));
const med = (xs) => { const v = xs.map(Number).sort((a, b) => a - b); const n = v.length;
  return n ? (n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : NaN; };
const fmt = (xs) => { const v = xs.map(Number).sort((a, b) => a - b); if (!v.length) return "-";
  return v.length > 1 ? `${med(v)} (${v[0]}–${v[v.length - 1]})` : `${v[0]}`; };
const out = [`Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, commit ${commit}.`, ''];
const relay = rows.filter((r) => r.scenario === 'relay' && want('relay'));
if (relay.length) {
  out.push('| scenario 1: relay (PostgreSQL, durable) | runs | webhooks accepted/s | deliveries/s at the sink | limit (sink alone req/s) | deliveries ÷ limit | post p99 ms | commit→delivery p50 / p99 ms | lost | duplicates | Node-RED accepted/s, same run | ÷ Node-RED |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|');
  out.push(`| webhook → store + queue → sink | ${relay.length} | ${fmt(relay.map((x) => x.accepted_per_s))} | ` +
    `${fmt(relay.map((x) => x.delivered_per_s))} | ${fmt(relay.map((x) => x.limit_sink_per_s))} | ${fmt(relay.map((x) => x.ratio))} | ` +
    `${fmt(relay.map((x) => x.post_p99_ms))} | ${med(relay.map((x) => x.deliver_p50_ms))} / ${med(relay.map((x) => x.deliver_p99_ms))} | ` +
    `${relay.reduce((s, x) => s + Number(x.lost), 0)} | ${relay.reduce((s, x) => s + Number(x.duplicates), 0)} | ` +
    `${fmt(relay.map((x) => x.nodered_accepted_per_s).filter((v) => v && v !== '-'))} | ` +
    `${fmt(relay.map((x) => x.vs_nodered).filter((v) => v && v !== '-'))} |`, '');
}
const events = rows.filter((r) => r.scenario === 'events');
if (events.length) {
  out.push('| events (PostgreSQL, durable) | runs | events accepted/s | p99 ms | limit (raw INSERT/s) | ÷ limit | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|');
  out.push(`| POST /events/{type} → queued write | ${events.length} | ${fmt(events.map((x) => x.events_per_s))} | ` +
    `${fmt(events.map((x) => x.p99_ms))} | ${fmt(events.map((x) => x.limit_inserts_per_s))} | ${fmt(events.map((x) => x.ratio))} | ` +
    `${events.reduce((s, x) => s + Number(x.non2xx), 0)} |`, '');
}
const writer = rows.filter((r) => r.scenario === 'writer');
if (writer.length) {
  out.push('| scenario 4: writer (PostgreSQL, no rate limit) | runs | writes | writes/s | requests at the sink | limit (sink alone req/s) | ÷ limit |',
    '|---|---:|---:|---:|---:|---:|---:|');
  const label = { single: 'one record per request', unchanged: 'the same again, unchanged (all skipped)', batch: 'batches of 100' };
  for (const mode of ['single', 'unchanged', 'batch']) {
    const r = writer.filter((x) => x.mode === mode);
    if (!r.length) continue;
    out.push(`| ${label[mode]} | ${r.length} | ${r[0].writes} | ` +
      `${fmt(r.map((x) => x.writes_per_s))} | ${fmt(r.map((x) => x.sink_requests))} | ${fmt(r.map((x) => x.limit_sink_per_s))} | ` +
      `${fmt(r.map((x) => x.ratio))} |`);
  }
  out.push('');
}
const rate = rows.filter((r) => r.scenario === 'rate');
if (rate.length) {
  out.push('| scenario 5: rate adherence | runs | configured /s | seconds | achieved /s | achieved ÷ configured | requests beyond the limit | busiest second | pause after Retry-After: 2 (ms) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  out.push(`| one connection, 8 in flight | ${rate.length} | ${rate[0].limit} | ${rate[0].seconds} | ${fmt(rate.map((x) => x.achieved_per_s))} | ` +
    `${fmt(rate.map((x) => x.ratio))} | ${rate.reduce((s, x) => s + Number(x.beyond_limit), 0)} | ` +
    `${fmt(rate.map((x) => x.busiest_second))} | ${fmt(rate.map((x) => x.measured_pause_ms))} |`, '');
}
const sql = rows.filter((r) => r.scenario === 'sql');
if (sql.length) {
  out.push('| SQL source (PostgreSQL) | runs | changed keys | property queries | expected (keys ÷ 500) | run s | keys/s | limit: one query over all keys, ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|');
  out.push(`| sql-sync, batches of 500 | ${sql.length} | ${sql[0].keys} | ${fmt(sql.map((x) => x.property_queries))} | ` +
    `${sql[0].expected_queries} | ${fmt(sql.map((x) => x.run_seconds))} | ${fmt(sql.map((x) => x.keys_per_s))} | ` +
    `${fmt(sql.map((x) => x.limit_one_query_ms))} |`, '');
}
const ingest = rows.filter((r) => r.scenario === 'ingest');
if (ingest.length) {
  out.push('| scenario 2: durable ingest | runs | accepted/s | p99 ms | limit (raw INSERT/s) | ÷ limit | RSS under load MiB | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const db of ['h2', 'pg']) {
    const r = ingest.filter((x) => x.db === db);
    if (!r.length) continue;
    out.push(`| ${db === 'pg' ? 'PostgreSQL' : 'H2 (embedded)'} | ${r.length} | ${fmt(r.map((x) => x.accepted_per_s))} | ` +
      `${fmt(r.map((x) => x.p99_ms))} | ${fmt(r.map((x) => x.limit_inserts_per_s))} | ${fmt(r.map((x) => x.ratio))} | ` +
      `${fmt(r.map((x) => x.rss_mib))} | ` +
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
const feed = rows.filter((r) => r.limit_p99_page_ms !== undefined);
if (feed.length) {
  out.push('| scenario 6: changes feed, limit=1000 | runs | records | records/s | p99 per page ms | limit (raw SELECT records/s) | limit p99 ms | ÷ limit |',
    '|---|---:|---:|---:|---:|---:|---:|---:|');
  out.push(`| GET /records | ${feed.length} | ${feed[0].records} | ${fmt(feed.map((x) => x.records_per_s))} | ` +
    `${fmt(feed.map((x) => x.p99_page_ms))} | ${fmt(feed.map((x) => x.limit_records_per_s))} | ` +
    `${fmt(feed.map((x) => x.limit_p99_page_ms))} | ${fmt(feed.map((x) => x.ratio))} |`, '');
}
const foot = rows.filter((r) => r.scenario === 'footprint');
const idle = rows.filter((r) => r.scenario === 'idle');
if (idle.length) {
  out.push('| idle: PostgreSQL CPU, nothing happening | records | readings | cores, Syncline running | cores, Syncline stopped (limit) |',
    '|---|---:|---:|---:|---:|');
  out.push(`| ${idle[0].seconds} s per reading | ${idle[0].records} | ${idle.length} | ` +
    `${fmt(idle.map((x) => x.pg_cores_syncline_idle))} | ${fmt(idle.map((x) => x.pg_cores_without_syncline))} |`, '');
}
if (foot.length) {
  const underLoad = rows.filter((r) => r.scenario === 'relay' && r.rss_mib);
  out.push('| scenario 7: footprint (JVM, embedded H2) | starts | launch → ready ms | idle RSS MiB | RSS under scenario 1 MiB (runs) |',
    '|---|---:|---:|---:|---|');
  out.push(`| java -jar quarkus-run.jar, -Xmx1g | ${foot.length} | ${fmt(foot.map((x) => x.ready_ms))} | ` +
    `${fmt(foot.map((x) => x.idle_rss_mib))} | ${underLoad.length ? `${fmt(underLoad.map((x) => x.rss_mib))} (${underLoad.length})` : '—'} |`, '');
}
console.log(out.join('\n'));
