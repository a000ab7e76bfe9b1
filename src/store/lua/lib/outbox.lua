-- The outbox (messages on their way to another queue), and removing a message.

-- Takes a message out of circulation into the outbox, to be moved to queue `dest` (`dlq:<name>`,
-- `move:<name>`, `move:` = its source; encoded by src/store/redrive-fields.ts) by the mover. Its body and info stay until the move
-- completes. The score is a per-queue sequence, so messages leave in the order they entered; the
-- destination entry carries the move's own token (a repeated move of the same message is another
-- move) and the time it entered. A FIFO message keeps its group locked while it waits.
local function to_outbox(k, id, dest, now, group)
  local token = redis.call('HINCRBY', k.meta, '_outseq', 1)
  redis.call('ZADD', k.outbox, token, id)
  redis.call('HSET', k.outboxdest, id, dest .. '|' .. string.format('%d', token) .. '|' .. string.format('%d', now))
  if k.fifo then
    redis.call('HINCRBY', k.locked, group, 1)
    redis.call('ZREM', k.groups, group)
  end
end

-- Ends a message's wait in the outbox (moved, returned, deleted or expired). Returns 1 if it was
-- there. The caller decides what becomes of the message itself.
local function leave_outbox(k, id, group)
  if redis.call('ZREM', k.outbox, id) == 0 then
    return 0
  end
  redis.call('HDEL', k.outboxdest, id)
  if k.fifo then
    fifo_release(k.fifo, k.groups, k.locked, group)
  end
  return 1
end

-- Removes every trace of a message from its queue's message keys (delete, retention).
local function remove_message(k, id)
  local info = redis.call('HGET', k.info, id)
  if not info then
    return 0
  end
  local seq, _, _, _, _, group = parse_info(info)
  redis.call('HDEL', k.body, id)
  redis.call('HDEL', k.info, id)
  redis.call('ZREM', k.sent, id)
  redis.call('ZREM', k.delayed, id)
  local inflight = redis.call('ZREM', k.inflight, id) == 1
  if k.fifo then
    if inflight then
      fifo_release(k.fifo, k.groups, k.locked, group)
    elseif redis.call('ZREM', k.fifo, fifo_member(group, seq, id)) == 1 then
      fifo_refresh(k.fifo, k.groups, k.locked, group)
    end
  else
    redis.call('ZREM', k.ready, id)
  end
  leave_outbox(k, id, group)
  return 1
end
