-- Receives messages from a FIFO queue: from the group with the oldest available message first, in
-- order, then from further groups; a group with a message in flight is skipped until it has none.
-- Expired messages are removed and messages received maxReceiveCount times go to the outbox, as
-- in receive-messages.lua.
-- KEYS: the message keys (lib.lua)
-- ARGV: 1 now (ms), 2 max messages, 3 visibility ms (-1: queue VisibilityTimeout), 4 receipt token
--       prefix (unique per call), 5 in-flight limit, 6 ReceiveRequestAttemptId ('' = none),
--       7 attempt id lifetime (ms)
-- Returns: as receive-messages.lua, except that the in-flight limit yields no messages, not {-2}
local k = queue_keys()
local now = tonumber(ARGV[1])
local meta = redis.call('HMGET', k.meta, 'VisibilityTimeout', 'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds', '_redriveMax', '_redriveTarget')
if not meta[1] then
  return {-1}
end
local visibility = tonumber(ARGV[3])
if visibility < 0 then
  visibility = tonumber(meta[1]) * 1000
end
local cutoff = now - tonumber(meta[2]) * 1000
local redriveMax = tonumber(meta[4] or '0')

promote_due(k, now, 1000)

local out = {0, 0}
local attempt = ARGV[6]
if attempt ~= '' then
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', k.attemptexp, '-inf', now, 'LIMIT', 0, 100)) do
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
        redis.call('ZADD', k.inflight, now + visibility, m[1])
        local n = #out
        out[n + 1], out[n + 2], out[n + 3] = m[1], redis.call('HGET', k.body, m[1]), tonumber(m[3])
        out[n + 4], out[n + 5], out[n + 6] = m[4], m[5], m[2]
      end
      return out
    end
  end
end

local max = tonumber(ARGV[2])
local got, moved = 0, 0
local budget = 500
local taken = {}
if redis.call('ZCARD', k.inflight) < tonumber(ARGV[5]) then
  while got < max and budget > 0 do
    local group = redis.call('ZRANGE', k.groups, 0, 0)[1]
    if not group then
      break
    end
    local fromGroup = 0
    for _, m in ipairs(fifo_group_range(k.fifo, group, max - got)) do
      redis.call('ZREM', k.fifo, m)
      local id = string.sub(m, #group + 23)
      local sentAt = tonumber(redis.call('ZSCORE', k.sent, id) or '0')
      local info = redis.call('HGET', k.info, id)
      if sentAt < cutoff or not info then
        redis.call('HDEL', k.body, id)
        redis.call('HDEL', k.info, id)
        redis.call('ZREM', k.sent, id)
        budget = budget - 1
      else
        local seq, count, first = parse_info(info)
        count = tonumber(count)
        if redriveMax > 0 and count >= redriveMax then
          to_outbox(k, id, meta[5], now, group)
          moved = moved + 1
          budget = budget - 1
        else
          count = count + 1
          if first == '0' then
            first = ARGV[1]
          end
          got = got + 1
          fromGroup = fromGroup + 1
          local token = ARGV[4] .. got
          redis.call('HSET', k.info, id, seq .. '|' .. count .. '|' .. first .. '|' .. token .. '|' .. ARGV[1] .. '|' .. group)
          redis.call('ZADD', k.inflight, now + visibility, id)
          taken[#taken + 1] = id .. ',' .. token
          local n = #out
          out[n + 1], out[n + 2], out[n + 3] = id, redis.call('HGET', k.body, id), count
          out[n + 4], out[n + 5], out[n + 6] = first, token, seq
        end
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

if got > 0 then
  if attempt ~= '' then
    redis.call('HSET', k.attempts, attempt, table.concat(taken, ';'))
    redis.call('ZADD', k.attemptexp, now + tonumber(ARGV[7]), attempt)
  end
  out[2] = moved
  return out
end
if budget <= 0 then
  return {1, ARGV[1], meta[3], moved}
end
return {1, string.format('%d', next_visible(k)), meta[3], moved}
