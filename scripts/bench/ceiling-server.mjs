/**
 * The ceiling: a bare node:http server that reads each request and answers a fixed, valid
 * SendMessage response (for the benchmark's fixed body, so the SDK's MD5 check passes too).
 * Run as a child of the benchmark; prints "listening <port>" once it accepts connections.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { BODY_1K_MD5 } from './payload.mjs';

const body = JSON.stringify({ MD5OfMessageBody: BODY_1K_MD5, MessageId: randomUUID() });
const length = Buffer.byteLength(body);

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, {
      'Content-Type': 'application/x-amz-json-1.0',
      'Content-Length': length,
      'x-amzn-RequestId': randomUUID(),
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
const stop = () => server.close(() => process.exit(0)).closeAllConnections();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
