-- Reads a queue's stored attributes, its message counts and the enqueue time of its oldest message
-- (read-only).
-- KEYS: 1 meta, 2 available messages (ready, or fifo on a FIFO queue), 3 delayed, 4 inflight, 5 sent
-- ARGV: 1 now (ms)
-- Returns: {MISSING} | {OK, visible, notVisible, delayed, oldest enqueue time (ms; '' = no message),
--          name1, value1, ...}
local meta = redis.call('HGETALL', KEYS[1])
if #meta == 0 then
  return {S.MISSING}
end
local now = ARGV[1]
local oldest = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')[2] or ''
local out = {
  S.OK,
  count_visible(KEYS[2], KEYS[3], KEYS[4], now),
  redis.call('ZCOUNT', KEYS[4], '(' .. now, '+inf'),
  redis.call('ZCOUNT', KEYS[3], '(' .. now, '+inf'),
  oldest,
}
for i = 1, #meta do
  out[#out + 1] = meta[i]
end
return out
