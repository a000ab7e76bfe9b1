-- Compare-and-set of one queue attribute (AddPermission/RemovePermission edit the Policy in the
-- service and write it back only if nobody changed it meanwhile).
-- KEYS: 1 meta
-- ARGV: 1 now (ms), 2 name, 3 expected current value ('' = absent), 4 new value ('' = remove)
-- Returns: {OK} done | {MISSING} | {CONFLICT} the value changed meanwhile
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {S.MISSING}
end
local current = redis.call('HGET', KEYS[1], ARGV[2]) or ''
if current ~= ARGV[3] then
  return {S.CONFLICT}
end
if ARGV[4] == '' then
  redis.call('HDEL', KEYS[1], ARGV[2])
else
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
end
redis.call('HSET', KEYS[1], '_modified', ARGV[1])
return {S.OK}
