-- Enqueues messages on a FIFO queue, in order, with deduplication.
-- KEYS: the message keys (lib.lua)
-- ARGV: 1 now (ms), 2 wake channel (gets 'visibleAtMs count'), 3 deduplication window (ms), then
--       sextuples: id, payload, size in bytes, group id, explicit deduplication id ('' = none),
--       SHA-256 of the body
-- Returns: 0 no such queue | {maxSize, status1, id1, seq1, status2, ...} with status
--          'new' (stored as id/seq), 'dup' (a duplicate of the stored message id/seq),
--          'big' (larger than MaximumMessageSize) or 'nodedup' (no deduplication id available)
local k = queue_keys()
local meta = redis.call('HMGET', k.meta, 'DelaySeconds', 'MaximumMessageSize', 'ContentBasedDeduplication',
  'DeduplicationScope')
if not meta[1] then
  return 0
end
local now = tonumber(ARGV[1])
local delay = tonumber(meta[1]) * 1000
local maxSize = tonumber(meta[2])
local contentBased = meta[3] == 'true'
local perGroup = meta[4] == 'messageGroup'
local window = tonumber(ARGV[3])

-- Forget deduplication ids whose window ended (a bounded number per call; the sweeper does the rest).
for _, key in ipairs(redis.call('ZRANGEBYSCORE', k.dedup, '-inf', now, 'LIMIT', 0, 100)) do
  redis.call('ZREM', k.dedup, key)
  redis.call('HDEL', k.dedupids, key)
end

local out = {maxSize}
local stored = 0
for i = 4, #ARGV, 6 do
  local id, payload, size, group = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3]
  local dedupId = ARGV[i + 4]
  if dedupId == '' and contentBased then
    dedupId = ARGV[i + 5]
  end
  if size > maxSize then
    out[#out + 1], out[#out + 2], out[#out + 3] = 'big', '', ''
  elseif dedupId == '' then
    out[#out + 1], out[#out + 2], out[#out + 3] = 'nodedup', '', ''
  else
    local key = dedupId
    if perGroup then
      key = group .. '\0' .. dedupId
    end
    local until_ = tonumber(redis.call('ZSCORE', k.dedup, key) or '0')
    local original = redis.call('HGET', k.dedupids, key)
    if until_ > now and original then
      local oid, oseq = string.match(original, '^(.*)|(%d+)$')
      out[#out + 1], out[#out + 2], out[#out + 3] = 'dup', oid, oseq
    else
      local seq = string.format('%d', store_message(k, id, payload, group, now, now, delay))
      redis.call('ZADD', k.dedup, now + window, key)
      redis.call('HSET', k.dedupids, key, id .. '|' .. seq)
      out[#out + 1], out[#out + 2], out[#out + 3] = 'new', id, seq
      stored = stored + 1
    end
  end
end
if stored > 0 then
  redis.call('PUBLISH', ARGV[2], string.format('%d %d', now + delay, stored))
end
return out
