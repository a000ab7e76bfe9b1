/**
 * The same SQS scenario through the client generations people use besides the JavaScript SDK:
 * every distinct boto3 and AWS CLI found here (test/clients/). Debian 12's python3-boto3 (1.26)
 * and awscli (2.9) still speak the query/XML protocol to SQS; newer ones speak AWS JSON 1.0. Each
 * client talks to the service through a recording proxy, so the test checks which protocol it
 * really spoke. Outside CI a missing Debian client is a skipped test saying how to install it; in
 * CI (CI set) it fails.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCliScenario } from '../clients/cli-scenario.js';
import {
  type AwsCli,
  childPids,
  commandOf,
  DEBIAN_AWS,
  DEBIAN_PYTHON,
  findAwsClis,
  findBoto3s,
  run,
  SCENARIO_PY,
} from '../clients/find-clients.js';
import { startWireLog, type WireLog } from '../clients/wire-log.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();
const CI = Boolean(process.env.CI);
const [boto3s, clis] = await Promise.all([findBoto3s(), findAwsClis()]);

const MOVE_ACTIONS = ['StartMessageMoveTask', 'ListMessageMoveTasks'];

let wire: WireLog | undefined;
afterEach(async () => {
  await wire?.close();
  wire = undefined;
  // Every client run was awaited to its exit (or killed by its timeout): none may be left.
  expect(childPids().map((pid) => `${pid} ${commandOf(pid)}`)).toEqual([]);
});

/** A failure message with the last exchanges on the wire, request and response as sent. */
function withWire(message: string): string {
  return `${message}\n\nlast exchanges through the proxy:\n${wire?.tail(4) ?? '(none)'}`;
}

/** The protocol a CLI's version is known to speak to SQS; undefined when not pinned down here. */
function knownCliProtocol(cli: AwsCli): 'query' | undefined {
  const older = (v: string, than: number[]) => {
    const parts = v.split('.').map(Number);
    for (let i = 0; i < than.length; i++) {
      const a = parts[i] ?? 0;
      const b = than[i] as number;
      if (a !== b) return a < b;
    }
    return false;
  };
  // JSON came with CLI v2 2.13.34 and botocore 1.31.81 (the CLI v1 line names its botocore).
  if (cli.major === 2) return older(cli.version, [2, 13, 34]) ? 'query' : undefined;
  const botocore = /botocore\/(\S+)/.exec(cli.versionLine)?.[1];
  return botocore && older(botocore, [1, 31, 81]) ? 'query' : undefined;
}

describe('client generations: boto3', () => {
  if (!boto3s.some((b) => b.debian)) {
    it.skipIf(!CI)(
      `Debian's python3-boto3 for ${DEBIAN_PYTHON} is not installed: scripts/setup.sh installs it (apt-get install python3-boto3)`,
      () => {
        expect.fail(`CI requires Debian's python3-boto3 (boto3 for ${DEBIAN_PYTHON}): run scripts/setup.sh`);
      },
    );
  }

  for (const b of boto3s) {
    const from = b.debian ? `Debian python3-boto3, ${b.python}` : b.python;
    it(`boto3 ${b.boto3} (botocore ${b.botocore}, ${b.protocol} protocol; ${from})`, { timeout: 60_000 }, async () => {
      wire = await startWireLog(svc().url);
      const r = await run(b.python, [SCENARIO_PY, wire.url]);
      if (r.code !== 0) expect.fail(withWire(`scenario.py with ${b.python} exited ${r.code}:\n${r.stderr}`));
      const result = JSON.parse(r.stdout) as { checked: string[]; moveTaskOperations: string };
      expect(result.checked).toHaveLength(8);
      const protocols = wire.protocols();
      expect(Object.keys(protocols), 'the protocol on the wire is the one of the client model').toEqual([b.protocol]);
      expect(protocols[b.protocol as 'query' | 'json']).toEqual(expect.arrayContaining(MOVE_ACTIONS));
      console.log(
        `boto3 ${b.boto3} (${b.python}): ${wire.exchanges.length} requests, all ${b.protocol}; ` +
          `move task operations: ${result.moveTaskOperations}`,
      );
    });
  }
});

describe('client generations: AWS CLI', () => {
  if (!clis.some((c) => c.debian)) {
    it.skipIf(!CI)(
      `Debian's awscli (${DEBIAN_AWS}) is not installed: scripts/setup.sh installs it (apt-get install awscli)`,
      () => {
        expect.fail(`CI requires Debian's awscli at ${DEBIAN_AWS}: run scripts/setup.sh`);
      },
    );
  }

  for (const cli of clis) {
    const known = knownCliProtocol(cli);
    const from = cli.debian ? `Debian awscli, ${cli.realPath}` : cli.command;
    // About 20 CLI runs, each mostly the CLI's own start-up: the longest test here.
    const name = `AWS CLI ${cli.version} (${known ? `${known} protocol` : 'protocol as observed'}; ${from})`;
    it(name, { timeout: 120_000 }, async () => {
      wire = await startWireLog(svc().url);
      const started = Date.now();
      let checked: string[] = [];
      try {
        ({ checked } = await runCliScenario(cli, wire.url));
      } catch (err) {
        expect.fail(withWire(err instanceof Error ? err.message : String(err)));
      }
      expect(checked).toHaveLength(5);
      const protocols = wire.protocols();
      const seen = Object.keys(protocols);
      expect(seen, 'one protocol for every request').toHaveLength(1);
      if (known) expect(seen).toEqual([known]);
      expect(protocols[seen[0] as 'query' | 'json']).toEqual(expect.arrayContaining(MOVE_ACTIONS));
      console.log(
        `${cli.versionLine}: ${wire.exchanges.length} requests, all ${seen[0]}, in ${Date.now() - started} ms; ` +
          `move task operations from ${cli.moveTasksInModel ? 'the client model' : 'test/clients/models'}`,
      );
    });
  }
});

it.skipIf(!CI && !boto3s.some((b) => b.protocol === 'query'))(
  'a boto3 that speaks the query protocol is among them (required in CI)',
  () => {
    const found = boto3s.map((b) => `${b.boto3} (${b.protocol})`).join(', ') || 'none';
    expect(
      boto3s.some((b) => b.protocol === 'query'),
      `boto3 found: ${found}; Debian 12's speaks query`,
    ).toBe(true);
  },
);
