/**
 * `npm run bench -- --peers a,b`: redsqs side by side with other SQS emulators from npm. Installs
 * the peers (peers.mjs), then in every round, for every compared scenario, starts each target as
 * a fresh process on loopback (redsqs from dist/ with its embedded append-only Redis; a peer in
 * memory), runs the scenario with the same client, and stops it; the targets' order alternates
 * from round to round. Prints the medians, redsqs's ratio to each peer and the CPU per message of
 * each server (compare.mjs). A peer that cannot be installed or started is reported and left out;
 * a scenario that fails or fails its checks on a target is shown in the table.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { comparisonText, MEASURES, problemLines, roundOrder, summarize } from './compare.mjs';
import { cpuMeter } from './cpu.mjs';
import { installPeer } from './peers.mjs';
import { startPeer, startRedsqs } from './processes.mjs';
import { say } from './report.mjs';
import { windowOf } from './scenarios/common.mjs';
import { SCENARIOS } from './scenarios/index.mjs';

/**
 * @typedef {import('./compare.mjs').Target & { entry?: string, how?: string }} RunTarget
 * @typedef {{ endpoint: URL, pid: number, redisPid?: number, stop: () => Promise<void>,
 *   warnings?: () => string[] }} Started
 */

/**
 * @param {unknown} err
 */
const messageOf = (err) => (err instanceof Error ? err.message : String(err));

/**
 * @param {object} o
 * @param {import('./cli.mjs').Options} o.options
 * @param {string} o.root the repository (dist/ is started from there)
 * @param {string} o.workDir the run's work directory (logs, redsqs's data)
 * @param {(o: { endpoint: URL, maxSockets?: number }) => import('./client.mjs').SqsClient} o.newClient
 * @param {() => boolean} o.stopping
 */
