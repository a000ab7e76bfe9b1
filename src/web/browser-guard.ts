/**
 * What keeps a web page from using redsqs behind its user's back. Without credentials any request
 * is served, so a page open in a browser on the same machine could send, purge and delete through
 * a form POST or a GET ?Action=... (simple cross-site requests need no CORS permission), and a
 * DNS-rebinding page (its own name resolving to 127.0.0.1) could even read messages, as
 * same-origin requests. One check runs on every request, before the SQS / Express split:
 *
 * - Host (bound to loopback only): the Host header must name this machine's loopback (localhost,
 *   *.localhost, 127.x.x.x, [::1]), a name in REDSQS_ALLOWED_HOSTS or the host of REDSQS_BASE_URL.
 *   A rebinding page sends its own name. Bound to another address (0.0.0.0 in Docker), the
 *   service is meant to be reached by names this process cannot know: no Host check.
 * - Cross-site: a request whose Origin is neither the service's own nor in REDSQS_ALLOWED_ORIGINS,
 *   or, without an Origin, whose Sec-Fetch-Site says another origin made it, is refused.
 *   `Origin: null` (sandboxed frames, file:// pages) is refused unless "null" is listed. With
 *   neither header (browsers send none for a GET to a plain-http name they do not count as local),
 *   a foreign Referer is refused, and on the SQS API a browser's User-Agent.
 *   SDKs, CLIs and curl send none of these and are not affected.
 *
 * With credentials configured neither check runs: every route then needs a signature or the
 * developer token, which a page can neither forge nor make the browser add by itself (redsqs sets
 * no cookies and asks for no HTTP authentication). A page that signs its requests does so on
 * purpose, and its origin still needs REDSQS_ALLOWED_ORIGINS for the browser to let it read the
 * answers (CORS).
 *
 * Allowed origins get CORS: preflights (OPTIONS) are answered here, and responses carry
 * Access-Control-Allow-Origin and expose the headers the AWS SDK reads. Other origins get no CORS
 * header at all.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import { isDashboardFile } from '../dashboard/route.js';
import { SqsError } from '../errors.js';
import type { Logger } from '../log.js';
import { encodeJsonError, encodeXmlError } from '../protocol/encode.js';
import { allowOrigin, answerPreflight, header } from './cors.js';

/** Serves the request (false) or has answered it: refused, or a CORS preflight (true). */
export type BrowserGuard = (req: IncomingMessage, res: ServerResponse, isSqs: boolean) => boolean;

const IPV4_LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
/** At most this many distinct refused origins and hosts are logged (one line each). */
const MAX_LOGGED = 100;
/** At most this many accepted Host values are remembered. */
const MAX_REMEMBERED = 64;

/** 127.0.0.0/8, ::1 and localhost: a listener only this machine can reach. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || h === '::ffff:127.0.0.1' || isIpv4Loopback(h);
}

function isIpv4Loopback(name: string): boolean {
  const m = IPV4_LOOPBACK.exec(name);
  if (m === null) return false;
  return m.slice(1).every((octet) => Number(octet) <= 255);
}

/** A loopback name as it appears in a Host header (IPv6 in brackets). */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || isIpv4Loopback(name);
}

