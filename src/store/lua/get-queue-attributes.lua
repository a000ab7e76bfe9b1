-- Reads a queue's stored attributes and its message counts (read-only).
-- KEYS: the message keys (lib.lua)
-- ARGV: 1 now (ms)
-- Returns: 0 no such queue | {visible, notVisible, delayed, name1, value1, ...}
local k = queue_keys()
local meta = redis.call('HGETALL', k.meta)
if #meta == 0 then
  return 0
end
local now = ARGV[1]
local visible = redis.call('ZCARD', k.fifo or k.ready)
  + redis.call('ZCOUNT', k.delayed, '-inf', now)
  + redis.call('ZCOUNT', k.inflight, '-inf', now)
local out = {
  visible,
  redis.call('ZCOUNT', k.inflight, '(' .. now, '+inf'),
  redis.call('ZCOUNT', k.delayed, '(' .. now, '+inf'),
}
for i = 1, #meta do
  out[#out + 1] = meta[i]
end
return out
