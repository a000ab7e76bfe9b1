/**
 * `npm run bench -- --peers ...` without the network: its options, the order of the targets in
 * each round, medians, redsqs's ratio to each peer, the checks that mark a run, the tables, and
 * the reuse of an installed peer. The bench is plain .mjs with JSDoc types (tsc does not read it),
 * so the modules are imported by URL and typed here by what the test uses.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

interface Row {
  label: string;
  requests: number;
  messages: number;
  seconds: number;
  reqPerSec: number;
  msgsPerSec: number;
  latency: { count: number; mean: number; p50: number; p95: number; p99: number; max: number };
  latencyOf: string;
  perAction: Record<string, unknown>;
  errors: Record<string, number>;
  cpu?: Record<string, number>;
}
interface ScenarioResult {
  rows: Row[];
  metrics: Record<string, number | string | boolean>;
  notes: string[];
}
interface Sample {
  target: string;
  scenario: string;
  round: number;
  result?: ScenarioResult;
  error?: string;
}
interface Target {
  id: string;
  label: string;
}
interface Measure {
  key: string;
  label: string;
  scenario: string;
  row: string;
  metric: 'msgsPerSec' | 'p99';
}
interface Cell {
  values: number[];
  median: number;
  serverUsPerMsg: number;
  serviceUsPerMsg: number;
  redisUsPerMsg: number;
  problems: string[];
}
interface Comparison {
  targets: Target[];
  rounds: number;
  lines: {
    measure: Measure;
    cells: Record<string, Cell>;
    ratios: Record<string, { ratio: number; low: number; high: number }>;
  }[];
}
interface CompareModule {
  COMPARED_SCENARIOS: string[];
  MEASURES: Measure[];
  roundOrder<T>(targets: T[], round: number): T[];
  medianOf(xs: number[]): number;
  checkFailures(scenario: string, result: ScenarioResult): string[];
  summarize(targets: Target[], samples: Sample[], measures?: Measure[]): Comparison;
  comparisonRows(c: Comparison): { rows: string[][]; align: string };
  cpuRows(c: Comparison): { rows: string[][]; align: string };
  problemLines(c: Comparison): string[];
  markdownTable(rows: string[][], align: string): string;
}
interface CliModule {
  parseOptions(argv: string[]): {
    peers: { name: string; spec: string }[];
    rounds: number;
    scenarios: string[];
    quick: boolean;
  };
  UsageError: new (message: string) => Error;
}
interface PeersModule {
  parsePeers(raw: string): { name: string; spec: string }[];
  entryOf(pkg: unknown): string;
  installPeer(
    peer: { name: string; spec: string },
    o?: { root?: string; timeoutMs?: number },
  ): Promise<{ name: string; version: string; entry: string; how: string }>;
}

const load = async <T>(file: string) =>
  (await import(new URL(`../../scripts/bench/${file}`, import.meta.url).href)) as T;
const compare = await load<CompareModule>('compare.mjs');
const cli = await load<CliModule>('cli.mjs');
const peers = await load<PeersModule>('peers.mjs');

/** A result row: `msgsPerSec` over one second, `p99` latency, server CPU in µs over the window. */
function row(label: string, msgsPerSec: number, o: { p99?: number; serviceUs?: number; redisUs?: number } = {}): Row {
  const latency = { count: 1, mean: 1, p50: 1, p95: 1, p99: o.p99 ?? 1, max: 1 };
  const cpu: Record<string, number> = { clientUs: msgsPerSec * 10 };
  if (o.serviceUs !== undefined) cpu.serviceUs = o.serviceUs;
  if (o.redisUs !== undefined) cpu.redisUs = o.redisUs;
  return {
    label,
    requests: msgsPerSec,
    messages: msgsPerSec,
    seconds: 1,
    reqPerSec: msgsPerSec,
    msgsPerSec,
    latency,
    latencyOf: 'x',
    perAction: {},
    errors: {},
    cpu,
  };
}

const send1 = (msgsPerSec: number, cpu: { serviceUs?: number; redisUs?: number } = {}): ScenarioResult => ({
  rows: [row('send1', msgsPerSec, cpu)],
  metrics: {},
  notes: [],
});

const TARGETS: Target[] = [
  { id: 'redsqs', label: 'redsqs' },
  { id: 'fauxqs', label: 'fauxqs 1.9.2' },
  { id: 'local-aws-sqs', label: 'local-aws-sqs 2.0.2' },
];

