-- Reads a queue's stored attributes and its message counts (read-only).
-- KEYS: the message keys (lib.lua)
-- ARGV: 1 now (ms)
-- Returns: 0 no such queue | {visible, notVisible, delayed, name1, value1, ...}
local meta = redis.call('HGETALL', KEYS[1])
if #meta == 0 then
  return 0
end
local now = ARGV[1]
local visible = redis.call('ZCARD', KEYS[4]) + redis.call('ZCARD', KEYS[8])
  + redis.call('ZCOUNT', KEYS[5], '-inf', now)
  + redis.call('ZCOUNT', KEYS[6], '-inf', now)
local out = {
  visible,
  redis.call('ZCOUNT', KEYS[6], '(' .. now, '+inf'),
  redis.call('ZCOUNT', KEYS[5], '(' .. now, '+inf'),
}
for i = 1, #meta do
  out[#out + 1] = meta[i]
end
return out
