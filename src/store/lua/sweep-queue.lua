-- One small step of the background sweeper on one queue: removes messages past the retention
-- period, deduplication ids and receive attempt ids past their 5 minutes, and records of moved
-- ids past their lifetime. Bounded work per call.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 FIFO queue (1|0), 2 now (ms), 3 max items of each kind, 4 lifetime of moved-id records (ms)
-- Returns: {MISSING} | {OK, messages removed, other items removed, outbox size, time of the oldest
--          outbox entry (-1: none), id of the queue's active move task ('' = none)}
local k = queue_keys(ARGV[1] == '1')
local meta = redis.call('HMGET', k.meta, 'MessageRetentionPeriod', '_movetask')
local retention = meta[1]
if not retention then
  return {S.MISSING}
end
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local removed, other = 0, 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', k.sent, '-inf', '(' .. (now - tonumber(retention) * 1000), 'LIMIT', 0, limit)) do
  removed = removed + remove_message(k, id)
  redis.call('ZREM', k.sent, id)
end
if k.fifo then
  for _, key in ipairs(redis.call('ZRANGEBYSCORE', k.dedup, '-inf', now, 'LIMIT', 0, limit)) do
    redis.call('ZREM', k.dedup, key)
    redis.call('HDEL', k.dedupids, key)
    other = other + 1
  end
  for _, key in ipairs(redis.call('ZRANGEBYSCORE', k.attemptexp, '-inf', now, 'LIMIT', 0, limit)) do
    redis.call('ZREM', k.attemptexp, key)
    redis.call('HDEL', k.attempts, key)
    other = other + 1
  end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', k.moved, '-inf', now - tonumber(ARGV[4]), 'LIMIT', 0, limit)) do
  redis.call('ZREM', k.moved, id)
  other = other + 1
end
local oldest = redis.call('ZRANGE', k.outbox, 0, 0)[1]
local oldestMs = -1
if oldest then
  oldestMs = tonumber(string.match(redis.call('HGET', k.outboxdest, oldest) or '', '|(%d+)$') or '-1')
end
return {S.OK, removed, other, redis.call('ZCARD', k.outbox), string.format('%d', oldestMs), meta[2] or ''}
