-- Deletes messages by id (a receipt handle names its message; as in SQS, a handle from an
-- earlier receive still deletes).
-- KEYS: 1 meta, 2 body, 3 info, 4 ready, 5 delayed, 6 inflight, 7 sent
-- ARGV: message ids
-- Returns: -1 no such queue | number of messages that existed and were deleted
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local deleted = 0
for _, id in ipairs(ARGV) do
  deleted = deleted + redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  redis.call('ZREM', KEYS[5], id)
  redis.call('ZREM', KEYS[6], id)
  redis.call('ZREM', KEYS[7], id)
end
return deleted
