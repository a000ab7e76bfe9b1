-- Lists messages waiting in the outbox to be moved to another queue (read-only).
-- KEYS: the message keys (lib.lua)
-- ARGV: 1 max entries, 2 only entries put there at or before this time (ms); oldest first
-- Returns: {id, destination, payload ('' if gone), info ('' if gone), sent time, ...}
local k = queue_keys()
local out = {}
local last = tonumber(ARGV[2]) * 1000 + 999
for _, id in ipairs(redis.call('ZRANGEBYSCORE', k.outbox, '-inf', last, 'LIMIT', 0, tonumber(ARGV[1]))) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', k.outboxdest, id) or ''
  out[#out + 1] = redis.call('HGET', k.body, id) or ''
  out[#out + 1] = redis.call('HGET', k.info, id) or ''
  out[#out + 1] = redis.call('ZSCORE', k.sent, id) or '0'
end
return out
