-- Sets queue attributes; an empty value removes an optional attribute (e.g. RedrivePolicy).
-- KEYS: 1 meta
-- ARGV: 1 now (ms), then name/value pairs
-- Returns: {OK} done | {MISSING}
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {S.MISSING}
end
for i = 2, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[1], ARGV[i])
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
redis.call('HSET', KEYS[1], '_modified', ARGV[1])
return {S.OK}
