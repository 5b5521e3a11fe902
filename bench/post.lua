-- wrk script for bench/run.ts. METHOD (default POST), BODY and HEADERS ("name: value" lines) come from the
-- environment. "%KEY%" in the body becomes a key unique to each request (thread id, start time, counter), so a
-- write tool's idempotency_key never replays; without it the request is built once and reused (wrk's fast path).
-- done() prints one machine-readable line: RESULT <requests> <seconds> <p99 ms> <non-2xx> <socket errors>.
local method = os.getenv("METHOD") or "POST"
local body = os.getenv("BODY")
if body == "" then body = nil end
local headers = {}
if body then
  headers["content-type"] = "application/json"
  headers["accept"] = "application/json, text/event-stream"
end
for line in (os.getenv("HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

if body and body:find("%KEY%", 1, true) then
  local n = 0
  local started = os.time()
  function request()
    n = n + 1
    local key = string.format("bench-%d-%d-%d", tid or 0, started, n)
    return wrk.format(method, nil, headers, (body:gsub("%%KEY%%", key)))
  end
else
  wrk.method = method
  wrk.body = body
  wrk.headers = headers
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.3f %.3f %d %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
