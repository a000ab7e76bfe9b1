-- Shared functions, prepended to every script by scripts.ts (Redis has no require).
-- They take key names as arguments; scripts pass their own KEYS.

-- info hash value: seq|receiveCount|firstReceiveMs|receiptToken|lastReceiveMs|group
local function parse_info(info)
  return string.match(info, '^(%d+)|(%d+)|(%d+)|([^|]*)|(%d+)|(.*)$')
end

-- Member of a FIFO queue's available set: group NUL zero-padded seq NUL id, so that a lexical
-- range is one group in order.
local function fifo_member(group, seq, id)
  return group .. '\0' .. string.format('%020d', tonumber(seq)) .. '\0' .. id
end

local function fifo_group_range(fifo, group, limit)
  return redis.call('ZRANGEBYLEX', fifo, '[' .. group .. '\0', '[' .. group .. '\0\255', 'LIMIT', 0, limit)
end

-- An unlocked group is listed in `groups` (score: seq of its head) exactly when it has an
-- available message.
local function fifo_refresh(fifo, groups, locked, group)
  if redis.call('HEXISTS', locked, group) == 1 then
    return
  end
  local head = fifo_group_range(fifo, group, 1)[1]
  if head then
    redis.call('ZADD', groups, tonumber(string.sub(head, #group + 2, #group + 21)), group)
  else
    redis.call('ZREM', groups, group)
  end
end

-- One in-flight message of the group is gone (deleted, expired, moved): release the group when
-- it was the last one.
local function fifo_release(fifo, groups, locked, group)
  if redis.call('HINCRBY', locked, group, -1) <= 0 then
    redis.call('HDEL', locked, group)
  end
  fifo_refresh(fifo, groups, locked, group)
end

-- Every message script receives the same KEYS, in this order (keys.ts messageKeys):
--  1 meta, 2 body, 3 info, 4 ready, 5 delayed, 6 inflight, 7 sent, 8 outbox, 9 outbox destinations,
--  10 moved (ids accepted from other queues), and for a FIFO queue only: 11 fifo, 12 groups,
--  13 locked, 14 dedup, 15 dedup ids, 16 attempts, 17 attempt expiry.
-- The FIFO keys are set in the table only for a FIFO queue (17 KEYS or more; a script may take
-- extra keys after the message keys, see FIRST_EXTRA_KEY).
local function is_fifo_call()
  return #KEYS >= 17
end

-- Position of the first key a script takes after the message keys.
local FIRST_EXTRA_KEY = #KEYS >= 17 and 18 or 11

local function queue_keys()
  local k = {
    meta = KEYS[1], body = KEYS[2], info = KEYS[3], ready = KEYS[4], delayed = KEYS[5],
    inflight = KEYS[6], sent = KEYS[7], outbox = KEYS[8], outboxdest = KEYS[9], moved = KEYS[10],
  }
  if is_fifo_call() then
    k.fifo, k.groups, k.locked = KEYS[11], KEYS[12], KEYS[13]
    k.dedup, k.dedupids, k.attempts, k.attemptexp = KEYS[14], KEYS[15], KEYS[16], KEYS[17]
  end
  return k
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

-- Takes a message out of circulation into the outbox, to be moved to queue `dest` (`dlq:<name>`,
-- `move:<name>`, `move:` = its source) by the mover. Its body and info stay until the move
-- completes. The score is a per-queue sequence, so messages leave in the order they entered; the
-- destination entry carries the move's own token (a repeated move of the same message is another
-- move) and the time it entered. A FIFO message keeps its group locked while it waits.
local function to_outbox(k, id, dest, now, group)
  local token = redis.call('HINCRBY', k.meta, '_outseq', 1)
  redis.call('ZADD', k.outbox, token, id)
  redis.call('HSET', k.outboxdest, id, dest .. '|' .. string.format('%d', token) .. '|' .. string.format('%d', now))
  if k.fifo then
    redis.call('HINCRBY', k.locked, group, 1)
    redis.call('ZREM', k.groups, group)
  end
end

-- Ends a message's wait in the outbox (moved, returned, deleted or expired). Returns 1 if it was
-- there. The caller decides what becomes of the message itself.
local function leave_outbox(k, id, group)
  if redis.call('ZREM', k.outbox, id) == 0 then
    return 0
  end
  redis.call('HDEL', k.outboxdest, id)
  if k.fifo then
    fifo_release(k.fifo, k.groups, k.locked, group)
  end
  return 1
end

-- Removes every trace of a message from its queue's message keys (delete, retention).
local function remove_message(k, id)
  local info = redis.call('HGET', k.info, id)
  if not info then
    return 0
  end
  local seq, _, _, _, _, group = parse_info(info)
  redis.call('HDEL', k.body, id)
  redis.call('HDEL', k.info, id)
  redis.call('ZREM', k.sent, id)
  redis.call('ZREM', k.delayed, id)
  local inflight = redis.call('ZREM', k.inflight, id) == 1
  if k.fifo then
    if inflight then
      fifo_release(k.fifo, k.groups, k.locked, group)
    elseif redis.call('ZREM', k.fifo, fifo_member(group, seq, id)) == 1 then
      fifo_refresh(k.fifo, k.groups, k.locked, group)
    end
  else
    redis.call('ZREM', k.ready, id)
  end
  leave_outbox(k, id, group)
  return 1
end

-- A receive in progress: the queue's settings, and the reply being built. Shared by the standard
-- and FIFO receive scripts (ARGV 1 now, 3 visibility ms or -1, 4 receipt token prefix).
local function receive_start(k)
  local meta = redis.call('HMGET', k.meta, 'VisibilityTimeout', 'MessageRetentionPeriod',
    'ReceiveMessageWaitTimeSeconds', '_redriveMax', '_redriveTarget')
  if not meta[1] then
    return nil
  end
  local r = {
    now = tonumber(ARGV[1]),
    visibility = tonumber(ARGV[3]),
    cutoff = tonumber(ARGV[1]) - tonumber(meta[2]) * 1000,
    redriveMax = tonumber(meta[4] or '0'),
    redriveTarget = meta[5],
    wait = meta[3],
    out = {0, 0},
    got = 0,
    moved = 0,
    -- expired and redriven messages handled per call are bounded, so a call never stalls Redis
    budget = 500,
  }
  if r.visibility < 0 then
    r.visibility = tonumber(meta[1]) * 1000
  end
  return r
end

-- Decides about one message taken from the available set, given its send time and info: removes
-- it if past retention, sends it to the outbox if received maxReceiveCount times already, else
-- claims it for this receive. Returns nil, or the claimed message: {id, count, first, token, seq,
-- info}, where info is its new info value; the caller writes info, in-flight entry and reply.
local function receive_claim(k, r, id, sentAt, info)
  if tonumber(sentAt or '0') < r.cutoff or not info then
    redis.call('HDEL', k.body, id)
    redis.call('HDEL', k.info, id)
    redis.call('ZREM', k.sent, id)
    r.budget = r.budget - 1
    return nil
  end
  local seq, count, first, _, _, group = parse_info(info)
  count = tonumber(count)
  if r.redriveMax > 0 and count >= r.redriveMax then
    to_outbox(k, id, r.redriveTarget, r.now, group)
    r.moved = r.moved + 1
    r.budget = r.budget - 1
    return nil
  end
  count = count + 1
  if first == '0' then
    first = ARGV[1]
  end
  r.got = r.got + 1
  local token = ARGV[4] .. r.got
  return {id, count, first, token, seq, seq .. '|' .. count .. '|' .. first .. '|' .. token .. '|' .. ARGV[1] .. '|' .. group}
end

-- Appends a claimed message (receive_claim) and its payload to the reply.
local function receive_out(r, c, payload)
  local out, n = r.out, #r.out
  out[n + 1], out[n + 2], out[n + 3] = c[1], payload, c[2]
  out[n + 4], out[n + 5], out[n + 6] = c[3], c[4], c[5]
end

-- Handles messages taken from the available set, in order (receive_claim), and delivers the claimed
-- ones (new receipt token, invisible until the visibility timeout) with one multi-member command
-- per key. Returns the claimed messages (receive_claim's tables).
local function receive_many(k, r, ids)
  local sentAts = redis.call('ZMSCORE', k.sent, unpack(ids))
  local infos = redis.call('HMGET', k.info, unpack(ids))
  local claimed, newInfos, inflight, wanted = {}, {}, {}, {}
  local until_ = string.format('%d', r.now + r.visibility)
  for j, id in ipairs(ids) do
    local c = receive_claim(k, r, id, sentAts[j], infos[j])
    if c then
      claimed[#claimed + 1] = c
      wanted[#wanted + 1] = id
      newInfos[#newInfos + 1] = id
      newInfos[#newInfos + 1] = c[6]
      inflight[#inflight + 1] = until_
      inflight[#inflight + 1] = id
    end
  end
  if #claimed > 0 then
    redis.call('HSET', k.info, unpack(newInfos))
    redis.call('ZADD', k.inflight, unpack(inflight))
    local bodies = redis.call('HMGET', k.body, unpack(wanted))
    for j, c in ipairs(claimed) do
      receive_out(r, c, bodies[j])
    end
  end
  return claimed
end

-- The reply of a receive: the messages, or when to look again.
local function receive_reply(k, r)
  if r.got > 0 then
    r.out[2] = r.moved
    return r.out
  end
  if r.budget <= 0 then
    return {1, ARGV[1], r.wait, r.moved}
  end
  return {1, string.format('%d', next_visible(k)), r.wait, r.moved}
end
