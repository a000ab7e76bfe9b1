-- Reads or changes the deployment's clock: an offset from real time, or a frozen instant. The
-- caller passes its real time; the clock never moves backwards.
-- KEYS: 1 the clock hash (fields offset, frozenat (absent while running), version)
-- ARGV: 1 operation: get | advance | set | freeze | unfreeze, 2 the caller's real time (ms),
--       3 advance: ms to add; set: the new time (ms)
-- Returns: {status, offset, frozen (0|1), frozen at (ms, 0 while running), version, now (ms)};
--          status OK done | BACKWARDS set to a time earlier than now | PAST_END a time past the
--          last one a JavaScript Date holds, 8.64e15 ms (nothing changed in either case)
local real = tonumber(ARGV[2])
local offset = tonumber(redis.call('HGET', KEYS[1], 'offset') or '0')
local frozenat = redis.call('HGET', KEYS[1], 'frozenat')
if frozenat then
  frozenat = tonumber(frozenat)
end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
local now = frozenat or (real + offset)
local op = ARGV[1]

local function reply(status)
  return {status, offset, frozenat and 1 or 0, frozenat or 0, version, frozenat or (real + offset)}
end

if op == 'get' then
  return reply(S.OK)
end
local target = now
if op == 'advance' then
  target = now + tonumber(ARGV[3])
elseif op == 'set' then
  target = tonumber(ARGV[3])
  if target < now then
    return reply(S.BACKWARDS)
  end
end
-- Past the last JavaScript Date, times cannot be shown as dates (nor the refusal below).
if target > 8640000000000000 then
  return reply(S.PAST_END)
end
if op == 'freeze' then
  frozenat = now
elseif op == 'unfreeze' then
  frozenat = nil
end
if frozenat then
  frozenat = target
else
  offset = target - real
end
-- Versions order changes across instances and stay above those of a clock deleted by a reset.
version = math.max(version + 1, real)
if frozenat then
  redis.call('HSET', KEYS[1], 'offset', offset, 'frozenat', frozenat, 'version', version)
else
  redis.call('HSET', KEYS[1], 'offset', offset, 'version', version)
  redis.call('HDEL', KEYS[1], 'frozenat')
end
return reply(S.OK)
