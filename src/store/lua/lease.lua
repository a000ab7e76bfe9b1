-- Takes a lease, renews it for its holder, or releases it (only its holder can).
-- KEYS: 1 the lease key
-- ARGV: 1 owner id, 2 lifetime (ms); 0 releases the lease
-- Returns: 1 held by the owner now (or released by it) | 0 held by someone else
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
if tonumber(ARGV[2]) == 0 then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
