-- Stores messages moved here from another queue (dead-letter redrive, move tasks). Idempotent per
-- move: a move already accepted here (within the last hour) is not stored again, so the mover can
-- repeat a move interrupted by a crash; a later move of the same message is a new move.
-- KEYS: the message keys (lib.lua) of the receiving queue
-- ARGV: 1 now (ms), 2 wake channel, then quintuples: id, payload, sent time (ms, counts for the
--       retention period), group id ('' on a standard queue), move key (source and move token)
-- Returns: -1 no such queue | {status, ...} per message: 1 stored, 0 already here
local k = queue_keys()
if redis.call('EXISTS', k.meta) == 0 then
  return -1
end
local now = tonumber(ARGV[1])
local out = {}
local stored = 0
for i = 3, #ARGV, 5 do
  local id = ARGV[i]
  if redis.call('HEXISTS', k.info, id) == 1 or redis.call('ZSCORE', k.moved, ARGV[i + 4]) then
    out[#out + 1] = 0
  else
    store_message(k, id, ARGV[i + 1], ARGV[i + 3], tonumber(ARGV[i + 2]), now, 0)
    redis.call('ZADD', k.moved, now, ARGV[i + 4])
    out[#out + 1] = 1
    stored = stored + 1
  end
end
if stored > 0 then
  redis.call('PUBLISH', ARGV[2], string.format('%d %d', now, stored))
end
return out
