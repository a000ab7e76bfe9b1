-- Reads a hash that belongs to a queue (e.g. its tags), telling a missing queue apart.
-- KEYS: 1 meta, 2 the hash
-- Returns: {MISSING} | {OK, field1, value1, ...}
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {S.MISSING}
end
local out = redis.call('HGETALL', KEYS[2])
table.insert(out, 1, S.OK)
return out
