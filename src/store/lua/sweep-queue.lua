-- One small step of the background sweeper on one queue: removes messages past the retention
-- period, deduplication ids and receive attempt ids past their 5 minutes, and records of moved
-- ids past their lifetime. Bounded work per call.
-- KEYS: the message keys (lib.lua)
-- ARGV: 1 now (ms), 2 max items of each kind, 3 lifetime of moved-id records (ms)
-- Returns: {messages removed, other items removed, outbox size, time of the oldest outbox entry}
--          or 0 when the queue does not exist
local k = queue_keys()
local retention = redis.call('HGET', k.meta, 'MessageRetentionPeriod')
if not retention then
  return 0
end
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
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
for _, id in ipairs(redis.call('ZRANGEBYSCORE', k.moved, '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, limit)) do
  redis.call('ZREM', k.moved, id)
  other = other + 1
end
local oldest = redis.call('ZRANGE', k.outbox, 0, 0)[1]
local oldestMs = -1
if oldest then
  oldestMs = tonumber(string.match(redis.call('HGET', k.outboxdest, oldest) or '', '|(%d+)$') or '-1')
end
return {removed, other, redis.call('ZCARD', k.outbox), string.format('%d', oldestMs)}
