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
local batch = store_new(k, stored)
local earliest = -1
for i = 3, #ARGV, 4 do
  if tonumber(ARGV[i + 3]) > maxSize then
    out[#out + 1] = ''
  else
    local delay = tonumber(ARGV[i + 2])
    if delay < 0 then
      delay = queueDelay
    end
    -- The group of a standard queue (fair queues) lives in the payload only: no ordering.
    out[#out + 1] = store_add(k, batch, ARGV[i], ARGV[i + 1], '', now, now, delay)
    if earliest < 0 or now + delay < earliest then
      earliest = now + delay
    end
  end
end
store_write(k, batch)
-- Long polls on any instance learn when the first of these messages becomes visible.
redis.call('PUBLISH', ARGV[2], string.format('%d %d', earliest, stored))
return out
