-- Receives messages from a FIFO queue: from the group with the oldest available message first, in
-- order, then from further groups; a group with a message in flight is skipped until it has none.
-- Expired messages are removed and messages received maxReceiveCount times go to the outbox, as
-- in receive-messages.lua.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 now (ms), 2 max messages, 3 visibility ms (-1: queue VisibilityTimeout), 4 receipt token
--       prefix (unique per call), 5 in-flight limit, 6 ReceiveRequestAttemptId ('' = none),
--       7 attempt id lifetime (ms)
-- Returns: as receive-messages.lua, except that the in-flight limit yields no messages, not {TOO_MANY}
local k = queue_keys(true)
local r = receive_start(k)
if not r then
  return {S.MISSING}
end
promote_due(k, r.now, 1000)

local out = r.out
local attempt = ARGV[6]
if attempt ~= '' then
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', k.attemptexp, '-inf', r.now, 'LIMIT', 0, 100)) do
    redis.call('ZREM', k.attemptexp, old)
    redis.call('HDEL', k.attempts, old)
  end
  -- A retried receive returns the same messages and receipt handles while all are still in flight
  -- under that receive, and restarts their visibility timeout.
  local previous = redis.call('HGET', k.attempts, attempt)
  if previous then
    local same = {}
    for id, token in string.gmatch(previous, '([^,;]+),([^;]+)') do
      local info = redis.call('HGET', k.info, id)
      if not info or not redis.call('ZSCORE', k.inflight, id) then
        same = nil
        break
      end
      local seq, count, first, current = parse_info(info)
      if current ~= token then
        same = nil
        break
      end
      same[#same + 1] = {id, seq, count, first, token}
    end
    if same and #same > 0 then
      for _, m in ipairs(same) do
        redis.call('ZADD', k.inflight, r.now + r.visibility, m[1])
        local n = #out
        out[n + 1], out[n + 2], out[n + 3] = m[1], redis.call('HGET', k.body, m[1]), tonumber(m[3])
        out[n + 4], out[n + 5], out[n + 6] = m[4], m[5], m[2]
      end
      return out
    end
  end
end

local max = tonumber(ARGV[2])
local taken = {}
if redis.call('ZCARD', k.inflight) < tonumber(ARGV[5]) then
  while r.got < max and r.budget > 0 do
    local group = redis.call('ZRANGE', k.groups, 0, 0)[1]
    if not group then
      break
    end
    local fromGroup = 0
    local members = fifo_group_range(k.fifo, group, max - r.got)
    if #members > 0 then
      redis.call('ZREM', k.fifo, unpack(members))
      local ids = {}
      for j, m in ipairs(members) do
        ids[j] = string.sub(m, #group + 23)
      end
      for _, c in ipairs(receive_many(k, r, ids)) do
        fromGroup = fromGroup + 1
        taken[#taken + 1] = c[1] .. ',' .. c[4]
      end
    end
    if fromGroup > 0 then
      redis.call('HINCRBY', k.locked, group, fromGroup)
      redis.call('ZREM', k.groups, group)
    else
      fifo_refresh(k.fifo, k.groups, k.locked, group)
    end
  end
end
if r.got > 0 and attempt ~= '' then
  redis.call('HSET', k.attempts, attempt, table.concat(taken, ';'))
  redis.call('ZADD', k.attemptexp, r.now + tonumber(ARGV[7]), attempt)
end
return receive_reply(k, r)
