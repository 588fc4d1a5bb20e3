-- Cycles through pre-built POST bodies (one quiz attempt token each), one per request.
local bodies = {}
-- Each run starts after the bodies earlier runs used, so no token is submitted twice.
local index = tonumber(os.getenv("BENCH_OFFSET") or "0")
local cookie = os.getenv("BENCH_COOKIE") or ""
for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end

request = function()
  index = index % #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded",
                                  ["Cookie"] = cookie}, bodies[index])
end
