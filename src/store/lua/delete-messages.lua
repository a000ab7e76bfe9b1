-- Deletes messages by id (a receipt handle names its message; as in SQS, a handle from an
-- earlier receive still deletes). On a FIFO queue, deleting an in-flight message releases its
-- group once no other message of the group is in flight.
-- KEYS: 1 meta, 2 body, 3 info, 4 ready, 5 delayed, 6 inflight, 7 sent, 8 fifo, 9 groups, 10 locked
-- ARGV: 1 '1' for a FIFO queue, else '0'; then message ids
-- Returns: -1 no such queue | number of messages that existed and were deleted
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local fifo = ARGV[1] == '1'

local function refresh(group)
  if redis.call('HEXISTS', KEYS[10], group) == 1 then
    return
  end
  local head = redis.call('ZRANGEBYLEX', KEYS[8], '[' .. group .. '\0', '[' .. group .. '\0\255', 'LIMIT', 0, 1)[1]
  if head then
    redis.call('ZADD', KEYS[9], tonumber(string.sub(head, #group + 2, #group + 21)), group)
  else
    redis.call('ZREM', KEYS[9], group)
  end
end

local deleted = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local info = redis.call('HGET', KEYS[3], id)
  if info then
    deleted = deleted + 1
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('ZREM', KEYS[7], id)
    redis.call('ZREM', KEYS[5], id)
    local inflight = redis.call('ZREM', KEYS[6], id) == 1
    if fifo then
      local seq, group = string.match(info, '^(%d+)|%d+|%d+|[^|]*|%d+|(.*)$')
      if inflight then
        if redis.call('HINCRBY', KEYS[10], group, -1) <= 0 then
          redis.call('HDEL', KEYS[10], group)
        end
        refresh(group)
      elseif redis.call('ZREM', KEYS[8], group .. '\0' .. string.format('%020d', tonumber(seq)) .. '\0' .. id) == 1 then
        refresh(group)
      end
    else
      redis.call('ZREM', KEYS[4], id)
    end
  end
end
return deleted
