-- Deletes one message by its id, whatever its state: available, delayed, in flight or on its way
-- to another queue (the dashboard's delete; a peek gives no receipt handle). A FIFO message that
-- held its group (in flight, or in the outbox) releases it; then the queue's long polls are woken,
-- since the group's next message may be received now.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 FIFO queue (1|0), 2 now (ms), 3 the queue's wake channel, 4 message id
-- Returns: {OK} deleted | {GONE} no such message | {MISSING}
local k = queue_keys(ARGV[1] == '1')
if redis.call('EXISTS', k.meta) == 0 then
  return {S.MISSING}
end
local id = ARGV[4]
local held = false
if k.fifo then
  held = redis.call('ZSCORE', k.inflight, id) ~= false or redis.call('ZSCORE', k.outbox, id) ~= false
end
if remove_message(k, id) == 0 then
  return {S.GONE}
end
if held then
  redis.call('PUBLISH', ARGV[3], ARGV[2] .. ' 1')
end
return {S.OK}
