-- Removes queue tags.
-- KEYS: 1 meta, 2 tags
-- ARGV: tag keys
-- Returns: 1 done | 0 no such queue
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
if #ARGV > 0 then
  redis.call('HDEL', KEYS[2], unpack(ARGV))
end
return 1
