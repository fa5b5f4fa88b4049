-- wrk reporter: one JSON line with throughput, latency percentiles and errors.
--
-- With WRK_PATHS set (paths separated by spaces), or WRK_PATHS_FILE (one path
-- a line: too many for the environment), each request takes the next path in
-- turn, for a mixed load; every thread counts 5xx answers itself and done()
-- adds them up. The second thread starts half-way through the list, so that
-- with a list of distinct paths (bench_search.py's new queries) no two
-- requests ask for the same one.

local paths = {}
for path in string.gmatch(os.getenv("WRK_PATHS") or "", "%S+") do
  table.insert(paths, path)
end
local paths_file = os.getenv("WRK_PATHS_FILE")
if paths_file and paths_file ~= "" then
  for path in io.lines(paths_file) do
    if path ~= "" then
      table.insert(paths, path)
    end
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  counter = ((thread_number or 1) - 1) * math.floor(#paths / 2)
  server_errors = 0
end

if #paths > 0 then
  function request()
    counter = counter + 1
    return wrk.format("GET", paths[(counter % #paths) + 1])
  end

  function response(status, headers, body)
    if status >= 500 then
      server_errors = server_errors + 1
    end
  end
end

function done(summary, latency, requests)
  local fivexx = 0
  for _, thread in ipairs(threads) do
    fivexx = fivexx + (thread:get("server_errors") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "bytes": %d, ' ..
    '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, ' ..
    '"non_2xx_3xx": %d, "socket_errors": %d, "server_errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    fivexx))
end
