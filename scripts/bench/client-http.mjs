/** The node:http client: AWS JSON 1.0 (or query) over a keep-alive http.Agent (compare with the raw client). */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { RequestError } from './client.mjs';
import { codecOf } from './protocols.mjs';

/**
 * @param {import('./client.mjs').ClientSpec} spec
 * @returns {import('./client.mjs').SqsClient}
 */
export function createHttpClient({ endpoint, maxSockets, timeoutMs = 60_000, protocol = 'json' }) {
  const codec = codecOf(protocol);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  const host = endpoint.hostname;
  const port = Number(endpoint.port || 80);
  const path = endpoint.pathname || '/';

  /** @type {import('./client.mjs').SqsClient} */
  const client = {
    recorder: undefined,
    call(action, input) {
      const payload = codec.body(action, input);
      /** @type {Record<string, string | number>} */
      const headers = { 'Content-Length': Buffer.byteLength(payload) };
      for (const line of codec.headers(action).split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
      }
      return new Promise((resolve, reject) => {
        const started = performance.now();
        const fail = (/** @type {RequestError} */ err) => {
          client.recorder?.error(action, err.code);
          reject(err);
        };
        const req = http.request(
          {
            agent,
            host,
            port,
            path,
            method: 'POST',
            headers,
          },
          (res) => {
            /** @type {Buffer[]} */
            const chunks = [];
            res.on('data', (chunk) => chunks.push(chunk));
            res.on('error', (err) => fail(new RequestError(action, 'ResponseAborted', 0, err.message)));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              const status = res.statusCode ?? 0;
              if (status !== 200) return fail(codec.error(action, status, text));
              client.recorder?.record(action, performance.now() - started);
              try {
                resolve(codec.output(action, text));
              } catch {
                fail(new RequestError(action, 'UnparsableResponse', status, text.slice(0, 200)));
              }
            });
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', (err) => {
          fail(
            new RequestError(action, /** @type {NodeJS.ErrnoException} */ (err).code ?? 'NetworkError', 0, err.message),
          );
        });
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
  return client;
}
