-- Removes queue tags.
-- KEYS: 1 meta, 2 tags
-- ARGV: tag keys
-- Returns: {OK} done | {MISSING}
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {S.MISSING}
end
if #ARGV > 0 then
  redis.call('HDEL', KEYS[2], unpack(ARGV))
end
return {S.OK}
