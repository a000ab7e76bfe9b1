-- Ends the move of outbox messages: 'done' removes a message that the receiving queue now holds;
-- 'return' puts it back among this queue's available messages (the move cannot happen).
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 FIFO queue (1|0), then pairs: id, 'done' | 'return'
-- Returns: {OK, number of 'done' entries this call ended (a concurrent drain may have ended others),
--          then their ids}
local k = queue_keys(ARGV[1] == '1')
local done = 0
local ended = {}
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  local info = redis.call('HGET', k.info, id)
  local seq, group = '0', ''
  if info then
    local s, _, _, _, _, g = parse_info(info)
    seq, group = s, g
  end
  if redis.call('ZSCORE', k.outbox, id) then
    if ARGV[i + 1] == 'done' then
      leave_outbox(k, id, group)
      redis.call('HDEL', k.body, id)
      redis.call('HDEL', k.info, id)
      redis.call('ZREM', k.sent, id)
      done = done + 1
      ended[done] = id
    else
      if info then
        make_available(k, id, seq, group)
      end
      leave_outbox(k, id, group)
    end
  end
end
local out = {S.OK, done}
for j, id in ipairs(ended) do
  out[2 + j] = id
end
return out
