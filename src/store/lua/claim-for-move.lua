-- Takes available messages, oldest first, into the outbox for a message move task.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 FIFO queue (1|0), 2 now (ms), 3 max messages, 4 destination (`move:<queue>`, or `move:`
--       for each message's source queue; src/store/redrive-fields.ts encodes it)
-- Returns: {MISSING} | {OK, number of messages claimed}
local k = queue_keys(ARGV[1] == '1')
if redis.call('EXISTS', k.meta) == 0 then
  return {S.MISSING}
end
local now = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
promote_due(k, now, 1000)
local claimed = 0
if k.fifo then
  while claimed < max do
    local group = redis.call('ZRANGE', k.groups, 0, 0)[1]
    if not group then
      break
    end
    local members = fifo_group_range(k.fifo, group, max - claimed)
    for _, m in ipairs(members) do
      redis.call('ZREM', k.fifo, m)
      to_outbox(k, string.sub(m, #group + 23), ARGV[4], now, group)
      claimed = claimed + 1
    end
    if #members == 0 then
      fifo_refresh(k.fifo, k.groups, k.locked, group)
    end
  end
else
  local popped = redis.call('ZPOPMIN', k.ready, max)
  for i = 1, #popped, 2 do
    to_outbox(k, popped[i], ARGV[4], now, '')
    claimed = claimed + 1
  end
end
return {S.OK, claimed}
