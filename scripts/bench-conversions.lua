-- wrk script for scripts/bench: signed POST /api/referral/conversion requests, each with a new
-- referred wallet, read from the file scripts/bench-data.py wrote (CONVERSIONS_FILE): timestamp,
-- signature and body per line. wrk has no HMAC, so the requests are signed beforehand; a run
-- that sends more requests than the file holds starts again from the top (repeats answer 200).
local requests = {}
local next_index = 1

init = function(args)
  for line in io.lines(os.getenv("CONVERSIONS_FILE")) do
    local timestamp, signature, body = line:match("^([^\t]+)\t([^\t]+)\t(.+)$")
    requests[#requests + 1] = wrk.format("POST", "/api/referral/conversion", {
      ["Content-Type"] = "application/json",
      ["X-Referral-Timestamp"] = timestamp,
      ["X-Referral-Signature"] = signature,
    }, body)
  end
end

request = function()
  local built = requests[next_index]
  next_index = next_index % #requests + 1
  return built
end
