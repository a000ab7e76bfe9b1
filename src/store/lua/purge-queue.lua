-- Deletes every message of a queue, available, delayed and in flight. On a FIFO queue it also
-- forgets the deduplication ids and receive attempts: as in SQS, a deduplication id sent right
-- after a purge is enqueued again.
-- KEYS: the message keys (lib.lua)
-- ARGV: 1 now (ms), 2 minimum ms between purges
-- Returns: 1 purged | 0 no such queue | -1 a purge ran too recently
local k = queue_keys()
if redis.call('EXISTS', k.meta) == 0 then
  return 0
end
local last = tonumber(redis.call('HGET', k.meta, '_purged') or '-1')
if last >= 0 and tonumber(ARGV[1]) - last < tonumber(ARGV[2]) then
  return -1
end
redis.call('UNLINK', k.body, k.info, k.ready, k.delayed, k.inflight, k.sent, k.outbox, k.outboxdest)
if k.fifo then
  redis.call('UNLINK', k.fifo, k.groups, k.locked, k.dedup, k.dedupids, k.attempts, k.attemptexp)
end
redis.call('HSET', k.meta, '_purged', ARGV[1])
return 1
