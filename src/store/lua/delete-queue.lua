-- Deletes a queue and all its messages (UNLINK frees large keys in the background).
-- KEYS: 1 meta, 2 tags, 3 body, 4 info, 5 ready, 6 delayed, 7 inflight, 8 sent, 9 tombstone
-- ARGV: 1 tombstone lifetime in ms (0: none)
-- Returns: 1 deleted | 0 no such queue
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8])
local ttl = tonumber(ARGV[1])
if ttl > 0 then
  redis.call('SET', KEYS[9], '1', 'PX', ttl)
end
return 1
