-- wrk script for scripts/bench's scale rows: every request from a random one of the 100,000
-- addresses scripts/bench-data.py seeds clicks from (10.200.0.0-10.201.134.159), as real traffic
-- comes: in no order, from addresses seen before. bench-distinct-ips.lua's new consecutive
-- addresses put neighbouring clicks on the same pages, which hid what a large history costs.
math.randomseed(os.time())

request = function()
  local n = math.random(0, 99999)
  local ip = string.format("10.%d.%d.%d", 200 + math.floor(n / 65536), math.floor(n / 256) % 256, n % 256)
  return wrk.format(nil, nil, { ["X-Forwarded-For"] = ip })
end
