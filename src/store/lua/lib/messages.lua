-- Messages: their info, storing new ones, and making them available.

-- info hash value: seq|receiveCount|firstReceiveMs|receiptToken|lastReceiveMs|group
local function parse_info(info)
  return string.match(info, '^(%d+)|(%d+)|(%d+)|([^|]*)|(%d+)|(.*)$')
end

-- Makes a stored message available: in send order on a standard queue, at its place in its group
-- on a FIFO queue.
local function make_available(k, id, seq, group)
  if k.fifo then
    redis.call('ZADD', k.fifo, 0, fifo_member(group, seq, id))
    fifo_refresh(k.fifo, k.groups, k.locked, group)
  else
    redis.call('ZADD', k.ready, seq, id)
  end
end

-- Moves delayed messages whose delay ended, and in-flight messages whose visibility ended, back
-- to the available messages (at most `limit` of each per call).
local function promote_due(k, now, limit)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', k.delayed, '-inf', now, 'LIMIT', 0, limit)) do
    redis.call('ZREM', k.delayed, id)
    local info = redis.call('HGET', k.info, id)
    if info then
      local seq, _, _, _, _, group = parse_info(info)
      make_available(k, id, seq, group)
    end
  end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', k.inflight, '-inf', now, 'LIMIT', 0, limit)) do
    redis.call('ZREM', k.inflight, id)
    local info = redis.call('HGET', k.info, id)
    if info then
      local seq, _, _, _, _, group = parse_info(info)
      if k.fifo then
        redis.call('ZADD', k.fifo, 0, fifo_member(group, seq, id))
        fifo_release(k.fifo, k.groups, k.locked, group)
      else
        redis.call('ZADD', k.ready, seq, id)
      end
    end
  end
end

-- New messages of one call, written with one multi-member command per key (store_write):
-- body, info, sent time, and the available set (ready, or fifo by group) or the delayed set.
local function store_new(k, count)
  -- The sequence numbers of this call: one increment for all of them.
  local last = redis.call('HINCRBY', k.meta, '_seq', count)
  return {seq = last - count, bodies = {}, infos = {}, sent = {}, ready = {}, delayed = {}, fifo = {}, groups = {}}
end

local function push(list, x, y)
  list[#list + 1], list[#list + 2] = x, y
end

-- Adds a message to the batch; returns its sequence number (a string).
local function store_add(k, b, id, payload, group, sentAt, now, delay)
  b.seq = b.seq + 1
  local s = string.format('%d', b.seq)
  push(b.bodies, id, payload)
  push(b.infos, id, s .. '|0|0||0|' .. group)
  push(b.sent, string.format('%d', sentAt), id)
  if delay > 0 then
    push(b.delayed, string.format('%d', now + delay), id)
  elseif k.fifo then
    push(b.fifo, 0, fifo_member(group, s, id))
    if not b.groups[group] then
      b.groups[group] = true
      b.groups[#b.groups + 1] = group
    end
  else
    push(b.ready, s, id)
  end
  return s
end

local function store_write(k, b)
  if #b.bodies == 0 then
    return
  end
  redis.call('HSET', k.body, unpack(b.bodies))
  redis.call('HSET', k.info, unpack(b.infos))
  redis.call('ZADD', k.sent, unpack(b.sent))
  if #b.ready > 0 then
    redis.call('ZADD', k.ready, unpack(b.ready))
  end
  if #b.delayed > 0 then
    redis.call('ZADD', k.delayed, unpack(b.delayed))
  end
  if #b.fifo > 0 then
    redis.call('ZADD', k.fifo, unpack(b.fifo))
    for _, group in ipairs(b.groups) do
      fifo_refresh(k.fifo, k.groups, k.locked, group)
    end
  end
end

-- Stores one new message (body, info, sent time) and makes it available now or after `delay` ms.
-- Returns its sequence number.
local function store_message(k, id, payload, group, sentAt, now, delay)
  local b = store_new(k, 1)
  local seq = store_add(k, b, id, payload, group, sentAt, now, delay)
  store_write(k, b)
  return tonumber(seq)
end

-- The earliest time a delayed or in-flight message becomes visible, or -1.
local function next_visible(k)
  local nextMs = -1
  for _, key in ipairs({k.delayed, k.inflight}) do
    local head = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    if head[2] and (nextMs < 0 or tonumber(head[2]) < nextMs) then
      nextMs = tonumber(head[2])
    end
  end
  return nextMs
end
