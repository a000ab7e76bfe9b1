-- Receives up to N messages from a standard queue and makes them invisible. Messages past the
-- retention period are removed instead; messages received maxReceiveCount times already go to
-- the outbox for their dead-letter queue.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 now (ms), 2 max messages, 3 visibility ms (-1: queue VisibilityTimeout),
--       4 receipt token prefix (unique per call), 5 in-flight limit
-- Returns: {MISSING} | {TOO_MANY} too many messages in flight
--          | {OK, moved, id, payload, receiveCount, firstReceiveMs, token, seq, ...} six per message
--          | {EMPTY, nextMs, waitSeconds, moved} nothing available; nextMs is when to look again
--            (-1: nothing scheduled); waitSeconds is the queue's ReceiveMessageWaitTimeSeconds
--          moved = messages put in the outbox by this call
local k = queue_keys(false)
local r = receive_start(k)
if not r then
  return {S.MISSING}
end
promote_due(k, r.now, 1000)
if redis.call('ZCARD', k.inflight) >= tonumber(ARGV[5]) then
  return {S.TOO_MANY}
end
local max = tonumber(ARGV[2])
while r.got < max and r.budget > 0 do
  local popped = redis.call('ZPOPMIN', k.ready, max - r.got)
  if #popped == 0 then
    break
  end
  -- The messages of one pop are read and delivered with one multi-member command per key.
  local ids = {}
  for i = 1, #popped, 2 do
    ids[#ids + 1] = popped[i]
  end
  receive_many(k, r, ids)
end
return receive_reply(k, r)
