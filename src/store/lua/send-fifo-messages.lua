-- Enqueues messages on a FIFO queue, in order, with deduplication. One call may carry the
-- messages of several requests (group commit, store/group-commit.ts), each with its own `now`;
-- the result is what the same requests would get from one call each, in that order.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 wake channel (gets 'visibleAtMs count'), 2 deduplication window (ms), then per request:
--       now (ms), entry count n, then n sextuples: id, payload, size in bytes, group id, explicit
--       deduplication id ('' = none), SHA-256 of the body
-- Returns: {MISSING} | {OK, maxSize, status1, id1, seq1, status2, ...} with status OK (stored as
--          id/seq), DUPLICATE (of the stored message id/seq), TOO_LARGE (larger than
--          MaximumMessageSize) or NO_DEDUP_ID; id and seq '' for the last two. As in SQS, one
--          entry without a deduplication id (none given, no ContentBasedDeduplication) fails its
--          whole request: then every entry of that request is NO_DEDUP_ID and none of it is stored.
local k = queue_keys(true)
local meta = redis.call('HMGET', k.meta, 'DelaySeconds', 'MaximumMessageSize', 'ContentBasedDeduplication',
  'DeduplicationScope')
if not meta[1] then
  return {S.MISSING}
end
local delay = tonumber(meta[1]) * 1000
local maxSize = tonumber(meta[2])
local contentBased = meta[3] == 'true'
local perGroup = meta[4] == 'messageGroup'
local window = tonumber(ARGV[2])

-- The requests, and the deduplication key of each entry ('' = none).
local requests, entries = {}, {}
local earliest
do
  local i = 3
  while i <= #ARGV do
    local r = {now = tonumber(ARGV[i]), first = #entries + 1, refused = false}
    local n = tonumber(ARGV[i + 1])
    i = i + 2
    for _ = 1, n do
      local key = ARGV[i + 4]
      if key == '' and contentBased then
        key = ARGV[i + 5]
      end
      if key ~= '' and perGroup then
        key = ARGV[i + 3] .. '\0' .. key
      end
      if key == '' then
        r.refused = true
      end
      entries[#entries + 1] = {i = i, key = key, r = r}
      i = i + 6
    end
    requests[#requests + 1] = r
    if not earliest or r.now < earliest then
      earliest = r.now
    end
  end
end

-- Forget deduplication ids whose window ended (a bounded number per call; the sweeper does the rest).
for _, key in ipairs(redis.call('ZRANGEBYSCORE', k.dedup, '-inf', earliest or 0, 'LIMIT', 0, 100)) do
  redis.call('ZREM', k.dedup, key)
  redis.call('HDEL', k.dedupids, key)
end

-- The stored deduplication ids these entries name, with the end of their window.
local stored = {}
do
  local lookup = {}
  for _, e in ipairs(entries) do
    if not e.r.refused then
      lookup[#lookup + 1] = e.key
    end
  end
  if #lookup > 0 then
    local untils = redis.call('ZMSCORE', k.dedup, unpack(lookup))
    local originals = redis.call('HMGET', k.dedupids, unpack(lookup))
    for j, key in ipairs(lookup) do
      if untils[j] and originals[j] then
        local oid, oseq = string.match(originals[j], '^(.*)|(%d+)$')
        stored[key] = {id = oid, seq = oseq, untilMs = tonumber(untils[j])}
      end
    end
  end
end

-- In entry order: refused with its request, too large, a duplicate (of a stored message within
-- its window at the request's moment, or of an earlier entry of this call), or new.
local known, fresh = {}, {}
for _, e in ipairs(entries) do
  if e.r.refused then
    e.status = S.NO_DEDUP_ID
  elseif tonumber(ARGV[e.i + 2]) > maxSize then
    e.status = S.TOO_LARGE
  elseif known[e.key] and known[e.key].r.now + window > e.r.now then
    -- a duplicate of an earlier request's message, while that message's window lasts at this request's moment
    e.status, e.of = S.DUPLICATE, known[e.key]
  elseif stored[e.key] and stored[e.key].untilMs > e.r.now then
    e.status, e.of = S.DUPLICATE, stored[e.key]
  else
    e.status, e.id = S.OK, ARGV[e.i]
    known[e.key] = e
    fresh[#fresh + 1] = e
  end
end

if #fresh > 0 then
  -- One command per key for all the messages of this call, and one refresh per message group.
  local batch = store_new(k, #fresh)
  local dedup, dedupIds = {}, {}
  local first
  for _, e in ipairs(fresh) do
    local now = e.r.now
    e.seq = store_add(k, batch, e.id, ARGV[e.i + 1], ARGV[e.i + 3], now, now, delay)
    dedup[#dedup + 1], dedup[#dedup + 2] = string.format('%d', now + window), e.key
    dedupIds[#dedupIds + 1], dedupIds[#dedupIds + 2] = e.key, e.id .. '|' .. e.seq
    if not first or now < first then
      first = now
    end
  end
  store_write(k, batch)
  redis.call('ZADD', k.dedup, unpack(dedup))
  redis.call('HSET', k.dedupids, unpack(dedupIds))
  redis.call('PUBLISH', ARGV[1], string.format('%d %d', first + delay, #fresh))
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
