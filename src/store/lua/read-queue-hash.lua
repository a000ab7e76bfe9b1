-- Reads a hash that belongs to a queue (e.g. its tags), telling a missing queue apart.
-- KEYS: 1 meta, 2 the hash
-- Returns: 0 no such queue | {field1, value1, ...}
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
return redis.call('HGETALL', KEYS[2])
