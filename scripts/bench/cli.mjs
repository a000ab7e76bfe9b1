/** Command-line options of `npm run bench` and their help text. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { COMPARED_SCENARIOS } from './compare.mjs';
import { DEFAULT_SPEC, PEERS, parsePeers } from './peers.mjs';
import { SCENARIOS } from './scenarios/index.mjs';

export const HELP = `Usage: npm run bench -- [options]

Load generator for redsqs or any SQS endpoint (AWS JSON 1.0, or the query protocol with
--protocol query). Without --endpoint it starts redsqs from dist/ (it does not build: run
npm run build first) on a free loopback port, with its embedded redis-server (append-only
persistence on) in a temporary data directory, and stops both at the end, on errors and on
Ctrl-C. Traffic goes to 127.0.0.1 only.

Options:
  --scenario a,b       scenarios to run (default: all, in this order):
                         ${SCENARIOS.map((s) => s.name).join(', ')}
                       ceiling always runs: every throughput is also given as a ratio to it
  --quick              about 30 s smoke run: shorter windows, smaller preloads
  --client KIND        raw: lean HTTP/1.1 client on a keep-alive pool of node:net sockets (default)
                       http: node:http with a keep-alive http.Agent (about 3x the client CPU)
                       sdk: @aws-sdk/client-sqs
  --protocol P         json: AWS JSON 1.0, X-Amz-Target (default)
                       query: the query protocol, Action= form-encoded requests and XML responses
                       (the ceiling server then answers XML too; sdk: the query-era SDK 3.445)
  --endpoint URL       an SQS endpoint already running on loopback (http://127.0.0.1:PORT)
  --redis-port N       with --endpoint: the Redis behind it on 127.0.0.1, for memory and roundtrips
  --concurrency N      requests in flight in the throughput scenarios (default 32)
  --duration S         seconds of each throughput window (default 8; quick 1.5)
  --out FILE           results as JSON (default ${join(tmpdir(), 'redsqs-bench-results.json')})
  --workers N          start redsqs with --workers N (worker processes on one port; default 1);
                       its CPU is then that of the primary and all its workers
  --service-node-args="ARGS"
                       node flags for the service (note the =), e.g.
                       --service-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
  --keep-logs          keep the service's log (always kept when it warns or a scenario fails)
  --peers a,b[@v]      compare with other SQS emulators from npm (known: ${Object.keys(PEERS).join(', ')}):
                       installs each (name@version; without one, npm's pick for "${DEFAULT_SPEC}": the newest
                       release this Node can run) into a scratch directory under the temp directory,
                       kept between runs; then for every round, scenario and target (redsqs from
                       dist/ with its append-only Redis, each peer in memory) a fresh server process
                       on loopback, the same client and scenarios (${COMPARED_SCENARIOS.join(', ')});
                       prints redsqs's ratio to each peer (median over rounds) and CPU per message
  --rounds N           rounds of a comparison (default 3; quick 1); they alternate the order of
                       the targets (redsqs first, then last, ...)
  -h, --help           this text

Scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(11)} ${s.title}`).join('\n')}

Comparing builds (each script's header says more):
  node scripts/bench/ab.mjs --a DIR --b DIR [--protocol query] [--load send1|cycle]
                       service CPU per request of two builds, in windows that alternate
  node scripts/bench/micro-xml.mjs [--dist DIR]...
                       ns per query-protocol XML response, builds side by side
  node scripts/bench/micro-ids.mjs
                       uuid's v4() against crypto.randomUUID()
`;

/**
 * @typedef {object} Options
 * @property {string[]} scenarios
 * @property {boolean} quick
 * @property {'raw' | 'http' | 'sdk'} client
 * @property {'json' | 'query'} protocol
 * @property {URL | undefined} endpoint
 * @property {number | undefined} redisPort
 * @property {number} concurrency
 * @property {number} durationMs
 * @property {string} out
 * @property {string[]} serviceNodeArgs
 * @property {number} workers
 * @property {boolean} keepLogs
 * @property {import('./peers.mjs').PeerSpec[]} peers none: no comparison
 * @property {number} rounds
 * @property {boolean} help
 */

