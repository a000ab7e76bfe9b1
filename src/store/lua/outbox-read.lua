-- Lists messages waiting in the outbox to be moved to another queue, in the order they entered
-- (read-only).
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 FIFO queue (1|0), 2 max entries, 3 only entries that entered at or before this time (ms)
-- Returns: {OK, id, destination, move token, payload ('' if gone), info ('' if gone), sent time,
--          ...} six per entry (none when the queue does not exist)
local k = queue_keys(ARGV[1] == '1')
local before = tonumber(ARGV[3])
local out = {S.OK}
for _, id in ipairs(redis.call('ZRANGE', k.outbox, 0, tonumber(ARGV[2]) - 1)) do
  local dest, token, at = string.match(redis.call('HGET', k.outboxdest, id) or '', '^(.*)|(%d+)|(%d+)$')
  if dest and tonumber(at) <= before then
    out[#out + 1] = id
    out[#out + 1] = dest
    out[#out + 1] = token
    out[#out + 1] = redis.call('HGET', k.body, id) or ''
    out[#out + 1] = redis.call('HGET', k.info, id) or ''
    out[#out + 1] = redis.call('ZSCORE', k.sent, id) or '0'
  end
end
return out
