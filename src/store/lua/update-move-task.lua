-- Records progress or a new status of a message move task.
-- KEYS: 1 meta of the task's source queue, 2 the tasks hash
-- ARGV: 1 task id, 2 messages moved since the last update, 3 new status ('' = unchanged),
--       4 failure reason ('' = none), 5 required current status ('' = any)
-- Returns: {NO_TASK} | {WRONG_STATUS} the task is not in the required status | {OK, the task JSON}
local current = redis.call('HGET', KEYS[2], ARGV[1])
if not current then
  return {S.NO_TASK}
end
local task = cjson.decode(current)
if ARGV[5] ~= '' and task.Status ~= ARGV[5] then
  return {S.WRONG_STATUS}
end
task.ApproximateNumberOfMessagesMoved = task.ApproximateNumberOfMessagesMoved + tonumber(ARGV[2])
if ARGV[3] ~= '' then
  task.Status = ARGV[3]
end
if ARGV[4] ~= '' then
  task.FailureReason = ARGV[4]
end
local json = cjson.encode(task)
redis.call('HSET', KEYS[2], ARGV[1], json)
local done = task.Status == 'COMPLETED' or task.Status == 'CANCELLED' or task.Status == 'FAILED'
if done and redis.call('HGET', KEYS[1], '_movetask') == ARGV[1] then
  redis.call('HDEL', KEYS[1], '_movetask')
end
return {S.OK, json}
