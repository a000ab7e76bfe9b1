/**
 * The clients of the benchmark share one interface: call an SQS action with its JSON input and get
 * its output, recording the latency of each request in the client's current Recorder. Each speaks
 * AWS JSON 1.0 or, with `protocol: 'query'`, the query protocol (protocols.mjs; sdk: the query-era
 * SDK installed as client-sqs-query).
 *   raw  - HTTP/1.1 on a keep-alive pool of node:net sockets, one request per socket at a time
 *   http - node:http with a keep-alive http.Agent
 *   sdk  - @aws-sdk/client-sqs
 */

/**
 * @typedef {object} SqsClient
 * @property {(action: string, input: object) => Promise<any>} call One SQS action; resolves with its output.
 * @property {import('./stats.mjs').Recorder | undefined} recorder Where latencies go; set per measurement.
 * @property {() => void} close Ends every connection (pending requests fail).
 */

/**
 * @typedef {{ endpoint: URL, maxSockets: number, timeoutMs?: number, protocol?: 'json' | 'query' }} ClientSpec
 *   protocol: AWS JSON 1.0 (the default) or the query protocol (form-encoded request, XML response)
 */

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
 * The error of a JSON 1.0 error response.
 * @param {string} action
 * @param {number} status
 * @param {string} text
 */
export function responseError(action, status, text) {
  try {
    const body = JSON.parse(text);
    const type = String(body.__type ?? body.code ?? 'UnknownError');
    return new RequestError(
      action,
      type.slice(type.lastIndexOf('#') + 1),
      status,
      String(body.message ?? body.Message ?? ''),
    );
  } catch {
    return new RequestError(action, 'UnparsableError', status, text.slice(0, 200));
  }
}