/** The Host header split into its name (lower case, no trailing dot) and its port; undefined if malformed. */
export function parseHost(host: string): { name: string; port: string } | undefined {
  let name: string;
  let rest: string;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return undefined;
    name = host.slice(0, end + 1);
    rest = host.slice(end + 1);
  } else {
    const colon = host.indexOf(':');
    name = colon < 0 ? host : host.slice(0, colon);
    rest = colon < 0 ? '' : host.slice(colon);
  }
  if (rest !== '' && !/^:\d{0,5}$/.test(rest)) return undefined;
  if (name === '' || /[\s/@?#\\]/.test(name)) return undefined;
  return { name: name.toLowerCase().replace(/\.$/, ''), port: rest.slice(1) };
}

/** scheme://host[:port] as browsers write it in Origin (default ports dropped); undefined if not an origin. */
function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

interface GuardRules {
  /** The Host check applies (the service listens on loopback only). */
  checkHost: boolean;
  /** Names (and name:port entries) accepted in Host besides loopback names. */
  hosts: Set<string>;
  /** Origins allowed to call the service (normalized), "null" included when listed. */
  origins: Set<string>;
  /** The origin of REDSQS_BASE_URL: the service's own, whatever Host a proxy sends. */
  baseOrigin?: string;
  /** Credentials are configured: only CORS is done here. */
  authenticated: boolean;
  /** Host header values already accepted. */
  accepted: Set<string>;
}

function rulesOf(config: Config, log: Logger): GuardRules {
  const origins = new Set<string>();
  for (const entry of config.allowedOrigins) {
    const origin = entry === 'null' ? 'null' : originOf(entry);
    if (origin === undefined || (origin !== 'null' && new URL(entry).pathname.length > 1)) {
      log.warn(`REDSQS_ALLOWED_ORIGINS: "${entry}" is not an origin (scheme://host[:port], or null); ignored`);
      continue;
    }
    origins.add(origin);
  }
  const hosts = new Set(config.allowedHosts.map((h) => h.toLowerCase().replace(/\.$/, '')));
  const baseOrigin = config.baseUrl ? originOf(config.baseUrl) : undefined;
  if (config.baseUrl) hosts.add(new URL(config.baseUrl).hostname.toLowerCase());
  return {
    checkHost: isLoopbackAddress(config.host),
    hosts,
    origins,
    ...(baseOrigin ? { baseOrigin } : {}),
    authenticated: config.credentials.length > 0,
    accepted: new Set(),
  };
}

/** Why the Host header is refused, or undefined when it names this service. */
function hostRefusal(req: IncomingMessage, config: Config, rules: GuardRules): string | undefined {
  const host = header(req, 'host');
  if (!rules.checkHost || host === undefined) return undefined; // HTTP/1.0 sends none
  // Clients send the same few Host values request after request: those accepted are remembered.
  if (rules.accepted.has(host)) return undefined;
  const parsed = parseHost(host);
  if (parsed && (isLoopbackName(parsed.name) || rules.hosts.has(parsed.name) || rules.hosts.has(host.toLowerCase()))) {
    if (rules.accepted.size < MAX_REMEMBERED) rules.accepted.add(host);
    return undefined;
  }
  return (
    `Host "${clip(host)}" is not a name of this service. redsqs listens on loopback (${config.host}) and answers ` +
    'loopback names only (localhost, 127.0.0.1, [::1]), so that a DNS-rebinding web page cannot reach it. ' +
    'To use another name, list it in REDSQS_ALLOWED_HOSTS (comma-separated).'
  );
}

/** The service's own origin as the request names it (either scheme: a TLS proxy may front it). */
function isOwnOrigin(origin: string, req: IncomingMessage, rules: GuardRules): boolean {
  if (origin === rules.baseOrigin) return true;
  const host = header(req, 'host');
  if (host === undefined) return false;
  return origin === originOf(`http://${host}`) || origin === originOf(`https://${host}`);
}

/** Why a browser's cross-site request is refused, or undefined when it may be served. */
function crossSiteRefusal(req: IncomingMessage, rules: GuardRules, isSqs: boolean): string | undefined {
  const origin = header(req, 'origin');
  if (origin !== undefined) {
    if (isOwnOrigin(origin, req, rules) || rules.origins.has(originOf(origin) ?? origin)) return undefined;
    return (
      `Requests from the web page origin ${clip(origin)} are refused: without credentials any page could ` +
      'send, purge and delete through redsqs. To allow a page (a dashboard or a browser app), list its origin ' +
      `in REDSQS_ALLOWED_ORIGINS (e.g. REDSQS_ALLOWED_ORIGINS=${clip(origin)}), or configure credentials ` +
      '(REDSQS_CREDENTIALS).'
    );
  }
  const site = header(req, 'sec-fetch-site');
  if (site === undefined) return noMetadataRefusal(req, rules, isSqs);
  // same-origin: the page is the service's own; none: the user typed the address or opened a bookmark.
  if (site === 'same-origin' || site === 'none') return undefined;
  // The dashboard's own files may be opened from a link on another page (they hold no data); not
  // an SQS call on their path (GET /dashboard?Action=... is one).
  if (!isSqs && (req.method === 'GET' || req.method === 'HEAD') && isDashboardFile(pathOf(req))) return undefined;
  return (
    `A request another web page made (Sec-Fetch-Site: ${clip(site)}) is refused: without credentials any ` +
    'page could send, purge and delete through redsqs. A page allowed in REDSQS_ALLOWED_ORIGINS may call ' +
    'redsqs with fetch (which sends its Origin).'
  );
}

/**
 * A request with neither Origin nor Sec-Fetch-Site: what SDKs, CLIs and curl send, but also what
 * browsers send for a GET (an <img>, a link) to a plain-http name they do not count as local (an
 * allowed host, a LAN address): they send fetch metadata only to secure and loopback origins. Such
 * a request is refused when its Referer names another page's origin, and, on the SQS API, when it
 * comes from a browser at all (a Mozilla/ User-Agent: no SDK sends one; a page that may call redsqs
 * uses fetch, which sends its Origin).
 */
function noMetadataRefusal(req: IncomingMessage, rules: GuardRules, isSqs: boolean): string | undefined {
  const referer = header(req, 'referer');
  const from = referer === undefined ? undefined : originOf(referer);
  if (from !== undefined && !isOwnOrigin(from, req, rules) && !rules.origins.has(from)) {
    return (
      `A request from the web page ${clip(from)} (its Referer) is refused: without credentials any page could ` +
      'send, purge and delete through redsqs. List its origin in REDSQS_ALLOWED_ORIGINS to allow it.'
    );
  }
  if (isSqs && /^Mozilla\//.test(header(req, 'user-agent') ?? '')) {
    return (
      'An SQS request from a web browser without an Origin header (a link, an image, an address typed in) is ' +
      'refused: without credentials any page could send, purge and delete through redsqs this way. Call redsqs ' +
      'from a page with fetch (which sends its Origin) and list that origin in REDSQS_ALLOWED_ORIGINS, or use ' +
      'the dashboard.'
    );
  }
  return undefined;
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Echoed request values are cut short in answers and logs. */
function clip(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

/**
 * 403 in the shape of the path: on the SQS API, AWS's AccessDenied (HTTP 403; SQS answers
 * "Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied." when a request is not
 * allowed: docs.aws.amazon.com, SQSDeveloperGuide/troubleshooting-access-denied.html) in the
 * request's protocol; elsewhere JSON {error}.
 */
function refuse(req: IncomingMessage, res: ServerResponse, isSqs: boolean, reason: string): void {
  if (!isSqs) {
    const body = JSON.stringify({ error: reason });
    res.writeHead(403, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  const requestId = randomUUID();
  const error = new SqsError('AccessDeniedException', `Access to the resource is denied. ${reason}`);
  const out =
    typeof req.headers['x-amz-target'] === 'string' ? encodeJsonError(error) : encodeXmlError(error, requestId);
  res.writeHead(out.status, {
    'Content-Type': out.contentType,
    'Content-Length': Buffer.byteLength(out.body),
    'x-amzn-RequestId': requestId,
    ...out.headers,
  });
  res.end(out.body);
}

export function browserGuard(config: Config, log: Logger): BrowserGuard {
  const rules = rulesOf(config, log);
  const logged = new Set<string>();
  /** One info line per refused origin or host, so a confused developer finds the reason in the log. */
  const note = (key: string, reason: string): void => {
    if (logged.has(key) || logged.size >= MAX_LOGGED) return;
    logged.add(key);
    log.info(`refused a browser request: ${reason}`);
  };

  return (req, res, isSqs) => {
    if (!rules.authenticated) {
      const host = hostRefusal(req, config, rules);
      if (host !== undefined) {
        note(`host ${header(req, 'host')}`, host);
        refuse(req, res, isSqs, host);
        return true;
      }
    }
    const origin = header(req, 'origin');
    const allowed = origin !== undefined && rules.origins.has(originOf(origin) ?? origin) ? origin : undefined;
    if (allowed !== undefined) {
      if (req.method === 'OPTIONS' && header(req, 'access-control-request-method') !== undefined) {
        answerPreflight(req, res, allowed);
        return true;
      }
      allowOrigin(res, allowed);
    }
    if (rules.authenticated) return false;
    const crossSite = crossSiteRefusal(req, rules, isSqs);
    if (crossSite === undefined) return false;
    note(`origin ${origin ?? header(req, 'sec-fetch-site')}`, crossSite);
    refuse(req, res, isSqs, crossSite);
    return true;
  };
}
