-- wrk script for the flash-sale burst: each buyer claims once, one in `every` claims again
-- beyond its limit. Args: tokens_file claim_path nthreads every retry_qty
-- The tokens file holds one bearer token per line; thread i takes lines i, i+n, i+2n, ...
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads, every = args[1], tonumber(args[3]), tonumber(args[4])
  claim_path = args[2]
  retry_qty = args[5]
  plan = {}
  local i = 0
  local mine = 0
  for line in io.lines(file) do
    if i % nthreads == id then
      mine = mine + 1
      plan[#plan + 1] = {line, "1"}
      if mine % every == 0 then
        plan[#plan + 1] = {line, retry_qty}
      end
    end
    i = i + 1
  end
  pos = 0
  outcomes = {}
  claims = 0
  calls = 0
  idle = false
end

function delay()
  if idle then
    return 3000
  end
  return 0
end

function request()
  calls = calls + 1
  if calls == 1 then
    return wrk.format("GET", "/healthz")
  end
  pos = pos + 1
  local entry = plan[pos]
  if entry == nil then
    idle = true
    return wrk.format("GET", "/healthz")
  end
  claims = claims + 1
  local headers = {
    ["Authorization"] = "Bearer " .. entry[1],
    ["Idempotency-Key"] = "b" .. id .. "-" .. pos,
    ["Content-Type"] = "application/json",
  }
  return wrk.format("POST", claim_path, headers, '{"qty":' .. entry[2] .. '}')
end

function response(status, headers, body)
  local code
  if status == 201 then
    code = "reserved"
  else
    code = string.match(body, '"code"%s*:%s*"([%w_]+)"') or ("http_" .. status)
  end
  if code ~= "http_200" then  -- not a health check
    outcomes[code] = (outcomes[code] or 0) + 1
  end
end

done = function(summary, latency, requests)
  local totals = {}
  local sent = 0
  for _, thread in ipairs(threads) do
    sent = sent + thread:get("claims")
    for code, n in pairs(thread:get("outcomes")) do
      totals[code] = (totals[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(totals) do
    parts[#parts + 1] = string.format('"%s":%d', code, n)
  end
  local e = summary.errors
  io.write(string.format(
    'LPJSON {"requests":%d,"claims_sent":%d,"duration_us":%d,"connect_errors":%d,' ..
    '"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,' ..
    '"p50_us":%d,"p99_us":%d,"outcomes":{%s}}\n',
    summary.requests, sent, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), table.concat(parts, ",")))
end
