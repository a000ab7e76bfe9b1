/**
 * The AWS SDK client (@aws-sdk/client-sqs) behind the same interface as the raw client: what
 * applications actually pay per request (serialization, signing, MD5 checks, middleware).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import * as sqs from '@aws-sdk/client-sqs';
import { RequestError } from './client.mjs';

/**
 * @param {import('./client.mjs').ClientSpec} spec
 * @returns {import('./client.mjs').SqsClient}
 */
export function createSdkClient({ endpoint, maxSockets, timeoutMs = 60_000 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  const sdk = new sqs.SQSClient({
    endpoint: endpoint.origin,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
    requestHandler: { httpAgent: agent, requestTimeout: timeoutMs },
  });
  /** @type {Map<string, new (input: object) => any>} */
  const commands = new Map();
  const commandOf = (/** @type {string} */ action) => {
    let Command = commands.get(action);
    if (!Command) {
      Command = /** @type {any} */ (sqs)[`${action}Command`];
      if (!Command) throw new Error(`the SDK has no ${action}Command`);
      commands.set(action, /** @type {any} */ (Command));
    }
    return /** @type {new (input: object) => any} */ (Command);
  };

  /** @type {import('./client.mjs').SqsClient} */
  const client = {
    recorder: undefined,
    async call(action, input) {
      const Command = commandOf(action);
      const started = performance.now();
      try {
        const output = await sdk.send(new Command(input));
        client.recorder?.record(action, performance.now() - started);
        return output;
      } catch (err) {
        const e = /** @type {any} */ (err);
        const wrapped = new RequestError(
          action,
          String(e?.name ?? e?.code ?? 'Error'),
          Number(e?.$metadata?.httpStatusCode ?? 0),
          String(e?.message ?? err),
        );
        client.recorder?.error(action, wrapped.code);
        throw wrapped;
      }
    },
    close() {
      sdk.destroy();
      agent.destroy();
    },
  };
  return client;
}
