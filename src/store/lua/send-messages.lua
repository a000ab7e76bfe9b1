-- Enqueues messages on a standard queue, in order.
-- KEYS: 1 meta, 2 body, 3 info, 4 ready, 5 delayed, 6 sent
-- ARGV: 1 now (ms), 2 wake channel (gets 'visibleAtMs count'), then quadruples: id, payload, delay ms (-1: queue
--       DelaySeconds), size in bytes (checked against the queue's MaximumMessageSize)
-- Returns: 0 no such queue | {maxSize, r1, r2, ...} with r = the message's sequence number, or ''
--          when it was larger than MaximumMessageSize and not stored
local meta = redis.call('HMGET', KEYS[1], 'DelaySeconds', 'MaximumMessageSize')
if not meta[1] then
  return 0
end
local now = tonumber(ARGV[1])
local queueDelay = tonumber(meta[1]) * 1000
local maxSize = tonumber(meta[2])
local seqs = {maxSize}
local stored = 0
local earliest = -1
for i = 3, #ARGV, 4 do
  local id = ARGV[i]
  local delay = tonumber(ARGV[i + 2])
  if tonumber(ARGV[i + 3]) > maxSize then
    seqs[#seqs + 1] = ''
  else
    if delay < 0 then
      delay = queueDelay
    end
    local seq = redis.call('HINCRBY', KEYS[1], '_seq', 1)
    redis.call('HSET', KEYS[2], id, ARGV[i + 1])
    -- info: seq|receiveCount|firstReceiveMs|receiptToken|lastReceiveMs|group (see KEYS.md)
    redis.call('HSET', KEYS[3], id, string.format('%d', seq) .. '|0|0||0|')
    redis.call('ZADD', KEYS[6], now, id)
    if delay > 0 then
      redis.call('ZADD', KEYS[5], now + delay, id)
    else
      redis.call('ZADD', KEYS[4], seq, id)
    end
    stored = stored + 1
    if earliest < 0 or now + delay < earliest then
      earliest = now + delay
    end
    seqs[#seqs + 1] = string.format('%d', seq)
  end
end
if stored > 0 then
  -- Long polls on any instance learn when the first of these messages becomes visible.
  redis.call('PUBLISH', ARGV[2], string.format('%d %d', earliest, stored))
end
return seqs
