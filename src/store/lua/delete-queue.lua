-- Deletes a queue and all its messages (UNLINK frees large keys in the background).
-- KEYS: 1 tombstone, then every other key of the queue, meta first
-- ARGV: 1 tombstone lifetime in ms (0: none)
-- Returns: 1 deleted | 0 no such queue
if redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
redis.call('UNLINK', unpack(KEYS, 2))
local ttl = tonumber(ARGV[1])
if ttl > 0 then
  redis.call('SET', KEYS[1], '1', 'PX', ttl)
end
return 1
