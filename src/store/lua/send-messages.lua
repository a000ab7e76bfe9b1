-- Enqueues messages on a standard queue, in order. All the messages of one call are written
-- with one multi-member command per key (not one command per message). One call may carry the
-- messages of several requests (group commit, store/group-commit.ts): each message has its own
-- `now`, the moment of the request that sent it.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 wake channel (gets 'visibleAtMs count'), then quintuples: id, payload, delay ms (-1:
--       queue DelaySeconds), size in bytes (checked against MaximumMessageSize), now (ms: its
--       sent time, and where its delay starts)
-- Returns: {MISSING} | {OK, maxSize, status1, seq1, status2, seq2, ...} with status OK (stored,
--          seq = its sequence number) or TOO_LARGE (larger than MaximumMessageSize, not stored; seq '')
local k = queue_keys(false)
local meta = redis.call('HMGET', k.meta, 'DelaySeconds', 'MaximumMessageSize')
if not meta[1] then
  return {S.MISSING}
end
local queueDelay = tonumber(meta[1]) * 1000
local maxSize = tonumber(meta[2])
local out = {S.OK, maxSize}
local stored = 0
for i = 2, #ARGV, 5 do
  if tonumber(ARGV[i + 3]) <= maxSize then
    stored = stored + 1
  end
end
if stored == 0 then
  for _ = 2, #ARGV, 5 do
    local n = #out
    out[n + 1], out[n + 2] = S.TOO_LARGE, ''
  end
  return out
end
local batch = store_new(k, stored)
local earliest = -1
for i = 2, #ARGV, 5 do
  local n = #out
  if tonumber(ARGV[i + 3]) > maxSize then
    out[n + 1], out[n + 2] = S.TOO_LARGE, ''
  else
    local delay = tonumber(ARGV[i + 2])
    if delay < 0 then
      delay = queueDelay
    end
    local now = tonumber(ARGV[i + 4])
    -- The group of a standard queue (fair queues) lives in the payload only: no ordering.
    out[n + 1], out[n + 2] = S.OK, store_add(k, batch, ARGV[i], ARGV[i + 1], '', now, now, delay)
    if earliest < 0 or now + delay < earliest then
      earliest = now + delay
    end
  end
end
store_write(k, batch)
-- Long polls on any instance learn when the first of these messages becomes visible.
redis.call('PUBLISH', ARGV[1], string.format('%d %d', earliest, stored))
return out