describe('bench --peers: options', () => {
  it('reads the peers, defaults to 3 rounds (1 with --quick) and to the compared scenarios', () => {
    const o = cli.parseOptions(['--peers', 'fauxqs, local-aws-sqs@2.0.2']);
    expect(o.peers).toEqual([
      { name: 'fauxqs', spec: '*' },
      { name: 'local-aws-sqs', spec: '2.0.2' },
    ]);
    expect(o.rounds).toBe(3);
    expect(o.scenarios).toEqual(['send1', 'sendbatch', 'drain', 'fifo', 'e2e']);
    expect(cli.parseOptions(['--peers', 'fauxqs', '--quick']).rounds).toBe(1);
    expect(cli.parseOptions(['--peers', 'fauxqs', '--quick', '--rounds', '4']).rounds).toBe(4);
    // --scenario narrows the comparison, in the bench's own order.
    expect(cli.parseOptions(['--peers', 'fauxqs', '--scenario', 'fifo,send1']).scenarios).toEqual(['send1', 'fifo']);
    // Without --peers nothing changes: no peers, the ceiling runs.
    const plain = cli.parseOptions([]);
    expect(plain.peers).toEqual([]);
    expect(plain.scenarios[0]).toBe('ceiling');
  });

  it('refuses what a comparison cannot do, with a usage error', () => {
    const bad = [
      ['--peers', 'sqslite'],
      ['--peers', 'fauxqs,fauxqs'],
      ['--peers', ','],
      ['--peers', 'fauxqs@1.0;rm'],
      ['--peers', 'fauxqs', '--endpoint', 'http://127.0.0.1:9324'],
      ['--peers', 'fauxqs', '--scenario', 'send1,memory'],
      ['--peers', 'fauxqs', '--rounds', '0'],
      ['--rounds', '2'],
    ];
    for (const argv of bad) expect(() => cli.parseOptions(argv), argv.join(' ')).toThrow(cli.UsageError);
    expect(() => cli.parseOptions(['--peers', 'nope'])).toThrow(/unknown peer "nope"; known: fauxqs, local-aws-sqs/);
  });
});

