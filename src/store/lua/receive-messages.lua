-- Receives up to N messages from a standard queue and makes them invisible. Messages past the
-- retention period are removed instead; messages received maxReceiveCount times already go to
-- the outbox for their dead-letter queue.
-- KEYS: the message keys (lib.lua)
-- ARGV: 1 now (ms), 2 max messages, 3 visibility ms (-1: queue VisibilityTimeout),
--       4 receipt token prefix (unique per call), 5 in-flight limit
-- Returns: {-1} no such queue | {-2} too many messages in flight
--          | {0, moved, id, payload, receiveCount, firstReceiveMs, token, seq, ...} six per message
--          | {1, nextMs, waitSeconds, moved} nothing available; nextMs is when to look again
--            (-1: nothing scheduled); waitSeconds is the queue's ReceiveMessageWaitTimeSeconds
--          moved = messages put in the outbox by this call
local k = queue_keys()
local now = tonumber(ARGV[1])
local meta = redis.call('HMGET', k.meta, 'VisibilityTimeout', 'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds', '_redriveMax', '_redriveTarget')
if not meta[1] then
  return {-1}
end
local visibility = tonumber(ARGV[3])
if visibility < 0 then
  visibility = tonumber(meta[1]) * 1000
end
local cutoff = now - tonumber(meta[2]) * 1000
local redriveMax = tonumber(meta[4] or '0')

promote_due(k, now, 1000)
if redis.call('ZCARD', k.inflight) >= tonumber(ARGV[5]) then
  return {-2}
end

local out = {0, 0}
local max = tonumber(ARGV[2])
local got, moved = 0, 0
-- Expired and redriven messages per call are bounded, so one call never stalls Redis.
local budget = 500
while got < max and budget > 0 do
  local popped = redis.call('ZPOPMIN', k.ready, max - got)
  if #popped == 0 then
    break
  end
  for i = 1, #popped, 2 do
    local id = popped[i]
    local sentAt = tonumber(redis.call('ZSCORE', k.sent, id) or '0')
    local info = redis.call('HGET', k.info, id)
    if sentAt < cutoff or not info then
      redis.call('HDEL', k.body, id)
      redis.call('HDEL', k.info, id)
      redis.call('ZREM', k.sent, id)
      budget = budget - 1
    else
      local seq, count, first, _, _, group = parse_info(info)
      count = tonumber(count)
      if redriveMax > 0 and count >= redriveMax then
        to_outbox(k, id, meta[5], now, group)
        moved = moved + 1
        budget = budget - 1
      else
        count = count + 1
        if first == '0' then
          first = ARGV[1]
        end
        got = got + 1
        local token = ARGV[4] .. got
        redis.call('HSET', k.info, id, seq .. '|' .. count .. '|' .. first .. '|' .. token .. '|' .. ARGV[1] .. '|' .. group)
        redis.call('ZADD', k.inflight, now + visibility, id)
        local n = #out
        out[n + 1], out[n + 2], out[n + 3] = id, redis.call('HGET', k.body, id), count
        out[n + 4], out[n + 5], out[n + 6] = first, token, seq
      end
    end
  end
end
if got > 0 then
  out[2] = moved
  return out
end
if budget <= 0 then
  return {1, ARGV[1], meta[3], moved}
end
return {1, string.format('%d', next_visible(k)), meta[3], moved}
