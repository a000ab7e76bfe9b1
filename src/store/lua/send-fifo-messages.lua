-- Enqueues messages on a FIFO queue, in order, with deduplication.
-- KEYS: 1 meta, 2 body, 3 info, 4 fifo, 5 groups, 6 locked, 7 delayed, 8 sent, 9 dedup, 10 dedup ids
-- ARGV: 1 now (ms), 2 wake channel (gets 'visibleAtMs count'), 3 deduplication window (ms), then sextuples: id, payload,
--       size in bytes, group id, explicit deduplication id ('' = none), SHA-256 of the body
-- Returns: 0 no such queue | {maxSize, status1, id1, seq1, status2, ...} with status
--          'new' (stored as id/seq), 'dup' (a duplicate of the stored message id/seq),
--          'big' (larger than MaximumMessageSize) or 'nodedup' (no deduplication id available)
local meta = redis.call('HMGET', KEYS[1], 'DelaySeconds', 'MaximumMessageSize', 'ContentBasedDeduplication',
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

-- Forget deduplication ids whose window ended (a bounded number per call).
local expired = redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', now, 'LIMIT', 0, 100)
for _, key in ipairs(expired) do
  redis.call('ZREM', KEYS[9], key)
  redis.call('HDEL', KEYS[10], key)
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
    local until_ = tonumber(redis.call('ZSCORE', KEYS[9], key) or '0')
    local original = redis.call('HGET', KEYS[10], key)
    if until_ > now and original then
      local oid, oseq = string.match(original, '^(.*)|(%d+)$')
      out[#out + 1], out[#out + 2], out[#out + 3] = 'dup', oid, oseq
    else
      local seq = redis.call('HINCRBY', KEYS[1], '_seq', 1)
      redis.call('HSET', KEYS[2], id, payload)
      redis.call('HSET', KEYS[3], id, string.format('%d', seq) .. '|0|0||0|' .. group)
      redis.call('ZADD', KEYS[8], now, id)
      redis.call('ZADD', KEYS[9], now + window, key)
      redis.call('HSET', KEYS[10], key, id .. '|' .. string.format('%d', seq))
      if delay > 0 then
        redis.call('ZADD', KEYS[7], now + delay, id)
      else
        -- fifo member: group NUL zero-padded seq NUL id, so a lexical range is one group in order
        redis.call('ZADD', KEYS[4], 0, group .. '\0' .. string.format('%020d', seq) .. '\0' .. id)
        if redis.call('HEXISTS', KEYS[6], group) == 0 and not redis.call('ZSCORE', KEYS[5], group) then
          redis.call('ZADD', KEYS[5], seq, group)
        end
      end
      stored = stored + 1
      out[#out + 1], out[#out + 2], out[#out + 3] = 'new', id, string.format('%d', seq)
    end
  end
end
if stored > 0 then
  -- Long polls on any instance learn when these messages become visible.
  redis.call('PUBLISH', ARGV[2], string.format('%d %d', now + delay, stored))
end
return out
