import type { RemovePermissionRequest } from '@aws-sdk/client-sqs';
import { removeStatement } from '../sqs/policy.js';
import { type ActionContext, queueOf } from './context.js';
import { editPolicy } from './edit-policy.js';

export async function removePermission(input: RemovePermissionRequest, ctx: ActionContext): Promise<object> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const label = input.Label ?? '';
  await editPolicy(ctx, q, (current, arn) => removeStatement(current, arn, label));
  return {};
}
