-- Deletes every message of a queue, available, delayed and in flight. On a FIFO queue it also
-- forgets the deduplication ids and receive attempts: as in SQS, a deduplication id sent right
-- after a purge is enqueued again.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 FIFO queue (1|0), 2 now (ms), 3 minimum ms between purges
-- Returns: {OK} purged | {MISSING} | {TOO_SOON} a purge ran too recently
local k = queue_keys(ARGV[1] == '1')
if redis.call('EXISTS', k.meta) == 0 then
  return {S.MISSING}
end
local last = tonumber(redis.call('HGET', k.meta, '_purged') or '-1')
if last >= 0 and tonumber(ARGV[2]) - last < tonumber(ARGV[3]) then
  return {S.TOO_SOON}
end
redis.call('UNLINK', k.body, k.info, k.ready, k.delayed, k.inflight, k.sent, k.outbox, k.outboxdest)
if k.fifo then
  redis.call('UNLINK', k.fifo, k.groups, k.locked, k.dedup, k.dedupids, k.attempts, k.attemptexp)
end
redis.call('HSET', k.meta, '_purged', ARGV[2])
return {S.OK}
