import { startRedsqs } from 'redsqs';

export default async function setup() {
  const redsqs = await startRedsqs(); // a free port, its own Redis, ready when this returns
  globalThis.__REDSQS__ = redsqs; // for the teardown, which runs in this same process
  // The AWS SDKs read AWS_ENDPOINT_URL_SQS: application code needs no change.
  process.env.AWS_ENDPOINT_URL_SQS = redsqs.url;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
}
