-- Stores messages moved here from another queue (dead-letter redrive, move tasks). Idempotent per
-- move: a move already accepted here (within the last hour) is not stored again, so the mover can
-- repeat a move interrupted by a crash; a later move of the same message is a new move.
-- KEYS: the message keys (lib/queue-keys.lua) of the receiving queue
-- ARGV: 1 FIFO queue (1|0), 2 now (ms), 3 wake channel, then quintuples: id, payload, sent time
--       (ms, counts for the retention period), group id ('' on a standard queue), move key
--       (source and move token)
-- Returns: {MISSING} | {OK, status per message: OK stored, DUPLICATE accepted before or here}
local k = queue_keys(ARGV[1] == '1')
if redis.call('EXISTS', k.meta) == 0 then
  return {S.MISSING}
end
local now = tonumber(ARGV[2])
local out = {S.OK}
local stored = 0
for i = 4, #ARGV, 5 do
  local id = ARGV[i]
  if redis.call('HEXISTS', k.info, id) == 1 or redis.call('ZSCORE', k.moved, ARGV[i + 4]) then
    out[#out + 1] = S.DUPLICATE
  else
    store_message(k, id, ARGV[i + 1], ARGV[i + 3], tonumber(ARGV[i + 2]), now, 0)
    redis.call('ZADD', k.moved, now, ARGV[i + 4])
    out[#out + 1] = S.OK
    stored = stored + 1
  end
end
if stored > 0 then
  redis.call('PUBLISH', ARGV[3], string.format('%d %d', now, stored))
end
return out
