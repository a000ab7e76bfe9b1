-- Enqueues messages on a standard queue, in order. All the messages of one call are written
-- with one multi-member command per key (not one command per message).
-- KEYS: the message keys (lib.lua)
-- ARGV: 1 now (ms), 2 wake channel (gets 'visibleAtMs count'), then quadruples: id, payload,
--       delay ms (-1: queue DelaySeconds), size in bytes (checked against MaximumMessageSize)
-- Returns: 0 no such queue | {maxSize, r1, r2, ...} with r = the message's sequence number, or ''
--          when it was larger than MaximumMessageSize and not stored
local k = queue_keys()
local meta = redis.call('HMGET', k.meta, 'DelaySeconds', 'MaximumMessageSize')
if not meta[1] then
  return 0
end
local now = tonumber(ARGV[1])
local queueDelay = tonumber(meta[1]) * 1000
local maxSize = tonumber(meta[2])
local out = {maxSize}
local stored = 0
for i = 3, #ARGV, 4 do
  if tonumber(ARGV[i + 3]) <= maxSize then
    stored = stored + 1
  end
end
if stored == 0 then
  for _ = 3, #ARGV, 4 do
    out[#out + 1] = ''
  end
  return out
end
-- The sequence numbers of this call: one increment for all of them.
local seq = redis.call('HINCRBY', k.meta, '_seq', stored) - stored
local bodies, infos, sent, ready, delayed = {}, {}, {}, {}, {}
local earliest = -1
for i = 3, #ARGV, 4 do
  if tonumber(ARGV[i + 3]) > maxSize then
    out[#out + 1] = ''
  else
    seq = seq + 1
    local id = ARGV[i]
    local delay = tonumber(ARGV[i + 2])
    if delay < 0 then
      delay = queueDelay
    end
    local s = string.format('%d', seq)
    bodies[#bodies + 1] = id
    bodies[#bodies + 1] = ARGV[i + 1]
    -- The group of a standard queue (fair queues) lives in the payload only: no ordering.
    infos[#infos + 1] = id
    infos[#infos + 1] = s .. '|0|0||0|'
    sent[#sent + 1] = ARGV[1]
    sent[#sent + 1] = id
    if delay > 0 then
      delayed[#delayed + 1] = string.format('%d', now + delay)
      delayed[#delayed + 1] = id
    else
      ready[#ready + 1] = s
      ready[#ready + 1] = id
    end
    out[#out + 1] = s
    if earliest < 0 or now + delay < earliest then
      earliest = now + delay
    end
  end
end
redis.call('HSET', k.body, unpack(bodies))
redis.call('HSET', k.info, unpack(infos))
redis.call('ZADD', k.sent, unpack(sent))
if #ready > 0 then
  redis.call('ZADD', k.ready, unpack(ready))
end
if #delayed > 0 then
  redis.call('ZADD', k.delayed, unpack(delayed))
end
-- Long polls on any instance learn when the first of these messages becomes visible.
redis.call('PUBLISH', ARGV[2], string.format('%d %d', earliest, stored))
return out
