-- Reads a queue's stored attributes and its message counts (read-only).
-- KEYS: 1 meta, 2 ready (the fifo set on a FIFO queue), 3 delayed, 4 inflight
-- ARGV: 1 now (ms)
-- Returns: 0 no such queue | {visible, notVisible, delayed, name1, value1, ...}
local meta = redis.call('HGETALL', KEYS[1])
if #meta == 0 then
  return 0
end
local now = ARGV[1]
local visible = redis.call('ZCARD', KEYS[2])
  + redis.call('ZCOUNT', KEYS[3], '-inf', now)
  + redis.call('ZCOUNT', KEYS[4], '-inf', now)
local out = {
  visible,
  redis.call('ZCOUNT', KEYS[4], '(' .. now, '+inf'),
  redis.call('ZCOUNT', KEYS[3], '(' .. now, '+inf'),
}
for i = 1, #meta do
  out[#out + 1] = meta[i]
end
return out
