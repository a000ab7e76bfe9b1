-- Receives messages from a FIFO queue: from the group with the oldest available message first, in
-- order, then from further groups; a group with a message in flight is skipped until it has none.
-- KEYS: 1 meta, 2 body, 3 info, 4 fifo, 5 groups, 6 locked, 7 delayed, 8 inflight, 9 sent,
--       10 attempts, 11 attempt expiry
-- ARGV: 1 now (ms), 2 max messages, 3 visibility ms (-1: queue VisibilityTimeout), 4 receipt token
--       prefix (unique per call), 5 in-flight limit, 6 ReceiveRequestAttemptId ('' = none),
--       7 attempt id lifetime (ms)
-- Returns: as receive-messages.lua: {-1} | {0, id, payload, receiveCount, firstReceiveMs, token,
--          seq, ...} | {1, nextMs, waitSeconds}
local now = tonumber(ARGV[1])
local meta = redis.call('HMGET', KEYS[1], 'VisibilityTimeout', 'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds')
if not meta[1] then
  return {-1}
end
local visibility = tonumber(ARGV[3])
if visibility < 0 then
  visibility = tonumber(meta[1]) * 1000
end
local cutoff = now - tonumber(meta[2]) * 1000

local function parse(info)
  return string.match(info, '^(%d+)|(%d+)|(%d+)|([^|]*)|(%d+)|(.*)$')
end
local function member(group, seq, id)
  return group .. '\0' .. string.format('%020d', tonumber(seq)) .. '\0' .. id
end
local function groupRange(group, limit)
  return redis.call('ZRANGEBYLEX', KEYS[4], '[' .. group .. '\0', '[' .. group .. '\0\255', 'LIMIT', 0, limit)
end
-- An unlocked group is listed in `groups` exactly when it has an available message.
local function refresh(group)
  if redis.call('HEXISTS', KEYS[6], group) == 1 then
    return
  end
  local head = groupRange(group, 1)[1]
  if head then
    redis.call('ZADD', KEYS[5], tonumber(string.sub(head, #group + 2, #group + 21)), group)
  else
    redis.call('ZREM', KEYS[5], group)
  end
end

-- Delayed messages whose delay ended become available (they never block their group while delayed).
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[7], '-inf', now, 'LIMIT', 0, 1000)) do
  redis.call('ZREM', KEYS[7], id)
  local info = redis.call('HGET', KEYS[3], id)
  if info then
    local seq, _, _, _, _, group = parse(info)
    redis.call('ZADD', KEYS[4], 0, member(group, seq, id))
    refresh(group)
  end
end
-- In-flight messages whose visibility ended go back to the head of their group and release it.
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[8], '-inf', now, 'LIMIT', 0, 1000)) do
  redis.call('ZREM', KEYS[8], id)
  local info = redis.call('HGET', KEYS[3], id)
  if info then
    local seq, _, _, _, _, group = parse(info)
    redis.call('ZADD', KEYS[4], 0, member(group, seq, id))
    if redis.call('HINCRBY', KEYS[6], group, -1) <= 0 then
      redis.call('HDEL', KEYS[6], group)
    end
    refresh(group)
  end
end

local out = {0}
local attempt = ARGV[6]
if attempt ~= '' then
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', KEYS[11], '-inf', now, 'LIMIT', 0, 100)) do
    redis.call('ZREM', KEYS[11], old)
    redis.call('HDEL', KEYS[10], old)
  end
  -- A retried receive returns the same messages and receipt handles while all are still in flight
  -- under that receive, and restarts their visibility timeout.
  local previous = redis.call('HGET', KEYS[10], attempt)
  if previous then
    local same = {}
    for id, token in string.gmatch(previous, '([^,;]+),([^;]+)') do
      local info = redis.call('HGET', KEYS[3], id)
      local deadline = redis.call('ZSCORE', KEYS[8], id)
      if not info or not deadline then
        same = nil
        break
      end
      local seq, count, first, current = parse(info)
      if current ~= token then
        same = nil
        break
      end
      same[#same + 1] = {id, seq, count, first, token}
    end
    if same and #same > 0 then
      for _, m in ipairs(same) do
        redis.call('ZADD', KEYS[8], now + visibility, m[1])
        local n = #out
        out[n + 1], out[n + 2], out[n + 3] = m[1], redis.call('HGET', KEYS[2], m[1]), tonumber(m[3])
        out[n + 4], out[n + 5], out[n + 6] = m[4], m[5], m[2]
      end
      return out
    end
  end
end

local max = tonumber(ARGV[2])
local got = 0
local taken = {}
if redis.call('ZCARD', KEYS[8]) < tonumber(ARGV[5]) then
  while got < max do
    local group = redis.call('ZRANGE', KEYS[5], 0, 0)[1]
    if not group then
      break
    end
    local fromGroup = 0
    for _, m in ipairs(groupRange(group, max - got)) do
      redis.call('ZREM', KEYS[4], m)
      local id = string.sub(m, #group + 23)
      local sentAt = tonumber(redis.call('ZSCORE', KEYS[9], id) or '0')
      local info = redis.call('HGET', KEYS[3], id)
      if sentAt < cutoff or not info then
        -- past the retention period: never delivered, removed now
        redis.call('HDEL', KEYS[2], id)
        redis.call('HDEL', KEYS[3], id)
        redis.call('ZREM', KEYS[9], id)
      else
        local seq, count, first = parse(info)
        count = tonumber(count) + 1
        if first == '0' then
          first = ARGV[1]
        end
        got = got + 1
        fromGroup = fromGroup + 1
        local token = ARGV[4] .. got
        redis.call('HSET', KEYS[3], id, seq .. '|' .. count .. '|' .. first .. '|' .. token .. '|' .. ARGV[1] .. '|' .. group)
        redis.call('ZADD', KEYS[8], now + visibility, id)
        taken[#taken + 1] = id .. ',' .. token
        local n = #out
        out[n + 1], out[n + 2], out[n + 3] = id, redis.call('HGET', KEYS[2], id), count
        out[n + 4], out[n + 5], out[n + 6] = first, token, seq
      end
    end
    if fromGroup > 0 then
      redis.call('HINCRBY', KEYS[6], group, fromGroup)
      redis.call('ZREM', KEYS[5], group)
    else
      refresh(group)
    end
  end
end

if got > 0 then
  if attempt ~= '' then
    redis.call('HSET', KEYS[10], attempt, table.concat(taken, ';'))
    redis.call('ZADD', KEYS[11], now + tonumber(ARGV[7]), attempt)
  end
  return out
end

local nextMs = -1
for _, key in ipairs({KEYS[7], KEYS[8]}) do
  local head = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if head[2] and (nextMs < 0 or tonumber(head[2]) < nextMs) then
    nextMs = tonumber(head[2])
  end
end
return {1, string.format('%d', nextMs), meta[3]}
