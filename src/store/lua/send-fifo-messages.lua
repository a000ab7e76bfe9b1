-- Enqueues messages on a FIFO queue, in order, with deduplication.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 now (ms), 2 wake channel (gets 'visibleAtMs count'), 3 deduplication window (ms), then
--       sextuples: id, payload, size in bytes, group id, explicit deduplication id ('' = none),
--       SHA-256 of the body
-- Returns: {MISSING} | {OK, maxSize, status1, id1, seq1, status2, ...} with status OK (stored as
--          id/seq), DUPLICATE (of the stored message id/seq), TOO_LARGE (larger than
--          MaximumMessageSize) or NO_DEDUP_ID; id and seq '' for the last two. As in SQS, one
--          entry without a deduplication id (none given, no ContentBasedDeduplication) fails the
--          whole call: then every entry is NO_DEDUP_ID and nothing is stored.
local k = queue_keys(true)
local meta = redis.call('HMGET', k.meta, 'DelaySeconds', 'MaximumMessageSize', 'ContentBasedDeduplication',
  'DeduplicationScope')
if not meta[1] then
  return {S.MISSING}
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

-- The deduplication key of each entry ('' = none), and which keys are within their window.
local entries = {}
for i = 4, #ARGV, 6 do
  local key = ARGV[i + 4]
  if key == '' and contentBased then
    key = ARGV[i + 5]
  end
  if key ~= '' and perGroup then
    key = ARGV[i + 3] .. '\0' .. key
  end
  entries[#entries + 1] = {i = i, key = key}
end
for _, e in ipairs(entries) do
  if e.key == '' then
    local out = {S.OK, maxSize}
    for _ = 1, #entries do
      out[#out + 1], out[#out + 2], out[#out + 3] = S.NO_DEDUP_ID, '', ''
    end
    return out
  end
end
local known = {}
do
  local lookup = {}
  for _, e in ipairs(entries) do
    if e.key ~= '' then
      lookup[#lookup + 1] = e.key
    end
  end
  if #lookup > 0 then
    local untils = redis.call('ZMSCORE', k.dedup, unpack(lookup))
    local originals = redis.call('HMGET', k.dedupids, unpack(lookup))
    for j, key in ipairs(lookup) do
      if tonumber(untils[j] or '0') > now and originals[j] then
        local oid, oseq = string.match(originals[j], '^(.*)|(%d+)$')
        known[key] = {id = oid, seq = oseq}
      end
    end
  end
end

-- In entry order: too large, a duplicate (of a stored message or of an
-- earlier entry of this call), or new.
local fresh = {}
for _, e in ipairs(entries) do
  if tonumber(ARGV[e.i + 2]) > maxSize then
    e.status = S.TOO_LARGE
  elseif known[e.key] then
    e.status, e.of = S.DUPLICATE, known[e.key]
  else
    e.status, e.id = S.OK, ARGV[e.i]
    known[e.key] = e
    fresh[#fresh + 1] = e
  end
end

local stored = #fresh
if stored > 0 then
  -- One command per key for all the messages of this call, and one refresh per message group.
  local batch = store_new(k, stored)
  local dedup, dedupIds = {}, {}
  for _, e in ipairs(fresh) do
    e.seq = store_add(k, batch, e.id, ARGV[e.i + 1], ARGV[e.i + 3], now, now, delay)
    dedup[#dedup + 1], dedup[#dedup + 2] = string.format('%d', now + window), e.key
    dedupIds[#dedupIds + 1], dedupIds[#dedupIds + 2] = e.key, e.id .. '|' .. e.seq
  end
  store_write(k, batch)
  redis.call('ZADD', k.dedup, unpack(dedup))
  redis.call('HSET', k.dedupids, unpack(dedupIds))
  redis.call('PUBLISH', ARGV[2], string.format('%d %d', now + delay, stored))
end

local out = {S.OK, maxSize}
for _, e in ipairs(entries) do
  local n = #out
  if e.status == S.OK then
    out[n + 1], out[n + 2], out[n + 3] = S.OK, e.id, e.seq
  elseif e.status == S.DUPLICATE then
    -- e.of is a stored message, or an entry of this call (its seq is set now)
    out[n + 1], out[n + 2], out[n + 3] = S.DUPLICATE, e.of.id, e.of.seq
  else
    out[n + 1], out[n + 2], out[n + 3] = e.status, '', ''
  end
end
return out
