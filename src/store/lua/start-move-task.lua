-- Starts a message move task on this (dead-letter) queue unless one is active.
-- KEYS: 1 meta, 2 the tasks hash, 3 available messages (ready, or fifo on a FIFO queue),
--       4 delayed, 5 inflight
-- ARGV: 1 now (ms), 2 task id, 3 task JSON (status RUNNING; counts are filled in here)
-- Returns: {MISSING} | {BUSY} a task is already active | {OK, the stored task JSON}
local meta, tasks = KEYS[1], KEYS[2]
if redis.call('EXISTS', meta) == 0 then
  return {S.MISSING}
end
local active = redis.call('HGET', meta, '_movetask')
if active then
  local current = redis.call('HGET', tasks, active)
  if current then
    local status = cjson.decode(current).Status
    if status == 'RUNNING' or status == 'CANCELLING' then
      return {S.BUSY}
    end
  end
end
local task = cjson.decode(ARGV[3])
task.ApproximateNumberOfMessagesToMove = count_visible(KEYS[3], KEYS[4], KEYS[5], ARGV[1])
task.ApproximateNumberOfMessagesMoved = 0
local json = cjson.encode(task)
redis.call('HSET', tasks, ARGV[2], json)
redis.call('HSET', meta, '_movetask', ARGV[2])
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
return {S.OK, json}
