/**
 * The AWS SDK client (@aws-sdk/client-sqs) behind the same interface as the raw client: what
 * applications actually pay per request (serialization, signing, MD5 checks, middleware). With
 * `--protocol query`, the last SDK of the query era (3.445, installed as client-sqs-query).
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import * as sqsJson from '@aws-sdk/client-sqs';
import * as sqsQuery from 'client-sqs-query';
import { RequestError } from './client.mjs';

/** @returns {new (options: object) => any} the NodeHttpHandler of the query-era SDK */
function queryHttpHandler() {
  const require = createRequire(createRequire(import.meta.url).resolve('client-sqs-query'));
  return require('@smithy/node-http-handler').NodeHttpHandler;
}

/**
 * @param {import('./client.mjs').ClientSpec} spec
 * @returns {import('./client.mjs').SqsClient}
 */
export function createSdkClient({ endpoint, maxSockets, timeoutMs = 60_000, protocol = 'json' }) {
  const sqs = /** @type {typeof sqsJson} */ (protocol === 'query' ? sqsQuery : sqsJson);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  const options = { httpAgent: agent, requestTimeout: timeoutMs };
  const sdk = new sqs.SQSClient({
    endpoint: endpoint.origin,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
    // The 3.445 SDK takes a handler, not its options: its own NodeHttpHandler, from its dependencies.
    requestHandler: protocol === 'query' ? new (queryHttpHandler())(options) : options,
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
