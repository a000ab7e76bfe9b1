-- Ends the move of outbox messages: 'done' removes a message that the receiving queue now holds;
-- 'return' puts it back among this queue's available messages (the move cannot happen).
-- KEYS: the message keys (lib.lua)
-- ARGV: pairs: id, 'done' | 'return'
-- Returns: number of outbox entries ended
local k = queue_keys()
local ended = 0
for i = 1, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('ZREM', k.outbox, id) == 1 then
    ended = ended + 1
    redis.call('HDEL', k.outboxdest, id)
    local info = redis.call('HGET', k.info, id)
    if ARGV[i + 1] == 'done' then
      redis.call('HDEL', k.body, id)
      redis.call('HDEL', k.info, id)
      redis.call('ZREM', k.sent, id)
    elseif info then
      local seq, _, _, _, _, group = parse_info(info)
      make_available(k, id, seq, group)
    end
  end
end
return ended
