-- Starts a message move task on this (dead-letter) queue unless one is active.
-- KEYS: the message keys (lib.lua), then the tasks hash (FIRST_EXTRA_KEY)
-- ARGV: 1 now (ms), 2 task id, 3 task JSON (status RUNNING; counts are filled in here)
-- Returns: 0 no such queue | -1 a task is already active | the stored task JSON
local k = queue_keys()
local tasks = KEYS[FIRST_EXTRA_KEY]
if redis.call('EXISTS', k.meta) == 0 then
  return 0
end
local active = redis.call('HGET', k.meta, '_movetask')
if active then
  local current = redis.call('HGET', tasks, active)
  if current then
    local status = cjson.decode(current).Status
    if status == 'RUNNING' or status == 'CANCELLING' then
      return -1
    end
  end
end
local now = ARGV[1]
local visible = redis.call('ZCARD', k.fifo or k.ready)
  + redis.call('ZCOUNT', k.delayed, '-inf', now) + redis.call('ZCOUNT', k.inflight, '-inf', now)
local task = cjson.decode(ARGV[3])
task.ApproximateNumberOfMessagesToMove = visible
task.ApproximateNumberOfMessagesMoved = 0
local json = cjson.encode(task)
redis.call('HSET', tasks, ARGV[2], json)
redis.call('HSET', k.meta, '_movetask', ARGV[2])
-- ListMessageMoveTasks shows the 10 most recent tasks; older ones are forgotten.
local all = redis.call('HGETALL', tasks)
if #all > 20 then
  local byAge = {}
  for i = 1, #all, 2 do
    byAge[#byAge + 1] = {all[i], cjson.decode(all[i + 1]).StartedTimestamp or 0}
  end
  table.sort(byAge, function(a, b) return a[2] > b[2] end)
  for i = 11, #byAge do
    redis.call('HDEL', tasks, byAge[i][1])
  end
end
return json
