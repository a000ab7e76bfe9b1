/**
 * GET /_redsqs/events: the event stream as Server-Sent Events, from every instance on the Redis.
 *   ?queue=a,b          only events of these queues (for dead-lettered and moved: source or target)
 *   ?type=sent,deleted  only these types (types.ts)
 * Each event: `id: <origin>-<n>`, `event: <type>`, `data: <JSON>`; a comment every 15 s keeps
 * proxies from closing an idle stream. The response starts once every instance publishes, so
 * whatever a client does after the first bytes arrive is in the stream. Bad filters: 400 in the
 * SQS JSON error shape, as the other developer routes.
 */
import express from 'express';
import { invalidParameter, redisUnavailable, type SqsError } from '../errors.js';
import { encodeJsonError } from '../protocol/encode.js';
import type { EventHub, EventSink } from './hub.js';
import { type EventFilter, FilterError, parseFilter } from './types.js';

const HEARTBEAT_MS = 15_000;
/** A client that reads slower than this many bytes behind is dropped (it reconnects, as SSE does). */
const MAX_BUFFERED = 8 * 1024 * 1024;

export interface EventRouteDeps {
  hub: EventHub;
  /** Redis is known to be down: answer 503 at once. */
  isDown(): boolean;
}

function sendError(res: express.Response, err: SqsError): void {
  const out = encodeJsonError(err);
  res.status(out.status).set(out.headers).type('application/json').send(out.body);
}

export function eventsRouter(deps: EventRouteDeps): express.Router {
  const router = express.Router();
  router.get('/_redsqs/events', (req, res) => {
    let filter: EventFilter;
    try {
      filter = parseFilter(req.query as Record<string, unknown>);
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      sendError(res, invalidParameter(err.message));
      return;
    }
    if (deps.isDown()) {
      sendError(res, redisUnavailable());
      return;
    }
    let heartbeat: NodeJS.Timeout | undefined;
    let remove: (() => void) | undefined;
    let ended = false;
    /** Until the stream has begun, events wait here (the other instances are still being told). */
    let early: string[] | undefined = [];
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      remove?.();
      if (!res.headersSent)
        sendError(res, redisUnavailable()); // closing while the stream was starting
      else if (!res.writableEnded) res.end();
    };
    const write = (text: string): void => {
      if (early) early.push(text);
      else {
        res.write(text);
        if (res.writableLength > MAX_BUFFERED) end();
      }
    };
    const sink: EventSink = {
      filter,
      send: (id, event) => {
        if (!ended) write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      },
      close: end,
    };
    req.on('close', end);
    deps.hub.listen(sink).then(
      (unlisten) => {
        remove = unlisten;
        if (ended) {
          unlisten();
          return;
        }
        res.status(200).set({
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          'X-Accel-Buffering': 'no',
        });
        res.flushHeaders();
        res.write(`retry: 1000\n: listening\n\n${(early ?? []).join('')}`);
        early = undefined;
        heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_MS);
        heartbeat.unref();
      },
      () => {
        ended = true;
        if (!res.headersSent) sendError(res, redisUnavailable());
      },
    );
  });
  return router;
}
