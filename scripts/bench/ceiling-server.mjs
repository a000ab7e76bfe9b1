/**
 * The ceiling: a bare node:http server that reads each request and answers a fixed, valid
 * SendMessage response (for the benchmark's fixed body, so the SDK's MD5 check passes too): AWS
 * JSON 1.0, or query-protocol XML to a form-encoded request (`--protocol query`).
 * Run as a child of the benchmark; prints "listening <port>" once it accepts connections.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { BODY_1K_MD5 } from './payload.mjs';

const messageId = randomUUID();
const json = JSON.stringify({ MD5OfMessageBody: BODY_1K_MD5, MessageId: messageId });
const jsonLength = Buffer.byteLength(json);
const xmlHead =
  '<?xml version="1.0"?><SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">' +
  `<SendMessageResult><MessageId>${messageId}</MessageId><MD5OfMessageBody>${BODY_1K_MD5}</MD5OfMessageBody>` +
  '</SendMessageResult><ResponseMetadata><RequestId>';
const xmlTail = '</RequestId></ResponseMetadata></SendMessageResponse>';

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    const requestId = randomUUID();
    if (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      const xml = `${xmlHead}${requestId}${xmlTail}`;
      res.writeHead(200, {
        'Content-Type': 'text/xml',
        'Content-Length': Buffer.byteLength(xml),
        'x-amzn-RequestId': requestId,
      });
      res.end(xml);
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'application/x-amz-json-1.0',
      'Content-Length': jsonLength,
      'x-amzn-RequestId': requestId,
    });
    res.end(json);
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
