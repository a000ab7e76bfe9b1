-- Changes the visibility timeout of received messages, counted from now.
-- As in SQS, on a standard queue any handle of a message that still exists changes it: one from an
-- earlier receive too (a consumer can end the visibility of a message another receive holds), and
-- after its visibility timeout ended: the message is hidden again (taken back from the available
-- messages if a receive already moved it there). On a FIFO queue only the latest handle does, and
-- it expires with the timeout ("The receipt handle has expired"), as for DeleteMessage.
-- KEYS: the message keys (lib/queue-keys.lua)
-- ARGV: 1 FIFO queue (1|0), 2 now (ms), 3 limit of total visibility since receive (ms), 4 wake
--       channel (gets 'visibleAtMs count' when a message becomes visible sooner than before), then
--       triples: id, receipt token, visibility ms
-- Returns: {MISSING} | {OK, status per triple}: OK changed, NOT_INFLIGHT (never received, or on its
--          way to another queue), GONE no such message (FIFO: or the handle is from an earlier receive),
--          OVER_LIMIT total visibility over the limit, EXPIRED a FIFO handle whose timeout ended
local k = queue_keys(ARGV[1] == '1')
if redis.call('EXISTS', k.meta) == 0 then
  return {S.MISSING}
end
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local out = {S.OK}
local sooner, count = -1, 0
for i = 5, #ARGV, 3 do
  local id = ARGV[i]
  local visibility = tonumber(ARGV[i + 2])
  local info = redis.call('HGET', k.info, id)
  local deadline = tonumber(redis.call('ZSCORE', k.inflight, id) or '-1')
  local token, received, receives
  if info then
    local _, c, _, t, r = parse_info(info)
    token, received, receives = t, r, c
  end
  local known = info and (not k.fifo or token == ARGV[i + 1])
  -- Standard queue: a message whose timeout ended and that a receive moved back to `ready`. One in
  -- `ready` that was never received is not in flight (and has no receive to count the limit from).
  local available = false
  if known and deadline < 0 and not k.fifo and receives ~= '0' then
    available = redis.call('ZSCORE', k.ready, id) ~= false
  end
  if not known then
    out[#out + 1] = S.GONE
  elseif k.fifo and deadline <= now then
    out[#out + 1] = S.EXPIRED
  elseif deadline < 0 and not available then
    out[#out + 1] = S.NOT_INFLIGHT
  else
    -- SQS counts whole seconds since the receive
    local elapsed = math.floor((now - tonumber(received)) / 1000) * 1000
    if elapsed + visibility > limit then
      out[#out + 1] = S.OVER_LIMIT
    elseif available then
      -- Hidden again; with 0 it simply stays available.
      if visibility > 0 then
        redis.call('ZREM', k.ready, id)
        redis.call('ZADD', k.inflight, now + visibility, id)
      end
      out[#out + 1] = S.OK
    else
      redis.call('ZADD', k.inflight, now + visibility, id)
      if now + visibility < deadline then
        count = count + 1
        if sooner < 0 or now + visibility < sooner then
          sooner = now + visibility
        end
      end
      out[#out + 1] = S.OK
    end
  end
end
if count > 0 then
  redis.call('PUBLISH', ARGV[4], string.format('%d %d', sooner, count))
end
return out