describe('bench --peers: rounds, medians and ratios', () => {
  it('alternates the order of the targets from round to round', () => {
    expect(compare.roundOrder(['r', 'a', 'b'], 0)).toEqual(['r', 'a', 'b']);
    expect(compare.roundOrder(['r', 'a', 'b'], 1)).toEqual(['b', 'a', 'r']);
    expect(compare.roundOrder(['r', 'a', 'b'], 2)).toEqual(['r', 'a', 'b']);
    const targets = ['r', 'a'];
    compare.roundOrder(targets, 1);
    expect(targets).toEqual(['r', 'a']);
  });

  it('takes the median of the rounds, the mean of the middle two of an even count, NaN of none', () => {
    expect(compare.medianOf([3, 1, 2])).toBe(2);
    expect(compare.medianOf([4, 1, 3, 2])).toBe(2.5);
    expect(compare.medianOf([5, Number.NaN, 1, 3])).toBe(3);
    expect(compare.medianOf([])).toBeNaN();
  });

  it("gives redsqs's median over each peer's, with the range of the rounds' own ratios", () => {
    const samples: Sample[] = [
      // redsqs 100, 120, 90; fauxqs 100, 60, 100; local-aws-sqs 50, 50, 50
      { target: 'redsqs', scenario: 'send1', round: 0, result: send1(100, { serviceUs: 5000, redisUs: 1000 }) },
      { target: 'fauxqs', scenario: 'send1', round: 0, result: send1(100, { serviceUs: 3000 }) },
      { target: 'local-aws-sqs', scenario: 'send1', round: 0, result: send1(50, { serviceUs: 2000 }) },
      { target: 'local-aws-sqs', scenario: 'send1', round: 1, result: send1(50, { serviceUs: 2000 }) },
      { target: 'fauxqs', scenario: 'send1', round: 1, result: send1(60, { serviceUs: 3000 }) },
      { target: 'redsqs', scenario: 'send1', round: 1, result: send1(120, { serviceUs: 6000, redisUs: 1200 }) },
      { target: 'redsqs', scenario: 'send1', round: 2, result: send1(90, { serviceUs: 4500, redisUs: 900 }) },
      { target: 'fauxqs', scenario: 'send1', round: 2, result: send1(100, { serviceUs: 3000 }) },
      { target: 'local-aws-sqs', scenario: 'send1', round: 2, result: send1(50, { serviceUs: 2000 }) },
    ];
    const send1Measure = compare.MEASURES.filter((m) => m.scenario === 'send1');
    const c = compare.summarize(TARGETS, samples, send1Measure);
    expect(c.rounds).toBe(3);
    const [line] = c.lines;
    expect(line?.cells.redsqs?.median).toBe(100);
    expect(line?.cells.fauxqs?.median).toBe(100);
    expect(line?.cells['local-aws-sqs']?.median).toBe(50);
    expect(line?.ratios.fauxqs?.ratio).toBe(1);
    // Rounds' own ratios: 100/100, 120/60, 90/100.
    expect(line?.ratios.fauxqs?.low).toBeCloseTo(0.9);
    expect(line?.ratios.fauxqs?.high).toBeCloseTo(2);
    expect(line?.ratios['local-aws-sqs']?.ratio).toBe(2);
    // CPU per message of the server: redsqs's service and Redis together (50 + 10 µs every round).
    expect(line?.cells.redsqs?.serverUsPerMsg).toBeCloseTo(60);
    expect(line?.cells.redsqs?.serviceUsPerMsg).toBeCloseTo(50);
    expect(line?.cells.redsqs?.redisUsPerMsg).toBeCloseTo(10);
    expect(line?.cells.fauxqs?.serverUsPerMsg).toBeCloseTo(30); // 3000 µs over 100 (rounds 1 and 3) and 60 messages
    expect(line?.cells.fauxqs?.redisUsPerMsg).toBeNaN();

    const { rows, align } = compare.comparisonRows(c);
    expect(rows[0]).toEqual([
      'scenario',
      'redsqs',
      'fauxqs 1.9.2',
      'redsqs/fauxqs',
      'local-aws-sqs 2.0.2',
      'redsqs/local-aws-sqs',
    ]);
    expect(rows[1]).toEqual(['send1 (SendMessage)', '100', '100', '1.00 (0.90-2.00)', '50', '2.00 (1.80-2.40)']);
    expect(align).toBe('lrrrrr');
    // Each server's CPU, then its client's (the fixture's client spends 10 µs per message).
    expect(compare.cpuRows(c).rows[0]).toEqual([
      'scenario',
      'redsqs',
      'client (redsqs)',
      'fauxqs 1.9.2',
      'client (fauxqs)',
      'local-aws-sqs 2.0.2',
      'client (local-aws-sqs)',
    ]);
    expect(compare.cpuRows(c).rows[1]).toEqual(['send1 (SendMessage)', '60 (50 + 10)', '10', '30', '10', '40', '10']);
  });

  it('compares e2e on p99 latency and FIFO on both of its rows', () => {
    const fifo = (send: number, drain: number, orderOk: boolean): ScenarioResult => ({
      rows: [row('fifo send (batch)', send), row('fifo drain', drain)],
      metrics: { orderOk, outOfOrder: orderOk ? 0 : 7 },
      notes: [],
    });
    const e2e = (p99: number): ScenarioResult => ({
      rows: [row('e2e (send to receive)', 1000, { p99 })],
      metrics: { lost: 0, sendRate: 1000 },
      notes: [],
    });
    const samples: Sample[] = [
      { target: 'redsqs', scenario: 'fifo', round: 0, result: fifo(300, 400, true) },
      { target: 'fauxqs', scenario: 'fifo', round: 0, result: fifo(100, 800, false) },
      { target: 'redsqs', scenario: 'e2e', round: 0, result: e2e(3) },
      { target: 'fauxqs', scenario: 'e2e', round: 0, result: e2e(6) },
    ];
    const c = compare.summarize(TARGETS.slice(0, 2), samples);
    const byKey = Object.fromEntries(c.lines.map((l) => [l.measure.key, l]));
    expect(byKey['fifo-send']?.ratios.fauxqs?.ratio).toBe(3);
    expect(byKey['fifo-drain']?.ratios.fauxqs?.ratio).toBe(0.5);
    expect(byKey.e2e?.ratios.fauxqs?.ratio).toBe(0.5);
    // The peer broke the FIFO order: its figures are marked, and the problem is listed.
    const rows = compare.comparisonRows(c).rows;
    expect(rows.find((r) => r[0]?.startsWith('fifo drain'))).toEqual([
      'fifo drain (order checked)',
      '400',
      '800 !',
      '0.50',
    ]);
    expect(rows.find((r) => r[0]?.startsWith('e2e'))?.slice(1)).toEqual(['3.00', '6.00', '0.50']);
    // Scenarios that were not run show dashes.
    expect(rows.find((r) => r[0]?.startsWith('send1'))?.slice(1)).toEqual(['-', '-', '-']);
    expect(compare.problemLines(c)).toContain(
      'fauxqs 1.9.2, fifo drain (order checked): round 1: FIFO order broken or incomplete (7 out of order)',
    );
  });

  it('shows a run that failed as failed, without a ratio', () => {
    const samples: Sample[] = [
      { target: 'redsqs', scenario: 'send1', round: 0, result: send1(100) },
      { target: 'fauxqs', scenario: 'send1', round: 0, error: 'fauxqs exited (1) before it was ready' },
    ];
    const c = compare.summarize(TARGETS.slice(0, 2), samples, compare.MEASURES.slice(0, 1));
    expect(compare.comparisonRows(c).rows[1]).toEqual(['send1 (SendMessage)', '100', 'failed', '-']);
    expect(compare.problemLines(c)).toEqual([
      'fauxqs 1.9.2, send1 (SendMessage): round 1: fauxqs exited (1) before it was ready',
    ]);
  });
});

