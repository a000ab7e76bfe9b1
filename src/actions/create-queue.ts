import type { CreateQueueRequest, CreateQueueResult } from '@aws-sdk/client-sqs';
import type { QueueAttributes } from '../domain.js';
import { invalidParameter, SqsError } from '../errors.js';
import { MAX_QUEUE_NAME_LENGTH } from '../sqs/limits.js';
import {
  FIFO_DEFAULTS,
  normalizeAttributes,
  STANDARD_DEFAULTS,
  validateAttributes,
  withEncryptionSwitch,
} from '../sqs/queue-attributes.js';
import { isFifoName, validateQueueName } from '../sqs/queue-names.js';
import { parseRedriveAllowPolicy, parseRedrivePolicy } from '../sqs/redrive.js';
import { validateTags } from '../sqs/tags.js';
import { type ActionContext, urlOf } from './context.js';
import { checkRedrive, withDeadLetterSource } from './redrive-check.js';

const FIFO_NAME_RULE = `The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to ${MAX_QUEUE_NAME_LENGTH} in length.`;

/**
 * The checks of a CreateQueue request that need no storage: name, attributes and their pairs,
 * policies' syntax, tags. The configuration file's queues go through them before anything starts.
 */
export function validateCreateQueue(input: CreateQueueRequest): {
  name: string;
  requested: QueueAttributes;
  tags: Record<string, string>;
} {
  const name = input.QueueName ?? '';
  validateQueueName(name);
  const requested: QueueAttributes = { ...(input.Attributes ?? {}) };
  const fifo = isFifoName(name);
  if (requested.FifoQueue === 'true' && !fifo) throw invalidParameter(FIFO_NAME_RULE);
  if (fifo && requested.FifoQueue !== 'true') throw invalidParameter(FIFO_NAME_RULE);
  validateAttributes(requested, fifo);
  // Pairs of attributes are checked against the defaults too: FifoThroughputLimit=perMessageGroupId
  // alone is refused, as the default DeduplicationScope is queue.
  if (fifo && requested.FifoThroughputLimit === 'perMessageGroupId' && requested.DeduplicationScope === undefined) {
    validateAttributes({ ...requested, DeduplicationScope: FIFO_DEFAULTS.DeduplicationScope ?? 'queue' }, fifo);
  }
  const tags = input.tags ?? {};
  validateTags(tags);
  if (requested.RedriveAllowPolicy) parseRedriveAllowPolicy(requested.RedriveAllowPolicy);
  if (requested.RedrivePolicy) parseRedrivePolicy(requested.RedrivePolicy);
  return { name, requested, tags };
}

export async function createQueue(input: CreateQueueRequest, ctx: ActionContext): Promise<CreateQueueResult> {
  const { name, requested, tags } = validateCreateQueue(input);
  const fifo = isFifoName(name);

  const q = { account: ctx.account, name };
  const redrive = await checkRedrive(ctx, q, normalizeAttributes(requested));
  const normalized: QueueAttributes = {};
  for (const [k, v] of Object.entries(redrive.attributes)) if (!k.startsWith('_')) normalized[k] = v;
  const stored: QueueAttributes = { ...(fifo ? FIFO_DEFAULTS : STANDARD_DEFAULTS) };
  for (const [k, v] of Object.entries(withEncryptionSwitch(redrive.attributes))) {
    if (v === '') delete stored[k];
    else stored[k] = v;
  }

  const result = await withDeadLetterSource(ctx, redrive, q, () =>
    ctx.store.createQueue(q, stored, normalized, tags, ctx.now()),
  );
  switch (result.status) {
    case 'differs':
      throw new SqsError(
        'QueueNameExists',
        `A queue already exists with the same name and a different value for attribute ${result.attribute}`,
      );
    case 'deleted-recently':
      throw new SqsError(
        'QueueDeletedRecently',
        `You must wait ${ctx.config.deleteCooldownSeconds} seconds after deleting a queue before you can create another with the same name.`,
      );
    default:
      return { QueueUrl: urlOf(ctx, q) };
  }
}
