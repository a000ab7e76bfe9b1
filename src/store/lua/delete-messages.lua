-- Deletes messages by id (a receipt handle names its message; as in SQS, a handle from an
-- earlier receive still deletes). On a FIFO queue, deleting an in-flight message releases its
-- group once no other message of the group is in flight.
-- KEYS: the message keys (lib.lua)
-- ARGV: message ids
-- Returns: -1 no such queue | number of messages that existed and were deleted
local k = queue_keys()
if redis.call('EXISTS', k.meta) == 0 then
  return -1
end
local deleted = 0
for _, id in ipairs(ARGV) do
  deleted = deleted + remove_message(k, id)
  redis.call('ZREM', k.outbox, id)
  redis.call('HDEL', k.outboxdest, id)
end
return deleted
