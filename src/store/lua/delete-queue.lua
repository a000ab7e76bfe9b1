-- Deletes a queue and all its messages (UNLINK frees large keys in the background).
-- KEYS: 1 tombstone, then every other key of the queue, meta first
-- ARGV: 1 until when the name stays blocked, in ms of the service's clock (0: not at all),
--       2 how long Redis keeps the tombstone (ms of real time; longer than the block, so that a
--       virtual clock that runs slow or stands still still finds it), 3 the queue's wake channel
-- Returns: {OK} deleted | {MISSING}
if redis.call('EXISTS', KEYS[2]) == 0 then
  return {S.MISSING}
end
redis.call('UNLINK', unpack(KEYS, 2))
if tonumber(ARGV[1]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
-- Long polls on the queue, on every instance, look again now (and find it gone).
redis.call('PUBLISH', ARGV[3], '0 0')
return {S.OK}
