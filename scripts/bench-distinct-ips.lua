-- wrk script for scripts/bench: every request comes from another client address (X-Forwarded-For,
-- trusted from loopback by the local nginx configuration), as real link traffic does, instead of
-- all from 127.0.0.1 (the worst case for the per-IP hourly limit).
local counter = 0

request = function()
  counter = counter + 1
  local ip = string.format("10.%d.%d.%d", math.floor(counter / 65536) % 256, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format(nil, nil, { ["X-Forwarded-For"] = ip })
end
