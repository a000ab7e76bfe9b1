/**
 * The lean client: AWS JSON 1.0 (or the query protocol, `--protocol query`) as HTTP/1.1 on a
 * keep-alive pool of node:net sockets, one request per socket at a time. Each request is one write
 * of a prebuilt head and the body; each response is parsed only as far as needed (status,
 * Content-Length or chunked, Connection: close).
 * No signing (redsqs and the usual emulators do not check signatures) and no retries.
 *
 * Why not http.request: on the 2-core machines of this project node:http's client costs about three
 * times the CPU per request of this one, so with it the client, not the server, set the ceiling.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { RequestError } from './client.mjs';
import { codecOf } from './protocols.mjs';

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/**
 * @typedef {{ action: string, text: string, started: number, resolve: (v: any) => void,
 *   reject: (e: RequestError) => void }} Job
 * @typedef {{ socket: net.Socket, job: Job | undefined, buf: Buffer | undefined, error: Error | undefined,
 *   untilClose: boolean }} Connection
 * @typedef {{ status: number, body: string, end: number, close: boolean }} Response
 */

/**
 * A chunked body starting at `pos`, or undefined while incomplete.
 * @param {Buffer} buf
 * @param {number} pos
 */
function dechunk(buf, pos) {
  /** @type {Buffer[]} */
  const parts = [];
  for (;;) {
    const lineEnd = buf.indexOf(CRLF, pos);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buf.toString('latin1', pos, lineEnd), 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size');
    if (size === 0) {
      const end = buf.indexOf(HEAD_END, lineEnd); // optional trailers, then an empty line
      return end < 0 ? undefined : { body: Buffer.concat(parts).toString('utf8'), end: end + 4 };
    }
    const start = lineEnd + 2;
    if (buf.length < start + size + 2) return undefined;
    parts.push(buf.subarray(start, start + size));
    pos = start + size + 2;
  }
}

/**
 * The response at the start of `buf`, or undefined while incomplete. `untilClose` when the body
 * runs until the server closes the connection (no length, not chunked).
 * @param {Buffer} buf
 * @param {boolean} closed the server closed the connection
 * @returns {Response | 'untilClose' | undefined}
 */
function parseResponse(buf, closed) {
  const headEnd = buf.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  const head = buf.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const start = headEnd + 4;
  const close = /\r\nconnection:[ \t]*close/i.test(head) || head.startsWith('HTTP/1.0');
  const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
  if (length) {
    const end = start + Number(length[1]);
    return buf.length < end ? undefined : { status, body: buf.toString('utf8', start, end), end, close };
  }
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
    const chunked = dechunk(buf, start);
    return chunked && { status, ...chunked, close };
  }
  if (status === 204 || status === 304) return { status, body: '', end: start, close };
  return closed ? { status, body: buf.toString('utf8', start), end: buf.length, close: true } : 'untilClose';
}

/**
 * @param {import('./client.mjs').ClientSpec} spec
 * @returns {import('./client.mjs').SqsClient}
 */
export function createRawClient({ endpoint, maxSockets, timeoutMs = 60_000, protocol = 'json' }) {
  const host = endpoint.hostname;
  const port = Number(endpoint.port || 80);
  const codec = codecOf(protocol);
  const prefix = `POST ${endpoint.pathname || '/'} HTTP/1.1\r\nHost: ${endpoint.host}\r\n`;
  /** @type {Connection[]} */
  const idle = [];
  /** @type {Set<Connection>} */
  const all = new Set();
  /** @type {Job[]} */
  const waiting = [];
  let closed = false;

  /**
   * @param {Job} job
   * @param {number} status
   * @param {string} text
   */
  const finish = (job, status, text) => {
    if (status !== 200) return fail(job, codec.error(job.action, status, text));
    client.recorder?.record(job.action, performance.now() - job.started);
    let output;
    try {
      output = codec.output(job.action, text);
    } catch {
      return fail(job, new RequestError(job.action, 'UnparsableResponse', status, text.slice(0, 200)));
    }
    job.resolve(output);
  };

  /**
   * @param {Job} job
   * @param {RequestError} err
   */
  const fail = (job, err) => {
    client.recorder?.error(job.action, err.code);
    job.reject(err);
  };

  /** @param {Connection} conn */
  const release = (conn) => {
    const next = waiting.shift();
    if (next) send(conn, next);
    else idle.push(conn);
  };

  /**
   * @param {Connection} conn
   * @param {Job} job
   */
  const send = (conn, job) => {
    conn.job = job;
    conn.buf = undefined;
    conn.socket.write(job.text);
  };

  /**
   * @param {Connection} conn
   * @param {boolean} atClose
   */
  const onResponseData = (conn, atClose) => {
    const job = conn.job;
    if (!job || !conn.buf) return;
    let r;
    try {
      r = parseResponse(conn.buf, atClose);
    } catch (err) {
      conn.socket.destroy(/** @type {Error} */ (err));
      return;
    }
    if (r === undefined || r === 'untilClose') return;
    conn.job = undefined;
    const leftover = r.end < conn.buf.length;
    conn.buf = undefined;
    if (r.close || leftover) conn.socket.destroy();
    else release(conn);
    finish(job, r.status, r.body);
  };

  const connect = () => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    /** @type {Connection} */
    const conn = { socket, job: undefined, buf: undefined, error: undefined, untilClose: false };
    all.add(conn);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('data', (chunk) => {
      if (!conn.job) {
        socket.destroy(new Error('unexpected data from the server'));
        return;
      }
      conn.buf = conn.buf ? Buffer.concat([conn.buf, chunk]) : chunk;
      onResponseData(conn, false);
    });
    socket.on('end', () => onResponseData(conn, true));
    socket.on('error', (err) => {
      conn.error = err;
    });
    socket.on('close', () => {
      all.delete(conn);
      const at = idle.indexOf(conn);
      if (at >= 0) idle.splice(at, 1);
      const job = conn.job;
      conn.job = undefined;
      if (job) {
        const code = /** @type {NodeJS.ErrnoException | undefined} */ (conn.error)?.code ?? 'ConnectionClosed';
        fail(job, new RequestError(job.action, code, 0, conn.error?.message ?? 'the server closed the connection'));
      }
      // A request waiting for a socket gets a new one.
      if (!closed && waiting.length > 0 && all.size < maxSockets) send(connect(), /** @type {Job} */ (waiting.shift()));
    });
    return conn;
  };

  /** @type {import('./client.mjs').SqsClient} */
  const client = {
    recorder: undefined,
    call(action, input) {
      const body = codec.body(action, input);
      const text = `${prefix}${codec.headers(action)}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      return new Promise((resolve, reject) => {
        /** @type {Job} */
        const job = { action, text, started: performance.now(), resolve, reject };
        if (closed) return fail(job, new RequestError(action, 'ClientClosed', 0, 'the client is closed'));
        const conn = idle.pop() ?? (all.size < maxSockets ? connect() : undefined);
        if (conn) send(conn, job);
        else waiting.push(job);
      });
    },
    close() {
      closed = true;
      for (const job of waiting.splice(0))
        fail(job, new RequestError(job.action, 'ClientClosed', 0, 'the client is closed'));
      for (const conn of all) conn.socket.destroy();
    },
  };
  return client;
}
