/**
 * A recording HTTP proxy in front of the service: the clients under test talk to it, so the test
 * sees which wire protocol each one really spoke, and a failure can quote the exact exchange. The
 * Host header is passed on unchanged, so the queue URLs the service builds point at the proxy.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export type WireProtocol = 'json' | 'query' | 'other';

export interface Exchange {
  protocol: WireProtocol;
  /** The SQS action: from X-Amz-Target (JSON) or the Action parameter (query). */
  action: string;
  contentType: string;
  request: string;
  status: number;
  response: string;
}

export interface WireLog {
  url: string;
  exchanges: Exchange[];
  /** The protocols seen, each with the actions sent in it. */
  protocols(): Partial<Record<WireProtocol, string[]>>;
  /** The last `n` exchanges, request and response, for a failure message. */
  tail(n?: number): string;
  close(): Promise<void>;
}

function classify(
  method: string,
  path: string,
  headers: Record<string, unknown>,
  body: string,
): Pick<Exchange, 'protocol' | 'action'> {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return { protocol: 'json', action: target.replace(/^AmazonSQS\./, '') };
  const params = new URLSearchParams(method === 'GET' ? (path.split('?')[1] ?? '') : body);
  const action = params.get('Action');
  return action ? { protocol: 'query', action } : { protocol: 'other', action: `${method} ${path}` };
}

export async function startWireLog(target: string): Promise<WireLog> {
  const to = new URL(target);
  const exchanges: Exchange[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const back: Buffer[] = [];
          up.on('data', (c: Buffer) => back.push(c));
          up.on('end', () => {
            const response = Buffer.concat(back);
            const text = body.toString('utf8');
            exchanges.push({
              ...classify(req.method ?? '', req.url ?? '', req.headers, text),
              contentType: String(req.headers['content-type'] ?? ''),
              request: `${req.method} ${req.url}\n${text}`,
              status: up.statusCode ?? 0,
              response: response.toString('utf8'),
            });
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(response);
          });
        },
      );
      upstream.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    protocols() {
      const seen: Partial<Record<WireProtocol, string[]>> = {};
      for (const e of exchanges) {
        const actions = seen[e.protocol] ?? [];
        if (!actions.includes(e.action)) actions.push(e.action);
        seen[e.protocol] = actions;
      }
      return seen;
    },
    tail(n = 3) {
      return exchanges
        .slice(-n)
        .map((e) => `>>> ${e.request}\n<<< ${e.status} ${e.response}`)
        .join('\n\n');
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
