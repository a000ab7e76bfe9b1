-- Receives up to N messages from a standard queue and makes them invisible. Messages past the
-- retention period are removed instead; messages received maxReceiveCount times already go to
-- the outbox for their dead-letter queue.
-- KEYS: the message keys (lib.lua)
-- ARGV: 1 now (ms), 2 max messages, 3 visibility ms (-1: queue VisibilityTimeout),
--       4 receipt token prefix (unique per call), 5 in-flight limit
-- Returns: {-1} no such queue | {-2} too many messages in flight
--          | {0, moved, id, payload, receiveCount, firstReceiveMs, token, seq, ...} six per message
--          | {1, nextMs, waitSeconds, moved} nothing available; nextMs is when to look again
--            (-1: nothing scheduled); waitSeconds is the queue's ReceiveMessageWaitTimeSeconds
--          moved = messages put in the outbox by this call
local k = queue_keys()
local r = receive_start(k)
if not r then
  return {-1}
end
promote_due(k, r.now, 1000)
if redis.call('ZCARD', k.inflight) >= tonumber(ARGV[5]) then
  return {-2}
end
local max = tonumber(ARGV[2])
while r.got < max and r.budget > 0 do
  local popped = redis.call('ZPOPMIN', k.ready, max - r.got)
  if #popped == 0 then
    break
  end
  -- The messages of one pop are read and delivered with one multi-member command per key.
  local ids = {}
  for i = 1, #popped, 2 do
    ids[#ids + 1] = popped[i]
  end
  local sentAts = redis.call('ZMSCORE', k.sent, unpack(ids))
  local infos = redis.call('HMGET', k.info, unpack(ids))
  local deliver, newInfos, inflight = {}, {}, {}
  local until_ = string.format('%d', r.now + r.visibility)
  for j, id in ipairs(ids) do
    local info = infos[j]
    if tonumber(sentAts[j] or '0') < r.cutoff or not info then
      -- past the retention period (or a leftover id): gone
      redis.call('HDEL', k.body, id)
      redis.call('HDEL', k.info, id)
      redis.call('ZREM', k.sent, id)
      r.budget = r.budget - 1
    else
      local seq, count, first, _, _, group = parse_info(info)
      count = tonumber(count)
      if r.redriveMax > 0 and count >= r.redriveMax then
        to_outbox(k, id, r.redriveTarget, r.now, group)
        r.moved = r.moved + 1
        r.budget = r.budget - 1
      else
        count = count + 1
        if first == '0' then
          first = ARGV[1]
        end
        r.got = r.got + 1
        local token = ARGV[4] .. r.got
        newInfos[#newInfos + 1] = id
        newInfos[#newInfos + 1] = seq .. '|' .. count .. '|' .. first .. '|' .. token .. '|' .. ARGV[1] .. '|' .. group
        inflight[#inflight + 1] = until_
        inflight[#inflight + 1] = id
        deliver[#deliver + 1] = {id, count, first, token, seq}
      end
    end
  end
  if #deliver > 0 then
    redis.call('HSET', k.info, unpack(newInfos))
    redis.call('ZADD', k.inflight, unpack(inflight))
    local wanted = {}
    for j, d in ipairs(deliver) do
      wanted[j] = d[1]
    end
    local bodies = redis.call('HMGET', k.body, unpack(wanted))
    local out = r.out
    for j, d in ipairs(deliver) do
      local n = #out
      out[n + 1], out[n + 2], out[n + 3] = d[1], bodies[j], d[2]
      out[n + 4], out[n + 5], out[n + 6] = d[3], d[4], d[5]
    end
  end
end
return receive_reply(k, r)
