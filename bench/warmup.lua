-- Warm-up by request count, not by seconds: runs a scenario's wrk script (WARM_SCENARIO) unchanged
-- and ends wrk as soon as one of its threads has had WARM_PER_THREAD answers (the other is about as
-- far). bench/lib.sh's warm_up sets both; wrk's -d stays the bound in time.
dofile(os.getenv("WARM_SCENARIO"))
local per_thread = tonumber(os.getenv("WARM_PER_THREAD"))
local answered = 0
local inner = response
function response(status, headers, body)
  if inner then inner(status, headers, body) end
  answered = answered + 1
  if answered >= per_thread then os.exit(0) end
end
