-- wrk script: POST /events/contact.out with the shared scenario's contact as the event body and
-- a unique Idempotency-Key per request (same id scheme as ../shared/bench/load/scenario.lua).
--   wrk -t2 -c32 -d20s --latency -s events.lua http://127.0.0.1:19901/events/contact.out
-- Environment: BENCH_KEY (API key), BENCH_RUN_ID (id prefix).
local thread_seq = 0
local threads = {}
function setup(thread)
  thread:set("tid", thread_seq)
  thread_seq = thread_seq + 1
  table.insert(threads, thread)
end
counter = 0
local prefix
function init(args)
  prefix = (os.getenv("BENCH_RUN_ID") or tostring(os.time())) .. "-t" .. tostring(tid) .. "-"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "bench-key")
  wrk.headers["Connection-Id"] = "bench"
end
local A = '{"id":"'
local B = '","event":"contact.updated","occurred_at":"2026-11-21T10:00:00Z",'
  .. '"data":{"email":"a@b.co","first_name":"Ada","last_name":"Lovelace",'
  .. '"country":"gb","lifecycle":"customer","ltv_cents":12345}}'
function request()
  counter = counter + 1
  local id = prefix .. counter
  wrk.headers["Idempotency-Key"] = id
  return wrk.format(nil, nil, nil, A .. id .. B)
end
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format('BENCH_JSON {"requests":%d,"duration_s":%.3f,"p50_ms":%.3f,"p99_ms":%.3f,"non2xx":%d,' ..
    '"errors":%d}\n', summary.requests, secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
