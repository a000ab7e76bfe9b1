/**
 * The lean client: AWS JSON 1.0 over node:http with a keep-alive agent. No signing (redsqs and
 * the usual emulators do not check signatures), no retries, one JSON.stringify per request.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** A request the service answered with an error, or that failed on the wire. */
export class RequestError extends Error {
  /**
   * @param {string} action
   * @param {string} code AWS error code, or the network error code
   * @param {number} status HTTP status, 0 on a network error
   * @param {string} message
   */
  constructor(action, code, status, message) {
    super(`${action}: ${code}${status ? ` (HTTP ${status})` : ''}: ${message}`);
    this.code = code;
    this.status = status;
  }
}

/**
 * @typedef {object} SqsClient
 * @property {(action: string, input: object) => Promise<any>} call One SQS action; resolves with its output.
 * @property {import('./stats.mjs').Recorder | undefined} recorder Where latencies go; set per measurement.
 * @property {() => void} close Ends every connection (pending requests fail).
 */

/** @param {string} text */
function errorCodeOf(text) {
  try {
    const body = JSON.parse(text);
    const type = String(body.__type ?? body.code ?? 'UnknownError');
    return { code: type.slice(type.lastIndexOf('#') + 1), message: String(body.message ?? body.Message ?? '') };
  } catch {
    return { code: 'UnparsableError', message: text.slice(0, 200) };
  }
}

/**
 * @param {{ endpoint: URL, maxSockets: number, timeoutMs?: number }} options
 * @returns {SqsClient}
 */
export function createRawClient({ endpoint, maxSockets, timeoutMs = 60_000 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  const host = endpoint.hostname;
  const port = Number(endpoint.port || 80);
  const path = endpoint.pathname || '/';

  /** @type {SqsClient} */
  const client = {
    recorder: undefined,
    call(action, input) {
      const payload = JSON.stringify(input);
      const target = `AmazonSQS.${action}`;
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
            headers: {
              'Content-Type': 'application/x-amz-json-1.0',
              'X-Amz-Target': target,
              'Content-Length': Buffer.byteLength(payload),
            },
          },
          (res) => {
            /** @type {Buffer[]} */
            const chunks = [];
            res.on('data', (chunk) => chunks.push(chunk));
            res.on('error', (err) => fail(new RequestError(action, 'ResponseAborted', 0, err.message)));
            res.on('end', () => {
              const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
              const status = res.statusCode ?? 0;
              if (status !== 200) {
                const { code, message } = errorCodeOf(text);
                fail(new RequestError(action, code, status, message));
                return;
              }
              client.recorder?.record(action, performance.now() - started);
              try {
                resolve(text === '' ? {} : JSON.parse(text));
              } catch {
                fail(new RequestError(action, 'UnparsableResponse', status, text.slice(0, 200)));
              }
            });
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', (err) => {
          const code = /** @type {NodeJS.ErrnoException} */ (err).code ?? 'NetworkError';
          fail(new RequestError(action, code, 0, err.message));
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
