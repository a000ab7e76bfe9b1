-- Takes a lease, or renews it for its holder.
-- KEYS: 1 the lease key
-- ARGV: 1 owner id, 2 lifetime (ms)
-- Returns: 1 held by the owner now | 0 held by someone else
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
