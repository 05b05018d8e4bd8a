-- wrk script of soak.sh: every request picks one of the prepared requests at random (by weight), and every answer is
-- checked against what that request must get — its status, and a fragment of its body (the user a sudo request acts
-- as, the error a refusal names). Run with as many threads as connections (soak.sh does): a thread then has one
-- connection, whose request() and response() strictly alternate, so the answer is known to be the last request's.
--
--   wrk -t256 -c256 -d10s -s soak.lua URL -- REQUESTS.lua SEED
--
-- REQUESTS.lua returns a list of { name, status, weight, method, path, headers, body, marker } (soak.sh writes it).
-- done() prints one RESULT line (wrk's summary, latency percentiles in µs, socket errors, answers not as expected),
-- one KIND line per request kind and one SEEN line per unexpected (kind, status) pair.

local threads = {}

setup = function(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local prepared, pick = {}, {}
local current = nil

-- Globals, so that done() can read them from each thread with thread:get.
counts, wrong_status, wrong_body, seen = {}, {}, {}, {}

init = function(args)
  local definitions = dofile(args[1])
  math.randomseed((tonumber(args[2]) or 0) * 100003 + id)
  for i, r in ipairs(definitions) do
    -- Formatted here, in the thread: wrk sets the Host header when the thread starts.
    prepared[i] = { name = r.name, status = r.status, marker = r.marker,
                    raw = wrk.format(r.method, r.path, r.headers, r.body) }
    counts[r.name], wrong_status[r.name], wrong_body[r.name] = 0, 0, 0
    for _ = 1, r.weight do table.insert(pick, i) end
  end
end

request = function()
  current = prepared[pick[math.random(#pick)]]
  return current.raw
end

response = function(status, headers, body)
  local r = current
  if r == nil then return end
  current = nil
  counts[r.name] = counts[r.name] + 1
  if status ~= r.status then
    wrong_status[r.name] = wrong_status[r.name] + 1
    local key = r.name .. " " .. status
    seen[key] = (seen[key] or 0) + 1
  elseif r.marker ~= "" and not string.find(body or "", r.marker, 1, true) then
    wrong_body[r.name] = wrong_body[r.name] + 1
  end
end

done = function(summary, latency, requests)
  local total, by_kind, pairs_seen = { counts = 0, status = 0, body = 0 }, {}, {}
  local order = {}
  for _, thread in ipairs(threads) do
    local c, s, b, x = thread:get("counts"), thread:get("wrong_status"), thread:get("wrong_body"), thread:get("seen")
    for name, n in pairs(c) do
      if by_kind[name] == nil then by_kind[name] = { 0, 0, 0 }; table.insert(order, name) end
      local k = by_kind[name]
      k[1], k[2], k[3] = k[1] + n, k[2] + s[name], k[3] + b[name]
      total.counts, total.status, total.body = total.counts + n, total.status + s[name], total.body + b[name]
    end
    for key, n in pairs(x) do pairs_seen[key] = (pairs_seen[key] or 0) + n end
  end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.0f %.0f %.0f %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout,
    total.counts, total.status, total.body))
  table.sort(order)
  for _, name in ipairs(order) do
    local k = by_kind[name]
    io.write(string.format("KIND %s %d %d %d\n", name, k[1], k[2], k[3]))
  end
  for key, n in pairs(pairs_seen) do io.write(string.format("SEEN %s %d\n", key, n)) end
end
