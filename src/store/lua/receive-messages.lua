-- Receives up to N messages from a standard queue and makes them invisible.
-- KEYS: 1 meta, 2 body, 3 info, 4 ready, 5 delayed, 6 inflight, 7 sent
-- ARGV: 1 now (ms), 2 max messages, 3 visibility ms (-1: queue VisibilityTimeout),
--       4 receipt token prefix (unique per call), 5 in-flight limit
-- Returns: {-1} no such queue | {-2} too many messages in flight
--          | {0, id, payload, receiveCount, firstReceiveMs, token, seq, ...} six per message
--          | {1, nextMs, waitSeconds} nothing available; nextMs is when the next message becomes
--            visible (-1: none); waitSeconds is the queue's ReceiveMessageWaitTimeSeconds
local now = tonumber(ARGV[1])
local meta = redis.call('HMGET', KEYS[1], 'VisibilityTimeout', 'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds')
if not meta[1] then
  return {-1}
end
local visibility = tonumber(ARGV[3])
if visibility < 0 then
  visibility = tonumber(meta[1]) * 1000
end
local cutoff = now - tonumber(meta[2]) * 1000

-- Delayed messages whose delay ended and in-flight ones whose visibility expired go back to
-- ready, in their original order (score = sequence number). Bounded per call.
local function promote(key)
  local due = redis.call('ZRANGEBYSCORE', key, '-inf', now, 'LIMIT', 0, 1000)
  for _, id in ipairs(due) do
    redis.call('ZREM', key, id)
    local info = redis.call('HGET', KEYS[3], id)
    if info then
      redis.call('ZADD', KEYS[4], string.match(info, '^(%d+)|'), id)
    end
  end
end
promote(KEYS[5])
promote(KEYS[6])

if redis.call('ZCARD', KEYS[6]) >= tonumber(ARGV[5]) then
  return {-2}
end

local out = {0}
local max = tonumber(ARGV[2])
local got = 0
while got < max do
  local popped = redis.call('ZPOPMIN', KEYS[4], max - got)
  if #popped == 0 then
    break
  end
  for i = 1, #popped, 2 do
    local id = popped[i]
    local sentAt = tonumber(redis.call('ZSCORE', KEYS[7], id) or '0')
    local info = redis.call('HGET', KEYS[3], id)
    if sentAt < cutoff or not info then
      -- past the retention period: never delivered, removed now
      redis.call('HDEL', KEYS[2], id)
      redis.call('HDEL', KEYS[3], id)
      redis.call('ZREM', KEYS[7], id)
    else
      local seq, count, first, group = string.match(info, '^(%d+)|(%d+)|(%d+)|[^|]*|%d+|(.*)$')
      count = tonumber(count) + 1
      if first == '0' then
        first = ARGV[1]
      end
      got = got + 1
      local token = ARGV[4] .. got
      redis.call('HSET', KEYS[3], id, seq .. '|' .. count .. '|' .. first .. '|' .. token .. '|' .. ARGV[1] .. '|' .. group)
      redis.call('ZADD', KEYS[6], now + visibility, id)
      local n = #out
      out[n + 1] = id
      out[n + 2] = redis.call('HGET', KEYS[2], id)
      out[n + 3] = count
      out[n + 4] = first
      out[n + 5] = token
      out[n + 6] = seq
    end
  end
end
if got > 0 then
  return out
end

local nextMs = -1
for _, key in ipairs({KEYS[5], KEYS[6]}) do
  local head = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if head[2] and (nextMs < 0 or tonumber(head[2]) < nextMs) then
    nextMs = tonumber(head[2])
  end
end
return {1, string.format('%d', nextMs), meta[3]}
