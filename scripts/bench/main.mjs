#!/usr/bin/env node
/**
 * `npm run bench`: starts what it measures (redsqs from dist/, the ceiling server), runs the
 * scenarios (runner.mjs), prints the summary and the targets, writes the JSON results, and stops
 * everything it started, also on errors and Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { HELP, parseOptions, UsageError } from './cli.mjs';
import { createHttpClient } from './client-http.mjs';
import { createRawClient } from './client-raw.mjs';
import { createSdkClient } from './client-sdk.mjs';
import { runComparison } from './compare-run.mjs';
import { cpuMeter } from './cpu.mjs';
import { redisProbe } from './probes.mjs';
import { createWorkDir, isAlive, killAllNow, startCeiling, startRedsqs, stopAll } from './processes.mjs';
import { printCpu, printSummary, printTargets, say, writeJson } from './report.mjs';
import { runScenarios } from './runner.mjs';
import { windowOf } from './scenarios/common.mjs';
import { evaluateTargets } from './targets.mjs';

let stopping = false;
/** @type {ReturnType<typeof createWorkDir> | undefined} */
let work;

/**
 * Stops everything and exits; the logs stay after a failure, not after a Ctrl-C.
 * @param {number} code
 */
async function shutdown(code) {
  if (!stopping) {
    stopping = true;
    await stopAll().catch(() => killAllNow());
  }
  killAllNow();
  if (work?.finish(code !== 130)) say(`logs kept in ${work.dir}`);
  work = undefined;
  process.exit(code);
}

