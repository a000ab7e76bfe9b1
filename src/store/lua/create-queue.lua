-- Creates a queue, or confirms that an identical one exists.
-- KEYS: 1 meta hash, 2 tags hash, 3 deletion tombstone (value: until when the name is blocked, ms)
-- ARGV: 1 now (ms), 2 number of stored attribute pairs S, then S name/value pairs (defaults
--       merged with the request), then number of requested pairs R and R pairs (what the caller
--       asked for, compared with an existing queue; '' = must be absent), then number of tag pairs
--       T and T pairs
-- Returns: {OK} created | {EXISTS} exists with the same attributes | {DIFFERS, name} exists,
--          attribute differs | {DELETED_RECENTLY} the name is blocked after a delete
local now = ARGV[1]
local s = tonumber(ARGV[2])
local rpos = 3 + 2 * s
local r = tonumber(ARGV[rpos])
local tpos = rpos + 1 + 2 * r
local t = tonumber(ARGV[tpos])

if redis.call('EXISTS', KEYS[1]) == 1 then
  for i = 0, r - 1 do
    local name = ARGV[rpos + 1 + 2 * i]
    if (redis.call('HGET', KEYS[1], name) or '') ~= ARGV[rpos + 2 + 2 * i] then
      return {S.DIFFERS, name}
    end
  end
  return {S.EXISTS}
end
local blocked = redis.call('GET', KEYS[3])
if blocked and tonumber(blocked) and tonumber(blocked) > tonumber(now) then
  return {S.DELETED_RECENTLY}
end

local fields = {'_created', now, '_modified', now, '_seq', 0}
for i = 0, s - 1 do
  fields[#fields + 1] = ARGV[3 + 2 * i]
  fields[#fields + 1] = ARGV[4 + 2 * i]
end
redis.call('HSET', KEYS[1], unpack(fields))
if t > 0 then
  local tags = {}
  for i = 1, 2 * t do
    tags[i] = ARGV[tpos + i]
  end
  redis.call('HSET', KEYS[2], unpack(tags))
end
return {S.OK}