export async function runComparison({ options, root, workDir, newClient, stopping }) {
  /** @type {RunTarget[]} */
  const targets = [{ id: 'redsqs', label: 'redsqs' }];
  /** @type {{ name: string, reason: string }[]} */
  const unavailable = [];

  say('\n== Peers');
  for (const peer of options.peers) {
    try {
      const p = await installPeer(peer);
      say(`${peer.name}@${peer.spec}: ${p.version}, ${p.how}`);
      targets.push({ id: peer.name, label: `${peer.name} ${p.version}`, entry: p.entry, how: p.how });
    } catch (err) {
      say(`${peer.name}@${peer.spec}: CANNOT BE INSTALLED: ${messageOf(err)}`);
      unavailable.push({ name: peer.name, reason: `not installed: ${messageOf(err)}` });
    }
  }

  let starts = 0;
  /**
   * A fresh server of `target`, answering ListQueues.
   * @param {RunTarget} target
   * @param {string} dir
   * @returns {Promise<Started>}
   */
  const start = async (target, dir) => {
    mkdirSync(dir, { recursive: true });
    starts++;
    const server =
      target.id === 'redsqs'
        ? await startRedsqs({ root, workDir: dir, nodeArgs: options.serviceNodeArgs, workers: options.workers })
        : await startPeer({ workDir: dir, name: target.id, entry: /** @type {string} */ (target.entry) });
    const client = newClient({ endpoint: server.endpoint, maxSockets: 1 });
    try {
      await client.call('ListQueues', { MaxResults: 1 });
    } catch (err) {
      await server.stop();
      throw new Error(`started, but does not answer ListQueues: ${messageOf(err)}`);
    } finally {
      client.close();
    }
    return server;
  };

  // Each peer must start (and answer) once before the rounds, or it is left out.
  for (const target of targets.slice(1)) {
    try {
      const server = await start(target, join(workDir, `probe-${target.id}`));
      await server.stop();
      say(`${target.label}: starts and answers on loopback`);
    } catch (err) {
      say(`${target.label}: CANNOT BE STARTED: ${messageOf(err)}`);
      unavailable.push({ name: target.id, reason: `not started: ${messageOf(err)}` });
    }
  }
  const running = targets.filter((t) => !unavailable.some((u) => u.name === t.id));

  const scenarios = SCENARIOS.filter((s) => options.scenarios.includes(s.name));
  /** @type {import('./compare.mjs').Sample[]} */
  const samples = [];
  let warnings = 0;
  const started = Date.now();
  for (let round = 0; round < options.rounds && !stopping(); round++) {
    const order = roundOrder(running, round);
    say(`\n== Round ${round + 1} of ${options.rounds}: ${order.map((t) => t.label).join(', ')}`);
    for (const scenario of scenarios) {
      for (const target of order) {
        if (stopping()) break;
        const dir = join(workDir, `r${round + 1}-${scenario.name}-${target.id}`);
        /** @type {import('./compare.mjs').Sample} */
        const sample = { target: target.id, scenario: scenario.name, round };
        /** @type {Started | undefined} */
        let server;
        /** @type {import('./client.mjs').SqsClient | undefined} */
        let client;
        try {
          server = await start(target, dir);
          const cpu = cpuMeter(
            { service: server.pid, ...(server.redisPid ? { redis: server.redisPid } : {}) },
            { withNodeChildren: ['service'] },
          );
          const endpoint = server.endpoint;
          const c = newClient({ endpoint, maxSockets: options.concurrency * 2 });
          client = c;
          /** @type {import('./scenarios/common.mjs').Context} */
          const ctx = {
            client: c,
            newClient: (o = {}) =>
              newClient({ endpoint: o.endpoint ?? endpoint, maxSockets: o.maxSockets ?? options.concurrency * 2 }),
            quick: options.quick,
            concurrency: options.concurrency,
            window: windowOf(options, cpu),
            prefix: `bench-${Date.now().toString(36)}`,
            endpoint,
            ceilingEndpoint: undefined,
            redis: undefined,
            servicePid: server.pid,
            redisPid: server.redisPid,
            ceilingPid: undefined,
            cpu,
          };
          sample.result = await scenario.run(ctx);
        } catch (err) {
          sample.error = messageOf(err);
        } finally {
          client?.close();
          const w = server?.warnings?.() ?? [];
          warnings += w.length;
          await server?.stop();
          // redsqs's data (append-only file) goes at once; the logs stay until the end.
          rmSync(join(dir, 'data'), { recursive: true, force: true });
        }
        samples.push(sample);
        say(`   ${scenario.name.padEnd(9)} ${target.label.padEnd(22)} ${sampleText(sample)}`);
      }
    }
  }

  const measured = MEASURES.filter((m) => options.scenarios.includes(m.scenario));
  const comparison = summarize(running, samples, measured);
  const text = comparisonText(comparison);
  say(
    `\n== redsqs and its peers: median of ${options.rounds} round(s), msgs/s (e2e: p99 ms); ` +
      'redsqs/peer = ratio of the medians (throughput: above 1, redsqs is faster; e2e p99: below 1, ' +
      "redsqs is faster), with the lowest and highest of the rounds' own ratios; ! = a check failed (below)",
  );
  say(text.main);
  say(
    '\n== CPU per message, µs, median over rounds: each server (redsqs: service + redis-server), then the client that drove it',
  );
  say(text.cpu);
  const problems = problemLines(comparison);
  if (problems.length > 0) {
    say('\nchecks that failed and errors:');
    for (const p of problems) say(`  ${p}`);
  }
  for (const u of unavailable) say(`${u.name}: left out, ${u.reason}`);
  if (warnings > 0) say(`redsqs logged ${warnings} WARN/ERROR line(s); its logs are kept`);
  say('\nThe same tables in Markdown:\n');
  say(text.mainMarkdown);
  say('');
  say(text.cpuMarkdown);
  say(`\n(${starts} server starts, ${((Date.now() - started) / 1000).toFixed(0)} s of rounds)`);
  return {
    comparison,
    samples,
    unavailable,
    // A peer failing a check is a finding, not a reason to keep the logs; a failed run or redsqs's warnings are.
    failed: samples.some((s) => s.error) || warnings > 0 || unavailable.some((u) => u.reason.startsWith('not started')),
    targets: targets.map(({ id, label, how }) => ({ id, label, how })),
  };
}

/** @param {import('./compare.mjs').Sample} s */
function sampleText(s) {
  if (s.error) return `FAILED: ${s.error}`;
  const rows = s.result?.rows ?? [];
  const parts = rows.map((r) =>
    r.label.startsWith('e2e')
      ? `p99 ${r.latency.p99.toFixed(2)} ms`
      : `${rows.length > 1 ? `${r.label.replace(/ \(.*\)$/, '')} ` : ''}${Math.round(r.msgsPerSec).toLocaleString('en-US')} msgs/s`,
  );
  const bad = s.result?.notes.filter((n) => n.startsWith('INCOMPLETE') || n.includes('BROKEN')) ?? [];
  return [parts.join(', '), ...bad].join('; ');
}
