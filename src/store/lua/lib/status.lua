-- The status vocabulary of every script's reply: its first value is one of these (and per-entry
-- results of batch scripts are too). Its TS twin is S in scripts/status.ts; a test compares them.
local S = {
  OK = 1, -- done or found; what follows depends on the script
  MISSING = 2, -- no such queue
  EMPTY = 3, -- receive: no message to give now
  EXISTS = 4, -- create-queue: an identical queue exists
  DIFFERS = 5, -- create-queue: the queue exists with another value of an attribute
  DELETED_RECENTLY = 6, -- create-queue: the name is blocked after a delete
  CONFLICT = 7, -- swap-queue-attribute: the value changed meanwhile
  TOO_SOON = 8, -- purge-queue: the last purge was too recent
  TOO_MANY = 9, -- tag-queue: more tags than allowed; receive-messages: too many messages in flight
  OVER_LIMIT = 10, -- change-visibility: total visibility since the receive over the limit
  BUSY = 11, -- start-move-task: a task is active
  NO_TASK = 12, -- update-move-task: no such task
  WRONG_STATUS = 13, -- update-move-task: the task is not in the required status
  HELD = 14, -- lease: another owner holds it
  BACKWARDS = 15, -- clock: a time earlier than now
  PAST_END = 16, -- clock: past the last time a JavaScript Date holds
  DUPLICATE = 17, -- send-fifo-messages: deduplicated; accept-moved: accepted before
  TOO_LARGE = 18, -- send: larger than MaximumMessageSize
  NO_DEDUP_ID = 19, -- send-fifo-messages: no deduplication id
  GONE = 20, -- delete, change-visibility: no such message (change-visibility, FIFO: or not this handle)
  EXPIRED = 21, -- delete, change-visibility: a FIFO handle whose receive is over
  NOT_INFLIGHT = 22, -- change-visibility: the message is on its way to another queue
}
