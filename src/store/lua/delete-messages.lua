-- Deletes messages by receipt (message id and the token of the receive that gave the handle).
-- As in SQS, on a standard queue a handle from an earlier receive still deletes; on a FIFO queue
-- it has expired once the message was received again or became visible (it would let the group
-- move on while another consumer holds the message).
-- KEYS: the message keys (lib.lua)
-- ARGV: pairs: message id, receipt token
-- Returns: -1 no such queue | {status, ...} per pair: 1 deleted, 0 already gone, 2 handle expired
local k = queue_keys()
if redis.call('EXISTS', k.meta) == 0 then
  return -1
end
local out = {}
for i = 1, #ARGV, 2 do
  local id = ARGV[i]
  local info = redis.call('HGET', k.info, id)
  if not info then
    out[#out + 1] = 0
  else
    local _, _, _, token = parse_info(info)
    if k.fifo and (token ~= ARGV[i + 1] or not redis.call('ZSCORE', k.inflight, id)) then
      out[#out + 1] = 2
    else
      out[#out + 1] = remove_message(k, id)
    end
  end
end
return out