export class UsageError extends Error {}

/** @param {string} raw */
function loopbackEndpoint(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint: not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:') throw new UsageError('--endpoint: only http:// endpoints are supported');
  if (url.hostname === 'localhost') url.hostname = '127.0.0.1';
  if (url.hostname !== '127.0.0.1') {
    throw new UsageError('--endpoint: the benchmark sends traffic to 127.0.0.1 (or localhost) only');
  }
  return url;
}

/**
 * @param {string} name
 * @param {string | undefined} raw
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 */
function number(name, raw, fallback, min, max) {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be from ${min} to ${max}`);
  return n;
}

/**
 * @param {string} name
 * @param {string | undefined} raw
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 */
function integer(name, raw, fallback, min, max) {
  const n = number(name, raw, fallback, min, max);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * @param {string[]} argv
 * @returns {Options}
 */
export function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        quick: { type: 'boolean', default: false },
        client: { type: 'string', default: 'raw' },
        protocol: { type: 'string', default: 'json' },
        endpoint: { type: 'string' },
        'redis-port': { type: 'string' },
        concurrency: { type: 'string' },
        duration: { type: 'string' },
        out: { type: 'string' },
        'service-node-args': { type: 'string' },
        workers: { type: 'string' },
        'keep-logs': { type: 'boolean', default: false },
        peers: { type: 'string' },
        rounds: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  const known = SCENARIOS.map((s) => s.name);
  const wanted = v.scenario
    ? v.scenario
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : known;
  for (const name of wanted) {
    if (!known.includes(name)) throw new UsageError(`unknown scenario "${name}"; known: ${known.join(', ')}`);
  }
  if (v.client !== 'raw' && v.client !== 'http' && v.client !== 'sdk') {
    throw new UsageError('--client must be raw, http or sdk');
  }
  if (v.protocol !== 'json' && v.protocol !== 'query') throw new UsageError('--protocol must be json or query');
  const quick = Boolean(v.quick);
  let peers = /** @type {import('./peers.mjs').PeerSpec[]} */ ([]);
  if (v.peers !== undefined) {
    try {
      peers = parsePeers(v.peers);
    } catch (err) {
      throw new UsageError(`--peers: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (v.endpoint) throw new UsageError('--peers starts every target itself: not with --endpoint');
    if (v.scenario) {
      const other = wanted.filter((name) => !COMPARED_SCENARIOS.includes(name));
      if (other.length > 0) {
        throw new UsageError(`--peers compares ${COMPARED_SCENARIOS.join(', ')}; not ${other.join(', ')}`);
      }
    }
  } else if (v.rounds !== undefined) {
    throw new UsageError('--rounds is for a comparison: give --peers too');
  }
  const compared = v.scenario ? COMPARED_SCENARIOS.filter((name) => wanted.includes(name)) : COMPARED_SCENARIOS;
  return {
    scenarios: peers.length > 0 ? compared : known.filter((name) => name === 'ceiling' || wanted.includes(name)),
    quick,
    client: v.client,
    protocol: v.protocol,
    endpoint: v.endpoint ? loopbackEndpoint(v.endpoint) : undefined,
    redisPort: v['redis-port'] ? number('redis-port', v['redis-port'], 0, 1, 65535) : undefined,
    concurrency: number('concurrency', v.concurrency, 32, 1, 1024),
    durationMs: number('duration', v.duration, quick ? 1.5 : 8, 0.5, 600) * 1000,
    out: v.out ?? join(tmpdir(), 'redsqs-bench-results.json'),
    serviceNodeArgs: v['service-node-args'] ? v['service-node-args'].split(/\s+/).filter(Boolean) : [],
    workers: integer('workers', v.workers, 1, 1, 256),
    keepLogs: Boolean(v['keep-logs']),
    peers,
    rounds: integer('rounds', v.rounds, quick ? 1 : 3, 1, 100),
    help: Boolean(v.help),
  };
}
