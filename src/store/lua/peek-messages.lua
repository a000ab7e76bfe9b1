-- Reads the messages of a queue with their state, and changes nothing: no receive count, no
-- visibility, no first-receive time, no receipt token (the developer peek, GET /_aws/sqs/messages).
-- Each message is reported as it stands at `now`: an in-flight message whose visibility timeout
-- ended, or a delayed message whose delay ended, is available, as the next receive would make it
-- (promote_due). Messages in the outbox (on their way to another queue) are in none of the sets read
-- here, and messages past the retention period (which no receive returns) are left out.
-- Reads at most `limit` entries: available messages first, then in-flight, then delayed ones, so a
-- backlog of the latter never hides the former.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 FIFO queue (1|0), 2 now (ms), 3 limit (entries to read, at least 1), 4 include
--       in-flight messages (1/0), 5 include delayed messages (1/0)
-- Returns: {MISSING}
--          | {OK, more, id, payload, seq, receiveCount, firstReceiveMs, state, visibleAtMs, locked, ...}
--            eight per message: more = 1 when the limit left messages out; state 0 available,
--            1 in flight, 2 delayed; visibleAtMs = when an in-flight or delayed message becomes
--            visible, -1 for an available one; locked = 1 for an available FIFO message whose group
--            a message in flight or in the outbox holds (a receive skips it for now)
local k = queue_keys(ARGV[1] == '1')
local retention = redis.call('HGET', k.meta, 'MessageRetentionPeriod')
if not retention then
  return {S.MISSING}
end
local now = ARGV[2]
local cutoff = tonumber(now) - tonumber(retention) * 1000
local left = tonumber(ARGV[3])
local more = 0
-- {id, state, visibleAtMs, in flight with its visibility ended}
local picked = {}

-- Appends the entries of a sorted-set range to `picked`, `left` at most; the range asks for one
-- more than that, so an entry beyond the limit tells that some were left out.
local function take(key, min, max, state, timed, fifoMembers)
  if left == 0 then
    if redis.call('ZCOUNT', key, min, max) > 0 then
      more = 1
    end
    return
  end
  local range = redis.call('ZRANGEBYSCORE', key, min, max, 'WITHSCORES', 'LIMIT', 0, left + 1)
  for i = 1, #range, 2 do
    if left == 0 then
      more = 1
      return
    end
    local id = range[i]
    if fifoMembers then
      -- group NUL seq (20 digits) NUL id
      local group = string.match(id, '^([^%z]*)%z')
      id = string.sub(id, #group + 23)
    end
    picked[#picked + 1] = {id, state, timed and range[i + 1] or '-1', state == 0 and key == k.inflight}
    left = left - 1
  end
end

take(k.inflight, '-inf', now, 0, false, false)
take(k.delayed, '-inf', now, 0, false, false)
if k.fifo then
  take(k.fifo, '-inf', '+inf', 0, false, true)
else
  take(k.ready, '-inf', '+inf', 0, false, false)
end
if ARGV[4] == '1' then
  take(k.inflight, '(' .. now, '+inf', 1, true, false)
end
if ARGV[5] == '1' then
  take(k.delayed, '(' .. now, '+inf', 2, true, false)
end

local out = {S.OK, more}
-- Read in slices: unpack() of a few thousand values would overflow the Lua stack.
local infos, sentAts, bodies = {}, {}, {}
for from = 1, #picked, 500 do
  local ids = {}
  for j = from, math.min(from + 499, #picked) do
    ids[#ids + 1] = picked[j][1]
  end
  local i = redis.call('HMGET', k.info, unpack(ids))
  local s = redis.call('ZMSCORE', k.sent, unpack(ids))
  local b = redis.call('HMGET', k.body, unpack(ids))
  for j = 1, #ids do
    infos[from + j - 1], sentAts[from + j - 1], bodies[from + j - 1] = i[j], s[j], b[j]
  end
end

-- FIFO: a group is held while its `locked` count (messages in flight or in the outbox) exceeds the
-- in-flight messages of the group whose visibility already ended, which the next receive releases.
-- (Those are all counted when fewer than `limit` of them wait; past that, `more` is set anyway.)
local released, held = {}, {}
if k.fifo then
  for j, p in ipairs(picked) do
    if p[4] and infos[j] then
      local group = select(6, parse_info(infos[j]))
      released[group] = (released[group] or 0) + 1
    end
  end
end
local function is_held(group)
  if held[group] == nil then
    local count = tonumber(redis.call('HGET', k.locked, group) or '0')
    held[group] = count - (released[group] or 0) > 0
  end
  return held[group]
end

for j, p in ipairs(picked) do
  local info, sentAt, body = infos[j], sentAts[j], bodies[j]
  if info and body and sentAt and tonumber(sentAt) >= cutoff then
    local seq, count, first, _, _, group = parse_info(info)
    local locked = 0
    if k.fifo and p[2] == 0 and is_held(group) then
      locked = 1
    end
    local n = #out
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = p[1], body, seq, count
    out[n + 5], out[n + 6], out[n + 7], out[n + 8] = first, p[2], p[3], locked
  end
end
return out
