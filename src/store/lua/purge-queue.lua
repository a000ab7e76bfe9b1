-- Deletes every message of a queue, available, delayed and in flight.
-- KEYS: the message keys (lib.lua); deduplication ids are kept
-- ARGV: 1 now (ms), 2 minimum ms between purges
-- Returns: 1 purged | 0 no such queue | -1 a purge ran too recently
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local last = tonumber(redis.call('HGET', KEYS[1], '_purged') or '-1')
if last >= 0 and tonumber(ARGV[1]) - last < tonumber(ARGV[2]) then
  return -1
end
redis.call('UNLINK', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11],
  KEYS[12], KEYS[15], KEYS[16])
redis.call('HSET', KEYS[1], '_purged', ARGV[1])
return 1
