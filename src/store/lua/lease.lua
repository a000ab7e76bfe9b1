-- Takes a lease, renews it for its holder, or releases it (only its holder can).
-- KEYS: 1 the lease key
-- ARGV: 1 owner id, 2 lifetime (ms); 0 releases the lease
-- Returns: {OK} held by the owner now (or released by it) | {HELD} held by someone else (and
--          left as it is)
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return {S.HELD}
end
if tonumber(ARGV[2]) == 0 then
  redis.call('DEL', KEYS[1])
  return {S.OK}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {S.OK}
