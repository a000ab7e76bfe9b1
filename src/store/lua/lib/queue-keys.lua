-- A queue's message keys, as every message script receives them, and its visible messages.

-- Every message script receives the same KEYS, in this order (keys.ts messageKeys):
--  1 meta, 2 body, 3 info, 4 ready, 5 delayed, 6 inflight, 7 sent, 8 outbox, 9 outbox destinations,
--  10 moved (ids accepted from other queues), and for a FIFO queue only: 11 fifo, 12 groups,
--  13 locked, 14 dedup, 15 dedup ids, 16 attempts, 17 attempt expiry.
-- The caller says which kind of queue it is (scripts for one kind pass true or false, the others
-- a flag of their ARGV); the FIFO keys are set in the table only for a FIFO queue.
local function queue_keys(fifo)
  if #KEYS ~= (fifo and 17 or 10) then
    -- level 2: the error names the line of the script that called queue_keys
    error('expected the ' .. (fifo and 17 or 10) .. ' message keys, got ' .. #KEYS, 2)
  end
  local k = {
    meta = KEYS[1], body = KEYS[2], info = KEYS[3], ready = KEYS[4], delayed = KEYS[5],
    inflight = KEYS[6], sent = KEYS[7], outbox = KEYS[8], outboxdest = KEYS[9], moved = KEYS[10],
  }
  if fifo then
    k.fifo, k.groups, k.locked = KEYS[11], KEYS[12], KEYS[13]
    k.dedup, k.dedupids, k.attempts, k.attemptexp = KEYS[14], KEYS[15], KEYS[16], KEYS[17]
  end
  return k
end

-- Messages visible at `now` (available, plus delayed and in-flight ones whose time has come, which
-- the next receive makes available), given the available set (ready or fifo), delayed and inflight.
local function count_visible(available, delayed, inflight, now)
  return redis.call('ZCARD', available) + redis.call('ZCOUNT', delayed, '-inf', now)
    + redis.call('ZCOUNT', inflight, '-inf', now)
end
