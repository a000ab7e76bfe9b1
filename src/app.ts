/**
 * Everything on the service's port that is not the SQS API, on Express: /health and /metrics
 * always; the developer endpoints (peek, clock, reset) and the dashboard unless switched off.
 * With credentials configured every route but /health and the dashboard's static files needs
 * the developer token or a signature (web/dev-auth.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { Config } from './config.js';
import { dashboardRouter } from './dashboard/route.js';
import { peekRouter } from './dev/peek.js';
import { queuesRouter } from './dev/queues.js';
import { devRouter } from './dev/routes.js';
import { SqsError } from './errors.js';
import type { EventHub } from './events/hub.js';
import { eventsRouter } from './events/route.js';
import type { Logger } from './log.js';
import type { ServiceMetrics } from './metrics/metrics.js';
import { encodeJsonError } from './protocol/encode.js';
import type { ClockControl } from './store/clock-control.js';
import type { Store, StoreHealth } from './store/store.js';
import { VERSION } from './version.js';
import { devAuth, isSigned, type VerifySigned } from './web/dev-auth.js';

/** starting: until everything asked for at start is in place; stopping: once shutdown began. */
export type Phase = 'starting' | 'ready' | 'stopping';

export interface AppDeps {
  store: Store;
  config: Config;
  /** The shared clock, as the clock routes steer it. */
  clock: ClockControl;
  /** The service's time (the shared clock's). */
  now(): number;
  health: StoreHealth;
  phase(): Phase;
  reset(account?: string): Promise<number>;
  /** The service's Prometheus metrics (GET /metrics). */
  metrics: Pick<ServiceMetrics, 'scrape' | 'contentType'>;
  /** The accounts that have queues, this instance's always. */
  accounts(): Promise<string[]>;
  /** The event stream (GET /_redsqs/events, a developer endpoint). */
  events?: EventHub;
  /**
   * The SQS API for the dashboard (POST /_redsqs/sqs): unsigned, as the default account, behind
   * the developer token when credentials are configured (a page cannot sign without a secret).
   */
  dashboardSqs?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Checks SigV4 signatures on these routes (auth/sigv4.ts) when credentials are configured. */
  verifySigned?: VerifySigned;
  log: Logger;
}

/** Where the dashboard sends its SQS calls (either protocol, as on POST /). */
export const DASHBOARD_SQS_PATH = '/_redsqs/sqs';

/**
 * A dashboard SQS call, handed to the SQS handler as if sent to POST / (its queue URLs and actions
 * are those of the SQS API). Signed requests belong on POST / itself, where the key's account is
 * the caller's; here the caller is the default account (and a signed request's body has been read).
 */
function sqsAsDashboard(
  req: express.Request,
  res: express.Response,
  sqs: (req: IncomingMessage, res: ServerResponse) => void,
): void {
  if (isSigned(req)) {
    res.status(400).json({ error: `Send signed SQS requests to POST /; ${DASHBOARD_SQS_PATH} is the dashboard's.` });
    return;
  }
  const q = req.url.indexOf('?');
  req.url = q < 0 ? '/' : `/${req.url.slice(q)}`;
  sqs(req, res);
}

export function buildApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/health', async (_req, res) => {
    // pid: which process answered, telling the workers of `--workers N` apart.
    const about = { version: VERSION, pid: process.pid };
    const phase = deps.phase();
    if (phase !== 'ready') {
      res.status(503).json({ status: phase, ...about });
      return;
    }
    const up = await deps.health.check();
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'unavailable', redis: up ? 'up' : 'down', ...about });
  });
  // What the dashboard's page is made of holds no data, and a navigation cannot carry a header.
  if (deps.config.devEndpoints) app.use(dashboardRouter());
  app.use(
    devAuth({
      credentials: deps.config.credentials,
      account: deps.config.accountId,
      refused: refusalLog(deps.log),
      ...(deps.config.devToken !== undefined ? { devToken: deps.config.devToken } : {}),
      now: deps.now,
      ...(deps.verifySigned ? { verify: deps.verifySigned } : {}),
    }),
  );
  // Prometheus text format; the queue gauges are read from Redis now.
  app.get('/metrics', async (_req, res) => {
    const text = await deps.metrics.scrape();
    res.status(200).set('Content-Type', deps.metrics.contentType).send(text);
  });
  if (deps.config.devEndpoints) {
    const isDown = (): boolean => deps.health.isDown;
    app.use(peekRouter({ store: deps.store, config: deps.config, now: deps.now, log: deps.log, isDown }));
    app.use(devRouter({ clock: deps.clock, reset: deps.reset, isDown }));
    if (deps.events) app.use(eventsRouter({ hub: deps.events, isDown }));
    app.use(queuesRouter({ store: deps.store, config: deps.config, now: deps.now, accounts: deps.accounts, isDown }));
    const sqs = deps.dashboardSqs;
    if (sqs) app.post(DASHBOARD_SQS_PATH, (req, res) => sqsAsDashboard(req, res, sqs));
  }
  app.use((req, res) => {
    const off = !deps.config.devEndpoints && /^\/(_(redsqs|aws)\/|dashboard(\/|$))/.test(req.path);
    res.status(404).json({
      error: off
        ? `${req.path} is a developer endpoint, and they are off (--dev-endpoints off or REDSQS_DEV_ENDPOINTS=off).`
        : `No route for ${req.method} ${req.path}. SQS requests go to POST / (or GET /?Action=...).`,
    });
  });
  // Whatever a route did not expect: logged here, answered in the SQS JSON error shape, no stack.
  app.use(((err, req, res, _next) => {
    deps.log.error(`${req.method} ${req.path} failed`, err);
    const out = encodeJsonError(
      new SqsError('InternalFailure', 'The request processing has failed because of an unknown error.'),
    );
    res.status(out.status).set(out.headers).type('application/json').send(out.body);
  }) as express.ErrorRequestHandler);
  return app;
}

/**
 * Refused requests to the routes around the SQS API, for the log: each kind once at info (a
 * scraper without its token would otherwise write a line every scrape), every one at debug.
 */
function refusalLog(log: Logger): (reason: string) => void {
  const seen = new Set<string>();
  return (reason) => {
    const kind = reason.slice(reason.indexOf(': ') + 2);
    if (!seen.has(kind) && seen.size < 100) {
      seen.add(kind);
      log.info(`refused a request without a valid credential: ${reason}`);
    } else if (log.debugEnabled) log.debug(`refused: ${reason}`);
  };
}
