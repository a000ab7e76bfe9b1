/**
 * Clients held to one worker of `--workers N`: node:cluster hands each connection to one worker,
 * so a keep-alive agent with a single socket sends every request to the same worker.
 */
import { type Agent, request } from 'node:http';
import { SQS } from '@aws-sdk/client-sqs';

/** GET `path`, on `agent`'s pooled connection or, without one (false), on a connection of its own. */
export function getOn(url: string, path: string, agent: Agent | false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An SDK client on one keep-alive connection, and the pid of the worker at its other end. */
export async function pinnedClient(url: string, agent: Agent): Promise<{ sqs: SQS; agent: Agent; pid: number }> {
  const { pid } = JSON.parse((await getOn(url, '/health', agent)).body) as { pid: number };
  const sqs = new SQS({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: { httpAgent: agent },
  });
  return { sqs, agent, pid };
}