describe('bench --peers: checks', () => {
  it('passes a clean run and names what failed in one that is not', () => {
    expect(compare.checkFailures('send1', send1(100))).toEqual([]);
    expect(compare.checkFailures('fifo', { rows: [], metrics: { orderOk: false, outOfOrder: 3 }, notes: [] })).toEqual([
      'FIFO order broken or incomplete (3 out of order)',
    ]);
    expect(compare.checkFailures('fifo', { rows: [], metrics: { orderOk: true, outOfOrder: 0 }, notes: [] })).toEqual(
      [],
    );
    expect(compare.checkFailures('e2e', { rows: [], metrics: { lost: 19, sendRate: 800 }, notes: [] })).toEqual([
      '19 message(s) lost',
      'send rate 800/s, not 1,000',
    ]);
    expect(
      compare.checkFailures('drain', { rows: [], metrics: {}, notes: ['INCOMPLETE: 12 messages were not drained'] }),
    ).toEqual(['12 messages were not drained']);
    const withErrors = send1(100);
    (withErrors.rows[0] as Row).errors = { 'SendMessage:ThrottlingException': 4 };
    expect(compare.checkFailures('send1', withErrors)).toEqual([
      'send1: 4 failed request(s) (SendMessage:ThrottlingException)',
    ]);
  });
});

describe('bench --peers: tables and packages', () => {
  it('renders Markdown with right-aligned figures and escaped pipes', () => {
    expect(
      compare.markdownTable(
        [
          ['scenario', 'a'],
          ['x|y', '1'],
        ],
        'lr',
      ),
    ).toBe('| scenario | a |\n|---|---:|\n| x\\|y | 1 |');
  });

  it('finds the file a package loads by import', () => {
    expect(peers.entryOf({ exports: { '.': { import: { types: './a.d.ts', default: './dist/app.js' } } } })).toBe(
      './dist/app.js',
    );
    expect(peers.entryOf({ exports: './x.js', main: 'y.js' })).toBe('./x.js');
    expect(peers.entryOf({ main: './dist/index.js' })).toBe('./dist/index.js');
    expect(peers.entryOf({})).toBe('index.js');
  });

  const scratch = mkdtempSync(join(tmpdir(), 'bench-peers-test-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('reuses an installed peer of the exact version asked for, without npm', async () => {
    const dir = join(scratch, 'fauxqs@1.9.2', 'node_modules', 'fauxqs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fauxqs', version: '1.9.2', main: 'dist/app.js' }));
    // timeoutMs 1: were npm asked, it would be killed at once and the install would fail.
    const p = await peers.installPeer({ name: 'fauxqs', spec: '1.9.2' }, { root: scratch, timeoutMs: 1 });
    expect(p.version).toBe('1.9.2');
    expect(p.entry).toBe(join(dir, 'dist/app.js'));
    expect(p.how).toMatch(/^cached in /);
  });

  it('parses peer specs with and without versions', () => {
    expect(peers.parsePeers('local-aws-sqs@^2, fauxqs')).toEqual([
      { name: 'local-aws-sqs', spec: '^2' },
      { name: 'fauxqs', spec: '*' },
    ]);
  });
});