function installHandlers() {
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.on(signal, () => {
      say(`\n${signal}: stopping what the benchmark started...`);
      void shutdown(130);
    });
  }
  const crash = (/** @type {unknown} */ err) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    void shutdown(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  process.on('exit', () => {
    killAllNow();
    work?.finish(true);
  });
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n\n${HELP}`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(HELP);
    return;
  }
  installHandlers();
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const started = new Date();
  const host = machine();
  say(`redsqs benchmark, ${started.toISOString()}`);
  say(`machine: ${host.cpu}, ${host.memoryGiB} GiB, ${host.os}, node ${host.node}`);
  say(`load average before the run: ${loadAverage()} (other work on the machine skews the figures)`);
  say(
    `client: ${options.client}; protocol: ${options.protocol}; mode: ${options.quick ? 'quick' : 'full'}; concurrency ${options.concurrency}; ` +
      `windows ${options.durationMs / 1000} s`,
  );

  work = createWorkDir();
  const workDir = work.dir;
  const create = { raw: createRawClient, http: createHttpClient, sdk: createSdkClient }[options.client];
  if (options.peers.length > 0) {
    await compare(options, root, started, host);
    return;
  }
  const service = options.endpoint
    ? undefined
    : await startRedsqs({ root, workDir, nodeArgs: options.serviceNodeArgs, workers: options.workers });
  const endpoint = options.endpoint ?? /** @type {URL} */ (service?.endpoint);
  const redisPort = service?.redisPort ?? options.redisPort;
  const redis = redisPort ? redisProbe(redisPort) : undefined;
  const redisVersion = redis ? await redis.version() : undefined;
  if (service) {
    say(
      `target: redsqs from dist/ (pid ${service.pid}${options.workers > 1 ? `, ${options.workers} workers` : ''}) ` +
        `at ${endpoint.origin}, embedded redis-server ${redisVersion} ` +
        `(pid ${service.redisPid}, port ${service.redisPort}, appendonly ${(await redis?.persistence())?.aofEnabled ? 'yes' : 'no'}); ` +
        `logs in ${workDir} (kept if the service warns or a scenario fails)`,
    );
  } else {
    say(`target: ${endpoint.origin}${redis ? `, Redis ${redisVersion} on 127.0.0.1:${redisPort}` : ''}`);
  }
  const ceiling = await startCeiling(workDir);
  say(`ceiling: node:http server (pid ${ceiling.pid}) at ${ceiling.endpoint.origin}`);

  const newClient = (/** @type {{ endpoint?: URL, maxSockets?: number }} */ o = {}) =>
    create({
      endpoint: o.endpoint ?? endpoint,
      maxSockets: o.maxSockets ?? options.concurrency * 2,
      protocol: options.protocol,
    });
  const client = newClient();
  try {
    await client.call('ListQueues', { MaxResults: 1 });
  } catch (err) {
    throw new Error(`the target does not answer ListQueues: ${err instanceof Error ? err.message : err}`);
  }

  // With --endpoint the service's processes are unknown: only the client's CPU is measured.
  // The service's workers (--workers) count as the service; its redis-server is measured apart.
  const cpu = cpuMeter({ service: service?.pid, redis: service?.redisPid }, { withNodeChildren: ['service'] });
  /** @type {import('./scenarios/common.mjs').Context} */
  const ctx = {
    client,
    newClient,
    quick: options.quick,
    concurrency: options.concurrency,
    window: windowOf(options, cpu),
    prefix: `bench-${Date.now().toString(36)}`,
    endpoint,
    ceilingEndpoint: ceiling.endpoint,
    redis,
    servicePid: service?.pid,
    redisPid: service?.redisPid,
    ceilingPid: ceiling.pid,
    cpu,
  };

  /** @type {import('./runner.mjs').Run[]} */
  let runs = [];
  let completed = false;
  try {
    const outcome = await runScenarios(ctx, options.scenarios, {
      stopping: () => stopping,
      serviceGone: () => Boolean(service && !isAlive(service.pid)),
    });
    runs = outcome.runs;
    const ceilingRate = outcome.ceiling;
    printSummary(runs, ceilingRate);
    printCpu(runs);
    /** @type {import('./targets.mjs').Results} */
    const results = Object.fromEntries(runs.map((r) => [r.name, r.result]));
    const verdicts = evaluateTargets(results);
    printTargets(verdicts);
    if (options.quick) say('(quick mode: smaller preloads and short windows; the targets are meant for a full run)');
    if (options.client !== 'raw')
      say(`(the targets are set for --client raw; with --client ${options.client} the client is the limit)`);
    const warnings = service?.warnings() ?? [];
    if (warnings.length > 0) {
      say(`\nthe service logged ${warnings.length} WARN/ERROR line(s), e.g.:`);
      for (const line of warnings.slice(0, 5)) say(`  ${line}`);
    }
    writeJson(options.out, {
      date: started.toISOString(),
      machine: { ...host, redis: redisVersion, loadAverageAtEnd: os.loadavg() },
      options: { ...options, endpoint: endpoint.origin, scenarios: options.scenarios },
      target: service ? 'redsqs (dist/, embedded redis-server, appendonly)' : endpoint.origin,
      ceilingReqPerSec: ceilingRate,
      scenarios: Object.fromEntries(runs.map((r) => [r.name, r])),
      targets: verdicts,
      serviceWarnings: warnings,
      totalSeconds: (Date.now() - started.getTime()) / 1000,
    });
    say(`\nload average after the run: ${loadAverage()}`);
    say(`results: ${options.out} (total ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`);
    completed = true;
  } finally {
    client.close();
    await redis?.close();
    // After a signal, shutdown() stops everything.
    if (!stopping) {
      await stopAll();
      const keep = options.keepLogs || !completed || runs.some((r) => r.error) || (service?.warnings().length ?? 0) > 0;
      if (work?.finish(keep)) say(`logs kept in ${workDir}`);
      work = undefined;
    }
  }
}

/**
 * `--peers`: redsqs side by side with other emulators (compare-run.mjs), then the JSON results.
 * @param {import('./cli.mjs').Options} options
 * @param {string} root
 * @param {Date} started
 * @param {ReturnType<typeof machine>} host
 */
async function compare(options, root, started, host) {
  const dir = /** @type {NonNullable<typeof work>} */ (work).dir;
  const create = { raw: createRawClient, http: createHttpClient, sdk: createSdkClient }[options.client];
  let completed = false;
  let failed = false;
  try {
    const outcome = await runComparison({
      options,
      root,
      workDir: dir,
      newClient: (o) =>
        create({
          endpoint: o.endpoint,
          maxSockets: o.maxSockets ?? options.concurrency * 2,
          protocol: options.protocol,
        }),
      stopping: () => stopping,
    });
    failed = outcome.failed;
    writeJson(options.out, {
      date: started.toISOString(),
      machine: { ...host, redis: redisServerVersion(), loadAverageAtEnd: os.loadavg() },
      options: { ...options, endpoint: undefined },
      targets: outcome.targets,
      unavailable: outcome.unavailable,
      comparison: outcome.comparison,
      samples: outcome.samples,
      totalSeconds: (Date.now() - started.getTime()) / 1000,
    });
    say(`\nload average after the run: ${loadAverage()}`);
    say(`results: ${options.out} (total ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`);
    completed = !stopping;
  } finally {
    if (!stopping) {
      await stopAll();
      if (work?.finish(options.keepLogs || !completed || failed)) say(`logs kept in ${dir}`);
      work = undefined;
    }
  }
}

/** The version of the redis-server on PATH (the one redsqs embeds), or undefined. */
function redisServerVersion() {
  try {
    const out = execFileSync('redis-server', ['--version'], { encoding: 'utf8', timeout: 5_000 });
    return /v=(\S+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

function loadAverage() {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

main().then(
  // After a signal, shutdown() exits once everything is stopped.
  () => stopping || process.exit(0),
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    void shutdown(1);
  },
);
