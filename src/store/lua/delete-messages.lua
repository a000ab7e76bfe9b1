-- Deletes messages by receipt (message id and the token of the receive that gave the handle).
-- As in SQS, on a standard queue a handle from an earlier receive still deletes. On a FIFO queue a
-- handle expires with its visibility timeout: once the message was received again, or its timeout
-- ended (received since or not), the delete is refused ("The receipt handle has expired"); it
-- would let the group move on while another consumer may hold the message.
-- One call may carry the receipts of several requests (group commit, store/group-commit.ts): each
-- receipt comes with the `now` of its own request, the moment its FIFO handle is judged at.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 FIFO queue (1|0), then triples: message id, receipt token, now (ms)
-- Returns: {MISSING} | {OK, status per triple}: OK deleted, GONE already gone, EXPIRED handle expired
local k = queue_keys(ARGV[1] == '1')
if redis.call('EXISTS', k.meta) == 0 then
  return {S.MISSING}
end
-- out[1 + j] is the status of triple j
local out = {S.OK}
local ids = {}
for i = 2, #ARGV, 3 do
  ids[#ids + 1] = ARGV[i]
end
if #ids == 0 then
  return out
end
if k.fifo then
  -- Only the message's latest handle deletes, and only while it is in flight. Deleted messages
  -- were all in flight, so they leave `inflight` and unlock their groups: one command per key,
  -- and one release per group.
  local infos = redis.call('HMGET', k.info, unpack(ids))
  local deadlines = redis.call('ZMSCORE', k.inflight, unpack(ids))
  local gone, byGroup, groups, seen = {}, {}, {}, {}
  for j, id in ipairs(ids) do
    local info = infos[j]
    if not info or seen[id] then
      out[j + 1] = S.GONE
    else
      local _, _, _, token, _, group = parse_info(info)
      -- A due entry of `inflight` is visible again, though no receive has moved it back yet.
      local at = 3 * j - 1
      if token ~= ARGV[at + 1] or not deadlines[j] or tonumber(deadlines[j]) <= tonumber(ARGV[at + 2]) then
        out[j + 1] = S.EXPIRED
      else
        seen[id] = true
        out[j + 1] = S.OK
        gone[#gone + 1] = id
        if not byGroup[group] then
          byGroup[group] = 0
          groups[#groups + 1] = group
        end
        byGroup[group] = byGroup[group] + 1
      end
    end
  end
  if #gone > 0 then
    redis.call('HDEL', k.body, unpack(gone))
    redis.call('HDEL', k.info, unpack(gone))
    redis.call('ZREM', k.sent, unpack(gone))
    redis.call('ZREM', k.inflight, unpack(gone))
    for _, group in ipairs(groups) do
      if redis.call('HINCRBY', k.locked, group, -byGroup[group]) <= 0 then
        redis.call('HDEL', k.locked, group)
      end
      fifo_refresh(k.fifo, k.groups, k.locked, group)
    end
  end
  return out
end
-- Standard queue: a message is in one of ready, delayed, in flight or the outbox; removing the
-- ids of the whole call from each of them takes one multi-member command per key.
local infos = redis.call('HMGET', k.info, unpack(ids))
local present, seen = {}, {}
for i, id in ipairs(ids) do
  if infos[i] and not seen[id] then
    seen[id] = true
    present[#present + 1] = id
    out[i + 1] = S.OK
  else
    out[i + 1] = S.GONE
  end
end
if #present > 0 then
  redis.call('HDEL', k.body, unpack(present))
  redis.call('HDEL', k.info, unpack(present))
  redis.call('ZREM', k.sent, unpack(present))
  redis.call('ZREM', k.ready, unpack(present))
  redis.call('ZREM', k.delayed, unpack(present))
  redis.call('ZREM', k.inflight, unpack(present))
  if redis.call('ZREM', k.outbox, unpack(present)) > 0 then
    redis.call('HDEL', k.outboxdest, unpack(present))
  end
end
return out
