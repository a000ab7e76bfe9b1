import type { AddPermissionRequest } from '@aws-sdk/client-sqs';
import { addStatement, validatePermission } from '../sqs/policy.js';
import { type ActionContext, queueOf } from './context.js';
import { editPolicy } from './edit-policy.js';

export async function addPermission(input: AddPermissionRequest, ctx: ActionContext): Promise<object> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const label = input.Label ?? '';
  const accounts = input.AWSAccountIds ?? [];
  const actions = input.Actions ?? [];
  validatePermission(label, accounts, actions);
  await editPolicy(ctx, q, (current, arn) => addStatement(current, arn, label, accounts, actions));
  return {};
}
