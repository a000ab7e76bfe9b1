-- Receiving messages: shared by the standard and FIFO receive scripts.

-- A receive in progress: the queue's settings, and the reply being built. Shared by the standard
-- and FIFO receive scripts (ARGV 1 now, 3 visibility ms or -1, 4 receipt token prefix). The redrive
-- fields (maxReceiveCount, and the dead-letter queue as an outbox destination `dlq:<queue>`) are
-- written by src/store/redrive-fields.ts, which names them (REDRIVE_MAX, REDRIVE_TARGET).
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
    out = {S.OK, 0},
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
    return {S.EMPTY, ARGV[1], r.wait, r.moved}
  end
  return {S.EMPTY, string.format('%d', next_visible(k)), r.wait, r.moved}
end
