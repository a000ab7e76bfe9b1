/**
 * The two SDK generations the integration suite runs against: the current @aws-sdk/client-sqs
 * (AWS JSON 1.0) and 3.445.0, the last release before the JSON switch (query/XML), installed
 * under the alias client-sqs-query. Their aggregated SQS clients have the same methods.
 */
import { SQS } from '@aws-sdk/client-sqs';
import { SQS as QuerySQS } from 'client-sqs-query';

export type Protocol = 'json' | 'query';
export const PROTOCOLS: Protocol[] = ['json', 'query'];

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export function sqsClient(protocol: Protocol, endpoint: string): SQS {
  const options = { endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
  // The old client's types are structurally those of the new one for every method we call.
  return protocol === 'json' ? new SQS(options) : (new QuerySQS(options) as unknown as SQS);
}

export type SdkError = Error & { code: string; Code?: string; $metadata?: { httpStatusCode?: number } };

/**
 * The error's name as the current SDK reports it. The pre-JSON SDK names an error by its legacy
 * query code when the operation did not model it (e.g. DeleteQueue's
 * AWS.SimpleQueueService.NonExistentQueue), so the legacy names are mapped back.
 */
function normalize(name: string): string {
  if (name === 'AWS.SimpleQueueService.NonExistentQueue') return 'QueueDoesNotExist';
  if (name === 'QueueAlreadyExists') return 'QueueNameExists';
  return name.replace(/^AWS\.SimpleQueueService\./, '');
}

/** Runs `fn` and returns the error it throws, with `code` set to its normalized name. */
export async function errorOf(fn: () => Promise<unknown>): Promise<SdkError> {
  try {
    await fn();
  } catch (err) {
    const e = err as SdkError;
    e.code = normalize(e.name);
    return e;
  }
  throw new Error('expected the call to fail');
}

let counter = 0;
/** A queue name unique within the test run (deleted names are blocked for 60 s, as in SQS). */
export function uniqueName(prefix: string): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}-${Date.now().toString(36)}`.slice(0, 80);
}
