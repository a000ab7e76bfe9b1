-- Adds or overwrites queue tags, refusing to go past the limit of tags per queue.
-- KEYS: 1 meta, 2 tags
-- ARGV: 1 maximum number of tags, then key/value pairs
-- Returns: {OK} done | {MISSING} | {TOO_MANY} the queue would have more than the maximum
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {S.MISSING}
end
local added = 0
for i = 2, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 0 then
    added = added + 1
  end
end
if redis.call('HLEN', KEYS[2]) + added > tonumber(ARGV[1]) then
  return {S.TOO_MANY}
end
if #ARGV > 1 then
  redis.call('HSET', KEYS[2], unpack(ARGV, 2))
end
return {S.OK}
