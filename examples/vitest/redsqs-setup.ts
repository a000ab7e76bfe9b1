import { type Redsqs, startRedsqs } from 'redsqs';

let redsqs: Redsqs;

export async function setup(): Promise<void> {
  redsqs = await startRedsqs(); // a free port, its own Redis, ready when this returns
  // The AWS SDKs read AWS_ENDPOINT_URL_SQS: application code needs no change.
  process.env.AWS_ENDPOINT_URL_SQS = redsqs.url;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
}

export async function teardown(): Promise<void> {
  await redsqs?.stop();
}
