-- FIFO queues: available messages in group order, and which groups a receive may take from.

-- Member of a FIFO queue's available set: group NUL zero-padded seq NUL id, so that a lexical
-- range is one group in order.
local function fifo_member(group, seq, id)
  return group .. '\0' .. string.format('%020d', tonumber(seq)) .. '\0' .. id
end

local function fifo_group_range(fifo, group, limit)
  return redis.call('ZRANGEBYLEX', fifo, '[' .. group .. '\0', '[' .. group .. '\0\255', 'LIMIT', 0, limit)
end

-- An unlocked group is listed in `groups` (score: seq of its head) exactly when it has an
-- available message.
local function fifo_refresh(fifo, groups, locked, group)
  if redis.call('HEXISTS', locked, group) == 1 then
    return
  end
  local head = fifo_group_range(fifo, group, 1)[1]
  if head then
    redis.call('ZADD', groups, tonumber(string.sub(head, #group + 2, #group + 21)), group)
  else
    redis.call('ZREM', groups, group)
  end
end

-- One in-flight message of the group is gone (deleted, expired, moved): release the group when
-- it was the last one.
local function fifo_release(fifo, groups, locked, group)
  if redis.call('HINCRBY', locked, group, -1) <= 0 then
    redis.call('HDEL', locked, group)
  end
  fifo_refresh(fifo, groups, locked, group)
end
