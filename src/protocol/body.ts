/** Reading a request body whole, with a size limit: the SQS path and the peek endpoint share it. */
import type { IncomingMessage } from 'node:http';

/** The body passed the limit: the rest is drained unread. */
export class BodyTooLarge extends Error {}
/** The client went away (reset, hung up) before the whole body arrived: nobody to answer. */
export class ClientAborted extends Error {}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => reject(new ClientAborted()));
  });
}
